"""`gcollect collect --hosts`: several real sshd "hosts" on loopback, each with its own Genesys tree,
PATH and state folder; the remote commands run as the non-root test user on this machine."""

from __future__ import annotations

import glob
import hashlib
import os
import pwd
import shutil
import subprocess
import tarfile
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from collector.cli.remote_cmd import collect_remote
from collector.errors import ExitCode, GcollectError
from collector.redaction.tokens import Tokenizer
from collector.remote.keys import decode_key, export_key, import_key
from collector.testhost import generate_host
from collector.verify import verify_bundle
from tests.services import SSHD, SshServer, ensure_test_user, free_port, keygen

pytestmark = pytest.mark.integration
REPO = Path(__file__).resolve().parents[2]
BUILD = REPO / "packaging" / "zipapp" / "build.sh"


def source_hash() -> str:
    h = hashlib.sha256()
    for path in sorted([*REPO.glob("collector/**/*.py"), *REPO.glob("profiles/**/*"), REPO / "pyproject.toml"]):
        if path.is_file():
            h.update(str(path.relative_to(REPO)).encode() + b"\0" + path.read_bytes())
    return h.hexdigest()[:16]


def built_zipapp() -> Path:
    """The single-file gcollect of this source tree (cached by source hash; ~1 min to build)."""
    if os.environ.get("GCOLLECT_TEST_ZIPAPP"):
        return Path(os.environ["GCOLLECT_TEST_ZIPAPP"])
    out = Path.home() / ".cache" / "gcollect" / "test-zipapp" / source_hash() / "gcollect.pyz"
    if not (out.is_file() and Path(str(out) + ".json").is_file()):
        subprocess.run([str(BUILD), str(out)], check=True, stdout=subprocess.DEVNULL)
    return out


@dataclass
class Host:
    name: str
    server: SshServer
    root: Path
    state: Path
    ledger: object

    def line(self, **extra: str) -> str:
        settings = {"name": self.name, "root": str(self.root), "state-dir": str(self.state), **extra}
        return f"{self.server.user}@127.0.0.1:{self.server.port} " + " ".join(f"{k}={v}" for k, v in settings.items())


def chown_tree(path: Path, user: str) -> None:
    subprocess.run(["chown", "-R", f"{user}:{user}", str(path)], check=True)


class Fleet:
    """Hosts h1, h2 (gcollect installed on PATH; same seed, so the same callers), h3 (no gcollect:
    gets the zipapp), and a closed port."""

    def __init__(self, zipapp: Path) -> None:
        self.user = ensure_test_user().pw_name
        self.dir = Path(tempfile.mkdtemp(prefix="gcollect-fleet-"))
        self.dir.chmod(0o755)
        self.zipapp = zipapp
        bindir = self.dir / "bin"
        bindir.mkdir()
        shutil.copy(zipapp, bindir / "gcollect")
        (bindir / "gcollect").chmod(0o755)
        (self.dir / "shiv").mkdir()
        chown_tree(self.dir / "shiv", self.user)
        self.key = keygen(self.dir / "client_ed25519")
        plan = {"h1": (("sip-server", "config-server"), True), "h2": (("urs", "stat-server"), True),
                "h3": (("ors",), False)}
        self.hosts: dict[str, Host] = {}
        self.servers: list[SshServer] = []
        try:
            for name, (products, installed) in plan.items():
                root, state = self.dir / f"root-{name}", self.dir / f"state-{name}"
                ledger = generate_host(root, products=products, days=1, seed=7, host_name=f"gen-{name}",
                                       target_bytes=400_000)
                state.mkdir(mode=0o700)
                chown_tree(root, self.user)
                chown_tree(state, self.user)
                path = f"{bindir}:/usr/bin:/bin" if installed else "/usr/bin:/bin"
                server = SshServer(authorized_keys=(self.key.with_suffix(".pub"),),
                                   extra_config=f"SetEnv PATH={path} SHIV_ROOT={self.dir / 'shiv'}")
                self.servers.append(server)
                self.hosts[name] = Host(name, server, root, state, ledger)
        except BaseException:
            self.close()
            raise
        self.known_hosts = self.dir / "known_hosts"
        self.known_hosts.write_text("".join(s.host_key_line for s in self.servers))
        self.closed_port = free_port()

    def hosts_file(self, lines: list[str], name: str = "hosts.txt") -> str:
        path = self.dir / name
        path.write_text("# test fleet\n" + "\n".join(lines) + "\n")
        return str(path)

    def options(self, out: Path, **extra: object) -> dict[str, object]:
        return {"root": Path("/"), "output": out, "fmt": "tar.gz", "case": "01234567", "identity": self.key,
                "known_hosts": self.known_hosts, "parallel": 4, "host_timeout": 300, "zipapp": self.zipapp,
                "quiet": True, "workers": 2, **extra}

    def close(self) -> None:
        for server in self.servers:
            server.close()
        shutil.rmtree(self.dir, ignore_errors=True)


