"""`gcollect snapshot`: what is new since the last snapshot, into a spool, for cron and systemd."""

from __future__ import annotations

import dataclasses

import json
import os
import re
import sys
from pathlib import Path

import click
from click.core import ParameterSource

from collector.cli.options import collect_options, request_from_options
from collector.errors import BadInput, ExitCode, GcollectError, PreflightFailed
from collector.freetext import recorded_command_line

UNIT_NAMES = ("gcollect-snapshot.service", "gcollect-snapshot.timer")
DEFAULT_UNIT_DIR = Path("/etc/systemd/system")
PACKAGED_GCOLLECT = "/usr/local/bin/gcollect"
TIMER_STATE_DIR = Path("/var/lib/gcollect")            # the packaged unit's state (and spool) folder
TIMER_RETENTION = {"keep": ("--keep", "96"), "max_age": ("--max-age", "7d"), "max_disk": ("--max-disk", "5G")}
INSTALL_ONLY = ("install_timer", "unit_dir", "env_file")     # not carried into the unit's ExecStart
NOT_FOR_A_TIMER = {
    "list_only": "--list shows the spool now; it is not something for a timer to run",
    "accept_findings": "--accept-findings would upload every future bundle despite scanner findings, "
                       "unreviewed; review held bundles and upload them with `gcollect upload`",
}
ENVIRONMENT_FILE = "/etc/default/gcollect"
ONE_OBJECT_ADVICE = ("use a prefix that ends in '/' (s3://BUCKET/PREFIX/ or sftp://USER@HOST/DIR/), where "
                     "each bundle gets its own name")
WINDOW_OPTIONS = ("since", "until", "around", "window_width")


class UploadTargetRefused(GcollectError):
    """{setting}: {problem}"""

    exit_code = ExitCode.USAGE


class TimerRefused(GcollectError):
    """--install-timer: {problem}"""

    exit_code = ExitCode.USAGE


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
        return parse_size(value)
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


def write_timer_units(unit_dir: Path, command: list[str], writable: list[Path],
                      environment: dict[str, str] | None = None) -> list[Path]:
    """Write the service and timer to ``unit_dir``: the service's ExecStart runs ``command``
    (its words quoted for systemd), ReadWritePaths are the ``writable`` folders (the first is
    the state folder), made here when missing (0700); ``environment`` adds Environment= lines.
    A zipapp unpacks into SHIV_ROOT, kept in the state folder (the home is read-only)."""
    source = packaging_dir() / "systemd"
    state_dir = writable[0]
    exec_start = "ExecStart=" + " ".join(systemd_word(word, command=True) for word in command)
    read_write = "ReadWritePaths=" + " ".join(systemd_word(str(path), command=False) for path in writable)
    variables = {"SHIV_ROOT": str(state_dir / "shiv"), **(environment or {})}
    env_lines = "\n".join("Environment=" + systemd_word(f"{k}={v}", command=False) for k, v in variables.items())
    unit_dir.mkdir(parents=True, exist_ok=True)
    for path in writable:       # systemd refuses to start a unit whose ReadWritePaths are missing;
        if path != TIMER_STATE_DIR:     # the packaged one it makes itself (StateDirectory=)
            path.mkdir(mode=0o700, parents=True, exist_ok=True)
    written = []
    for name in UNIT_NAMES:
        text = (source / name).read_text()
        if name.endswith(".service"):
            text = re.sub(r"^ExecStart=.*$", lambda _: exec_start, text, count=1, flags=re.M)
            text = re.sub(r"^ReadWritePaths=.*$", lambda _: read_write, text, count=1, flags=re.M)
            text = re.sub(r"^Environment=SHIV_ROOT=.*$", lambda _: env_lines, text, count=1, flags=re.M)
            if state_dir != TIMER_STATE_DIR:
                text = _for_state_dir(text, state_dir, command)
        target = unit_dir / name
        target.write_text(text)
        written.append(target)
    return written


