"""Option bundles shared by collect and snapshot, and their translation into a request."""

from __future__ import annotations

import os
from pathlib import Path

import click

from collector.bundle import FORMATS
from collector.settings import RunSettings, default_state_dir, host_name_for, usable_cores
from collector.units import parse_size


def _split(values: tuple[str, ...]) -> tuple[str, ...]:
    out: list[str] = []
    for value in values:
        out.extend(v.strip() for v in value.split(",") if v.strip())
    return tuple(out)


def collect_options(func):
    """Options that say what to collect and how to write it (shared by collect and snapshot)."""
    decorators = [
        click.option("--root", type=click.Path(path_type=Path), default=Path("/"), show_default=True,
                     envvar="GCOLLECT_ROOT",
                     help="Treat this folder as the host's root (a mounted copy of a host)."),
        click.option("--profile", "-p", "products", multiple=True, metavar="NAME[,NAME]",
                     help="Only these products (see `gcollect profiles list`). Default: all found."),
        click.option("--profile-dir", "profile_dirs", multiple=True, type=click.Path(path_type=Path),
                     help="Extra folder of site profiles (adds or overrides by product)."),
        click.option("--rules-dir", "rule_dirs", multiple=True, type=click.Path(path_type=Path),
                     help="Extra folder of site redaction rule sets (a new name runs on every product; "
                          "a packaged name replaces that set)."),
        click.option("--since", metavar="WHEN",
                     help='Start of the window: "2025-11-19 13:30" (the host\'s local time; with --root, the '
                          'copied host\'s zone from its etc/localtime), ISO 8601 with Z or +02:00, or 2h / 3d ago.'),
        click.option("--until", metavar="WHEN", help="End of the window (same forms as --since)."),
        click.option("--around", metavar="WHEN", help="Centre of the window (with --window)."),
        click.option("--window", "window_width", metavar="DURATION",
                     help="Width of the window, e.g. 30m: centred on --around, after --since, before --until; "
                          "alone, the last DURATION (like --since DURATION)."),
        click.option("--output", "-o", type=click.Path(path_type=Path), default=Path("."), show_default=True,
                     envvar="GCOLLECT_OUTPUT", help="Folder for the bundle."),
        click.option("--format", "fmt", type=click.Choice(FORMATS), default="tar.gz", show_default=True,
                     envvar="GCOLLECT_FORMAT", help="Archive format."),
        click.option("--case", metavar="NUMBER", help="Genesys case number (goes in the bundle name)."),
        click.option("--max-file-size", metavar="SIZE", help="Cap per file (newest first; the boundary file is tailed). SIZE has a unit: 100B, 2048K, 500M, 5G "
                          "(K, M, G, T: powers of 1024)."),
        click.option("--max-total", metavar="SIZE", help="Cap on all bytes read (default 4G; SIZE as for --max-file-size)."),
        click.option("--all-logs", is_flag=True,
                     help="Lift every size cap (per file, per product, total); the disk preflight still applies."),
        click.option("--max-size", metavar="SIZE",
                     help="Cap on the bundle's size on disk, all of it counted; files that do not fit are "
                          "left out and listed (exit code 1). SIZE as for --max-file-size."),
        click.option("--reserve", metavar="SIZE", help="Free space that must remain on the output file system (default: the smaller of 10% and 2G; "
                                                                   "SIZE as for --max-file-size, or 0)."),
        click.option("--include-core", is_flag=True, help="Also take core dumps (never by default)."),
        click.option("--include-unredacted-binary", is_flag=True,
                     help="Ship binary logs that cannot be redacted (PureConnect .ininlog); marked UNREDACTED."),
        click.option("--state-dir", type=click.Path(path_type=Path), default=None,
                     help="Where the site key and token map live (default: GCOLLECT_STATE_DIR, else "
                          "/var/lib/gcollect as root, ~/.local/state/gcollect otherwise)."),
        click.option("--host-name", metavar="NAME", help="Host name for the bundle (default: detected)."),
        click.option("--workers", type=click.IntRange(1, 64), default=None, help="Worker processes (default: the cores gcollect may use)."),
        click.option("--priority", type=click.Choice(["low", "normal"]), default="low", show_default=True,
                     help="CPU and IO priority."),
        click.option("--accept-findings", is_flag=True,
                     help="After reviewing the bundle: allow upload despite scanner findings."),
        click.option("--json", "as_json", is_flag=True, help="Print one JSON report on stdout."),
        click.option("--quiet", "-q", is_flag=True, help="No progress bar, no summary."),
    ]
    for decorator in reversed(decorators):
        func = decorator(func)
    return func


