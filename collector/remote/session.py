"""One SSH connection to one host: the SFTP upload's connection (strict host keys, key / agent /
password authentication, see ``collector.upload.sftp``) plus commands run over exec channels."""

from __future__ import annotations

import getpass
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import paramiko

from collector.errors import HostKeyError, SshTimeoutError, UploadAuthError, UploadNetworkError
from collector.remote.hosts import HostSpec
from collector.upload.base import UploadOptions
from collector.upload.sftp import SftpSession, remote_free_bytes
from collector.upload.urls import SftpTarget

OUTPUT_LIMIT = 64 << 20            # stdout kept from one remote command (dry-run JSON of huge hosts)


class HostFailed(Exception):
    """This host cannot go on; ``kind`` names the class of failure, the message says why."""

    def __init__(self, kind: str, reason: str) -> None:
        super().__init__(reason)
        self.kind = kind
        self.reason = reason


@dataclass(frozen=True)
class SshSettings:
    user: str | None = None
    identity: Path | None = None
    known_hosts: Path | None = None          # default ~/.ssh/known_hosts; checked strictly
    password: str | None = field(default=None, repr=False)    # GCOLLECT_SSH_PASSWORD
    connect_timeout: float = 30.0

    def options(self) -> UploadOptions:
        return UploadOptions(known_hosts=self.known_hosts, identity=self.identity, password=self.password,
                             accept_new_host_key=False, timeout=self.connect_timeout, retries=0)


@dataclass
class Completed:
    code: int
    stdout: bytes
    stderr: bytes

    def last_error(self) -> str:
        lines = [ln.strip() for ln in self.stderr.decode("utf-8", "replace").splitlines() if ln.strip()]
        errors = [ln for ln in lines if ln.startswith("gcollect:")]
        return (errors or lines or [f"exit code {self.code}"])[-1][:500]


def login(user: str, spec: HostSpec) -> str:
    """``user@host[:port]`` (the port when not 22), as one would type it for ssh."""
    host = f"[{spec.host}]" if ":" in spec.host else spec.host
    return f"{user}@{host}" + ("" if spec.port == 22 else f":{spec.port}")


class RemoteSession:
    """Connected and authenticated, or ``HostFailed`` (unreachable / host-key / auth)."""

    def __init__(self, spec: HostSpec, ssh: SshSettings, cancel: threading.Event | None = None) -> None:
        self.spec = spec
        self.cancel = cancel or threading.Event()
        user = spec.user or ssh.user or getpass.getuser()
        where = login(user, spec)
        target = SftpTarget(user=user, host=spec.host, port=spec.port, path=".")
        try:
            self._session = SftpSession(target, ssh.options())
        except HostKeyError as e:
            raise HostFailed("host-key", e.message) from None
        except UploadAuthError:
            raise HostFailed("auth", f"authentication refused for {where}") from None
        except SshTimeoutError as e:
            raise HostFailed("timeout", f"{e.fields.get('problem')} from {where}") from None
        except UploadNetworkError as e:        # its message names an sftp:// URL: say the login
            raise HostFailed("unreachable", f"cannot reach {where}: {e.fields.get('problem', e.message)}") from None
        except (paramiko.SSHException, OSError, EOFError) as e:
            raise HostFailed("unreachable", f"SSH to {where} failed: {e or type(e).__name__}") from None
        self.transport: paramiko.Transport = self._session.transport
        sftp = self._session.sftp
        if sftp is None:                       # SftpSession raises first; keeps the type checker honest
            self._session.close()
            raise HostFailed("unreachable", f"SFTP refused by {where}")
        self.sftp: paramiko.SFTPClient = sftp

    def close(self) -> None:
        self._session.close()

    def __enter__(self) -> RemoteSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def run(self, command: str, *, timeout: float) -> Completed:
        """Run ``command`` with the login shell; ``HostFailed('timeout')`` after ``timeout`` seconds."""
        try:
            chan = self.transport.open_session(timeout=30)
            chan.settimeout(1.0)
            chan.exec_command(command)
            chan.shutdown_write()
        except (paramiko.SSHException, OSError, EOFError) as e:
            raise HostFailed("connection", f"cannot run a command on {self.spec.display}: {e}") from None
        deadline = time.monotonic() + timeout
        out, err = bytearray(), bytearray()
        try:
            while True:
                busy = False
                if chan.recv_ready():
                    data = chan.recv(65536)
                    if len(out) < OUTPUT_LIMIT:
                        out += data
                    busy = True
                if chan.recv_stderr_ready():
                    data = chan.recv_stderr(65536)
                    if len(err) < OUTPUT_LIMIT:
                        err += data
                    busy = True
                if busy:
                    continue
                if chan.exit_status_ready() and not chan.recv_ready() and not chan.recv_stderr_ready():
                    break
                if chan.closed or not self.transport.is_active():
                    raise HostFailed("connection", f"connection to {self.spec.display} lost")
                if self.cancel.is_set():
                    raise HostFailed("interrupted", "interrupted; the remote run was stopped")
                if time.monotonic() > deadline:
                    raise HostFailed("timeout", f"no result after {timeout:.0f} s (--timeout)")
                time.sleep(0.02)
            return Completed(chan.recv_exit_status(), bytes(out), bytes(err))
        finally:
            chan.close()

    def free_bytes(self, path: str) -> int | None:
        return remote_free_bytes(self.sftp, path)

    def put(self, local: Path, remote: str, mode: int = 0o700) -> None:
        try:
            self.sftp.put(str(local), remote, confirm=True)
            self.sftp.chmod(remote, mode)
        except OSError as e:
            raise HostFailed("push", f"cannot copy {local.name} to {remote}: {e}") from None

    def put_bytes(self, data: bytes, remote: str, mode: int = 0o600) -> None:
        """Write ``data`` to a new file ``remote``, given ``mode`` before any byte is written."""
        try:
            with self.sftp.open(remote, "wx") as handle:
                handle.chmod(mode)
                handle.write(data)
        except OSError as e:
            raise HostFailed("push", f"cannot write {remote}: {e}") from None

    def get(self, remote: str, local: Path) -> None:
        try:
            self.sftp.get(remote, str(local))
        except (OSError, paramiko.SSHException) as e:
            raise HostFailed("fetch", f"cannot fetch {remote}: {e}") from None