def _for_state_dir(text: str, state_dir: Path, command: list[str]) -> str:
    """The packaged service for another state folder: no StateDirectory= (which would make
    /var/lib/gcollect) and its comment; comments name the folders this unit uses."""
    text = re.sub(r"^# systemd makes /var/lib/gcollect.*\n(?:# .*\n)*(?=StateDirectory=)", "", text, flags=re.M)
    text = re.sub(r"^StateDirectory(?:Mode)?=.*\n", "", text, flags=re.M)
    spool = Path(command[command.index("--output") + 1]) if "--output" in command else state_dir / "spool"
    lines = []
    for line in text.splitlines(keepends=True):
        if line.startswith("#"):
            line = line.replace(f"{TIMER_STATE_DIR}/spool", str(spool)).replace(str(TIMER_STATE_DIR), str(state_dir))
        lines.append(line)
    return "".join(lines)


_PLAIN_WORD = re.compile(r"[A-Za-z0-9_@%+=:,./-]+")


def systemd_word(word: str, *, command: bool) -> str:
    """One word of a unit file's ExecStart (``command``) or path list, as systemd reads it back:
    ``%`` doubled (specifiers), ``$`` doubled in a command (variables), and double quotes with
    backslash escapes around anything but plain characters. Control characters, text that is
    not UTF-8 and a lone ``;`` cannot be written: TimerRefused."""
    try:
        word.encode("utf-8")
    except UnicodeEncodeError:
        raise TimerRefused(problem=f"{word.encode('utf-8', 'surrogateescape')!r} is not UTF-8 text; "
                                   "a unit file cannot hold it") from None
    if any(ord(c) < 32 or ord(c) == 127 for c in word) or word == ";":
        raise TimerRefused(problem=f"{word!r} cannot be written into a unit file (control characters, "
                                   "or a lone ';')")
    text = word.replace("%", "%%")
    if command:
        text = text.replace("$", "$$")
    if _PLAIN_WORD.fullmatch(word):
        return text
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def timer_command(ctx: click.Context) -> tuple[list[str], list[Path]]:
    """The snapshot command the timer runs, with the options given on this command line, and
    the folders it writes (state, spool). The packaged unit's state folder and retention
    (``TIMER_STATE_DIR``, ``TIMER_RETENTION``) stand where no option replaces them. Only
    options typed on the command line are carried: settings from the environment belong in
    the unit's EnvironmentFile. An option a timer must not run with, or an upload URL that
    holds a secret: TimerRefused."""
    given: dict[str, tuple[click.Parameter, object]] = {}
    for param in ctx.command.params:
        if param.name is None or param.name in INSTALL_ONLY \
                or ctx.get_parameter_source(param.name) is not ParameterSource.COMMANDLINE:
            continue
        if param.name in NOT_FOR_A_TIMER:
            raise TimerRefused(problem=NOT_FOR_A_TIMER[param.name])
        given[param.name] = (param, ctx.params[param.name])
    if "upload_url" in given:
        _check_timer_upload(str(given["upload_url"][1]))
    state_dir = _absolute(given.pop("state_dir")[1]) if "state_dir" in given else TIMER_STATE_DIR
    output = _absolute(given.pop("output")[1]) if "output" in given else state_dir / "spool"
    words = ["snapshot", "--output", str(output), "--state-dir", str(state_dir)]
    for name, (flag, value) in TIMER_RETENTION.items():
        if name not in given:
            words += [flag, value]
    for param, value in given.values():
        words += _option_words(param, value)
    writable = [state_dir] + ([] if output.is_relative_to(state_dir) else [output])
    return words, writable


def _absolute(value: object) -> Path:
    return Path(os.path.abspath(os.fspath(value)))     # type: ignore[arg-type]


def _option_words(param: click.Parameter, value: object) -> list[str]:
    flag = next((opt for opt in param.opts if opt.startswith("--")), param.opts[0])
    if isinstance(param, click.Option) and param.is_flag:
        return [flag] if value else []
    values = value if param.multiple else (value,)
    words: list[str] = []
    for one in values:                                  # type: ignore[union-attr]
        words += [flag, str(_absolute(one)) if isinstance(one, Path) else str(one)]
    return words