def _size_option(options: dict, name: str, flag: str) -> int | None:
    value = options.get(name)
    if value in (None, ""):
        return None
    try:
        return parse_size(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint=flag) from None


def request_from_options(options: dict, *, command_line: str = ""):
    from collector.api import CollectRequest
    from collector.hostzone import host_zone
    from collector.selection import Caps
    from collector.timewindow import make_window

    root: Path = options["root"]
    zone = host_zone(root)            # the collected host's: --since/--until without an offset are its wall clock
    try:
        window = make_window(options.get("since"), options.get("until"), options.get("around"),
                             options.get("window_width"), local_tz=zone.tzinfo, zone=zone)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--since/--until/--around/--window") from None
    caps_kwargs = {}
    per_file = _size_option(options, "max_file_size", "--max-file-size")
    total = _size_option(options, "max_total", "--max-total")
    if per_file is not None:
        caps_kwargs["per_file_mb"] = per_file / (1 << 20)
    if total is not None:
        caps_kwargs["total_mb"] = total / (1 << 20)
    settings = RunSettings(
        output_dir=options["output"],
        state_dir=options.get("state_dir") or default_state_dir(),
        host_name=options.get("host_name") or host_name_for(root),
        fmt=options["fmt"],
        case=options.get("case"),
        workers=options.get("workers") or usable_cores(),
        max_bundle_bytes=_size_option(options, "max_size", "--max-size"),
        reserve_bytes=_size_option(options, "reserve", "--reserve"),
        rule_dirs=tuple(options.get("rule_dirs") or ()),
        command_line=command_line,
        low_priority=options.get("priority", "low") == "low",
    )
    consent = frozenset({"unredacted-binary"}) if options.get("include_unredacted_binary") else frozenset()
    return CollectRequest(
        root=root,
        settings=settings,
        window=window,
        products=_split(options.get("products") or ()),
        profile_dirs=tuple(options.get("profile_dirs") or ()),
        caps=Caps.unlimited() if options.get("all_logs") else Caps(**caps_kwargs),
        consent=consent,
        include_core=bool(options.get("include_core")),
    )


def upload_after_collect(bundle: Path, url: str, options: dict) -> dict:
    """Upload a fresh bundle with settings from the environment (see `gcollect upload --help`).
    upload() verifies it first (the one verification of a collect --upload run)."""
    from collector.cli.upload_cmd import options_from_environment
    from collector.errors import Interrupted, upload_interrupted
    from collector.upload import SilentReporter, reporter_for_terminal, upload

    quiet = options.get("as_json") or options.get("quiet")
    reporter = SilentReporter() if quiet else reporter_for_terminal(f"upload {bundle.name}")
    try:
        receipt = upload(bundle, url, options_from_environment(bundle, url), reporter)
    except (KeyboardInterrupt, Interrupted) as e:
        raise upload_interrupted(e, f"the bundle is kept at {bundle}; run `gcollect upload {bundle} --to URL` "
                                    "to resume") from None
    except Exception:     # noqa: BLE001 - whatever ends the upload, the bundle is kept: say where
        click.echo(f"gcollect: the bundle is kept at {bundle}; retry with `gcollect upload {bundle} --to URL`",
                   err=True)
        raise
    if not options.get("as_json"):           # --json carries it in "upload"; else one line, even with --quiet
        click.echo(f"gcollect: uploaded {bundle.name} to {receipt.url}, sha256 {receipt.sha256} "
                   f"{receipt.verified_text()}", err=True)
    return receipt.to_json()
