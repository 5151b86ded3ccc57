"""Uploads to a real OpenSSH sshd (internal-sftp) on loopback, through a real cutting proxy."""

from __future__ import annotations

import hashlib
import json
import os
import contextlib
import pwd
import socket
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import collector.upload.sftp as sftp_mod
from collector.errors import (ExitCode, HostKeyError, RemoteDenied, RemoteFull, RemoteNotFound, UploadAuthError,
                              UploadChecksumError, UploadNetworkError, VerifyFailed)
from collector.upload import CountingReporter, UploadOptions, abort_uploads, upload
from tests.integration.conftest import SSH_PASSWORD
from tests.bundles import make_bundle_of_size
from tests.services import CuttingProxy, SshServer, keygen

pytestmark = pytest.mark.integration
MiB = 1024 * 1024
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def make_bundle(tmp_path: Path) -> Callable[..., Path]:
    def make(size: int, name: str = "site-20240305.tar.zst") -> Path:
        return make_bundle_of_size(tmp_path, size, name)
    return make


@pytest.fixture
def drop(ssh_server: SshServer, request: pytest.FixtureRequest) -> Path:
    return ssh_server.writable_dir(request.node.name.replace("[", "-").replace("]", ""))


def key_options(ssh: SshServer, **kw: object) -> UploadOptions:
    base: dict[str, object] = dict(known_hosts=ssh.known_hosts, identity=ssh.client_key, retries=1,
                                   retry_base_delay=0.01, timeout=10)
    base.update(kw)
    return UploadOptions(**base)  # type: ignore[arg-type]


def sha_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_key_auth_upload_checked_and_renamed(ssh_server: SshServer, drop: Path,
                                             make_bundle: Callable[..., Path]) -> None:
    bundle = make_bundle(30 * MiB)
    progress = CountingReporter()
    receipt = upload(bundle, ssh_server.url(f"{drop}/"), key_options(ssh_server), progress)
    assert sorted(os.listdir(drop)) == [bundle.name, bundle.name + ".sha256"]
    assert sha_of(drop / bundle.name) == receipt.sha256 == sha_of(bundle)
    assert (drop / (bundle.name + ".sha256")).read_text() == f"{receipt.sha256}  {bundle.name}\n"
    assert receipt.target_checksum and "sha256sum" in receipt.target_checksum
    assert progress.sent == bundle.stat().st_size and receipt.url.startswith("sftp://")


def test_password_auth_and_wrong_password(ssh_server: SshServer, drop: Path, make_bundle: Callable[..., Path],
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sftp_mod, "candidate_keys", lambda options: [])   # no agent / ~/.ssh keys of the runner
    bundle = make_bundle(200_000)
    opts = UploadOptions(known_hosts=ssh_server.known_hosts, password=SSH_PASSWORD, retries=0)
    assert upload(bundle, ssh_server.url(f"{drop}/"), opts).sha256 == sha_of(bundle)
    wrong = UploadOptions(known_hosts=ssh_server.known_hosts, password="not-" + SSH_PASSWORD, retries=0)
    with pytest.raises(UploadAuthError) as err:
        upload(bundle, ssh_server.url(f"{drop}/"), wrong)
    assert err.value.exit_code == ExitCode.UPLOAD_AUTH
    assert SSH_PASSWORD not in str(err.value) and SSH_PASSWORD not in repr(opts)


def test_unknown_host_key_refused_then_accepted(ssh_server: SshServer, drop: Path, tmp_path: Path,
                                                make_bundle: Callable[..., Path]) -> None:
    bundle = make_bundle(100_000)
    known = tmp_path / "ssh" / "known_hosts"
    with pytest.raises(HostKeyError) as err:
        upload(bundle, ssh_server.url(f"{drop}/"), key_options(ssh_server, known_hosts=known))
    assert err.value.exit_code == ExitCode.UPLOAD_HOSTKEY and "unknown" in str(err.value)
    assert not known.exists() and not os.listdir(drop)
    upload(bundle, ssh_server.url(f"{drop}/"), key_options(ssh_server, known_hosts=known, accept_new_host_key=True))
    assert known.read_text().split()[1:] == ssh_server.host_key_line.split()[1:]
    upload(bundle, ssh_server.url(f"{drop}/"), key_options(ssh_server, known_hosts=known))   # now known


