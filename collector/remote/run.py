"""One host of a multi-host run: connect, find or push gcollect, collect there, fetch, verify, clean up.

Raw data and the token map never leave the host: only the finished, redacted bundle and its
``.sha256`` are fetched. Every failure becomes ``HostResult(status="failed" | "unsupported")`` with
its reason; nothing here raises for a host's trouble.
"""

from __future__ import annotations

import json
import shlex
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from collector.errors import GcollectError
from collector.remote.hosts import HostSpec
from collector.remote.session import Completed, HostFailed, RemoteSession, SshSettings
from collector.remote.zipapp import Zipapp
from collector.verify import verify_bundle

_PY_FACTS = ("import sys, platform; print('pyver=%d.%d' % sys.version_info[:2]); "
             "print('machine=' + platform.machine()); print('libc=%s %s' % platform.libc_ver())")
EXIT_TIMEOUT = 124                     # coreutils timeout
_REMOTE_FAILURES = {11: "nothing-found", 12: "bad-input", 20: "preflight", 21: "disk-full", 40: "bundle-write",
                    10: "bad-profile", 3: "remote-internal", 2: "usage", 127: "not-runnable", 126: "not-runnable"}


@dataclass(frozen=True)
class RemoteJob:
    ssh: SshSettings
    collect_args: tuple[str, ...]              # forwarded to `gcollect collect` on every host
    timeout: float = 3600.0                    # per host, whole run
    dry_run: bool = False
    python: str = "python3"                    # --remote-python (a host's python= wins)
    push_key: Path | None = None               # exported site key to import on every host
    case_file: bytes | None = None             # case text: a 0600 file on each host, never an argument
    zipapp: Callable[[], Zipapp] | None = None  # lazily found / built
    cancel: threading.Event = field(default_factory=threading.Event)   # set on Ctrl-C / SIGTERM


@dataclass
class HostResult:
    spec: HostSpec
    status: str = "failed"                     # ok | failed | unsupported
    kind: str = ""                             # class of failure (unreachable, host-key, auth, timeout, ...)
    reason: str = ""
    via: str = ""                              # installed gcollect path, or "zipapp"
    report: dict[str, Any] = field(default_factory=dict)   # the host's `collect --json` (or dry-run) report
    bundle: Path | None = None                 # fetched, verified host bundle (local)
    sha256: str = ""
    size: int = 0
    exit_code: int | None = None
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.status == "ok"


def probe_script(spec: HostSpec, python: str, limit: float = 60.0) -> str:
    """Make the private temp folder and report what the host offers. The Python asked is run
    under ``timeout`` (when the host has it), so a hung interpreter never outlives ``limit``."""
    q = shlex.quote
    py = q(spec.python or python)
    configured = f"[ -x {q(spec.gcollect)} ] && printf 'configured=%s\\n' {q(spec.gcollect)}; " if spec.gcollect else ""
    return (
        "t=$(umask 077 && mktemp -d \"${TMPDIR:-/tmp}/gcollect-remote.XXXXXXXX\") || exit 90; "
        "printf 'tmp=%s\\n' \"$t\"; " + configured +
        "printf 'gcollect=%s\\n' \"$(command -v gcollect 2>/dev/null)\"; "
        "k=$(command -v timeout 2>/dev/null); printf 'timeout=%s\\n' \"$k\"; "
        "printf 'uname=%s %s\\n' \"$(uname -s)\" \"$(uname -m)\"; "
        f"if p=$(command -v {py} 2>/dev/null); then printf 'python=%s\\n' \"$p\"; "
        f"${{k:+\"$k\" -k 5 {max(1, int(limit))}}} \"$p\" -c {q(_PY_FACTS)} 2>/dev/null; fi; exit 0"
    )


def parse_facts(out: bytes) -> dict[str, str]:
    facts: dict[str, str] = {}
    for line in out.decode("utf-8", "replace").splitlines():
        key, sep, value = line.partition("=")
        if sep and key and key not in facts:
            facts[key] = value.strip()
    return facts


