"""Upload a bundle over SFTP with paramiko: known host keys only, resume by offset, check, rename.

The bundle goes to ``NAME.part``; after a broken connection the next try (or a new process)
appends from the size the server already has. Only when the ``.part`` has the full size and the
bundle's SHA-256 (``sha256sum`` over an exec channel where a shell is allowed, else read back) is
it renamed to ``NAME`` (``posix-rename@openssh.com`` where offered), so the final name never holds
a partial or damaged file. ``NAME.sha256`` goes first (written as ``NAME.sha256.part``, renamed), and
the bundle's rename is the last step: the server never holds ``NAME`` without its ``NAME.sha256``.
A failure before that (the disk fills on the sidecar) keeps the complete ``NAME.part``, and the next
run resumes from it with nothing left to send. The free-space check before sending counts the
sidecar too, in whole blocks of the remote file system.

Both are created with mode 0600, as the local bundle (the SFTP open carries the permissions, so the
file is never readable by other accounts on the server, not even empty); a ``.part`` left by an
older run is made 0600 before anything is added to it. The rename keeps the mode.
"""

from __future__ import annotations

import base64
import getpass
import hashlib
import logging
import os
import posixpath
import re
import shlex
import socket
import time
from pathlib import Path
from typing import BinaryIO

import paramiko
from paramiko.sftp import (CMD_EXTENDED, CMD_EXTENDED_REPLY, CMD_HANDLE, CMD_OPEN, SFTP_FLAG_CREATE,
                           SFTP_FLAG_TRUNC, SFTP_FLAG_WRITE)

from collector.errors import (BadInput, HostKeyError, HostNotFound, RemoteDenied, RemoteFull, RemoteNotFound,
                              SshTimeoutError, UploadAuthError, UploadChecksumError, UploadError, UploadNetworkError)
from collector.upload.base import MiB, UploadOptions, UploadReceipt, check_local_hash, sha256_file, sidecar_text
from collector.upload.progress import ProgressReporter
from collector.upload.ratelimit import TokenBucket
from collector.upload.retry import Backoff, Failure
from collector.upload.s3codes import describe_network_error, name_not_found
from collector.upload.urls import SftpTarget

log = logging.getLogger(__name__)
# paramiko logs its own failures at ERROR with a traceback (e.g. "Error reading SSH protocol banner"
# from a port that is not SSH), and with no handler configured Python prints them on stderr. The
# same failures reach us as exceptions and end as one line with an exit code, so paramiko's log
# goes nowhere unless `gcollect --debug` configures logging (collector.cli.main).
logging.getLogger("paramiko").addHandler(logging.NullHandler())
CHUNK = 32 * 1024             # paramiko's largest SFTP write request; what sftp.put uses too
TAIL_CHECK = 64 * 1024        # on resume, compare this much of the remote .part's end with ours
DEFAULT_KEYS = ("id_ed25519", "id_ecdsa", "id_rsa")
_SHA_LINE = re.compile(rb"^([0-9a-fA-F]{64})\s")
PRIVATE = 0o600               # the bundle's own mode: what we create on the server


def open_private(sftp: paramiko.SFTPClient, path: str, mode: str) -> paramiko.SFTPFile:
    """``sftp.open(path, mode)`` for "wb" / "r+b", but a file it creates gets mode 0600 in the OPEN
    request itself (paramiko's open sends no permissions, so the server's default 0644 applies);
    an existing file is made 0600 too. A server that refuses the chmod gets one warning line."""
    if mode == "wb":
        attrs = paramiko.SFTPAttributes()
        attrs.st_mode = PRIVATE
        kind, msg = sftp._request(CMD_OPEN, path, SFTP_FLAG_WRITE | SFTP_FLAG_CREATE | SFTP_FLAG_TRUNC,  # noqa: SLF001
                                  attrs)
        if kind != CMD_HANDLE or msg is None:
            raise paramiko.SFTPError("Expected handle")
        f = paramiko.SFTPFile(sftp, msg.get_binary(), mode)
    else:
        f = sftp.open(path, mode)
    try:
        f.chmod(PRIVATE)                       # an existing file keeps its mode through O_CREAT/O_TRUNC
    except OSError as e:
        log.warning("could not make %s private (mode 0600) on the server: %s", path, e)
    return f


