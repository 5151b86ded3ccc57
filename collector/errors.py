"""Errors that end a run, each with its exit code; the CLI turns them into one line.

The docstring of each class is its message template (formatted with the keyword
arguments given at raise time), in the manner of borg's ``helpers/errors.py``.
The exit-code table below is the one documented in the README.
"""

from __future__ import annotations

import errno
import os
from enum import IntEnum
from pathlib import Path


class ExitCode(IntEnum):
    OK = 0
    PARTIAL = 1            # finished, but some files were left out (listed in the manifest)
    USAGE = 2              # bad command line (click)
    INTERNAL = 3           # a bug: unexpected exception
    BAD_PROFILE = 10       # a profile or rule set is malformed
    NOTHING_FOUND = 11     # no Genesys installation / nothing to collect
    BAD_INPUT = 12         # a path given on the command line does not exist / is unreadable
    PREFLIGHT = 20         # output folder unwritable, not enough disk space, size cap
    DISK_FULL = 21         # a file system the run writes to (output, state folder) filled up, or the
                           # output's would have gone below --reserve (the run stopped before)
    LEAK_FOUND = 30        # the independent scanner found something that must not leave
    BUNDLE_WRITE = 40      # the bundle could not be written
    VERIFY_FAILED = 41     # a bundle did not verify
    UPLOAD_AUTH = 50       # credentials refused
    UPLOAD_NETWORK = 51    # network unreachable / connection failed after retries
    UPLOAD_CHECKSUM = 52   # remote size or checksum differs after upload
    UPLOAD_HOSTKEY = 53    # SSH host key unknown or changed
    UPLOAD_NOT_FOUND = 54  # bucket or remote path missing
    UPLOAD_DENIED = 55     # permission denied on the remote side
    UPLOAD_REMOTE_FULL = 56  # remote disk full / quota exceeded
    LOCKED = 60            # another snapshot holds the lock
    REMOTE_PARTIAL = 70    # multi-host: some hosts failed
    SIGINT = 130
    SIGTERM = 143


class GcollectError(Exception):
    """gcollect failed."""

    exit_code: ExitCode = ExitCode.INTERNAL

    def __init__(self, message: str | None = None, **fields: object) -> None:
        self.fields = fields
        if message is None:
            template = (self.__class__.__doc__ or self.__class__.__name__).strip().splitlines()[0]
            try:
                message = template.format(**fields)
            except (KeyError, IndexError):
                message = template
        super().__init__(message)

    @property
    def message(self) -> str:
        return str(self.args[0])


class BadProfile(GcollectError):
    """{where}: {problem}"""

    exit_code = ExitCode.BAD_PROFILE


class BadRuleSet(GcollectError):
    """{where}: {problem}"""

    exit_code = ExitCode.BAD_PROFILE


class NothingFound(GcollectError):
    """no Genesys installation found under {root}"""

    exit_code = ExitCode.NOTHING_FOUND


class BadInput(GcollectError):
    """{what}: {problem}"""

    exit_code = ExitCode.BAD_INPUT


class PreflightFailed(GcollectError):
    """{problem}"""

    exit_code = ExitCode.PREFLIGHT


class DiskFull(GcollectError):
    """no space left on {where}; nothing was kept"""

    exit_code = ExitCode.DISK_FULL


class BelowReserve(GcollectError):
    """stopped before {where} went below the {reserve} that must stay free (--reserve); nothing was kept. Free space, choose another --output, narrow the window, or cap the bundle with --max-size"""

    exit_code = ExitCode.DISK_FULL


class LeakFound(GcollectError):
    """{count} possible secret(s) found after redaction; first at {where}"""

    exit_code = ExitCode.LEAK_FOUND


class BundleWriteError(GcollectError):
    """cannot write bundle {path}: {problem}"""

    exit_code = ExitCode.BUNDLE_WRITE


class BundleNameTaken(BundleWriteError):
    """cannot write bundle {path}: {problem}"""


FULL_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT})     # a full file system or quota


def naming_file(e: OSError, path: Path | str) -> OSError:
    """``e`` for a failed write of ``path``: with that file's name when the disk or quota is full
    (an ``os.write`` error has none), so the one line says which folder is full."""
    if e.errno in FULL_ERRNOS and e.filename != str(path):
        return OSError(e.errno, e.strerror, str(path))
    return e


