"""`gcollect collect --hosts ...`: the same collection on many hosts over SSH, one case bundle.

The lead's ``collect`` command adds ``@remote_options`` and, when ``--hosts`` is given, returns
``collect_remote(options, hosts)``.
"""

from __future__ import annotations

import json
import os
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import click

from collector.errors import BadInput, ExitCode
from collector.freetext import recorded_command_line

PASSWORD_ENV = "GCOLLECT_SSH_PASSWORD"


def remote_options(func):
    """Options of a multi-host run (added to `gcollect collect`)."""
    decorators = [
        click.option("--hosts", metavar="FILE|H1,H2", default=None,
                     help="Collect on these hosts over SSH (a hosts file, or [user@]host[:port],...) "
                          "into one case bundle; see docs/remote.md."),
        click.option("--ssh-user", metavar="USER", envvar="GCOLLECT_SSH_USER",
                     help="SSH login for hosts without user@ (default: your user name)."),
        click.option("--ssh-port", type=click.IntRange(1, 65535), default=22, show_default=True,
                     help="SSH port for hosts without :port."),
        click.option("--identity", type=click.Path(path_type=Path), envvar="GCOLLECT_SSH_IDENTITY",
                     help="SSH private key (default: ssh-agent, then ~/.ssh/id_*). Password: "
                          f"{PASSWORD_ENV}."),
        click.option("--known-hosts", type=click.Path(path_type=Path), envvar="GCOLLECT_KNOWN_HOSTS",
                     help="known_hosts file (default ~/.ssh/known_hosts). Unknown or changed host keys "
                          "fail that host."),
        click.option("--parallel", type=click.IntRange(1, 256), default=4, show_default=True,
                     help="Hosts collected at once."),
        click.option("--timeout", "host_timeout", type=click.FloatRange(10), default=3600, show_default=True,
                     help="Seconds one host may take, from connect to fetched bundle."),
        click.option("--remote-python", metavar="PATH", default="python3", show_default=True,
                     help="Python that runs the pushed single-file gcollect on hosts without gcollect."),
        click.option("--zipapp", type=click.Path(path_type=Path), envvar="GCOLLECT_ZIPAPP",
                     help="Single-file gcollect to push to hosts without one (default: built on demand "
                          "by packaging/zipapp/build.sh into ~/.cache/gcollect)."),
        click.option("--push-key", type=click.Path(path_type=Path), metavar="FILE",
                     help="Import this site key (from `gcollect key export`) on every host first, so one "
                          "value gets one token on all hosts; a host holding another key fails."),
    ]
    for decorator in reversed(decorators):
        func = decorator(func)
    return func


def window_args(options: dict[str, Any]) -> tuple[list[str], Any, dict[str, str]]:
    """The window options every host gets: (args, window, host_local).

    Times with an offset and ages (``2h``) are made absolute here, once, so every host gets the
    same instants. A time without an offset is sent as given (``host_local``, keyed by option):
    each host reads it in its own zone, as a run on that host would (README). ``window`` is
    the absolute window when no time is host-local (else an empty ``Window``)."""
    from collector.model import Window
    from collector.timewindow import WindowOrderError, is_wall_time, make_window, parse_when

    now = datetime.now(timezone.utc)
    given = {flag: options.get(key) for key, flag in (("since", "--since"), ("until", "--until"),
                                                        ("around", "--around"))}
    width = options.get("window_width")
    wall = {flag for flag, text in given.items() if text is not None and is_wall_time(text)}
    mixed = bool(wall) and any(text is not None and flag not in wall for flag, text in given.items())
    try:
        window = make_window(given["--since"], given["--until"], given["--around"], width, now=now)
    except WindowOrderError as exc:
        if not mixed:          # a host-local time next to an absolute one: only each host can order them
            raise click.BadParameter(str(exc), param_hint="--since/--until/--around/--window") from None
        window = Window()
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--since/--until/--around/--window") from None
    if not wall:
        args: list[str] = []
        if window.since is not None:
            args += ["--since", window.since.isoformat()]
        if window.until is not None:
            args += ["--until", window.until.isoformat()]
        return args, window, {}
    sent: dict[str, str] = {}
    for flag, text in given.items():
        if text is None:
            continue
        sent[flag] = text.strip() if flag in wall else \
            parse_when(text, now=now, latest=flag == "--until").isoformat()
    if width is not None:
        sent["--window"] = str(width)
    return [item for pair in sent.items() for item in pair], Window(), sent


