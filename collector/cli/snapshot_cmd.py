"""`gcollect snapshot`: what is new since the last snapshot, into a spool, for cron and systemd."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import click

from collector.cli.options import collect_options, request_from_options
from collector.errors import BadInput, ExitCode

UNIT_NAMES = ("gcollect-snapshot.service", "gcollect-snapshot.timer")
DEFAULT_UNIT_DIR = Path("/etc/systemd/system")
PACKAGED_GCOLLECT = "/usr/local/bin/gcollect"


def _duration(value: str | None, flag: str) -> float | None:
    from collector.timewindow import parse_duration

    if not value:
        return None
    try:
        return parse_duration(value).total_seconds()
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint=flag) from None


def _size(value: str | None, flag: str) -> int | None:
    from collector.units import parse_size

    if not value:
        return None
    try:
        return parse_size(value, default_unit="M")
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint=flag) from None


def packaging_dir() -> Path:
    """packaging/ beside the source tree, or as installed data (collector/_data/packaging)."""
    here = Path(__file__).resolve().parents[1]
    for candidate in (here.parent / "packaging", here / "_data" / "packaging"):
        if (candidate / "systemd" / UNIT_NAMES[0]).is_file():
            return candidate
    raise BadInput(what="packaging/systemd", problem="unit files not found in this installation; "
                                                     "copy them as docs/snapshots.md describes")


def write_timer_units(unit_dir: Path, gcollect: str) -> list[Path]:
    """Write the service and timer to ``unit_dir``, pointing ExecStart at ``gcollect``."""
    source = packaging_dir() / "systemd"
    unit_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name in UNIT_NAMES:
        text = (source / name).read_text()
        text = text.replace(PACKAGED_GCOLLECT, gcollect)
        target = unit_dir / name
        target.write_text(text)
        written.append(target)
    return written


def _spool_dir(ctx: click.Context, options: dict) -> Path:
    from collector.settings import default_state_dir

    if ctx.get_parameter_source("output") in (click.core.ParameterSource.DEFAULT, None):
        return (options.get("state_dir") or default_state_dir()) / "spool"
    return options["output"]


def _list_spool(request, as_json: bool) -> int:
    from collector.spool import describe, list_spool
    from collector.state import load_state, state_file

    spool = request.settings.output_dir
    root = request.root
    committed = load_state(state_file(request.settings.state_dir, root), root).seq
    entries = list_spool(spool, str(root.resolve()))
    if as_json:
        click.echo(json.dumps({"spool": str(spool), "committed_seq": committed,
                               "bundles": [e.summary(committed) for e in entries]}, indent=1))
    elif entries:
        click.echo("  seq  from                   to                        size  status    bundle")
        for line in describe(entries, committed):
            click.echo(line)
    else:
        click.echo(f"no snapshot bundles in {spool}")
    return int(ExitCode.OK)


def upload_with_environment(bundle: Path, url: str, _options: object) -> dict:
    """Upload with the settings `gcollect upload` takes from GCOLLECT_* variables."""
    from collector.cli.upload_cmd import options_from_environment
    from collector.snapshot import default_uploader

    return default_uploader(bundle, url, options_from_environment(bundle, url))


def _problem_line(result) -> tuple[str | None, int]:
    """One summary line for cron (None when all is well) and the exit code."""
    run = result.run
    problems: list[str] = []
    code = ExitCode.OK
    if result.upload_error is not None:
        problems.append(f"upload failed, {result.queued} bundle(s) queued for the next run: "
                        f"{result.upload_error.message}")
        code = result.upload_error.exit_code
    if result.held:
        problems.append(f"not uploaded: {result.held}")
        code = ExitCode.LEAK_FOUND
    if run is not None and run.excluded:
        problems.append(f"{len(run.excluded)} file(s) left out (see manifest.json), e.g. "
                        f"/{run.excluded[0].host_path}: {run.excluded[0].reason}")
        code = code if code != ExitCode.OK else ExitCode.PARTIAL
    if result.dropped:
        problems.append(f"spool limit: deleted {len(result.dropped)} bundle(s) that were never uploaded")
    if not problems:
        return None, int(code)
    where = f" ({result.bundle.name})" if result.bundle else ""
    return "gcollect snapshot" + where + ": " + "; ".join(problems), int(code)


@click.command("snapshot", epilog="""\b
Examples:
  gcollect snapshot                                   # what is new since the last snapshot
  gcollect snapshot --keep 96 --max-age 7d --max-disk 5G --jitter 10m
  gcollect snapshot --upload sftp://support@files.example.com/in/ --json
  gcollect snapshot --list
  gcollect snapshot --install-timer                   # systemd service + timer
