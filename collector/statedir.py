"""The state folder (site key, token map, snapshot state): made 0700 when missing; an existing
one is used as the admin made it, with only the group and other bits taken away (never the
owner's write bit added: a folder made read-only is refused, not re-moded). Every problem is one
PreflightFailed line naming the folder and the cause (exit 20)."""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

from collector.errors import PreflightFailed

HINT = "(set --state-dir or GCOLLECT_STATE_DIR)"


def use_state_dir(state_dir: Path) -> Path:
    """``state_dir``, made (0700) or checked: a folder this user may write, closed to group and
    others. Tightening an existing folder says so in one line on stderr."""
    state_dir = Path(state_dir)
    try:
        state_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = os.stat(state_dir)
    except FileExistsError:
        raise PreflightFailed(problem=f"cannot use state folder {state_dir}: not a folder {HINT}") from None
    except OSError as exc:
        raise PreflightFailed(problem=f"cannot use state folder {state_dir}: {exc.strerror or exc} {HINT}") from None
    mode = stat.S_IMODE(info.st_mode)
    if not stat.S_ISDIR(info.st_mode):
        raise PreflightFailed(problem=f"cannot use state folder {state_dir}: not a folder {HINT}")
    if not os.access(state_dir, os.W_OK | os.X_OK):
        raise PreflightFailed(problem=f"cannot use state folder {state_dir}: not writable by this user "
                                      f"(mode {mode:04o}, owner uid {info.st_uid}); it holds the site key and "
                                      f"the token map {HINT}")
    if mode & 0o077:
        tight = mode & ~0o077
        try:
            os.chmod(state_dir, tight)
        except OSError as exc:
            raise PreflightFailed(problem=f"cannot use state folder {state_dir}: cannot take away the group "
                                          f"and other bits of its mode {mode:04o} ({exc.strerror or exc}; "
                                          f"owner uid {info.st_uid}) {HINT}") from None
        sys.stderr.write(f"gcollect: state folder {state_dir} was mode {mode:04o}, now {tight:04o}: it holds "
                         "the site key and the token map, for its owner only\n")
    return state_dir