def fingerprint(key: paramiko.PKey) -> str:
    return "SHA256:" + base64.b64encode(hashlib.sha256(key.asbytes()).digest()).decode().rstrip("=")


# ---------------------------------------------------------------- host keys
def check_host_key(target: SftpTarget, key: paramiko.PKey, options: UploadOptions) -> None:
    """Known and equal: fine. Changed (or another type known): refused, always. Unknown: refused
    unless ``accept_new_host_key``, which appends it to known_hosts."""
    path = options.known_hosts_path()
    known = paramiko.HostKeys()
    if path.exists():
        try:
            known.load(str(path))
        except (OSError, paramiko.SSHException) as e:
            raise HostKeyError(host=target.known_hosts_name, problem=f"cannot be checked: {path}: {e}") from None
    name = target.known_hosts_name
    entries = known.lookup(name)
    if entries:
        if entries.get(key.get_name()) == key:
            return
        raise HostKeyError(host=name, problem=f"has CHANGED (now {key.get_name()} {fingerprint(key)}); "
                                              f"refusing to connect. If the change is expected, remove the old "
                                              f"entry from {path}")
    if not options.accept_new_host_key:
        raise HostKeyError(host=name, problem=f"is unknown ({key.get_name()} {fingerprint(key)}); not in {path}. "
                                              f"Check it and add it, or use --accept-new-host-key")
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    with os.fdopen(fd, "a") as f:
        f.write(f"{name} {key.get_name()} {key.get_base64()}\n")
    log.warning("recorded new host key for %s: %s %s", name, key.get_name(), fingerprint(key))


def prefer_known_key_types(transport: paramiko.Transport, target: SftpTarget, options: UploadOptions) -> None:
    path = options.known_hosts_path()
    if not path.exists():
        return
    try:
        entries = paramiko.HostKeys(str(path)).lookup(target.known_hosts_name) or {}
    except (OSError, paramiko.SSHException):
        return
    known = set(entries.keys())
    if "ssh-rsa" in known:
        known |= {"rsa-sha2-512", "rsa-sha2-256"}
    security = transport.get_security_options()
    types = list(security.key_types)
    security.key_types = tuple(sorted(types, key=lambda t: t not in known))


# ---------------------------------------------------------------- authentication
def load_identity(path: Path) -> paramiko.PKey:
    if not path.exists():
        raise BadInput(what=str(path), problem="identity file not found")
    try:
        return paramiko.PKey.from_path(str(path))
    except paramiko.PasswordRequiredException:
        raise UploadAuthError(f"identity {path} is encrypted; load it into ssh-agent first", target=str(path)) from None
    except (paramiko.SSHException, ValueError, OSError) as e:
        raise BadInput(what=str(path), problem=f"not a usable private key ({type(e).__name__})") from None


def candidate_keys(options: UploadOptions) -> list[paramiko.PKey]:
    if options.identity is not None:
        return [load_identity(options.identity)]
    keys: list[paramiko.PKey] = list(paramiko.Agent().get_keys())
    for name in DEFAULT_KEYS:
        p = Path.home() / ".ssh" / name
        if p.exists():
            try:
                keys.append(paramiko.PKey.from_path(str(p)))
            except (paramiko.SSHException, ValueError, OSError):
                log.info("skipping %s (encrypted or unreadable; use ssh-agent)", p)
    return keys


def authenticate(transport: paramiko.Transport, target: SftpTarget, options: UploadOptions) -> None:
    user = target.user or getpass.getuser()
    for key in candidate_keys(options):
        try:
            transport.auth_publickey(user, key)
        except paramiko.AuthenticationException:
            continue
        except paramiko.SSHException:
            break                             # server closed the session (too many tries)
        if transport.is_authenticated():
            return
    if options.password is not None and transport.is_active():
        try:
            transport.auth_password(user, options.password)
        except paramiko.AuthenticationException:
            pass
        if transport.is_authenticated():
            return
    raise UploadAuthError(target=target.display)