def running_fleet() -> Iterator[Fleet]:
    """A Fleet for one module's tests, closed after them; skips where sshd or root is missing."""
    if not SSHD.exists():
        pytest.skip(f"{SSHD} missing: apt-get install -y openssh-server")
    if os.geteuid() != 0:
        pytest.skip("the sshd hosts run as a test user created by root")
    f = Fleet(built_zipapp())
    try:
        yield f
    finally:
        f.close()


@pytest.fixture(scope="module")
def fleet() -> Iterator[Fleet]:
    yield from running_fleet()


def members(bundle: Path) -> dict[str, bytes]:
    with tarfile.open(bundle) as tar:
        return {m.name.split("/", 1)[1]: tar.extractfile(m).read() for m in tar if m.isfile()}  # type: ignore[union-attr]


def remote_temp_dirs() -> set[str]:
    return set(glob.glob("/tmp/gcollect-remote.*"))


def test_four_hosts_one_unreachable(fleet: Fleet, tmp_path: Path) -> None:
    h1, h2, h3 = fleet.hosts["h1"], fleet.hosts["h2"], fleet.hosts["h3"]
    # one site key for every host: exported once, pushed by --push-key (or imported by hand)
    key_file = tmp_path / "site.key"
    export_key(tmp_path / "admin-state", key_file)
    key = decode_key(key_file.read_bytes(), "site.key")
    lines = [h1.line(), h2.line(), h3.line(), f"127.0.0.1:{fleet.closed_port} name=h4 user={fleet.user}"]
    before = remote_temp_dirs()
    out = tmp_path / "out"
    started = time.monotonic()
    from collector.cli import cli

    if cli.get_command(None, "key") is not None:   # `gcollect key import` on each host, pushed by us
        options = fleet.options(out, push_key=key_file)
    else:                           # documented manual step (until `key` is registered in the CLI)
        for host in (h1, h2, h3):
            import_key(host.state, key_file)
            chown_tree(host.state, fleet.user)
        options = fleet.options(out)
    code = collect_remote(options, fleet.hosts_file(lines))
    seconds = time.monotonic() - started
    print(f"\nfour hosts in parallel: {seconds:.1f} s")
    assert code == ExitCode.REMOTE_PARTIAL
    [case] = out.glob("gcollect-case-01234567-*.tar.gz")
    assert verify_bundle(case).ok
    assert (case.stat().st_mode & 0o777) == 0o600
    assert not list(out.glob(".gcollect-case-*")), "staging folder left behind"
    files = members(case)
    import json
    index = json.loads(files["index.json"])
    by_name = {h["name"]: h for h in index["hosts"]}
    assert [by_name[n]["status"] for n in ("h1", "h2", "h3", "h4")] == ["ok", "ok", "ok", "failed"]
    assert by_name["h4"]["failure"] == "unreachable" and by_name["h4"]["reason"]
    assert "h4" in files["index.txt"].decode() and "unreachable" in files["index.txt"].decode()
    assert set(by_name["h1"]["products"]) == {"sip-server", "config-server"}
    assert set(by_name["h2"]["products"]) == {"urs", "stat-server"}
    assert by_name["h3"]["products"] == ["ors"]
    assert by_name["h3"]["via"] == "zipapp" and by_name["h1"]["via"].endswith("/bin/gcollect")
    assert index["window"] == {"since": None, "until": None}
    host_bundles: dict[str, Path] = {}
    for name in ("h1", "h2", "h3"):
        member = by_name[name]["bundle"]
        assert member.startswith(f"hosts/{name}/gcollect-gen-{name}-01234567-")
        path = tmp_path / Path(member).name
        path.write_bytes(files[member])
        (tmp_path / (path.name + ".sha256")).write_bytes(files[member + ".sha256"])
        assert verify_bundle(path).ok
        assert hashlib.sha256(files[member]).hexdigest() == by_name[name]["sha256"]
        host_bundles[name] = path
    # the pushed zipapp and every remote temp folder are gone
    assert remote_temp_dirs() == before
    # the same caller on h1 and h2 got the same token (shared key)
    shared = h1.ledger.secret_values("phone") & h2.ledger.secret_values("phone")  # type: ignore[attr-defined]
    assert shared
    contents = {n: b"".join(members(p).values()) for n, p in host_bundles.items()}
    hits = 0
    for value in sorted(shared):
        token = Tokenizer(key, None).token("phone", value.encode()).lstrip(b"+")
        if token in contents["h1"] and token in contents["h2"]:
            hits += 1
    assert hits, "no shared caller number carried the same token on h1 and h2"
    for name in ("h1", "h2", "h3"):
        assert (fleet.hosts[name].state / "site.key").read_bytes() == key