def _check_timer_upload(url: str) -> None:
    """An upload URL goes into the unit (readable by everyone who can read unit files) only
    without a secret in it: no password, no pre-signed https:// URL."""
    from urllib.parse import urlsplit

    from collector.upload.urls import parse_target

    advice = (f"put GCOLLECT_UPLOAD_URL=URL in {ENVIRONMENT_FILE} (the unit's EnvironmentFile, "
              "mode 0600) and install without --upload")
    try:
        parts = urlsplit(url)
        password = parts.password
    except ValueError:
        password = None
        parts = None
    if password is not None:
        raise TimerRefused(problem="the --upload URL holds a password, which the unit file would keep; "
                                   f"{advice}; the password goes there as GCOLLECT_SFTP_PASSWORD")
    if parts is not None and (parts.scheme.lower() in ("http", "https") or parts.query or parts.fragment):
        raise TimerRefused(problem="a pre-signed https:// URL (or one with a query) names one object: every "
                                   "bundle of a timer would replace the one before it; use s3://BUCKET/PREFIX/ "
                                   "or sftp://USER@HOST/DIR/ (a pre-signed URL is for one `gcollect upload`)")
    try:                                                # a bad URL: one line now, not at every run
        check_upload_target(url, "--upload")
    except UploadTargetRefused as exc:
        raise TimerRefused(problem=exc.message) from None


def names_one_object(url: str) -> bool:
    """True when every bundle would go to the same object: a pre-signed https:// URL, an s3://
    key or sftp:// path that does not end in '/'."""
    from collector.upload.urls import parse_target

    return parse_target(url, "gcollect-a.tar.gz") == parse_target(url, "gcollect-b.tar.gz")


def check_upload_target(url: str, setting: str) -> None:
    """A snapshot's upload target must take one object per bundle, and be a URL gcollect can
    upload to: UploadTargetRefused (exit 2, one line naming ``setting``) otherwise."""
    from collector.upload.urls import redact_url

    try:
        one_object = names_one_object(url)
    except BadInput as exc:
        raise UploadTargetRefused(setting=setting, problem=str(exc.fields.get("problem", exc.message))) from None
    if one_object:
        raise UploadTargetRefused(setting=setting, problem=(
            f"{redact_url(url)} names one object (a pre-signed https:// URL, or a key or path without a "
            f"trailing '/'): every snapshot bundle would replace the one before it; {ONE_OBJECT_ADVICE}"))


def check_profiles_and_rules(request) -> None:
    """Load the profiles and every rule set they (and the site's --rules-dir) name, as a run
    would: BadProfile / BadRuleSet (exit 10), or BadInput for an unknown --profile."""
    from collector.api import load_profile_set, with_site_rule_sets
    from collector.redaction.rules import load_rule_sets

    profiles = with_site_rule_sets(load_profile_set(request.products, request.profile_dirs),
                                   request.settings.rule_dirs)
    names = dict.fromkeys(["common-secrets", "pii", *(n for p in profiles.values() for n in p.redaction)])
    load_rule_sets(names, request.settings.rule_dirs)


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


def upload_options_from_environment(url: str):
    """The settings `gcollect upload` takes from GCOLLECT_* variables, read once when the run
    starts: a bad one is one line naming the variable (exit 2), before anything is collected."""
    from collector.cli.upload_cmd import settings_from_environment
    from collector.errors import UploadSettingError

    try:
        return settings_from_environment(url)
    except UploadSettingError as exc:
        raise UploadTargetRefused(setting=str(exc.fields.get("setting", "upload setting")),
                                  problem=str(exc.fields.get("problem", exc.message))) from None


