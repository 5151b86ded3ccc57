"""Hosts list parsing, zipapp compatibility, the case index text, site-key export/import."""

from __future__ import annotations

from pathlib import Path

import pytest

from collector.errors import BadInput
from collector.remote.hosts import parse_hosts
from collector.remote.keys import MAGIC, decode_key, export_key, import_key
from collector.remote.run import parse_facts, probe_script
from collector.remote.zipapp import Zipapp


def test_comma_list_and_defaults() -> None:
    hosts = parse_hosts("sip01, admin@urs01:2222,[::1]:23", default_user="ops", default_port=2200)
    assert [(h.host, h.port, h.user) for h in hosts] == [("sip01", 2200, "ops"), ("urs01", 2222, "admin"),
                                                         ("::1", 23, "ops")]
    assert [h.label for h in hosts] == ["sip01_2200", "urs01_2222", "1_23"]


def test_hosts_file_settings(tmp_path: Path) -> None:
    f = tmp_path / "hosts"
    f.write_text("# site\nsip01  name=sip01 root=/mnt/x state-dir=/srv/g  # primary\n\n"
                 "10.0.0.7 port=2022 user=bob gcollect=/opt/g python=/usr/bin/python3.12\n")
    a, b = parse_hosts(str(f))
    assert (a.name, a.root, a.state_dir, a.port) == ("sip01", "/mnt/x", "/srv/g", 22)
    assert (b.port, b.user, b.gcollect, b.python, b.label) == (2022, "bob", "/opt/g", "/usr/bin/python3.12", "10.0.0.7_2022")


@pytest.mark.parametrize("value, problem", [
    ("a b=c", "unknown setting"), ("a:99999", "out of range"), ("a,a", "share the name"),
    ("/no/such/file", "no such hosts file"), (" , ", "no hosts"), ("a name=x*y", "name may hold"),
])
def test_bad_hosts(value: str, problem: str) -> None:
    with pytest.raises(BadInput, match=problem):
        parse_hosts(value)


APP = Zipapp(path=Path("g.pyz"), python=("3.11", "3.12"), machine="x86_64", glibc=(2, 28), unpacked=1)
GOOD = {"uname": "Linux x86_64", "python": "/usr/bin/python3", "pyver": "3.11", "machine": "x86_64",
        "libc": "glibc 2.36"}


@pytest.mark.parametrize("change, reason", [
    ({}, None),
    ({"python": ""}, "no Python"),
    ({"pyver": "3.9"}, "Python 3.9 on the host; gcollect needs 3.11"),
    ({"pyver": "3.13"}, "carries wheels for 3.11, 3.12"),
    ({"machine": "aarch64"}, "aarch64 machine"),
    ({"libc": " "}, "no glibc"),
    ({"libc": "glibc 2.17"}, "glibc 2.17 on the host"),
    ({"uname": "AIX 7"}, "AIX host"),
])
def test_zipapp_support(change: dict[str, str], reason: str | None) -> None:
    why = APP.unsupported({**GOOD, **change})
    assert (why is None) if reason is None else (reason in (why or ""))


def test_probe_facts_round_trip() -> None:
    script = probe_script(parse_hosts("h python=/opt/py3")[0], "python3")
    assert "/opt/py3" in script and "mktemp -d" in script
    assert parse_facts(b"tmp=/tmp/x\ngcollect=\npyver=3.11\nlibc=glibc 2.36\n") == {
        "tmp": "/tmp/x", "gcollect": "", "pyver": "3.11", "libc": "glibc 2.36"}


def test_key_export_import(tmp_path: Path) -> None:
    exported = tmp_path / "site.key"
    fp = export_key(tmp_path / "a", exported)
    assert exported.stat().st_mode & 0o777 == 0o600
    assert exported.read_text().startswith(MAGIC)
    with pytest.raises(BadInput, match="exists"):
        export_key(tmp_path / "a", exported)
    assert import_key(tmp_path / "b", exported) == (fp, "imported")
    assert import_key(tmp_path / "b", exported) == (fp, "unchanged")
    assert (tmp_path / "b" / "site.key").stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "b" / "site.key").read_bytes() == (tmp_path / "a" / "site.key").read_bytes()
    other = tmp_path / "other.key"
    export_key(tmp_path / "c", other)
    with pytest.raises(BadInput, match="different site key"):
        import_key(tmp_path / "b", other)
    assert import_key(tmp_path / "b", other, force=True)[1] == "replaced"
    raw = (tmp_path / "a" / "site.key").read_bytes()
    assert decode_key(raw, "raw") == raw
    with pytest.raises(BadInput, match="not a gcollect site key"):
        decode_key(b"hello", "x")