def test_changed_host_key_always_refused(ssh_server: SshServer, drop: Path, tmp_path: Path,
                                         make_bundle: Callable[..., Path]) -> None:
    other = keygen(tmp_path / "other_host_key")
    pub = other.with_suffix(".pub").read_text().split()
    known = tmp_path / "known_hosts"
    known.write_text(f"[127.0.0.1]:{ssh_server.port} {pub[0]} {pub[1]}\n")
    for accept in (False, True):
        with pytest.raises(HostKeyError) as err:
            upload(make_bundle(1000), ssh_server.url(f"{drop}/"),
                   key_options(ssh_server, known_hosts=known, accept_new_host_key=accept))
        assert err.value.exit_code == ExitCode.UPLOAD_HOSTKEY and "CHANGED" in str(err.value)
    assert known.read_text().count("\n") == 1 and not os.listdir(drop)


def test_missing_folder_and_permission_denied(ssh_server: SshServer, drop: Path,
                                              make_bundle: Callable[..., Path]) -> None:
    bundle = make_bundle(100_000)
    with pytest.raises(RemoteNotFound) as err:
        upload(bundle, ssh_server.url(f"{drop}/no/such/"), key_options(ssh_server))
    assert err.value.exit_code == ExitCode.UPLOAD_NOT_FOUND
    locked = drop / "root-only"
    locked.mkdir(mode=0o755)                 # owned by root: the test user may not write here
    with pytest.raises(RemoteDenied) as err2:
        upload(bundle, ssh_server.url(f"{locked}/"), key_options(ssh_server))
    assert err2.value.exit_code == ExitCode.UPLOAD_DENIED and not os.listdir(locked)


def _settled_size(path: Path, quiet: float = 0.3, limit: float = 10.0) -> int:
    """The size of a file once nothing writes to it any more: after a cut the server's sftp
    process may still write the requests it had received (the client already saw the error)."""
    import time

    size, deadline = path.stat().st_size, time.monotonic() + limit
    while time.monotonic() < deadline:
        time.sleep(quiet)
        now = path.stat().st_size
        if now == size:
            break
        size = now
    return size


def test_resume_after_network_cut_resends_at_most_one_buffer(ssh_server: SshServer, drop: Path,
                                                             make_bundle: Callable[..., Path], tmp_path: Path) -> None:
    bundle = make_bundle(30 * MiB)
    size = bundle.stat().st_size
    with CuttingProxy(ssh_server.port, cut_after=13 * MiB) as proxy:
        known = tmp_path / "known_hosts_proxy"
        known.write_text(ssh_server.host_key_line.replace(f":{ssh_server.port}", f":{proxy.port}"))
        url = f"sftp://{ssh_server.user}@127.0.0.1:{proxy.port}{drop}/"
        opts = key_options(ssh_server, known_hosts=known)
        with pytest.raises(UploadNetworkError) as err:
            upload(bundle, url, opts)
        assert err.value.exit_code == ExitCode.UPLOAD_NETWORK
        assert os.listdir(drop) == [bundle.name + ".part"]            # never the final name
        kept = _settled_size(drop / (bundle.name + ".part"))
        arrived = proxy.bytes_up
        proxy.heal()
        proxy.reset_counters()
        code = ("import json,sys; from pathlib import Path; from collector.upload import upload, UploadOptions;"
                "r=upload(Path(sys.argv[1]), sys.argv[2], UploadOptions(known_hosts=Path(sys.argv[3]),"
                "identity=Path(sys.argv[4]))); print(json.dumps(r.to_json()))")
        out = subprocess.run([sys.executable, "-c", code, str(bundle), url, str(known), str(ssh_server.client_key)],
                             cwd=REPO, capture_output=True, text=True, timeout=120)
        assert out.returncode == 0, out.stderr[-2000:]
        receipt = json.loads(out.stdout)
        second = proxy.bytes_up
    assert receipt["resumed_bytes"] == kept
    # everything the server kept is not sent again: the second run carries the rest plus SSH framing
    assert second <= (size - kept) * 1.01 + sftp_mod.CHUNK + 32 * 1024
    print(f"\nSFTP: arrived {arrived}, kept {kept}, lost in flight at the cut {arrived - kept}, second run {second}")
    assert sha_of(drop / bundle.name) == sha_of(bundle)
    assert sorted(os.listdir(drop)) == [bundle.name, bundle.name + ".sha256"]