def load_env_file(ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    """--env-file: set the variables of a systemd-style environment file (``collector.envfile``)
    before the other options read theirs. ``-FILE``: FILE may be missing (as systemd's
    ``EnvironmentFile=-FILE``)."""
    from collector.envfile import read_env_file

    if not value or ctx.resilient_parsing:
        return value
    optional = value.startswith("-")
    path = Path(value[1:] if optional else value)
    try:
        settings = read_env_file(path)
    except FileNotFoundError:
        if optional:
            return value
        raise BadInput(what=f"--env-file {path}", problem="no such file") from None
    except OSError as exc:
        raise BadInput(what=f"--env-file {path}", problem=exc.strerror or str(exc)) from None
    os.environ.update(settings)
    return value


def gcollect_launcher() -> tuple[list[str], dict[str, str]]:
    """The command that started this gcollect, as a unit can run it, and the environment it
    needs: the console script; a zipapp (single-file build) run by this Python; for
    ``python -m collector`` this Python, with PYTHONPATH when the package is a source checkout
    that Python would not find on its own."""
    import sysconfig
    import zipfile

    import collector

    started = sys.argv[0] if sys.argv and sys.argv[0] else ""
    path = Path(os.path.abspath(started)) if started else None
    package_parent = Path(collector.__file__).resolve().parent.parent
    if path is not None and path.is_file() and path.name not in ("__main__.py", "__main__.pyc"):
        if zipfile.is_zipfile(path):                   # shiv zipapp: its Python runs it
            return [sys.executable, str(path)], {}
        return [str(path)], {}
    installed = {Path(p).resolve() for key in ("purelib", "platlib")
                 if (p := sysconfig.get_paths().get(key))}
    if package_parent in installed:
        return [sys.executable, "-m", "collector"], {}
    return [sys.executable, "-m", "collector"], {"PYTHONPATH": str(package_parent)}


def _problem_line(result) -> tuple[str | None, int]:
    """One summary line for cron (None when all is well) and the exit code."""
    from collector.model import files_and_folders, name_a_few, permission_denied, skipped_files
    from collector.api import gzip_truncated

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
        where = "see manifest.json" if result.bundle else "nothing collected, no bundle written"
        problems.append(f"{len(run.excluded)} file(s) left out ({where}), e.g. "
                        f"/{run.excluded[0].host_path}: {run.excluded[0].reason}")
        code = code if code != ExitCode.OK else ExitCode.PARTIAL
    if result.denied:       # selected, never read: not "nothing new" (they are tried again next run)
        denied = permission_denied(result.denied)
        others = [s for s in result.denied if s not in denied]
        if denied:
            problems.append(f"{files_and_folders(denied)} not collected, permission denied: {name_a_few(denied)}")
        if others:
            problems.append(f"{files_and_folders(others)} could not be read: {name_a_few(others)} "
                            f"({others[0].reason})")
        code = code if code != ExitCode.OK else ExitCode.PARTIAL
    truncated = gzip_truncated(run.members) if run is not None else []
    if truncated:
        problems.append(f"{len(truncated)} .gz file(s) kept up to where their gzip stream ends, the rest is "
                        f"missing, e.g. /{truncated[0]}.gz")
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
@click.option("--max-disk", metavar="SIZE", help="Keep the spool under this size (e.g. 5G; a unit is needed: 100B, 2048K, 500M, 5G).")
@click.option("--jitter", metavar="DURATION", help="Wait a random time up to this before starting (e.g. 10m).")
@click.option("--upload", "upload_url", metavar="URL", envvar="GCOLLECT_UPLOAD_URL",
              help="Upload each new bundle to s3://BUCKET/PREFIX/ or sftp://USER@HOST/DIR/ (one object per "
                   "bundle), and retry the queue of earlier failed uploads.")
@click.option("--list", "list_only", is_flag=True, help="Show the spool: time range, size, uploaded or not.")
@click.option("--install-timer", is_flag=True, help="Write the systemd service and timer, print how to enable them.")
@click.option("--unit-dir", type=click.Path(path_type=Path), default=DEFAULT_UNIT_DIR, show_default=True,
              help="Where --install-timer writes the units.")
@click.option("--verbose", "-v", is_flag=True, help="Print a summary even when all went well.")
@click.option("--env-file", metavar="[-]FILE", is_eager=True, expose_value=False, callback=load_env_file,
              help="Read settings (GCOLLECT_UPLOAD_URL=..., AWS_*, ...) from FILE as systemd's EnvironmentFile "
                   "does: KEY=VALUE lines, nothing run or expanded. -FILE: FILE may be missing.")
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

    for flag in WINDOW_OPTIONS:
        if options.get(flag) is not None:
            raise click.UsageError("snapshot takes everything new since the last snapshot; "
                                   "--since/--until/--around/--window do not apply")
    options["output"] = _spool_dir(ctx, options)
    request = request_from_options(options, command_line=recorded_command_line(sys.argv[1:]))
    if install_timer:
        _duration(max_age, "--max-age")           # a bad value fails now, not at every run
        _duration(jitter, "--jitter")
        _size(max_disk, "--max-disk")
        words, writable = timer_command(ctx)
        check_profiles_and_rules(request)         # a broken one fails now (exit 10), not at every run
        command, environment = gcollect_launcher()
        try:
            written = write_timer_units(unit_dir, command + words, writable, environment)
        except PermissionError as exc:          # the usual one: /etc/systemd/system without sudo
            raise PreflightFailed(problem=f"--install-timer: cannot write {exc.filename}: {exc.strerror}; "
                                          "run it as root (sudo), or give --unit-dir a folder you may write") from None
        for path in written:
            click.echo(f"wrote {path}")
        if upload_url and ctx.get_parameter_source("upload_url") is ParameterSource.ENVIRONMENT:
            click.echo(f"note: GCOLLECT_UPLOAD_URL from this environment is not in the unit; "
                       f"the service reads it from {ENVIRONMENT_FILE}")
        click.echo("enable with: systemctl daemon-reload && systemctl enable --now gcollect-snapshot.timer")
        return int(ExitCode.OK)
    as_json = options["as_json"]
    if list_only:
        return _list_spool(request, as_json)
    upload_options = None
    if upload_url:                                # one line now, not when a bundle is about to go
        setting = "--upload" if ctx.get_parameter_source("upload_url") is ParameterSource.COMMANDLINE \
            else "GCOLLECT_UPLOAD_URL"
        check_upload_target(upload_url, setting)
        upload_options = upload_options_from_environment(upload_url)
    from collector.report import build_report_files

    snapshot = SnapshotRequest(
        collect=dataclasses.replace(request, extra_files=build_report_files),   # report.html, as collect's
        retention=Retention(keep=keep, max_age=_duration(max_age, "--max-age"),
                            max_disk=_size(max_disk, "--max-disk")),
        upload_url=upload_url,
        upload_options=upload_options,
        jitter=_duration(jitter, "--jitter") or 0.0,
        accept_findings=bool(options.get("accept_findings")),
    )
    result = take_snapshot(snapshot)     # uploads with the settings read at the start (upload_options)
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
        waiting = result.waiting_lines
        if waiting:
            from collector.member import WAITING_LINE_WHY
            from collector.model import FINISHED_QUIET

            path, size = waiting[0]
            click.echo(f"gcollect snapshot: {len(waiting)} file(s) end in a line without a newline though not "
                       f"written for {FINISHED_QUIET // 60} minutes, e.g. /{path} ({size} bytes): {WAITING_LINE_WHY}")
    return code


def _snapshot_help(command: click.Command) -> None:
    """The shared collect options as snapshot uses them: no time window (refused), the spool."""
    for param in command.params:
        if param.name in WINDOW_OPTIONS and isinstance(param, click.Option):
            param.hidden = True
        elif param.name == "output" and isinstance(param, click.Option):
            param.show_default = False
            param.help = "Folder of the spool (default STATE_DIR/spool)."


_snapshot_help(snapshot_command)
