"""`gcollect collect`: find, select, redact, bundle (and optionally upload)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from collector.cli.case_cmd import case_info_from, case_options
from collector.cli.options import collect_options, request_from_options
from collector.cli.remote_cmd import remote_options
from collector.errors import ExitCode, Interrupted, UploadInterrupted
from collector.freetext import recorded_command_line
from collector.interrupts import InterruptedAfterBundle, after_bundle
from collector.model import UNDATED_NOTE, files_and_folders, name_a_few, not_read, permission_denied, short_path, \
    skip_label, skipped_files, unprofiled
from collector.units import human


def unprofiled_line(skipped) -> str | None:
    """One line naming the Genesys log folders no profile claims (and what their headers say
    they are), or None."""
    found = unprofiled(skipped)
    if not found:
        return None
    files = sum(n for _, _, n in found)
    named = "; ".join(f"{what} in {short_path('/' + folder)}" for folder, what, _ in found[:3])
    more = f" and {len(found) - 3} more folders" if len(found) > 3 else ""
    return (f"NO PROFILE: {files} file{'s' if files != 1 else ''} of Genesys logs no profile knows, not collected: "
            f"{named}{more}; a site profile (--profile-dir) can collect them")


def unprofiled_entries(skipped) -> list[dict[str, object]]:
    """The ``no_profile`` entries of ``--json``: folder, what its header says, files."""
    return [{"folder": folder, "header": what, "files": files} for folder, what, files in unprofiled(skipped)]


def print_summary(result, discovery, *, stream=None) -> None:
    stream = stream or sys.stdout
    products = sorted({f"{i.product} ({i.name})" for i in result.installations if i.product != "host"})
    redacted = sum(result.redactions.values())
    echo = lambda text="": click.echo(text, file=stream)  # noqa: E731
    echo(f"bundle:     {result.bundle.path}")
    echo(f"sha256:     {result.bundle.sha256}")
    echo(f"found:      {', '.join(products) if products else 'nothing'}")
    echo(f"collected:  {len(result.members)} files, {human(result.bytes_in)} read, "
         f"{human(result.bundle.size)} stored ({result.seconds:.1f} s)")
    echo(f"redacted:   {redacted} values by {len(result.redactions)} rules "
         "(token map stays on this host: `gcollect unmask TOKEN`)")
    echo(f"skipped:    {skipped_files(result.skipped)} files (reasons in manifest.json)")
    line = unprofiled_line(result.skipped)
    if line:
        echo(line)
    unread = not_read(result.skipped)
    if unread:
        echo(f"NOT READ:   {files_and_folders(unread)} the run wanted and could not read (listed in manifest.json):")
        _echo_a_few(echo, [f"{short_path('/' + s.host_path)}: {s.reason}" for s in unread])
    zone = discovery.plan.window.zone
    if zone is not None and zone.kind != "machine":
        echo(f"host zone:  {zone.describe()}")
    from collector.member import BELOW_RESERVE_REASON
    from collector.pipeline import SIZE_CAP_REASON

    unsafe = [item for item in result.excluded if item.reason not in (SIZE_CAP_REASON, BELOW_RESERVE_REASON)]
    capped = [item for item in result.excluded if item.reason == SIZE_CAP_REASON]
    no_room = [item for item in result.excluded if item.reason == BELOW_RESERVE_REASON]
    for items, title in ((unsafe, "files could not be processed safely"),
                         (capped, "files left out for --max-size (the bundle would have been larger)"),
                         (no_room, "files left out: no room for them above --reserve on the output file system")):
        if items:
            echo(f"LEFT OUT:   {len(items)} {title}:")
            for item in items[:20]:
                echo(f"  - /{item.host_path}" + ("" if item.reason in (SIZE_CAP_REASON, BELOW_RESERVE_REASON)
                                                 else f": {item.reason}"))
            if len(items) > 20:
                echo(f"  ... and {len(items) - 20} more (see manifest.json)")
    cut = cut_by_size_cap(result.members)
    window = discovery.plan.window
    if cut and window.since is None and window.until is None:      # with a window: WINDOW CUT says it
        echo(f"CUT:        {len(cut)} files cut to their newest bytes by a size cap (noted in manifest.json):")
        _echo_a_few(echo, [f"/{path}" for path in cut])
    unredacted = [m for m in result.members if m.unredacted]
    if unredacted:
        echo(f"UNREDACTED: {len(unredacted)} binary files shipped raw by your consent "
             "(marked in manifest.json)")
    undated = [m for m in result.members if UNDATED_NOTE in m.note]
    if undated:
        echo(f"NOT CUT:    {len(undated)} log files in the window taken whole, their time format was "
             "not recognised (noted in manifest.json):")
        _echo_a_few(echo, [f"/{member.host_path}" for member in undated])
    from collector.api import gzip_truncated

    truncated = gzip_truncated(result.members)
    if truncated:
        echo(f"CUT SHORT:  {len(truncated)} .gz files kept up to where their gzip stream ends, the rest "
             "is missing (noted in manifest.json):")
        _echo_a_few(echo, [f"/{path}.gz" for path in truncated])


def window_cut_by_caps(result, window) -> dict[str, list[str]] | None:
    """Logs of an explicit --since/--until window that a size cap left out (the per-product cap,
    --max-total) or cut to their newest bytes (--max-file-size, a cap's boundary file), or None.
    Without a window the caps are the only limit (README), and nothing of a window is lost."""
    from collector.selection import CAP_REACHED

    if window.since is None and window.until is None:
        return None
    left_out = [s.host_path for s in result.skipped if s.reason.endswith(CAP_REACHED)]
    cut = cut_by_size_cap(result.members)
    return {"left_out": left_out, "cut": cut} if left_out or cut else None


def print_window_cut(lost: dict[str, list[str]], *, stream=None) -> None:
    echo = lambda text="": click.echo(text, file=stream or sys.stdout)  # noqa: E731
    echo(f"WINDOW CUT: size caps took part of the window you asked for: {len(lost['left_out'])} files left out, "
         f"{len(lost['cut'])} cut to their newest bytes; lift them with --all-logs, or a larger --max-total / "
         "--max-file-size:")
    for path in (lost["left_out"] + lost["cut"])[:5]:
        echo(f"  - /{path}")
    if len(lost["left_out"]) + len(lost["cut"]) > 5:
        echo(f"  ... and {len(lost['left_out']) + len(lost['cut']) - 5} more (see manifest.json)")


def cut_by_size_cap(members) -> list[str]:
    from collector.member import SIZE_CAP_CUT_NOTE, TAIL_NOTE

    return [m.host_path for m in members if SIZE_CAP_CUT_NOTE in m.note or TAIL_NOTE in m.note]


def with_case_and_report(request, discovery, case_info, strict: bool = False):
    """Add case.json (case data + environment) and report.html to what the bundle will hold."""
    import dataclasses

    from collector.casefile import case_bundle_parts
    from collector.report import build_report_files

    from collector.freetext import text_redactor

    settings = request.settings
    rule_sets = sorted({name for c in discovery.plan.members for name in c.rule_sets})
    with text_redactor(settings.state_dir, settings.rule_dirs, rule_sets) as redact:   # as the logs; fails closed
        static, annotations = case_bundle_parts(case_info, request.root, discovery.installations,
                                                settings.host_name, strict=strict,
                                                state_dir=settings.state_dir, redact=redact)
    return dataclasses.replace(request, static_files={**request.static_files, **static},
                               annotations={**request.annotations, **annotations},
                               extra_files=build_report_files)


def report_size_cap(excluded, max_size: str | None) -> None:
    """One line on stderr when --max-size made files be left out (even with --quiet or --json)."""
    from collector.pipeline import SIZE_CAP_REASON

    capped = [item for item in excluded if item.reason == SIZE_CAP_REASON]
    if capped:
        click.echo(f"gcollect: {len(capped)} file(s) left out to keep the bundle within --max-size {max_size} "
                   "(listed in manifest.json under excluded)", err=True)


def report_permission_denied(denied) -> None:
    """One WARNING line on stderr naming the files (and folders) this user may not read (even
    with --quiet or --json): support asked for them, and the run without them is partial (exit 1)."""
    if denied:
        click.echo(f"gcollect: WARNING: {files_and_folders(denied)} not collected, permission denied: "
                   f"{name_a_few(denied)}; run gcollect as their owner or as root "
                   "(listed in manifest.json under skipped)", err=True)


def report_not_read(others) -> None:
    """One WARNING line on stderr for the files and folders the run wanted and could not read
    for another reason than a permission (a path too long for this system, an I/O error), each
    path shortened: left out, and the run is partial (exit 1)."""
    if others:
        named = ", ".join(f"{name_a_few([s], 1)} ({s.reason.split(': ', 1)[-1]})" for s in others[:3])
        more = skipped_files(others) - skipped_files(others[:3])
        click.echo(f"gcollect: WARNING: {files_and_folders(others)} could not be read and are left out: "
                   f"{named}{f' and {more} more' if more else ''} (listed in manifest.json under skipped)",
                   err=True)


def report_findings(findings) -> None:
    click.echo(f"gcollect: error: the scanner found {len(findings)} possible secret(s) left after "
               "redaction; review them, then rerun with --accept-findings to upload:", err=True)
    for member, line, category in findings[:50]:
        click.echo(f"  /{member}:{line}: {category}", err=True)


def print_dry_run(discovery, as_json: bool) -> None:
    from collector.selection import describe_plan

    rows = describe_plan(discovery.plan)
    zone = discovery.plan.window.zone
    if as_json:
        click.echo(json.dumps({
            "installations": [{"product": i.product, "name": i.name, "app_dir": i.app_dir,
                               "evidence": list(i.evidence)} for i in discovery.installations],
            "files": rows,
            "skipped": [s.as_dict() for s in discovery.plan.skipped],
            "no_profile": unprofiled_entries(discovery.plan.skipped),
            "zone": zone.as_dict() if zone is not None else None,
            "window": discovery.plan.window.as_dict(),
        }, indent=1))
        return
    if zone is not None and zone.kind != "machine":
        click.echo(f"# host zone: {zone.describe()}")
    for inst in discovery.installations:
        click.echo(f"# {inst.product}: {inst.name}  ({'; '.join(inst.evidence[:2])})")
    for row in rows:
        click.echo(f"{human(row['size']):>10}  {row['product']:<16} /{row['path']}  [{row['reason']}]")
    click.echo(f"{len(rows)} files, {human(discovery.plan.bytes_planned)} would be read; "
               f"{skipped_files(discovery.plan.skipped)} skipped")
    for skip in discovery.plan.skipped[:50]:
        click.echo(f"  skip {short_path('/' + skip_label(skip.as_dict()), 300)}: {skip.reason}")
    if len(discovery.plan.skipped) > 50:
        click.echo(f"  ... {len(discovery.plan.skipped) - 50} more (--json lists all)")
    line = unprofiled_line(discovery.plan.skipped)
    if line:
        click.echo(line)


@click.command("collect", epilog="""\b
Examples:
  gcollect collect --since 2h                          # everything found, last 2 hours
  gcollect collect --since "2025-11-19 13:30" --until "2025-11-19 14:30" --case 01234567
  gcollect collect --around "2025-11-19 14:05" --window 30m --profile sip-server
  gcollect collect --root /mnt/copy-of-host --dry-run
  gcollect collect --since 1d --json --upload s3://bucket/cases/01234567/
""")
@collect_options
@case_options
@remote_options
@click.option("--call", "call_id", metavar="ID",
              help="Keep only the records of one call (ConnID, CallUUID or SIP Call-ID, followed across "
                   "SIP Server, URS, ORS and GVP logs) and add a merged, time-ordered call-ID.log.")
@click.option("--dry-run", is_flag=True, help="List what would be taken (path, size, product, reason); read nothing.")
@click.option("--upload", "upload_url", metavar="URL", envvar="GCOLLECT_UPLOAD_URL",
              help="After a verified bundle is written, upload it (s3://, sftp://, or a pre-signed https URL).")
@click.pass_context
def collect_command(ctx: click.Context, dry_run: bool, upload_url: str | None, call_id: str | None,
                    **options) -> int:
    """Collect logs and configs of the Genesys applications on this host into one redacted,
    checksummed bundle (NAME.tar.gz + NAME.sha256).

    With no --profile, every product found is collected. Without --since/--until no time
    filter applies, only the size caps. Files that cannot be redacted are left out and listed;
    the exit code is then 1.
    """
    from collector import api
    from collector.progress import reporter_for

    if upload_url:          # a mistake in the URL or the upload settings: one line now, before collecting
        from collector.cli.upload_cmd import check_before_collect

        check_before_collect(upload_url, "--upload")
    hosts = options.pop("hosts", None)
    if hosts:   # many hosts over SSH: the same collection runs on each host (docs/remote.md)
        from collector.cli.remote_cmd import collect_remote

        if call_id:
            raise click.UsageError("--call works on one host for now; run it without --hosts on each host")
        return collect_remote({**options, "dry_run": dry_run, "upload_url": upload_url}, hosts)
    case_info, strict_case = case_info_from(options, options.get("case"))
    options["case"] = case_info.case        # a case file's number names the bundle, as with --hosts
    request = request_from_options(options, command_line=recorded_command_line(sys.argv[1:]))
    as_json = options["as_json"]
    if not dry_run:
        api.start_workers(request.settings)     # forked while this process is small
    try:
        discovery = api.discover_and_plan(request)
        if dry_run:
            print_dry_run(discovery, as_json)
            return int(ExitCode.OK)
        request = with_case_and_report(request, discovery, case_info, strict_case)
        if call_id:
            import dataclasses

            request = dataclasses.replace(request, call=call_id)
        reporter = reporter_for(quiet=as_json or options["quiet"])
        discovery, result = api.collect(request, reporter, discovery=discovery)
        try:
            return _report(result, discovery, options, upload_url)
        except (InterruptedAfterBundle, UploadInterrupted):
            raise
        except (KeyboardInterrupt, Interrupted) as exc:     # the bundle is complete: the line says so
            raise after_bundle(exc, result.bundle.path, "; its summary was not printed") from None
    finally:
        api.stop_workers()


def _report(result, discovery, options: dict, upload_url: str | None) -> int:
    """The summary of a finished collect (JSON or text, findings, the upload): the exit code."""
    as_json = options["as_json"]
    from collector import api

    report = dict(api.summary(result))
    report["window"] = discovery.plan.window.as_dict()   # the instants and the zone this host read them in
    report["cut_by_size_cap"] = cut_by_size_cap(result.members)
    window_cut = window_cut_by_caps(result, discovery.plan.window)
    report["window_cut_by_caps"] = window_cut
    denied = permission_denied(result.skipped)
    unread = [s for s in not_read(result.skipped) if s not in denied]
    report["permission_denied"] = [s.host_path for s in denied]
    report["not_read"] = [{"path": s.host_path, "reason": s.reason} for s in unread]
    report["no_profile"] = unprofiled_entries(result.skipped)
    code = ExitCode.PARTIAL if (result.excluded or window_cut or denied or unread
                                or report["gzip_truncated"]) else ExitCode.OK
    report_size_cap(result.excluded, options.get("max_size"))
    report_permission_denied(denied)
    report_not_read(unread)
    blocked = bool(result.findings) and not options["accept_findings"]
    if blocked:
        code = ExitCode.LEAK_FOUND
        report_findings(result.findings)
    if upload_url and not blocked:
        from collector.cli.options import upload_after_collect

        report["upload"] = upload_after_collect(result.bundle.path, upload_url, options)
    if as_json:
        click.echo(json.dumps(report, indent=1))
    elif not options["quiet"]:
        print_summary(result, discovery)
    if window_cut and not as_json:
        print_window_cut(window_cut, stream=sys.stderr if options["quiet"] else None)
    return int(code)


def _echo_a_few(echo, paths: list[str], shown: int = 5) -> None:
    """The first ``shown`` paths, one per line, then how many more."""
    for path in paths[:shown]:
        echo(f"  - {path}")
    if len(paths) > shown:
        echo(f"  ... and {len(paths) - shown} more")