def test_sftp_only_account_checks_by_reading_back(make_bundle: Callable[..., Path]) -> None:
    with SshServer(sftp_only=True) as ssh:
        drop = ssh.writable_dir("in")
        bundle = make_bundle(3 * MiB)
        receipt = upload(bundle, ssh.url(f"{drop}/"), key_options(ssh))
        assert receipt.target_checksum and "read back" in receipt.target_checksum
        assert sha_of(drop / bundle.name) == sha_of(bundle)


def test_damaged_remote_part_is_checksum_error_and_removed(ssh_server: SshServer, drop: Path,
                                                           make_bundle: Callable[..., Path]) -> None:
    bundle = make_bundle(2 * MiB)
    damaged = bytearray(bundle.read_bytes())
    damaged[1000] ^= 0xFF                         # full size, correct tail: looks resumable, is not
    part = drop / (bundle.name + ".part")
    part.write_bytes(bytes(damaged))
    entry = pwd.getpwnam(ssh_server.user)
    os.chown(part, entry.pw_uid, entry.pw_gid)
    with pytest.raises(UploadChecksumError) as err:
        upload(bundle, ssh_server.url(f"{drop}/"), key_options(ssh_server))
    assert err.value.exit_code == ExitCode.UPLOAD_CHECKSUM
    assert not os.listdir(drop)                  # no final name, damaged .part removed
    upload(bundle, ssh_server.url(f"{drop}/"), key_options(ssh_server))
    assert sha_of(drop / bundle.name) == sha_of(bundle)


def test_truncated_bundle_is_refused_before_connecting(ssh_server: SshServer, drop: Path,
                                                      make_bundle: Callable[..., Path]) -> None:
    bundle = make_bundle(2 * MiB)
    bundle.write_bytes(bundle.read_bytes()[: MiB])           # a SIGKILLed .partial renamed by hand
    bundle.with_name(bundle.name + ".sha256").write_text(f"{sha_of(bundle)}  {bundle.name}\n")
    with pytest.raises(VerifyFailed) as err:
        upload(bundle, ssh_server.url(f"{drop}/"), key_options(ssh_server))
    assert err.value.exit_code == ExitCode.VERIFY_FAILED
    assert not os.listdir(drop)


@contextlib.contextmanager
def closing_server() -> Iterator[int]:
    """A TCP port that accepts and at once closes each connection: not an SSH server."""
    listener = socket.create_server(("127.0.0.1", 0))

    def serve() -> None:
        with contextlib.suppress(OSError):
            while True:
                listener.accept()[0].close()

    threading.Thread(target=serve, daemon=True).start()
    try:
        yield listener.getsockname()[1]
    finally:
        listener.close()


def test_port_that_is_not_ssh_gives_one_line_and_exit_51(make_bundle: Callable[..., Path]) -> None:
    from tests.cli.conftest import run_gcollect

    bundle = make_bundle(100_000)
    with closing_server() as port:
        args = ("upload", str(bundle), "--to", f"sftp://u@127.0.0.1:{port}/x/", "--retries", "0", "--timeout", "3")
        quiet = run_gcollect(*args)
        debug = run_gcollect("--debug", *args)
    err = quiet.stderr.decode()
    assert quiet.returncode == ExitCode.UPLOAD_NETWORK, err
    assert err.count("\n") == 1 and err.startswith("gcollect: error: cannot reach ") and "banner" in err, err
    assert debug.returncode == ExitCode.UPLOAD_NETWORK
    assert "paramiko" in debug.stderr.decode()          # paramiko's own detail stays for --debug


