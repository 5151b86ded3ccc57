"""Many hosts at once: run ``HostRun`` on each (thread pool), then write one case bundle.

``collect_hosts(hosts, job, case_settings)`` never raises for one host's trouble: each host ends
as a ``HostResult``. It raises ``AllHostsFailed`` only when no host gave a bundle.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from collector.errors import ExitCode, GcollectError
from collector.model import BundleInfo, Window
from collector.remote.case import build_index, write_case_bundle
from collector.remote.hosts import HostSpec
from collector.remote.run import HostResult, HostRun, RemoteJob

# When every host failed the same way, the exit code says which way (as for a single upload).
_KIND_CODES = {"host-key": ExitCode.UPLOAD_HOSTKEY, "auth": ExitCode.UPLOAD_AUTH,
               "unreachable": ExitCode.UPLOAD_NETWORK}


class AllHostsFailed(GcollectError):
    """no host could be collected ({count} of {count} failed); first: {first}"""

    exit_code = ExitCode.REMOTE_PARTIAL


@dataclass(frozen=True)
class CaseSettings:
    output_dir: Path
    fmt: str = "tar.gz"
    case: str | None = None
    window: Window = Window()
    command_line: str = ""
    # window options sent as given (times without an offset: each host reads them in its own zone)
    host_local: Mapping[str, str] = field(default_factory=dict)


@dataclass
class CaseResult:
    results: list[HostResult]
    bundle: BundleInfo | None = None
    index: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def failed(self) -> list[HostResult]:
        return [r for r in self.results if not r.ok]

    def exit_code(self, accept_findings: bool = False) -> ExitCode:
        if self.failed:
            return ExitCode.REMOTE_PARTIAL
        if not accept_findings and any(r.report.get("scan_findings") for r in self.results):
            return ExitCode.LEAK_FOUND
        if any(r.report.get("excluded") for r in self.results):
            return ExitCode.PARTIAL
        return ExitCode.OK


def run_hosts(hosts: Sequence[HostSpec], job: RemoteJob, staging: Path, parallel: int,
              on_done: Callable[[HostResult], None] | None = None) -> list[HostResult]:
    """Every host's result, in the order the hosts were given."""
    results: dict[int, HostResult] = {}
    with ThreadPoolExecutor(max_workers=max(1, parallel), thread_name_prefix="gcollect-host") as pool:
        futures = {pool.submit(HostRun(spec, job, staging).run): n for n, spec in enumerate(hosts)}
        try:
            for future in as_completed(futures):
                result = future.result()
                results[futures[future]] = result
                if on_done is not None:
                    on_done(result)
        except BaseException:                 # Ctrl-C / SIGTERM: stop the remote runs, remove their temp folders
            job.cancel.set()
            for future in futures:
                future.cancel()
            raise
    return [results[n] for n in range(len(hosts))]


def collect_hosts(hosts: Sequence[HostSpec], job: RemoteJob, case: CaseSettings, *, parallel: int = 4,
                  on_done: Callable[[HostResult], None] | None = None) -> CaseResult:
    started = time.monotonic()
    case.output_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".gcollect-case-", dir=case.output_dir))
    try:
        results = run_hosts(hosts, job, staging, parallel, on_done)
        outcome = CaseResult(results)
        if job.dry_run:
            outcome.index = build_index(results, case.window, case.case, case.command_line, case.host_local)
        elif any(r.ok for r in results):
            pieces = staging / ".pieces"
            pieces.mkdir()
            outcome.bundle, outcome.index = write_case_bundle(results, case.output_dir, case.fmt, case.case,
                                                              case.window, case.command_line, pieces,
                                                              case.host_local)
        else:
            outcome.index = build_index(results, case.window, case.case, case.command_line, case.host_local)
        outcome.seconds = time.monotonic() - started
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    if not any(r.ok for r in results):
        kinds = Counter(r.kind for r in results)
        first = results[0]
        error = AllHostsFailed(count=len(results), first=f"{first.spec.display}: {first.kind}: {first.reason}")
        if len(kinds) == 1 and first.kind in _KIND_CODES:
            error.exit_code = _KIND_CODES[first.kind]
        error.result = outcome  # type: ignore[attr-defined]
        raise error
    return outcome