""")
@collect_options
@click.option("--keep", type=click.IntRange(1, None), metavar="N", help="Keep at most N bundles in the spool.")
@click.option("--max-age", metavar="DURATION", help="Delete spool bundles older than this (e.g. 7d).")
@click.option("--max-disk", metavar="SIZE", help="Keep the spool under this size (e.g. 5G).")
@click.option("--jitter", metavar="DURATION", help="Wait a random time up to this before starting (e.g. 10m).")
@click.option("--upload", "upload_url", metavar="URL", envvar="GCOLLECT_UPLOAD_URL",
              help="Upload each new bundle (and retry the queue of earlier failed uploads).")
@click.option("--list", "list_only", is_flag=True, help="Show the spool: time range, size, uploaded or not.")
@click.option("--install-timer", is_flag=True, help="Write the systemd service and timer, print how to enable them.")
@click.option("--unit-dir", type=click.Path(path_type=Path), default=DEFAULT_UNIT_DIR, show_default=True,
              help="Where --install-timer writes the units.")
@click.option("--verbose", "-v", is_flag=True, help="Print a summary even when all went well.")
@click.pass_context
def snapshot_command(ctx: click.Context, keep: int | None, max_age: str | None, max_disk: str | None,
                     jitter: str | None, upload_url: str | None, list_only: bool, install_timer: bool,
                     unit_dir: Path, verbose: bool, **options) -> int:
    """Collect only what is new since the last snapshot (new segments, new lines of growing
    ones, changed configs) into one redacted bundle in the spool (default STATE_DIR/spool).

    Made for cron and systemd timers: silent on success, one line on a problem, a lock so
    runs never overlap (exit 60 if one is running), spool retention oldest first, a queue of
    uploads retried by the next run. The per-file state advances only after the bundle is
    verified (and uploaded, with --upload). Nothing new: no bundle, exit 0.
    """
    from collector.snapshot import SnapshotRequest, take_snapshot
    from collector.spool import Retention

    if install_timer:
        gcollect = shutil.which("gcollect") or f"{sys.executable} -m collector"
        for path in write_timer_units(unit_dir, gcollect):
            click.echo(f"wrote {path}")
        click.echo("enable with: systemctl daemon-reload && systemctl enable --now gcollect-snapshot.timer")
        return int(ExitCode.OK)
    for flag in ("since", "until", "around", "window_width"):
        if options.get(flag) is not None:
            raise click.UsageError("snapshot takes everything new since the last snapshot; "
                                   "--since/--until/--around/--window do not apply")
    options["output"] = _spool_dir(ctx, options)
    request = request_from_options(options, command_line=" ".join(sys.argv[1:]))
    as_json = options["as_json"]
    if list_only:
        return _list_spool(request, as_json)
    snapshot = SnapshotRequest(
        collect=request,
        retention=Retention(keep=keep, max_age=_duration(max_age, "--max-age"),
                            max_disk=_size(max_disk, "--max-disk")),
        upload_url=upload_url,
        jitter=_duration(jitter, "--jitter") or 0.0,
        accept_findings=bool(options.get("accept_findings")),
    )
    result = take_snapshot(snapshot, uploader=upload_with_environment)
    line, code = _problem_line(result)
    if as_json:
        click.echo(json.dumps(result.to_json(), indent=1))
    elif line:
        click.echo(line, err=True)
    elif verbose:
        run = result.run
        if result.bundle and run is not None:
            click.echo(f"gcollect snapshot: {result.bundle} ({len(run.members)} files, "
                       f"{run.bytes_in} bytes read, {result.seconds:.1f} s)")
        else:
            click.echo(f"gcollect snapshot: nothing new ({result.seconds:.2f} s)")
    return code