class HostRun:
    def __init__(self, spec: HostSpec, job: RemoteJob, staging: Path) -> None:
        self.spec, self.job, self.staging = spec, job, staging
        self.result = HostResult(spec)
        self.tmp = ""
        self.started = time.monotonic()

    def left(self) -> float:
        remaining = self.job.timeout - (time.monotonic() - self.started)
        if remaining <= 0:
            raise HostFailed("timeout", f"no result after {self.job.timeout:.0f} s (--timeout)")
        return remaining

    def run(self) -> HostResult:
        try:
            if self.job.cancel.is_set():
                raise HostFailed("interrupted", "interrupted before this host started")
            with RemoteSession(self.spec, self.job.ssh, self.job.cancel) as session:
                try:
                    self.steps(session)
                except HostFailed as e:
                    self.fail(e)
                finally:
                    self.cleanup(session)
        except HostFailed as e:
            self.fail(e)
        except GcollectError as e:
            self.result.kind, self.result.reason = "error", e.message
        except Exception as e:  # noqa: BLE001 - one host's bug never stops the others
            self.result.kind, self.result.reason = "internal", f"{type(e).__name__}: {e}"
        self.result.seconds = time.monotonic() - self.started
        return self.result

    def fail(self, e: HostFailed) -> None:
        self.result.status = "unsupported" if e.kind == "unsupported" else "failed"
        self.result.kind, self.result.reason = e.kind, e.reason

    # ------------------------------------------------------------------ steps
    def steps(self, s: RemoteSession) -> None:
        limit = min(60.0, self.left())
        probe = s.run(probe_script(self.spec, self.job.python, limit), timeout=limit + 5)
        facts = parse_facts(probe.stdout)
        self.tmp = facts.get("tmp", "")
        if probe.code != 0 or not self.tmp.startswith("/"):
            raise HostFailed("temp-dir", f"cannot create a private temp folder: {probe.last_error()}")
        runner = self.runner(s, facts)
        if self.job.push_key is not None:
            self.import_key(s, runner, facts)
        if self.job.dry_run:
            self.dry_run(s, runner, facts)
        else:
            self.collect(s, runner, facts)

    def runner(self, s: RemoteSession, facts: dict[str, str]) -> str:
        q = shlex.quote
        installed = facts.get("configured") or facts.get("gcollect")
        if installed:
            self.result.via = installed
            return q(installed)
        if self.spec.gcollect:
            raise HostFailed("not-installed", f"{self.spec.gcollect} (gcollect= in the hosts file) is not executable")
        if self.job.zipapp is None:
            raise HostFailed("not-installed", "gcollect not found on the host and no zipapp to push")
        app = self.job.zipapp()
        why = app.unsupported(facts)
        if why:
            raise HostFailed("unsupported", why)
        free = s.free_bytes(self.tmp)
        needed = app.path.stat().st_size + app.unpacked + (64 << 20)
        if free is not None and free < needed:
            raise HostFailed("disk-full", f"{free >> 20} MiB free in {self.tmp}; the zipapp needs about "
                                          f"{needed >> 20} MiB")
        remote = f"{self.tmp}/gcollect.pyz"
        s.put(app.path, remote)
        self.result.via = "zipapp"
        return f"SHIV_ROOT={q(self.tmp + '/.shiv')} {q(facts['python'])} {q(remote)}"

    def command(self, runner: str, facts: dict[str, str], args: list[str], limit: float | None = None) -> str:
        """``cd TMP; record our pid (= process group, sshd starts a new session); exec [timeout] gcollect``.

        Every gcollect run on the host goes through here: ``timeout`` stops it when this host's
        time (``limit``, default what is left of --timeout) is over, and ``cleanup`` kills its
        process group (``.pid``) when the host is given up."""
        q = shlex.quote
        limit = max(1, int(self.left() if limit is None else limit))
        wrap = f"{q(facts['timeout'])} -k 10 {limit} " if facts.get("timeout") else ""
        host_args = []
        if args[:1] == ["collect"]:
            if self.spec.root:
                host_args += ["--root", self.spec.root]
            if self.spec.state_dir:
                host_args += ["--state-dir", self.spec.state_dir]
        env = ""
        if runner.startswith("SHIV_ROOT="):
            assignment, _, runner = runner.partition(" ")
            env = f"export {assignment}; "
        return (f"cd {q(self.tmp)} && echo $$ > .pid && {env}exec {wrap}{runner} "
                f"{' '.join(map(q, args + host_args))}")

    def execute(self, s: RemoteSession, runner: str, facts: dict[str, str], args: list[str]) -> Completed:
        done = s.run(self.command(runner, facts, args), timeout=self.left() + 15)
        self.result.exit_code = done.code
        if done.code == EXIT_TIMEOUT and facts.get("timeout"):
            raise HostFailed("timeout", f"gcollect still running after {self.job.timeout:.0f} s (--timeout); stopped")
        return done

    def import_key(self, s: RemoteSession, runner: str, facts: dict[str, str]) -> None:
        assert self.job.push_key is not None
        remote = f"{self.tmp}/site.key"
        s.put(self.job.push_key, remote, mode=0o600)
        args = ["key", "import", remote] + (["--state-dir", self.spec.state_dir] if self.spec.state_dir else [])
        limit = max(1.0, min(120.0, self.left()))
        done = s.run(self.command(runner, facts, args, limit), timeout=limit + 15)
        if done.code == EXIT_TIMEOUT and facts.get("timeout"):
            raise HostFailed("timeout", f"gcollect key import (--push-key) still running after {limit:.0f} s; stopped")
        s.sftp.remove(remote)
        if done.code != 0:
            raise HostFailed("site-key", f"--push-key: {done.last_error()}")

    def case_args(self, s: RemoteSession) -> list[str]:
        """``--case-file PATH`` of the case text put in the private temp folder (0600), or []."""
        if self.job.case_file is None:
            return []
        remote = f"{self.tmp}/case.json"
        s.put_bytes(self.job.case_file, remote, mode=0o600)
        return ["--case-file", remote]

    def dry_run(self, s: RemoteSession, runner: str, facts: dict[str, str]) -> None:
        done = self.execute(s, runner, facts, ["collect", "--dry-run", "--json", *self.job.collect_args,
                                               *self.case_args(s)])
        if done.code != 0:
            raise HostFailed(_REMOTE_FAILURES.get(done.code, "remote-error"), done.last_error())
        self.result.report = self.parse_json(done)
        self.result.status = "ok"

    def collect(self, s: RemoteSession, runner: str, facts: dict[str, str]) -> None:
        out = f"{self.tmp}/out"
        args = ["collect", "--json", "--quiet", "--output", out, *self.job.collect_args, *self.case_args(s)]
        done = self.execute(s, runner, facts, args)
        if done.code not in (0, 1, 30):
            raise HostFailed(_REMOTE_FAILURES.get(done.code, "remote-error"),
                             f"{done.last_error()} (exit {done.code})")
        report = self.parse_json(done)
        self.result.report = report
        remote_bundle = str(report.get("bundle") or "")
        if not remote_bundle.startswith(out + "/"):
            raise HostFailed("remote-error", f"the host's gcollect reported no bundle under {out}")
        name = remote_bundle.rsplit("/", 1)[1]
        folder = self.staging / self.spec.label
        folder.mkdir(mode=0o700)
        local = folder / name
        s.get(remote_bundle, local)
        s.get(remote_bundle + ".sha256", folder / (name + ".sha256"))
        verified = verify_bundle(local)
        if not verified.ok:
            first = verified.problems[0]
            raise HostFailed("verify", f"fetched bundle does not verify: {first.member or 'bundle'}: {first.problem}")
        sha = (folder / (name + ".sha256")).read_text().split()[0].lower()
        if report.get("sha256") and str(report["sha256"]).lower() != sha:
            raise HostFailed("verify", "the fetched bundle's SHA-256 differs from the one the host reported")
        self.result.bundle, self.result.sha256, self.result.size = local, sha, local.stat().st_size
        self.result.status = "ok"

    @staticmethod
    def parse_json(done: Completed) -> dict[str, Any]:
        try:
            data = json.loads(done.stdout)
        except ValueError:
            raise HostFailed("remote-error", f"no JSON report from the host's gcollect: {done.last_error()}") from None
        if not isinstance(data, dict):
            raise HostFailed("remote-error", "unexpected JSON report from the host's gcollect")
        return data

    def cleanup(self, s: RemoteSession) -> None:
        if not self.tmp.startswith("/") or "gcollect-remote." not in self.tmp:
            return
        s.cancel = threading.Event()           # clean up even after an interrupt
        q = shlex.quote(self.tmp)
        stop = ""
        if self.result.kind in ("interrupted", "timeout", "connection"):   # the run may still be going
            stop = f'[ -s {q}/.pid ] && kill -s TERM -- -"$(cat {q}/.pid)" 2>/dev/null; sleep 1; '
        try:
            s.run(f"{stop}rm -rf -- {q}", timeout=120)
        except HostFailed:
            if self.result.reason:
                return
            self.result.reason = f"could not remove {self.tmp} on the host"


class LazyZipapp:
    """Find or build the zipapp once, on the first host that needs it (thread-safe)."""

    def __init__(self, load: Callable[[], Zipapp]) -> None:
        self._load, self._lock = load, threading.Lock()
        self._value: Zipapp | None = None
        self._error: GcollectError | None = None

    def __call__(self) -> Zipapp:
        with self._lock:
            if self._value is None and self._error is None:
                try:
                    self._value = self._load()
                except GcollectError as e:
                    self._error = e
            if self._error is not None:
                raise HostFailed("zipapp", self._error.message)
            assert self._value is not None
            return self._value