def test_forwarded_args_fix_the_window_once() -> None:
    from collector.cli.remote_cmd import forwarded_args

    args, window, host_local = forwarded_args({"since": "2h", "products": ("sip-server,urs",), "fmt": "tar.zst",
                                   "case": "0123", "all_logs": True, "root": Path("/"), "workers": 2})
    assert window.since is not None and window.until is None and host_local == {}
    assert args[:2] == ["--since", window.since.isoformat()] and "+00:00" in args[1]
    assert args[2:] == ["--profile", "sip-server,urs", "--format", "tar.zst", "--case", "0123", "--workers", "2",
                        "--all-logs"]


def test_times_without_offset_reach_each_host_as_given() -> None:
    """--hosts reads a time without an offset in each host's zone, as a run on that host does: it is
    sent as typed; times with an offset and ages stay absolute (the same instants everywhere)."""
    from collector.cli.remote_cmd import forwarded_args

    args, window, host_local = forwarded_args({"since": "2025-11-19 12:30", "until": " 2025-11-19 14:30 ",
                                               "root": Path("/")})
    assert args == ["--since", "2025-11-19 12:30", "--until", "2025-11-19 14:30"]
    assert host_local == {"--since": "2025-11-19 12:30", "--until": "2025-11-19 14:30"}
    assert window.unbounded
    args, _, host_local = forwarded_args({"since": "2h", "until": "2025-11-19T14:30", "root": Path("/")})
    assert args[0] == "--since" and args[1].endswith("+00:00") and args[2:] == ["--until", "2025-11-19T14:30"]
    args, _, _ = forwarded_args({"around": "2025-11-19 14:05", "window_width": "30m", "root": Path("/")})
    assert args == ["--around", "2025-11-19 14:05", "--window", "30m"]
    args, window, host_local = forwarded_args({"since": "2025-11-19T12:30+02:00", "until": "2025-11-19 12:00Z",
                                               "root": Path("/")})
    assert args == ["--since", "2025-11-19T10:30:00+00:00", "--until", "2025-11-19T12:00:00+00:00"]
    assert host_local == {} and window.since is not None


def test_host_local_window_order() -> None:
    import click

    from collector.cli.remote_cmd import forwarded_args

    with pytest.raises(click.BadParameter, match="later than"):
        forwarded_args({"since": "2025-11-19 14:00", "until": "2025-11-19 13:00", "root": Path("/")})
    # a local time next to an absolute one: only each host (in its zone) can order them
    args, _, _ = forwarded_args({"since": "2025-11-19 14:00", "until": "2025-11-19T13:30Z", "root": Path("/")})
    assert args == ["--since", "2025-11-19 14:00", "--until", "2025-11-19T13:30:00+00:00"]


def test_index_names_each_hosts_window_and_zone() -> None:
    from collector.model import Window
    from collector.remote.case import build_index, index_text
    from collector.remote.hosts import HostSpec
    from collector.remote.run import HostResult

    window = {"since": "2025-11-19T18:30:00Z", "until": "2025-11-19T20:30:00Z",
              "zone": {"name": "America/Chicago", "kind": "root", "source": "/etc/localtime",
                       "text": "America/Chicago (the collected host's zone, from /etc/localtime)"}}
    ok = HostResult(HostSpec("sip01"), status="ok", report={"files": 3, "window": window})
    index = build_index([ok], Window(), "1", "", {"--since": "2025-11-19 12:30", "--until": "2025-11-19 14:30"})
    assert index["window"] == {"since": "2025-11-19 12:30", "until": "2025-11-19 14:30", "zone": "host"}
    assert index["hosts"][0]["window"] == window
    text = index_text(index)
    assert "each host's own zone" in text
    assert "2025-11-19T18:30:00Z .. 2025-11-19T20:30:00Z (UTC), zone America/Chicago" in text
