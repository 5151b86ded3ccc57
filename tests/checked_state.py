"""State folders that start with the packaged profiles' and rule sets' checks remembered.

A host's first run checks every packaged profile and rule set (schema, and each rule's examples run
through the engine: ~2 s) and remembers the files that passed in its state folder; every later run
skips those checks (collector/checkcache.py). Most CLI tests are about what a run does, not about
its first start, so their new state folders get the records a real first run writes: made once per
test process by the product's own loaders, then copied. A record is only a verdict bound to the
exact bytes and code (its key), so a stale one is ignored and the run checks as usual; the first
run itself is tested where it matters (``first_run=True``, tests/integration/test_pipeline_memory.py).
"""

from __future__ import annotations

import atexit
import functools
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from collector import profile
from collector.redaction import rules

RECORDS = (profile.CHECKED_FILE, rules.CHECKED_FILE)

# in a fresh process: this one may hold rule sets loaded before, which a load does not check again
_FIRST_RUN_CHECKS = """
import sys
from collector.profile import load_profiles
from collector.redaction.rules import available_rule_sets, load_rule_sets
load_profiles(checked_in=sys.argv[1])
load_rule_sets(sorted(available_rule_sets(())), checked_in=sys.argv[1])
"""


@functools.cache
def checked_records() -> Path:
    """A folder holding the records of a first run: every packaged profile and rule set passed."""
    folder = Path(tempfile.mkdtemp(prefix="gcollect-checked-"))
    atexit.register(shutil.rmtree, folder, True)
    subprocess.run([sys.executable, "-c", _FIRST_RUN_CHECKS, str(folder)], check=True, cwd=Path(__file__).parents[1])
    missing = [name for name in RECORDS if not (folder / name).is_file()]
    assert not missing, f"the loaders wrote no {missing} (renamed?): tests/checked_state.py is out of date"
    return folder


def seed_checked_state(state_dir: Path | None) -> None:
    """Make ``state_dir`` (0700) holding the check records, if it does not exist yet and its parent
    does; leave anything that exists (a test's own state folder, a path that is a file) alone."""
    if state_dir is None or state_dir.exists() or state_dir.is_symlink() or not state_dir.parent.is_dir():
        return
    records = checked_records()
    state_dir.mkdir(mode=0o700)
    for name in RECORDS:
        shutil.copyfile(records / name, state_dir / name)
        (state_dir / name).chmod(0o600)
