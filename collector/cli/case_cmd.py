"""`gcollect case new`: write a case file (asked for interactively on a terminal), and the
case options of `gcollect collect` (``case_options`` decorator + ``case_info_from``)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from collector.bundle.names import case_name_part
from collector.casefile import SEVERITIES, CaseInfo, load_case_file, normalise_severity, save_case_file
from collector.errors import BadInput, ExitCode


def severity_option(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """--severity normalised (``1-critical`` ...); a value not among them is a usage error (exit 2)."""
    try:
        return normalise_severity(value)
    except BadInput:
        raise click.BadParameter(f"{value!r}: use 1-4 or critical, high, medium, low") from None


def case_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """Add --describe/--site/--contact/--severity/--step/--case-file/--strict-case to a command
    (``--case`` itself is collect's own option). Read them back with ``case_info_from(kwargs)``."""
    options = [
        click.option("--case-file", type=click.Path(path_type=Path, exists=True, dir_okay=False), default=None,
                     help="Case file written by `gcollect case new` (options given here win)."),
        click.option("--describe", default=None, help="Problem summary for case.json."),
        click.option("--site", default=None, help="Site / company name for case.json."),
        click.option("--contact", default=None, help="Contact (your admin: name, e-mail, phone) for case.json."),
        click.option("--severity", default=None, callback=severity_option, help="1-4 or critical/high/medium/low."),
        click.option("--step", "steps", multiple=True, help="A reproduction step (repeatable, in order)."),
        click.option("--strict-case", is_flag=True,
                     help="Replace host and DB server names by HOST_ tokens in case.json and in the case "
                          "block of report.html. The bundle name, manifest.json and the collected files "
                          "keep the real host names."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


CASE_KEYS = ("case_file", "describe", "site", "contact", "severity", "steps", "strict_case")


def case_number_of(case: str | None, case_file: Path | None, base: CaseInfo) -> str | None:
    """The case number of a run: --case, else the case file's. Both given and different: a usage
    error (exit 2), since the bundle name would disagree with case.json."""
    if case and base.case and case.strip() != base.case.strip():
        raise click.UsageError(f"--case {case} differs from the case number {base.case} in the case file "
                               f"{case_file}; give one of them, or make them agree")
    return case or base.case or None


def case_info_from(kwargs: dict[str, Any], case: str | None = None) -> tuple[CaseInfo, bool]:
    """Pop the case options from ``kwargs`` (of a ``case_options`` command): (CaseInfo, strict).
    ``info.case`` is the run's case number (``case_number_of``): it names the bundle."""
    values = {key: kwargs.pop(key, None) for key in CASE_KEYS}
    base = load_case_file(values["case_file"]) if values["case_file"] else CaseInfo()
    case = case_number_of(case, values["case_file"], base)
    info = base.merged(case=case, summary=values["describe"], site=values["site"], contact=values["contact"],
                       severity=values["severity"], steps=list(values["steps"] or ()))
    return info, bool(values["strict_case"])


@click.group("case", epilog="""\b
Examples:
  gcollect case new                                # asks, writes case-<number>.json
  gcollect case new --case 01234567 --describe "calls drop after transfer" --severity 2 -o case.json
  gcollect collect --since 2h --case-file case-01234567.json
""")
def case_group() -> None:
    """Case metadata for Genesys Customer Care (case.json in the bundle)."""


@case_group.command("new", epilog="""\b
Example:
  gcollect case new --case 01234567 --site "ACME Main" --contact "Pat Admin <pat@example.com>"
""")
@click.option("--case", "case", default=None, help="Customer Care case number.")
@click.option("--site", default=None, help="Site / company name.")
@click.option("--contact", default=None, help="Your contact for this case (name, e-mail, phone).")
@click.option("--describe", default=None, help="Problem summary.")
@click.option("--severity", default=None, callback=severity_option, help="1-4 or critical/high/medium/low.")
@click.option("--product", default=None, help="Affected product/component and release, as you know it.")
@click.option("--actions", default=None, help="What was done already.")
@click.option("--step", "steps", multiple=True, help="A reproduction step (repeatable, in order).")
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None,
              help="Case file to write (default case-<number>.json here).")
@click.option("--no-input", is_flag=True, help="Never ask; take only the options.")
def case_new_command(case: str | None, site: str | None, contact: str | None, describe: str | None,
                     severity: str | None, product: str | None, actions: str | None, steps: tuple[str, ...],
                     output: Path | None, no_input: bool) -> int:
    """Write a case file for `gcollect collect --case-file`; on a terminal, asks for what is
    missing (case number, site, contact, summary, severity, product, steps)."""
    ask = not no_input and sys.stdin.isatty()
    if ask:
        case = case or click.prompt("Case number", default="", show_default=False) or None
        site = site or click.prompt("Site / company", default="", show_default=False) or None
        contact = contact or click.prompt("Contact (name, e-mail, phone)", default="", show_default=False) or None
        describe = describe or click.prompt("Problem summary", default="", show_default=False) or None
        while severity is None:
            answer = click.prompt(f"Severity ({', '.join(SEVERITIES)})", default="3")
            try:
                severity = normalise_severity(answer)
            except Exception as exc:  # noqa: BLE001 - ask again
                click.echo(str(exc), err=True)
        product = product or click.prompt("Product, component and release", default="",
                                          show_default=False) or None
        actions = actions or click.prompt("What was done already", default="", show_default=False) or None
        if not steps:
            collected: list[str] = []
            click.echo("Reproduction steps, one per line; an empty line ends.")
            while True:
                step = click.prompt(f"  step {len(collected) + 1}", default="", show_default=False)
                if not step:
                    break
                collected.append(step)
            steps = tuple(collected)
    info = CaseInfo().merged(case=case, site=site, contact=contact, summary=describe, severity=severity,
                             product=product, actions_taken=actions, steps=list(steps))
    path = output or Path(f"case-{case_name_part(info.case)}.json")   # the case number names no folder
    save_case_file(info, path)
    click.echo(f"case file written: {path}  (use: gcollect collect --case-file {path})")
    return int(ExitCode.OK)
