"""`gcollect notice`: a planned-change notice for Genesys Customer Care (text and JSON)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from collector.errors import BadInput, ExitCode


@click.command("notice", epilog="""\b
Examples:
  gcollect notice --from "SIP Server 8.1.103" --to "8.1.104" \\
      --start "2025-12-01 22:00" --end "2025-12-02 02:00" --contact "Pat Admin, +1 555 0100" \\
      --company ACME --site "Main DC" --case 01234567 --output notice.txt
  gcollect notice --from "URS 8.1.400" --to "8.1.500" --start 2025-12-10T20:00Z --end 2025-12-10T23:00Z \\
      --contact ops@example.com --json
""")
@click.option("--from", "change_from", required=True, help='What runs now, e.g. "SIP Server 8.1.103".')
@click.option("--to", "change_to", required=True, help='What it becomes, e.g. "8.1.104".')
@click.option("--start", required=True, help="Start of the change (YYYY-MM-DD HH:MM local, or with Z/+02:00).")
@click.option("--end", required=True, help="End of the change window.")
@click.option("--contact", "contacts", multiple=True, required=True, help="Contact for the change (repeatable).")
@click.option("--company", default=None, help="Company name.")
@click.option("--site", default=None, help="Site name.")
@click.option("--case", "cases", multiple=True, help="Open Customer Care case number (repeatable).")
@click.option("--describe", "description", default=None, help="What the change is, in a sentence.")
@click.option("--root", type=click.Path(path_type=Path), default=Path("/"), show_default=True,
              help="Host tree to read the environment from (OS, switch, DBMS, versions).")
@click.option("--no-environment", is_flag=True, help="Do not read the host (no discovery).")
@click.option("--json", "as_json", is_flag=True, help="Print the JSON form instead of the text.")
@click.option("--output", type=click.Path(path_type=Path), default=None,
              help="Write the text to FILE and the JSON to FILE.json (else print).")
def notice_command(change_from: str, change_to: str, start: str, end: str, contacts: tuple[str, ...],
                   company: str | None, site: str | None, cases: tuple[str, ...], description: str | None,
                   root: Path, no_environment: bool, as_json: bool, output: Path | None) -> int:
    """Write a planned-change notice for Genesys Customer Care: company/site, window, from/to
    versions, environment (OS, switch, DBMS, components) and contacts. Warns when the change
    starts less than one week from now (Customer Care asks for a week's notice)."""
    from collector.notice import build_notice, render_notice_text
    from collector.timewindow import parse_when

    try:
        start_at, end_at = parse_when(start), parse_when(end)
    except ValueError as exc:
        raise BadInput(what="--start/--end", problem=str(exc)) from None
    installations: list = []
    host_name = None
    env_root = None
    if not no_environment:
        env_root = root
        installations, host_name = _discover(root)
    notice = build_notice(change_from=change_from, change_to=change_to, start=start_at, end=end_at,
                          contacts=contacts, company=company, site=site, cases=cases, description=description,
                          root=env_root, installations=installations, host_name=host_name)
    text = render_notice_text(notice)
    as_json_text = json.dumps(notice, indent=1) + "\n"
    if output is not None:
        output.write_text(text, encoding="utf-8")
        Path(str(output) + ".json").write_text(as_json_text, encoding="utf-8")
        click.echo(f"notice written to {output} and {output}.json")
    else:
        click.echo(as_json_text if as_json else text, nl=False)
    if notice["warning"]:
        click.echo(f"gcollect: warning: {notice['warning']}", err=True)
    return int(ExitCode.OK)


def _discover(root: Path) -> tuple[list, str | None]:
    """Installations and host name of ``root``; nothing (not an error) if none are found."""
    from collector.api import check_root, load_profile_set
    from collector.discovery import discover
    from collector.settings import host_name_for

    try:
        check_root(root)
        profiles = load_profile_set((), ())
        return [i for i in discover(root, profiles, use_processes=None) if i.product != "host"], host_name_for(root)
    except BadInput:
        raise
    except Exception:  # noqa: BLE001 - the notice is still useful without the environment
        return [], None