def test_changed_key_auth_and_python_fail_only_their_host(fleet: Fleet, tmp_path: Path) -> None:
    h1, h2, h3 = fleet.hosts["h1"], fleet.hosts["h2"], fleet.hosts["h3"]
    other = keygen(tmp_path / "impostor").with_suffix(".pub").read_text().split()
    known = tmp_path / "known_hosts"
    known.write_text(h1.server.host_key_line + h3.server.host_key_line
                     + f"[127.0.0.1]:{h2.server.port} {other[0]} {other[1]}\n")
    lines = [h1.line(), h2.line(), h3.line(name="h3-nopython", python="/nonexistent/python3"),
             f"nobody@127.0.0.1:{h1.server.port} name=h1-wronguser"]
    out = tmp_path / "out"
    code = collect_remote(fleet.options(out, known_hosts=known), fleet.hosts_file(lines, "h2.txt"))
    assert code == ExitCode.REMOTE_PARTIAL
    [case] = out.glob("gcollect-case-*.tar.gz")
    import json
    index = {h["name"]: h for h in json.loads(members(case)["index.json"])["hosts"]}
    assert index["h1"]["status"] == "ok"
    assert index["h2"]["failure"] == "host-key" and "CHANGED" in index["h2"]["reason"]
    assert index["h3-nopython"]["status"] == "unsupported" and "no Python" in index["h3-nopython"]["reason"]
    assert index["h1-wronguser"]["failure"] == "auth"
    assert index["h1-wronguser"]["reason"] == f"authentication refused for nobody@127.0.0.1:{h1.server.port}"


def test_all_failed_is_an_error(fleet: Fleet, tmp_path: Path) -> None:
    out = tmp_path / "out"
    with pytest.raises(GcollectError) as info:
        collect_remote(fleet.options(out), f"{fleet.user}@127.0.0.1:{fleet.closed_port}")
    assert info.value.exit_code == ExitCode.UPLOAD_NETWORK
    assert not list(out.glob("gcollect-case-*"))


def test_dry_run_per_host(fleet: Fleet, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lines = [fleet.hosts["h1"].line(), fleet.hosts["h3"].line(), f"127.0.0.1:{fleet.closed_port} name=h4"]
    code = collect_remote(fleet.options(tmp_path, dry_run=True, since="2h", quiet=False), fleet.hosts_file(lines, "d.txt"))
    assert code == ExitCode.REMOTE_PARTIAL
    text = capsys.readouterr().out
    assert "== h1" in text and "== h3" in text and "sip-server" in text and "ors" in text
    assert "FAILED unreachable" in text
    assert not list(tmp_path.glob("gcollect-case-*"))


def test_disk_full_and_timeout_fail_their_host(fleet: Fleet, tmp_path: Path) -> None:
    tiny = fleet.dir / "tiny"
    tiny.mkdir(exist_ok=True)
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m,mode=1777", "tmpfs", str(tiny)],
                      check=False).returncode != 0:
        pytest.skip("cannot mount a small tmpfs here")
    sleeper = fleet.dir / "bin-slow" / "gcollect"
    sleeper.parent.mkdir(exist_ok=True)
    sleeper.write_text("#!/bin/sh\nsleep 120\n")
    sleeper.chmod(0o755)
    try:
        with SshServer(authorized_keys=(fleet.key.with_suffix(".pub"),),
                       extra_config=f"SetEnv TMPDIR={tiny} PATH=/usr/bin:/bin SHIV_ROOT={fleet.dir / 'shiv'}") as full:
            known = tmp_path / "known_hosts"
            known.write_text(fleet.known_hosts.read_text() + full.host_key_line)
            h1 = fleet.hosts["h1"]
            lines = [h1.line(name="tiny-zipapp").replace(str(h1.server.port), str(full.port), 1),
                     h1.line(name="tiny-installed", gcollect=str(fleet.dir / "bin" / "gcollect"))
                     .replace(str(h1.server.port), str(full.port), 1),
                     h1.line(name="slow", gcollect=str(sleeper))]
            started = time.monotonic()
            with pytest.raises(GcollectError) as info:
                collect_remote(fleet.options(tmp_path / "out", known_hosts=known, host_timeout=12),
                               fleet.hosts_file(lines, "full.txt"))
            assert time.monotonic() - started < 40
    finally:
        subprocess.run(["umount", "-l", str(tiny)], check=False)
    results = {r.spec.label: r for r in info.value.result.results}  # type: ignore[attr-defined]
    assert results["tiny-zipapp"].kind == "disk-full" and "MiB free" in results["tiny-zipapp"].reason
    assert results["tiny-installed"].kind in ("preflight", "disk-full"), results["tiny-installed"].reason
    assert "space" in results["tiny-installed"].reason or "full" in results["tiny-installed"].reason
    assert results["slow"].kind == "timeout"
    still = subprocess.run(["pgrep", "-u", fleet.user, "-f", "sleep 120"], capture_output=True, text=True)
    assert not still.stdout.strip(), "the timed-out remote run was not stopped"
    assert info.value.exit_code == ExitCode.REMOTE_PARTIAL