@pytest.fixture
def small_disk(ssh_server: SshServer, drop: Path) -> Iterator[Path]:
    with tmpfs_of(drop / "small", 4 * MiB) as mount:
        yield mount


def test_remote_disk_full(ssh_server: SshServer, small_disk: Path, make_bundle: Callable[..., Path],
                          monkeypatch: pytest.MonkeyPatch) -> None:
    bundle = make_bundle(6 * MiB)
    with pytest.raises(RemoteFull) as err:       # the free-space check before sending
        upload(bundle, ssh_server.url(f"{small_disk}/"), key_options(ssh_server))
    assert err.value.exit_code == ExitCode.UPLOAD_REMOTE_FULL and not os.listdir(small_disk)
    monkeypatch.setattr(sftp_mod.SftpUpload, "preflight_space", lambda self, s, folder, needed: None)
    with pytest.raises(RemoteFull) as err2:      # the disk fills up while writing: ENOSPC from the server
        upload(bundle, ssh_server.url(f"{small_disk}/"), key_options(ssh_server))
    assert err2.value.exit_code == ExitCode.UPLOAD_REMOTE_FULL
    assert os.listdir(small_disk) == [bundle.name + ".part"]   # kept for a resume; never renamed


def test_abort_removes_part(ssh_server: SshServer, drop: Path, make_bundle: Callable[..., Path]) -> None:
    bundle = make_bundle(1000)
    part = drop / (bundle.name + ".part")
    part.write_bytes(b"x" * 10)
    assert abort_uploads(ssh_server.url(f"{drop}/"), key_options(ssh_server), bundle) == 1
    assert not part.exists()


def test_uploaded_files_are_private_like_the_bundle(ssh_server: SshServer, drop: Path,
                                                    make_bundle: Callable[..., Path]) -> None:
    """The local bundle is 0600; on a shared drop host the copy must not be readable by others."""
    bundle = make_bundle(2 * MiB)
    upload(bundle, ssh_server.url(f"{drop}/"), key_options(ssh_server))
    for name in (bundle.name, bundle.name + ".sha256"):
        assert (drop / name).stat().st_mode & 0o777 == 0o600, name


def test_a_part_left_world_readable_is_made_private_on_resume(ssh_server: SshServer, drop: Path,
                                                              make_bundle: Callable[..., Path]) -> None:
    bundle = make_bundle(2 * MiB)
    part = drop / (bundle.name + ".part")
    part.write_bytes(bundle.read_bytes()[:MiB])               # as an older gcollect left it
    entry = pwd.getpwnam(ssh_server.user)
    os.chown(part, entry.pw_uid, entry.pw_gid)
    part.chmod(0o644)
    receipt = upload(bundle, ssh_server.url(f"{drop}/"), key_options(ssh_server))
    assert receipt.resumed_bytes == MiB
    assert (drop / bundle.name).stat().st_mode & 0o777 == 0o600