# ---------------------------------------------------------------- errors
def classify(exc: BaseException, target: SftpTarget, remote_path: str) -> Failure | None:
    shown = target.display
    if isinstance(exc, HostNotFound):                        # a typo in the host name: trying again will not help
        return Failure(exc, False)
    if isinstance(exc, UploadNetworkError):
        return Failure(exc, True)
    if isinstance(exc, UploadError):
        return Failure(exc, False)
    if isinstance(exc, FileNotFoundError):
        return Failure(RemoteNotFound(target=shown, problem=f"no such file or folder: {remote_path}"), False)
    if isinstance(exc, PermissionError):
        return Failure(RemoteDenied(target=shown, problem=f"cannot write {remote_path}"), False)
    if isinstance(exc, paramiko.SSHException) and str(exc):
        return Failure(UploadNetworkError(target=shown, problem=describe_ssh_error(exc)), True)
    if isinstance(exc, (socket.timeout, ConnectionError, EOFError, paramiko.SSHException)):
        return Failure(UploadNetworkError(target=shown, problem=describe_network_error(exc)), True)
    if isinstance(exc, OSError) and exc.errno is None:      # an SFTP status such as "Failure"
        return Failure(UploadError(problem=f"{shown}: server said {exc}"), False)
    if isinstance(exc, OSError):
        return Failure(UploadNetworkError(target=shown, problem=describe_network_error(exc)), True)
    return None


def describe_ssh_error(exc: paramiko.SSHException) -> str:
    """paramiko's own words (they hold no secrets), with the likely cause of a banner failure."""
    text = f"SSH: {exc}"
    return text + " (no SSH server on that port?)" if "banner" in str(exc) else text


def remote_space(sftp: paramiko.SFTPClient, path: str) -> tuple[int, int] | None:
    """(free bytes for us, block size) at ``path`` (OpenSSH's statvfs extension); None when not offered."""
    try:
        kind, msg = sftp._request(CMD_EXTENDED, "statvfs@openssh.com", path)  # noqa: SLF001 - no public API
    except (OSError, paramiko.SSHException):
        return None
    if kind != CMD_EXTENDED_REPLY or msg is None:
        return None
    _bsize, frsize, _blocks, _bfree, bavail = (msg.get_int64() for _ in range(5))
    return int(bavail * frsize), int(frsize)


def remote_free_bytes(sftp: paramiko.SFTPClient, path: str) -> int | None:
    """Free bytes for us at ``path``; None when the server cannot tell."""
    space = remote_space(sftp, path)
    return None if space is None else space[0]