def test_interrupt_stops_the_remote_run_and_cleans_up(fleet: Fleet, tmp_path: Path) -> None:
    import threading

    from collector.remote import RemoteJob, SshSettings, parse_hosts
    from collector.remote.run import HostRun

    sleeper = fleet.dir / "bin-sleep" / "gcollect"
    sleeper.parent.mkdir(exist_ok=True)
    sleeper.write_text("#!/bin/sh\nsleep 120\n")
    sleeper.chmod(0o755)
    [spec] = parse_hosts(fleet.hosts["h1"].line(name="sleepy", gcollect=str(sleeper)))
    job = RemoteJob(ssh=SshSettings(identity=fleet.key, known_hosts=fleet.known_hosts), collect_args=())
    before = remote_temp_dirs()
    threading.Timer(2.0, job.cancel.set).start()
    started = time.monotonic()
    result = HostRun(spec, job, tmp_path).run()
    assert time.monotonic() - started < 15
    assert result.kind == "interrupted"
    assert remote_temp_dirs() == before
    still = subprocess.run(["pgrep", "-u", fleet.user, "-f", f"{sleeper}|sleep 120"], capture_output=True, text=True)
    assert not still.stdout.strip(), "the remote run was not stopped"


def test_times_without_offset_are_each_hosts_local_time(fleet: Fleet, tmp_path: Path) -> None:
    """A host whose zone (its root's etc/localtime) differs from this machine's reads
    --since/--until without an offset in its own zone, as `gcollect collect` on that host does;
    the case index says which instants and zone each host used."""
    import json
    from datetime import datetime, timezone

    h1 = fleet.hosts["h1"]
    root = fleet.dir / "root-chicago"
    generate_host(root, products=("sip-server",), days=0.2, end=datetime(2025, 11, 19, 21, 0, tzinfo=timezone.utc),
                  seed=7, host_name="gen-chicago", target_bytes=100_000)
    (root / "etc" / "localtime").symlink_to("/usr/share/zoneinfo/America/Chicago")
    chown_tree(root, fleet.user)
    out = tmp_path / "out"
    code = collect_remote(fleet.options(out, since="2025-11-19 12:30", until="2025-11-19 14:30"),
                          fleet.hosts_file([h1.line(name="chicago", root=str(root))], "chicago.txt"))
    assert code in (ExitCode.OK, ExitCode.PARTIAL)
    [case] = out.glob("gcollect-case-*.tar.gz")
    files = members(case)
    index = json.loads(files["index.json"])
    assert index["window"] == {"since": "2025-11-19 12:30", "until": "2025-11-19 14:30", "zone": "host"}
    [host] = index["hosts"]
    assert host["window"]["since"] == "2025-11-19T18:30:00Z" and host["window"]["until"] == "2025-11-19T20:30:00Z"
    assert host["window"]["zone"]["name"] == "America/Chicago"
    assert "America/Chicago" in files["index.txt"].decode()
    # the host's own manifest says the same window, and logs of those hours were collected
    inner = tmp_path / "chicago.tar.gz"
    inner.write_bytes(files[host["bundle"]])
    manifest = json.loads(members(inner)["manifest.json"])
    assert manifest["window"]["since"].startswith("2025-11-19T18:30:00")
    assert any(f["path"].endswith(".log") for f in manifest["files"])