def case_for_hosts(options: dict[str, Any]) -> tuple[str | None, bytes | None]:
    """(the case number, the case text as a case file or None) of a multi-host run: --case-file
    merged with --case, --describe, --site, --contact, --severity, --step (options win).

    Every host gets the case text as a 0600 file in its private temp folder (``--case-file``),
    never on the command line: the free text may hold a caller's number before the host's
    gcollect redacts it, and a command line is visible to every user of the host (ps, /proc)."""
    from dataclasses import asdict

    from collector.cli.case_cmd import case_number_of
    from collector.casefile import CASE_SCHEMA, CaseInfo, load_case_file

    base = load_case_file(Path(options["case_file"])) if options.get("case_file") else CaseInfo()
    case = case_number_of(options.get("case"), options.get("case_file"), base)
    info = base.merged(case=case, summary=options.get("describe"), site=options.get("site"),
                       contact=options.get("contact"), severity=options.get("severity"),
                       steps=list(options.get("steps") or ()))
    if info.empty:
        return None, None
    return info.case, (json.dumps({"schema": CASE_SCHEMA, **asdict(info)}, indent=1) + "\n").encode("utf-8")


def forwarded_args(options: dict[str, Any]) -> tuple[list[str], Any, dict[str, str]]:
    """The `gcollect collect` options every host gets, the window and its host-local times
    (``window_args``). The case text goes to the hosts as a file (``case_for_hosts``)."""
    args, window, host_local = window_args(options)
    for name, flag in (("products", "--profile"), ("profile_dirs", "--profile-dir"), ("rule_dirs", "--rules-dir")):
        for value in options.get(name) or ():
            args += [flag, str(value)]
    for name, flag in (("fmt", "--format"), ("case", "--case"), ("max_file_size", "--max-file-size"),
                       ("max_total", "--max-total"), ("max_size", "--max-size"), ("reserve", "--reserve"),
                       ("workers", "--workers"), ("priority", "--priority"), ("state_dir", "--state-dir")):
        if options.get(name) not in (None, ""):
            args += [flag, str(options[name])]
    root = options.get("root")
    if root is not None and Path(root) != Path("/"):
        args += ["--root", str(root)]
    for name, flag in (("all_logs", "--all-logs"), ("include_core", "--include-core"),
                       ("include_unredacted_binary", "--include-unredacted-binary"),
                       ("accept_findings", "--accept-findings"), ("strict_case", "--strict-case")):
        if options.get(name):
            args.append(flag)
    return args, window, host_local


def _echo_host(result, quiet: bool) -> None:
    if quiet:
        return
    if result.ok:
        rep = result.report
        products = sorted({i.get("product", "?") for i in rep.get("installations", [])})
        what = (f"{len(rep.get('files', []))} files would be read" if isinstance(rep.get("files"), list)
                else f"{rep.get('files', 0)} files, {result.size} bytes")
        click.echo(f"gcollect: {result.spec.label}: ok via {result.via} ({', '.join(products) or 'nothing'}; "
                   f"{what}; {result.seconds:.1f} s)", err=True)
    else:
        click.echo(f"gcollect: {result.spec.label}: {result.status.upper()} {result.kind}: {result.reason}", err=True)


def _print_dry_run(outcome, as_json: bool) -> None:
    from collector.model import skipped_entry_files
    from collector.units import human

    if as_json:
        click.echo(json.dumps({"hosts": [{"name": r.spec.label, "host": r.spec.host, "port": r.spec.port,
                                          "status": r.status, "failure": r.kind or None, "reason": r.reason or None,
                                          "via": r.via or None, "plan": r.report or None}
                                         for r in outcome.results]}, indent=1))
        return
    for r in outcome.results:
        click.echo(f"== {r.spec.label} ({r.spec.display})")
        if not r.ok:
            click.echo(f"   {r.status.upper()} {r.kind}: {r.reason}")
            continue
        for inst in r.report.get("installations", []):
            click.echo(f"   # {inst.get('product')}: {inst.get('name')}")
        rows = r.report.get("files", [])
        for row in rows:
            click.echo(f"   {human(row.get('size', 0)):>10}  {row.get('product', ''):<16} /{row.get('path')}  "
                       f"[{row.get('reason', '')}]")
        click.echo(f"   {len(rows)} files, {human(sum(row.get('size', 0) for row in rows))} would be read; "
                   f"{skipped_entry_files(r.report.get('skipped', []))} skipped")