def full_disk_of(e: OSError) -> DiskFull | None:
    """DiskFull naming the folder of the file ``e`` failed on, for a full disk or quota."""
    if e.errno not in FULL_ERRNOS:
        return None
    filename = os.fsdecode(e.filename) if e.filename is not None else ""
    return DiskFull(where=os.path.dirname(filename) or "the device")


def output_write_error(e: OSError, *, folder: str, path: str) -> GcollectError:
    """A failed write to the output folder: DiskFull for a full disk or quota, else
    BundleWriteError naming ``path`` (the bundle, or what was being written for it)."""
    if e.errno in FULL_ERRNOS:
        return DiskFull(where=folder)
    return BundleWriteError(path=path, problem=e.strerror or str(e))


class WorkerDied(GcollectError):
    """a worker process died ({cause}); the run was stopped and no bundle was written"""

    exit_code = ExitCode.BUNDLE_WRITE


class VerifyFailed(GcollectError):
    """{path}: {problem}"""

    exit_code = ExitCode.VERIFY_FAILED


class UploadError(GcollectError):
    """upload failed: {problem}"""

    exit_code = ExitCode.UPLOAD_NETWORK


class UploadAuthError(UploadError):
    """authentication refused by {target}"""

    exit_code = ExitCode.UPLOAD_AUTH


class UploadNetworkError(UploadError):
    """cannot reach {target}: {problem}"""

    exit_code = ExitCode.UPLOAD_NETWORK


class SshTimeoutError(UploadNetworkError):
    """{target} did not answer: {problem}"""


class HostNotFound(UploadNetworkError):
    """cannot reach {target}: host name not found: {host}"""


class UploadSettingError(UploadError):
    """{setting}: {problem}"""

    exit_code = ExitCode.USAGE         # a bad upload option or URL: found before anything is sent


class UploadConfigError(UploadError):
    """{problem}"""

    exit_code = ExitCode.UPLOAD_AUTH   # the credentials or their configuration (profile, files) are unusable


class UploadChecksumError(UploadError):
    """checksum mismatch after upload to {target}: {problem}"""

    exit_code = ExitCode.UPLOAD_CHECKSUM


class HostKeyError(UploadError):
    """host key for {host} {problem}"""

    exit_code = ExitCode.UPLOAD_HOSTKEY


class RemoteNotFound(UploadError):
    """{target} does not exist: {problem}"""

    exit_code = ExitCode.UPLOAD_NOT_FOUND


class RemoteDenied(UploadError):
    """permission denied at {target}: {problem}"""

    exit_code = ExitCode.UPLOAD_DENIED


class RemoteFull(UploadError):
    """no space left at {target}: {problem}"""

    exit_code = ExitCode.UPLOAD_REMOTE_FULL


class Locked(GcollectError):
    """another gcollect snapshot is running (pid {pid}, lock {path})"""

    exit_code = ExitCode.LOCKED


class RedactionFailed(GcollectError):
    """cannot redact {path}: {problem}"""

    exit_code = ExitCode.PARTIAL


class Interrupted(GcollectError):
    """interrupted by {signal}; temporary files removed, no bundle written"""

    @property
    def exit_code(self) -> ExitCode:          # type: ignore[override]
        """128 + the signal's number, as a shell reports a process the signal ended."""
        return ExitCode.SIGTERM if self.fields.get("signal") == "SIGTERM" else ExitCode.SIGINT


# Errors that end the whole run wherever they are raised, never one file's problem: a file's
# fail-closed handlers (member.process_member, the redactor) re-raise them.
RUN_ENDING = (DiskFull, Interrupted)


class UploadInterrupted(Interrupted):
    """upload interrupted by {signal}; {advice}"""


def upload_interrupted(exc: BaseException, advice: str) -> UploadInterrupted:
    """Ctrl-C (KeyboardInterrupt) or SIGTERM (Interrupted) during an upload: the bundle is intact and
    the upload resumable, so the line says that instead of "no bundle written"."""
    signal = exc.fields.get("signal", "SIGTERM") if isinstance(exc, Interrupted) else "SIGINT"
    return UploadInterrupted(signal=signal, advice=advice)