def test_push_key_import_is_bounded_and_stopped(fleet: Fleet, tmp_path: Path) -> None:
    """--push-key: a `gcollect key import` that hangs on the host is stopped by --timeout (the
    same `timeout` wrapper as the collect step), and nothing of it is left running."""
    slow = fleet.dir / "bin-slowkey" / "gcollect"
    slow.parent.mkdir(exist_ok=True)
    slow.write_text(f'#!/bin/sh\nif [ "$1" = key ]; then sleep 97; fi\nexec {fleet.dir / "bin" / "gcollect"} "$@"\n')
    slow.chmod(0o755)
    key_file = tmp_path / "site.key"
    export_key(tmp_path / "admin-state", key_file)
    before = remote_temp_dirs()
    started = time.monotonic()
    with pytest.raises(GcollectError) as info:
        collect_remote(fleet.options(tmp_path / "out", push_key=key_file, host_timeout=8),
                       fleet.hosts_file([fleet.hosts["h1"].line(name="slowkey", gcollect=str(slow))], "slowkey.txt"))
    assert time.monotonic() - started < 30
    [result] = info.value.result.results  # type: ignore[attr-defined]
    assert result.kind == "timeout" and "key import" in result.reason, result.reason
    time.sleep(1)
    still = subprocess.run(["pgrep", "-u", fleet.user, "-f", "sleep 97"], capture_output=True, text=True)
    assert not still.stdout.strip(), "the timed-out key import was left running on the host"
    assert remote_temp_dirs() == before


def test_case_text_reaches_hosts_as_a_private_file(fleet: Fleet, tmp_path: Path) -> None:
    """The case text (--case-file merged with --describe, --step...) goes to every host as a 0600
    file in its private temp folder, never as arguments: a caller's number typed into --describe
    is not on the host's command line (ps, /proc), and the host's case.json has it as a token.
    A case file's case number names the host bundles and the case bundle."""
    import json

    seen = fleet.dir / "argv-seen"
    seen.mkdir(exist_ok=True)
    chown_tree(seen, fleet.user)
    spy = fleet.dir / "bin-argv" / "gcollect"
    spy.parent.mkdir(exist_ok=True)
    spy.write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" > {seen}/argv-$$\n'
                   f'for a in "$@"; do case "$a" in */case.json) stat -c %a "$a" > {seen}/mode-$$;; esac; done\n'
                   f'exec {fleet.dir / "bin" / "gcollect"} "$@"\n')
    spy.chmod(0o755)
    case_file = tmp_path / "case-07654321.json"
    case_file.write_text(json.dumps({"case": "07654321", "site": "ACME Main", "severity": "2",
                                     "steps": ["caller 5559876543 dials the hotline"]}))
    out = tmp_path / "out"
    before = remote_temp_dirs()
    code = collect_remote(fleet.options(out, case=None, case_file=case_file,
                                        describe="calls from 5551234567 drop after transfer"),
                          fleet.hosts_file([fleet.hosts["h1"].line(name="spy", gcollect=str(spy))], "spy.txt"))
    assert code in (ExitCode.OK, ExitCode.PARTIAL)
    argv = "".join(p.read_text() for p in seen.glob("argv-*"))
    assert "--case-file" in argv and "07654321" in argv
    for typed in ("5551234567", "5559876543", "ACME", "--describe", "--step", "--site"):
        assert typed not in argv, f"{typed} on the host's command line"
    assert {p.read_text().strip() for p in seen.glob("mode-*")} == {"600"}
    [case] = out.glob("gcollect-case-07654321-*.tar.gz")
    index = json.loads(members(case)["index.json"])
    [host] = index["hosts"]
    assert "gcollect-gen-h1-07654321-" in host["bundle"]
    inner = tmp_path / "spy.tar.gz"
    inner.write_bytes(members(case)[host["bundle"]])
    host_case = json.loads(members(inner)["case.json"])
    text = json.dumps(host_case)
    assert "5551234567" not in text and "5559876543" not in text and "PHONE_" in text
    assert "ACME Main" in text and "drop after transfer" in text
    assert remote_temp_dirs() == before