def in_blocks(size: int, block: int) -> int:
    """What ``size`` bytes take on a file system of ``block``-byte blocks."""
    block = max(block, 1)
    return -(-size // block) * block


# ---------------------------------------------------------------- one session
class SftpSession:
    def __init__(self, target: SftpTarget, options: UploadOptions) -> None:
        self.target, self.options = target, options
        try:
            sock = socket.create_connection((target.host, target.port), timeout=options.timeout)
        except OSError as e:
            if name_not_found(e):
                raise HostNotFound(target=target.display, host=target.host) from None
            raise UploadNetworkError(target=target.display, problem=describe_network_error(e)) from None
        self.transport = paramiko.Transport(sock)
        try:
            # start_client gives up first (it returns without raising): a peer that accepts TCP but
            # never speaks SSH is told apart from one that closes the connection at once
            self.transport.banner_timeout = options.timeout + 5
            self.transport.auth_timeout = options.timeout
            prefer_known_key_types(self.transport, target, options)
            self.transport.start_client(timeout=options.timeout)
            if self.transport.host_key is None:
                what = "no SSH banner" if not self.transport.remote_version else "SSH key exchange not finished"
                raise SshTimeoutError(target=target.display, problem=f"{what} within {options.timeout:g} s")
            check_host_key(target, self.transport.get_remote_server_key(), options)
            authenticate(self.transport, target, options)
            self.sftp = paramiko.SFTPClient.from_transport(self.transport)
            if self.sftp is None:
                raise UploadNetworkError(target=target.display, problem="SFTP subsystem refused")
            self.sftp.get_channel().settimeout(options.timeout)  # type: ignore[union-attr]
        except BaseException:
            self.transport.close()
            raise

    def close(self) -> None:
        self.transport.close()

    def exec_sha256(self, path: str, size: int) -> str | None:
        """``sha256sum`` on the server; None when no shell is allowed (sftp-only accounts)."""
        try:
            chan = self.transport.open_session(timeout=self.options.timeout)
            chan.settimeout(max(self.options.timeout, size / (50 * MiB)))
            q = shlex.quote(path)               # openssl uses SHA-NI (several times sha256sum's speed)
            chan.exec_command(f"{{ openssl dgst -sha256 -r {q} || sha256sum -- {q}; }} 2>/dev/null")
            chan.shutdown_write()              # a ForceCommand internal-sftp sees EOF and exits
            out = b""
            while len(out) < 4096 and (data := chan.recv(4096)):
                out += data
            chan.close()
        except (paramiko.SSHException, OSError):
            return None
        m = _SHA_LINE.match(out)
        return m.group(1).decode().lower() if m else None

    def read_back_sha256(self, path: str) -> str:
        h = hashlib.sha256()
        with self.sftp.open(path, "rb") as f:
            f.prefetch()
            while data := f.read(MiB):
                h.update(data)
        return h.hexdigest()

    def remote_sha256(self, path: str, size: int) -> tuple[str, str]:
        absolute = self.sftp.normalize(path)
        digest = self.exec_sha256(absolute, size)
        if digest is not None:
            return digest, "sha256sum"
        return self.read_back_sha256(path), "read back"

    def rename(self, src: str, dst: str) -> None:
        try:
            self.sftp.posix_rename(src, dst)   # atomic replace where the server offers it
            return
        except OSError as e:
            if e.errno is not None:
                raise
        try:                                   # plain SFTP rename refuses to replace: remove first
            self.sftp.remove(dst)
        except FileNotFoundError:
            pass
        self.sftp.rename(src, dst)


class SftpUpload:
    def __init__(self, bundle: Path, target: SftpTarget, options: UploadOptions, reporter: ProgressReporter,
                 expected_sha256: str) -> None:
        self.bundle, self.target, self.options, self.reporter = bundle, target, options, reporter
        self.expected = expected_sha256
        self.size = bundle.stat().st_size
        self.part = target.path + ".part"
        self.bucket = TokenBucket(options.limit_rate) if options.limit_rate else None
        self.shown_to_reporter = 0
        self.first_offset: int | None = None
        self.method = ""

    def show(self, position: int) -> None:
        self.reporter.advance(position - self.shown_to_reporter)
        self.shown_to_reporter = position

    def resume_offset(self, s: SftpSession, local: BinaryIO) -> int:
        try:
            have = s.sftp.stat(self.part).st_size or 0
        except FileNotFoundError:
            return 0
        if have > self.size:
            return 0
        n = min(have, TAIL_CHECK)
        if n:
            local.seek(have - n)
            with s.sftp.open(self.part, "rb") as f:
                f.seek(have - n)
                if f.read(n) != local.read(n):
                    log.warning("%s does not match the start of the bundle; sending it all again", self.part)
                    return 0
        return have

    def send(self, s: SftpSession) -> None:
        folder = posixpath.dirname(self.target.path) or "."
        try:
            s.sftp.stat(folder)
        except FileNotFoundError:
            raise RemoteNotFound(target=self.target.display, problem=f"no folder {folder}") from None
        with open(self.bundle, "rb") as local:
            offset = self.resume_offset(s, local)
            if self.first_offset is None:
                self.first_offset = offset
                self.reporter.start(self.size, offset)
                self.shown_to_reporter = offset
            else:
                self.show(offset)
            self.preflight_space(s, folder, self.size - offset)
            local.seek(offset)
            with open_private(s.sftp, self.part, "r+b" if offset else "wb") as remote:
                remote.set_pipelined(True)
                remote.seek(offset)
                position = offset
                try:
                    while data := local.read(CHUNK):
                        if self.bucket is not None:
                            self.bucket.take(len(data))
                        remote.write(data)
                        position += len(data)
                        self.show(position)
                except OSError as e:
                    self.raise_if_full(s, folder, e)
                    raise
            self.finish(s)

    def preflight_space(self, s: SftpSession, folder: str, needed: int) -> None:
        """RemoteFull before sending when the ``needed`` bytes of the bundle still to send and its
        ``NAME.sha256`` (each in whole blocks) do not fit on the server."""
        space = remote_space(s.sftp, folder)
        if space is None:
            return
        free, block = space
        needed = in_blocks(needed, block) + in_blocks(len(sidecar_text(self.bundle, self.expected)), block)
        if free < needed:
            raise RemoteFull(target=self.target.display, problem=f"{free} bytes free, {needed} needed "
                                                                 "(the bundle and its .sha256)")

    def raise_if_full(self, s: SftpSession, folder: str, error: OSError | None, what: str | None = None) -> None:
        """RemoteFull when a write failed (SFTP status "Failure", or short) and the server's disk is full."""
        if error is not None and error.errno is not None:
            return
        free = remote_free_bytes(s.sftp, folder)
        if free is not None and free < CHUNK * 4:
            writing = f" writing {posixpath.basename(what)}" if what else ""
            raise RemoteFull(target=self.target.display, problem=f"{free} bytes free{writing}; {self.part} is "
                                                                 "kept, free space and run again to resume") from None

    def finish(self, s: SftpSession) -> None:
        try:
            got = s.sftp.stat(self.part).st_size
        except OSError as e:
            self.raise_if_full(s, posixpath.dirname(self.part) or ".", e)
            raise
        if got != self.size:                  # paramiko drops write errors reported at close: find out why
            self.raise_if_full(s, posixpath.dirname(self.part) or ".", None)
            raise UploadChecksumError(target=self.target.display, problem=f"{self.part} has {got} bytes, "
                                                                          f"expected {self.size}")
        digest, self.method = s.remote_sha256(self.part, self.size)
        if digest != self.expected:
            s.sftp.remove(self.part)           # damaged: the next run starts clean
            check_local_hash(self.bundle, self.expected, sha256_file(self.bundle))  # or is ours damaged?
            raise UploadChecksumError(target=self.target.display,
                                      problem=f"remote SHA-256 ({self.method}) {digest[:16]}... != "
                                              f"{self.expected[:16]}...; removed {self.part}")
        sidecar = self.target.path + ".sha256"
        self.write_sidecar(s, sidecar + ".part")
        s.rename(sidecar + ".part", sidecar)   # the checksum first: NAME never appears without it
        s.rename(self.part, self.target.path)  # the last step: the bundle under its name
        if s.sftp.stat(self.target.path).st_size != self.size:
            raise UploadChecksumError(target=self.target.display, problem="size changed after rename")

    def write_sidecar(self, s: SftpSession, path: str) -> None:
        """``NAME.sha256`` written to ``path``; a full disk is RemoteFull (the bundle's complete
        ``.part`` is kept for the next run), and the empty ``path`` is removed."""
        text = sidecar_text(self.bundle, self.expected)
        folder = posixpath.dirname(path) or "."
        try:
            try:
                with open_private(s.sftp, path, "wb") as f:
                    f.write(text)
                got = s.sftp.stat(path).st_size
            except OSError as e:
                self.raise_if_full(s, folder, e, what=path)
                raise
            if got != len(text):
                self.raise_if_full(s, folder, None, what=path)
                raise UploadChecksumError(target=self.target.display,
                                          problem=f"{path} has {got} bytes, expected {len(text)}")
        except RemoteFull:
            try:
                s.sftp.remove(path)
            except OSError:
                pass
            raise


def upload_sftp(bundle: Path, target: SftpTarget, options: UploadOptions, reporter: ProgressReporter,
                expected_sha256: str) -> UploadReceipt:
    started = time.monotonic()
    job = SftpUpload(bundle, target, options, reporter, expected_sha256)

    def attempt() -> None:
        session = SftpSession(target, options)
        try:
            job.send(session)
        except OSError as e:
            if e.errno is None and not session.transport.is_active():   # paramiko: "Socket is closed"
                raise UploadNetworkError(target=target.display, problem="connection lost") from e
            raise
        finally:
            session.close()

    try:
        Backoff(options.retries, options.retry_base_delay, options.retry_max_delay).call(
            attempt, lambda e: classify(e, target, target.path), "SFTP upload")
    finally:
        reporter.close()
    return UploadReceipt(url=target.display, size=job.size, sha256=expected_sha256, parts=1,
                         seconds=time.monotonic() - started, resumed_bytes=job.first_offset or 0,
                         target_checksum=f"sha256:{expected_sha256} ({job.method})", verified_by=job.method)


def abort_sftp(bundle_name: str, target: SftpTarget, options: UploadOptions) -> int:
    """Remove our ``NAME.part`` (and its sidecar's) on the server; returns how many were removed."""
    session = SftpSession(target, options)
    removed = 0
    try:
        for path in (target.path + ".part", target.path + ".sha256.part"):
            try:
                session.sftp.remove(path)
                removed += 1
            except FileNotFoundError:
                pass
    finally:
        session.close()
    return removed
