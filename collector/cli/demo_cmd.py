"""`gcollect demo`: generate a realistic Genesys host and collect it, no Genesys needed."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import click

from collector.errors import ExitCode


@click.command("demo", epilog="""\b
Example:
  gcollect demo                     # writes ./gcollect-demo/ and prints the bundle's path
  gcollect demo --dir /tmp/demo --json
""")
@click.option("--dir", "demo_dir", type=click.Path(path_type=Path), default=Path("gcollect-demo"),
              show_default=True, help="Folder for the demo host, its state and the bundle (recreated).")
@click.option("--format", "fmt", type=click.Choice(["tar.gz", "tar.zst", "zip"]), default="tar.gz",
              show_default=True)
@click.option("--days", type=float, default=2.0, show_default=True, help="Days of logs to generate.")
@click.option("--json", "as_json", is_flag=True, help="Print the JSON report instead of the summary.")
def demo_command(demo_dir: Path, fmt: str, days: float, as_json: bool) -> int:
    """Generate a demo Genesys host (Configuration Server, LCA, SIP Server, URS, ORS, Stat
    Server, GWS, with callers' numbers, attached data, SIP dumps and passwords in configs),
    collect it like a real one, verify the bundle, and print its path and a summary."""
    from collector import api
    from collector.casefile import CaseInfo
    from collector.cli.collect_cmd import print_summary, with_case_and_report
    from collector.progress import reporter_for
    from collector.selection import Caps
    from collector.settings import RunSettings
    from collector.testhost import DEMO_PRODUCTS, generate_host
    from collector.testhost.ledger import MIN_SEARCHABLE
    from collector.verify import verify_bundle

    host_root = demo_dir / "host"
    if host_root.exists():
        shutil.rmtree(host_root)
    out_dir = demo_dir / "bundles"
    host_root.mkdir(parents=True)
    out_dir.mkdir(parents=True, exist_ok=True)
    if not as_json:
        click.echo(f"generating a demo Genesys host in {host_root} ...", err=True)
    ledger = generate_host(host_root, products=DEMO_PRODUCTS, days=days, host_name="demo-gen01")
    ledger.write(demo_dir / "ledger.json")
    settings = RunSettings(output_dir=out_dir, state_dir=demo_dir / "state", host_name="demo-gen01",
                           fmt=fmt, case="demo", command_line="gcollect demo", low_priority=False)
    request = api.CollectRequest(root=host_root, settings=settings, caps=Caps(), use_processes=False)
    discovery = api.discover_and_plan(request)
    request = with_case_and_report(request, discovery, CaseInfo(case="demo", summary="gcollect demo run"))
    discovery, result = api.collect(request, reporter_for(quiet=as_json), discovery=discovery)
    report = verify_bundle(result.bundle.path)
    leaked = _leaked_secrets(result.bundle.path, ledger)
    summary = dict(api.summary(result))
    summary["verified"] = report.ok
    summary["planted_secrets"] = len({s.value for s in ledger.secrets if len(s.value) >= MIN_SEARCHABLE})
    summary["planted_secrets_found_in_bundle"] = leaked
    if as_json:
        click.echo(json.dumps(summary, indent=1))
    else:
        print_summary(result, discovery)
        click.echo(f"verified:   {'OK' if report.ok else 'FAILED'}  (gcollect verify {result.bundle.path})")
        click.echo(f"leak check: {leaked} of {summary['planted_secrets']} distinct planted secrets "
                   "found in the bundle")
        click.echo(f"report:     tar -xzf {result.bundle.path} --wildcards '*/report.html'; "
                   f"gcollect inspect {result.bundle.path}")
        click.echo(f"try:        tar -tzf {result.bundle.path} | head; "
                   f"gcollect unmask --state-dir {demo_dir / 'state'} TOKEN")
    ok = report.ok and leaked == 0
    return int(ExitCode.OK if ok else ExitCode.VERIFY_FAILED)


def _leaked_secrets(bundle: Path, ledger) -> int:
    """How many distinct planted secret values appear anywhere in the bundle's members."""
    from collector.bundlereader import iter_members

    return len({s.value for s in ledger.planted_found(data for _name, data in iter_members(bundle))})
