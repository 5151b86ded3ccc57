"""How long does ``gcollect snapshot`` take on an unchanged host with 10,000 files?

    .venv/bin/python bench/snapshot_speed.py [--files 10000] [--rounds 7] [--keep DIR]

The issue's goal: under a second. The host is the one of
``tests/integration/test_snapshot.py::_many_files_host`` (a SIP Server with ``--files`` log
segments in one folder). A first ``gcollect snapshot`` collects everything and commits the state,
as the first cron run on a host would; then ``--rounds`` snapshots of the unchanged host run,
each as its own process exactly as cron starts it (``python -m collector snapshot ...``: the
interpreter, the imports and the work; byte-code cached as for an installed package, even in a
checkout with PYTHONDONTWRITEBYTECODE set), alternating with the same snapshot in this process
(imports already done: what the integration test measures). Prints every round, best and median
wall seconds, and checks that each unchanged run wrote no bundle.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests" / "integration"))

from collector.cli import main as gcollect_main  # noqa: E402
from test_snapshot import _many_files_host  # noqa: E402


def run_process(args: list[str], pycache: Path) -> tuple[float, dict]:
    # byte-code cached, as for an installed gcollect (pip compiles it), whatever the checkout
    # or PYTHONDONTWRITEBYTECODE say; the cache lives beside the test host
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(pycache)
    started = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "collector", *args], cwd=REPO, capture_output=True, text=True,
                          env=env)
    wall = time.monotonic() - started
    if proc.returncode != 0:
        raise SystemExit(f"snapshot failed ({proc.returncode}): {proc.stderr.strip()[-400:]}")
    return wall, json.loads(proc.stdout)


def run_inline(args: list[str]) -> tuple[float, dict]:
    out = io.StringIO()
    started = time.monotonic()
    with contextlib.redirect_stdout(out):
        try:
            gcollect_main(args)
        except SystemExit as exc:
            if exc.code:
                raise SystemExit(f"snapshot failed ({exc.code})") from None
    return time.monotonic() - started, json.loads(out.getvalue())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--keep", type=Path, help="build the host here and leave it")
    args = parser.parse_args()
    base = args.keep or Path(tempfile.mkdtemp(prefix="gcollect-snapbench-"))
    base.mkdir(parents=True, exist_ok=True)
    try:
        host = _many_files_host(base, args.files)
        argv = host.args("--json")
        pycache = base / "pycache"
        first, report = run_process(argv, pycache)
        print(f"first snapshot (collects everything, commits the state): {first:.2f} s, "
              f"bundle {Path(report['bundle']).name if report.get('bundle') else None}")
        times: dict[str, list[float]] = {"own process (as cron runs it)": [], "in this process": []}
        for _ in range(args.rounds):
            for label, runner in (("own process (as cron runs it)", lambda a: run_process(a, pycache)),
                                  ("in this process", run_inline)):
                wall, report = runner(argv)
                if report.get("bundle") is not None:
                    raise SystemExit(f"an unchanged host produced a bundle: {report['bundle']}")
                times[label].append(wall)
        unchanged = report.get("decisions", {}).get("unchanged")
        print(f"unchanged host, {unchanged} files, {args.rounds} rounds each (alternating):")
        for label, walls in times.items():
            print(f"  {label:31s} best {min(walls):.2f} s  median {statistics.median(walls):.2f} s  "
                  f"rounds {' '.join(f'{w:.2f}' for w in walls)}")
    finally:
        if args.keep is None:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