def collect_remote(options: dict[str, Any], hosts: str) -> int:
    """Run `gcollect collect` on every host of ``hosts``; write one case bundle into --output."""
    from collector.remote import AllHostsFailed, CaseSettings, RemoteJob, SshSettings, collect_hosts, parse_hosts
    from collector.remote.case import index_text
    from collector.remote.run import LazyZipapp
    from collector.remote.zipapp import find_or_build

    specs = parse_hosts(hosts, default_user=options.get("ssh_user"), default_port=options.get("ssh_port") or 22)
    identity: Path | None = options.get("identity")
    if identity is not None and not identity.is_file():
        raise BadInput(what=str(identity), problem="identity file not found (--identity)")
    known_hosts: Path | None = options.get("known_hosts")
    if known_hosts is not None and not known_hosts.is_file():
        raise BadInput(what=str(known_hosts), problem="known_hosts file not found (--known-hosts)")
    push_key: Path | None = options.get("push_key")
    if push_key is not None:
        from collector.remote.keys import decode_key

        decode_key(push_key.read_bytes() if push_key.is_file() else b"", str(push_key))
    args, window, host_local = forwarded_args(options)
    case_number, case_text = case_for_hosts(options)
    if case_number and "--case" not in args:          # from the case file: every host names its bundle by it
        args += ["--case", case_number]
    zipapp_path: Path | None = options.get("zipapp")
    job = RemoteJob(
        ssh=SshSettings(user=options.get("ssh_user"), identity=identity, known_hosts=known_hosts,
                        password=os.environ.get(PASSWORD_ENV),
                        connect_timeout=min(30.0, float(options.get("host_timeout") or 3600))),
        collect_args=tuple(args), timeout=float(options.get("host_timeout") or 3600),
        dry_run=bool(options.get("dry_run")), python=options.get("remote_python") or "python3",
        push_key=push_key, zipapp=LazyZipapp(lambda: find_or_build(zipapp_path)),
        case_file=case_text)
    as_json, quiet = bool(options.get("as_json")), bool(options.get("quiet"))
    case = CaseSettings(output_dir=Path(options.get("output") or "."), fmt=options.get("fmt") or "tar.gz",
                        case=case_number, window=window, host_local=host_local,
                        command_line=recorded_command_line(sys.argv[1:]))
    try:
        outcome = collect_hosts(specs, job, case, parallel=int(options.get("parallel") or 4),
                                on_done=lambda r: _echo_host(r, quiet or as_json))
    except AllHostsFailed as error:
        failed = getattr(error, "result", None)
        if failed is not None and not quiet:
            click.echo(index_text(failed.index), err=True, nl=False)
        raise
    if job.dry_run:
        _print_dry_run(outcome, as_json)
        return int(ExitCode.REMOTE_PARTIAL if outcome.failed else ExitCode.OK)
    code = outcome.exit_code(bool(options.get("accept_findings")))
    assert outcome.bundle is not None
    report: dict[str, Any] = {"bundle": str(outcome.bundle.path), "sha256": outcome.bundle.sha256,
                              "size": outcome.bundle.size, "seconds": round(outcome.seconds, 2), **outcome.index}
    if options.get("upload_url") and code != ExitCode.LEAK_FOUND:
        from collector.cli.options import upload_after_collect

        report["upload"] = upload_after_collect(outcome.bundle.path, options["upload_url"], options)
    if as_json:
        click.echo(json.dumps(report, indent=1))
    elif not quiet:
        click.echo(index_text(outcome.index), nl=False)
        click.echo(f"case bundle: {outcome.bundle.path}\nsha256:      {outcome.bundle.sha256}")
    if code == ExitCode.LEAK_FOUND:
        click.echo("gcollect: error: the scanner flagged possible secrets in some host bundles (index.txt); "
                   "review them, then rerun with --accept-findings to upload", err=True)
    return int(code)
