"""The default worker count follows the cores gcollect may use (taskset, a cpuset, systemd's
CPUAffinity=), not the machine's (probe K: pinned to one core, it still started two workers)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from collector.settings import RunSettings, usable_cores


@pytest.mark.skipif(not hasattr(os, "sched_setaffinity"), reason="no CPU affinity on this system")
def test_workers_default_to_the_cores_this_process_may_use(tmp_path) -> None:
    code = ("import os; os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]}); "
            "from collector.settings import RunSettings, usable_cores; from pathlib import Path; "
            "print(usable_cores(), RunSettings(Path('o'), Path('s'), 'h').workers)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["1", "1"]
    assert usable_cores() == len(os.sched_getaffinity(0))
    assert RunSettings(tmp_path, tmp_path, "h").workers == usable_cores()
