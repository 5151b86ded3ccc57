"""A run that starts in the second of a bundle already in the output folder (bundle names are to
the second) waits for a free second instead of failing with exit 40, and overwrites nothing."""

from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from collector.bundle import bundle_name
from collector.bundle.names import free_second
from collector.errors import ExitCode
from tests.checked_state import seed_checked_state
from tests.cli.conftest import run_gcollect

WINDOW = ("--since", "2026-03-10 11:00", "--until", "2026-03-10 12:00")


def _host(tmp_path: Path) -> Path:
    root = tmp_path / "host"
    (root / "etc").mkdir(parents=True)
    (root / "etc" / "hostname").write_text("probehost\n")
    (root / "etc" / "localtime").symlink_to("/usr/share/zoneinfo/UTC")
    name = "SIPS_P.20260310_100000_000.log"
    log = root / "opt/genesys/SIPS_P/logs" / name
    log.parent.mkdir(parents=True)
    log.write_text("\n".join([
        "Genesys SIP Server, version 8.1.103.95", "Application name:   SIPS_P",
        "Host name:          probehost", "Local time:         2026-03-10T10:00:00.000",
        "Start time (UTC):   2026-03-10T10:00:00.000", "Time zone:          0",
        f"File:               (0000000001) {name}", "11:10:00.000 Std 05060 in the window"]) + "\n")
    return root


def test_a_taken_second_is_waited_out_not_overwritten(tmp_path: Path) -> None:
    now = datetime.now(timezone.utc)
    taken = [bundle_name("probehost", None, now + timedelta(seconds=ahead), "tar.gz") for ahead in range(2)]
    (tmp_path / taken[0]).write_bytes(b"an earlier run's bundle")
    (tmp_path / (taken[1] + ".partial")).write_bytes(b"a run still writing")
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        time.sleep(seconds)

    second = free_second(tmp_path, "probehost", None, "tar.gz", sleep=sleep)
    assert len(slept) >= 2
    assert second >= (now + timedelta(seconds=2)).replace(microsecond=0)
    assert bundle_name("probehost", None, second, "tar.gz") not in taken


def test_two_runs_started_together_into_one_folder_both_finish(tmp_path: Path) -> None:
    """A cron job and a hand run, started in the same second: each gets a second of its own
    (before: one of them, most of the time, ended with exit 40 and no bundle)."""
    root, out = _host(tmp_path), tmp_path / "out"
    out.mkdir()
    seed_checked_state(tmp_path / "st")     # made once here: the two runs share it, as on a host
    results: dict[int, object] = {}

    def collect(index: int) -> None:
        results[index] = run_gcollect("collect", "--root", str(root), "--output", str(out),
                                      "--state-dir", str(tmp_path / "st"), "--host-name", "probehost",
                                      "--priority", "normal", "--workers", "1", *WINDOW)

    threads = [threading.Thread(target=collect, args=(index,)) for index in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for proc in results.values():
        assert proc.returncode == ExitCode.OK, proc.stderr.decode()
    bundles = sorted(out.glob("*.tar.gz"))
    assert len(bundles) == 2 and not list(out.glob("*.partial"))
    for bundle in bundles:
        check = run_gcollect("verify", str(bundle))
        assert check.returncode == ExitCode.OK, check.stdout.decode() + check.stderr.decode()
