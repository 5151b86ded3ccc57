"""How fast is ``api.discover_and_plan`` (discovery + selection) on big hosts?

    .venv/bin/python bench/discovery_speed.py [--files 10000] [--rounds 5] [--profile]
                                              [--fingerprint OUT.json] [--keep DIR]

Two hosts, built once in a scratch folder:

* ``10k``: a SIP Server host with ``--files`` log segments in one folder
  (``tests/integration/test_snapshot.py::_many_files_host``), the ``gcollect snapshot`` goal
  case (an unchanged host with 10,000 files: the whole snapshot under 1 s);
* ``all``: ``collector.testhost.generate_host(products=ALL_PRODUCTS)``.

Prints the best and median wall seconds (and the best CPU seconds of this process: the
machines are shared) of ``--rounds`` warm runs per host. ``--profile`` prints the top of a
cProfile of one more run of the 10k host. ``--fingerprint`` writes the installations, members
and skips of each plan as JSON (the hosts' folder written as ``ROOT``), to check that a
speed-up changed nothing: run it before and after with the same ``--keep DIR`` (the hosts are
built there once and reused: the generators stamp files with the current time), then ``diff``.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from collector import api  # noqa: E402
from collector.selection import Caps  # noqa: E402
from collector.settings import RunSettings  # noqa: E402


def _request(root: Path, scratch: Path) -> api.CollectRequest:
    settings = RunSettings(output_dir=scratch / "out", state_dir=scratch / "state", host_name="h")
    return api.CollectRequest(root=root, settings=settings, caps=Caps(), use_processes=False)


def _fingerprint(discovery: api.Discovery, scratch: Path) -> object:
    plan = discovery.plan
    found = {
        "installations": [repr(i) for i in discovery.installations],
        "members": [[c.host_path, str(c.source), c.product, c.installation, c.spec_id, c.kind,
                     c.size, c.reason, c.trim, c.tail_bytes] for c in plan.members],
        "skipped": [[s.host_path, s.product, s.reason, s.size] for s in plan.skipped],
    }
    return json.loads(json.dumps(found).replace(json.dumps(str(scratch))[1:-1], "ROOT"))


def _time(request: api.CollectRequest, rounds: int
          ) -> tuple[list[float], list[float], api.Discovery]:
    result = api.discover_and_plan(request)          # warm: page cache, imports
    times, cpu = [], []
    for _ in range(rounds):
        started, started_cpu = time.perf_counter(), time.process_time()
        result = api.discover_and_plan(request)
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    return times, cpu, result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--fingerprint", type=Path)
    parser.add_argument("--keep", type=Path, help="build the hosts here once and reuse them")
    args = parser.parse_args(argv)

    sys.path.insert(0, str(REPO / "tests" / "integration"))
    import test_snapshot  # noqa: E402  (the goal case's own host builder)
    from collector.testhost import ALL_PRODUCTS, generate_host

    scratch = args.keep.resolve() if args.keep else Path(tempfile.mkdtemp(prefix="gcollect-discovery-"))
    many = scratch / f"many{args.files}"
    try:
        hosts = {}
        if not (many / "done").exists():
            shutil.rmtree(many, ignore_errors=True)
            many.mkdir(parents=True)
            test_snapshot._many_files_host(many, args.files)
            (many / "done").touch()
        hosts[f"{args.files} files"] = many / "root"
        if not (scratch / "all.done").exists():
            shutil.rmtree(scratch / "all", ignore_errors=True)
            generate_host(scratch / "all", products=ALL_PRODUCTS)
            (scratch / "all.done").touch()
        hosts["all products"] = scratch / "all"
        prints = {}
        for label, root in hosts.items():
            count = sum(1 for p in root.rglob("*") if p.is_file())
            times, cpu, result = _time(_request(root, scratch / "run"), args.rounds)
            prints[label] = _fingerprint(result, scratch)
            print(f"{label:>14} ({count} files, {len(result.installations)} installations, "
                  f"{len(result.plan.members)} members, {len(result.plan.skipped)} skipped): "
                  f"discover_and_plan best {min(times):.3f} s, median {statistics.median(times):.3f} s"
                  f" (CPU best {min(cpu):.3f} s)")
        if args.fingerprint:
            args.fingerprint.write_text(json.dumps(prints, indent=1) + "\n")
        if args.profile:
            request = _request(hosts[f"{args.files} files"], scratch / "run")
            profiler = cProfile.Profile()
            profiler.runcall(api.discover_and_plan, request)
            pstats.Stats(profiler).sort_stats("cumtime").print_stats(30)
    finally:
        if not args.keep:
            shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
