"""`gcollect inspect`: the bundle's report summary on a terminal (or as JSON)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from collector.errors import ExitCode


@click.command("inspect", epilog="""\b
Examples:
  gcollect inspect gcollect-sip01-01234567-20251119T140500Z.tar.gz
  gcollect inspect BUNDLE --json | jq '.alarms[:5]'
""")
@click.argument("bundle", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
def inspect_command(bundle: Path, as_json: bool) -> int:
    """Summarise BUNDLE from its manifest.json: what was collected per host and product, the
    time each log stream covers, Std/Alr messages by ID, HA role changes, redactions per rule,
    and every excluded or skipped file with its reason (the same as report.html)."""
    from collector.report import read_manifest, render_text, summarise

    data = summarise(read_manifest(bundle))
    if as_json:
        click.echo(json.dumps(data, indent=1, default=str))
    else:
        click.echo(render_text(data), nl=False)
    return int(ExitCode.OK)
