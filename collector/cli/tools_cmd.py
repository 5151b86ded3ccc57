"""`gcollect verify` and `gcollect unmask`."""

from __future__ import annotations

import json
from pathlib import Path

import click

from collector.bundlereader import not_a_bundle_file
from collector.errors import BadInput, ExitCode


@click.command("verify", epilog="""\b
Example:
  gcollect verify gcollect-sip01-01234567-20251119T140500Z.tar.gz
""")
@click.argument("bundle", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def verify_command(bundle: Path, as_json: bool) -> int:
    """Re-read BUNDLE: check its sidecar NAME.sha256, and every member against manifest.json
    and SHA256SUMS. Names each mismatch; exit code 41 on any."""
    from collector.verify import verify_bundle

    if bundle.is_dir():
        raise BadInput(what=str(bundle), problem="is a folder; verify checks the bundle file "
                       "(NAME.tar.gz, .tar.zst or .zip beside its NAME.sha256). For an unpacked "
                       "bundle: cd into it and run `sha256sum -c SHA256SUMS`")
    problem = not_a_bundle_file(bundle, "verify")
    if problem is not None:
        raise BadInput(what=str(bundle), problem=problem)
    report = verify_bundle(bundle)
    if as_json:
        click.echo(json.dumps({
            "bundle": str(report.path), "ok": report.ok, "members_checked": report.members_checked,
            "problems": [{"member": p.member, "problem": p.problem} for p in report.problems],
            "warnings": [{"member": p.member, "problem": p.problem} for p in report.warnings],
        }, indent=1))
    else:
        for problem in report.problems:
            where = f"{problem.member}: " if problem.member else ""
            click.echo(f"FAILED {where}{problem.problem}")
        for warning in report.warnings:
            where = f"{warning.member}: " if warning.member else ""
            click.echo(f"WARNING {where}{warning.problem}")
        if report.ok:
            note = f"; {len(report.warnings)} warning(s) above" if report.warnings else ""
            click.echo(f"OK {report.path} ({report.members_checked} members verified{note})")
        else:
            click.echo(f"gcollect: error: {report.path} did not verify "
                       f"({len(report.problems)} problem(s))", err=True)
    return int(ExitCode.OK if report.ok else ExitCode.VERIFY_FAILED)


@click.command("unmask", epilog="""\b
Example:
  gcollect unmask PHONE_kqzvmbtrwe
""")
@click.argument("tokens", nargs=-1, required=True)
@click.option("--state-dir", type=click.Path(path_type=Path), default=None,
              help="Where the token map lives (default: as for collect).")
def unmask_command(tokens: tuple[str, ...], state_dir: Path | None) -> int:
    """Show the original value behind redaction TOKENS, from this host's local token map.
    The map never leaves the host; support asks you to look a token up here. A phone token
    written with a leading + (+PHONE_x) is found with or without the +."""
    from collector.api import unmask
    from collector.settings import default_state_dir

    state = state_dir or default_state_dir()
    missing = 0
    for token in tokens:
        found = unmask(token, state)
        if found is None:
            click.echo(f"{token}\t(not in the token map at {state})")
            missing += 1
        else:
            stored, category, value = found
            note = f"\t(found as {stored})" if stored != token else ""
            click.echo(f"{token}\t{category}\t{value}{note}")
    return int(ExitCode.BAD_INPUT if missing else ExitCode.OK)