@contextlib.contextmanager
def tmpfs_of(mount: Path, size: int) -> Iterator[Path]:
    """A tmpfs of ``size`` bytes (whole 4 KiB pages) at ``mount``, writable by the SSH test user."""
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0777", "tmpfs", str(mount)],
                          capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def just_the_bundle(bundle: Path) -> int:
    """A tmpfs size that holds the bundle to its last page, and not one page more."""
    return -(-bundle.stat().st_size // 4096) * 4096


def test_space_check_counts_the_sidecar_too(ssh_server: SshServer, drop: Path,
                                            make_bundle: Callable[..., Path]) -> None:
    """The bundle fits, its NAME.sha256 does not: refused before sending (exit 56), one line."""
    from tests.cli.conftest import run_gcollect

    bundle = make_bundle(2 * MiB + 1000)
    with tmpfs_of(drop / "exact", just_the_bundle(bundle)) as disk:
        with pytest.raises(RemoteFull) as err:
            upload(bundle, ssh_server.url(f"{disk}/"), key_options(ssh_server))
        assert "needed" in str(err.value) and ".sha256" in str(err.value)
        assert os.listdir(disk) == []
        done = run_gcollect("upload", str(bundle), "--to", ssh_server.url(f"{disk}/"), "--identity",
                            str(ssh_server.client_key), "--known-hosts", str(ssh_server.known_hosts), "--retries", "0")
        err_text = done.stderr.decode()
        assert done.returncode == ExitCode.UPLOAD_REMOTE_FULL, err_text
        assert err_text.count("\n") == 1 and err_text.startswith("gcollect: error: no space left at "), err_text
        assert os.listdir(disk) == []


def test_disk_full_on_the_sidecar_leaves_no_bundle_under_its_name_and_resumes(
        ssh_server: SshServer, drop: Path, make_bundle: Callable[..., Path], monkeypatch: pytest.MonkeyPatch) -> None:
    """The disk fills while NAME.sha256 is written (the space check could not see it coming): exit 56,
    the complete NAME.part is kept, NAME never appears without its sidecar; with room, a new run
    sends nothing again and finishes."""
    bundle = make_bundle(2 * MiB + 1000)
    size = bundle.stat().st_size
    with tmpfs_of(drop / "fills", just_the_bundle(bundle)) as disk:
        with monkeypatch.context() as m:
            m.setattr(sftp_mod.SftpUpload, "preflight_space", lambda self, s, folder, needed: None)
            with pytest.raises(RemoteFull) as err:
                upload(bundle, ssh_server.url(f"{disk}/"), key_options(ssh_server, retries=2))
        assert err.value.exit_code == ExitCode.UPLOAD_REMOTE_FULL
        assert "is kept" in str(err.value)
        assert os.listdir(disk) == [bundle.name + ".part"]         # no NAME, no empty NAME.sha256.part
        assert (disk / (bundle.name + ".part")).stat().st_size == size
        subprocess.run(["mount", "-o", f"remount,size={just_the_bundle(bundle) + 64 * 1024}", str(disk)], check=True)
        receipt = upload(bundle, ssh_server.url(f"{disk}/"), key_options(ssh_server))
        assert receipt.resumed_bytes == size
        assert sorted(os.listdir(disk)) == [bundle.name, bundle.name + ".sha256"]
        assert sha_of(disk / bundle.name) == sha_of(bundle)
        assert (disk / (bundle.name + ".sha256")).read_text() == f"{receipt.sha256}  {bundle.name}\n"


def test_sidecar_is_in_place_before_the_bundle_gets_its_name(ssh_server: SshServer, drop: Path,
                                                             make_bundle: Callable[..., Path],
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """Whatever stops an upload, a NAME on the server has its NAME.sha256: at the rename that gives
    the bundle its name, the sidecar is complete under its own."""
    bundle = make_bundle(1 * MiB)
    seen: list[tuple[str, list[str]]] = []
    rename = sftp_mod.SftpSession.rename

    def watching(self: sftp_mod.SftpSession, src: str, dst: str) -> None:
        seen.append((os.path.basename(dst), sorted(os.listdir(drop))))
        rename(self, src, dst)

    monkeypatch.setattr(sftp_mod.SftpSession, "rename", watching)
    upload(bundle, ssh_server.url(f"{drop}/"), key_options(ssh_server))
    assert [dst for dst, _ in seen] == [bundle.name + ".sha256", bundle.name]
    assert seen[-1][1] == [bundle.name + ".part", bundle.name + ".sha256"]


def test_unknown_host_name_is_named_and_not_retried(make_bundle: Callable[..., Path]) -> None:
    from tests.cli.conftest import run_gcollect

    bundle = make_bundle(100_000)
    done = run_gcollect("upload", str(bundle), "--to", "sftp://u@no-such-host.invalid/d/", "--retries", "5",
                        "--timeout", "5", timeout=60)
    err = done.stderr.decode()
    assert done.returncode == ExitCode.UPLOAD_NETWORK, err
    assert err.count("\n") == 1 and err.rstrip().endswith("host name not found: no-such-host.invalid"), err
    assert "gaierror" not in err
