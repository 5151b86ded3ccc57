"""One clear line per host failure: a silent SSH peer is a timeout, logins read user@host:port."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest

from collector.remote.hosts import parse_host
from collector.remote.session import HostFailed, RemoteSession, SshSettings, login


@pytest.fixture()
def silent_port() -> Iterator[int]:
    """Accepts TCP connections and never sends a byte (no SSH banner)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(4)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield server.getsockname()[1]
    finally:
        stop.set()
        thread.join()
        for conn in held:
            conn.close()
        server.close()


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_no_banner_is_a_timeout(silent_port: int) -> None:
    spec = parse_host(f"root@127.0.0.1:{silent_port}")
    started = time.monotonic()
    with pytest.raises(HostFailed) as info:
        RemoteSession(spec, SshSettings(connect_timeout=2))
    assert time.monotonic() - started < 10
    assert info.value.kind == "timeout"
    assert info.value.reason == f"no SSH banner within 2 s from root@127.0.0.1:{silent_port}"


def test_unreachable_names_the_login_not_an_sftp_url() -> None:
    port = closed_port()
    with pytest.raises(HostFailed) as info:
        RemoteSession(parse_host(f"127.0.0.1:{port}"), SshSettings(user="gc", connect_timeout=5))
    assert info.value.kind == "unreachable"
    assert info.value.reason == f"cannot reach gc@127.0.0.1:{port}: connection refused"


def test_login_text() -> None:
    assert login("root", parse_host("root@sip01")) == "root@sip01"
    assert login("daemon", parse_host("daemon@10.0.0.1:2222")) == "daemon@10.0.0.1:2222"
    assert login("u", parse_host("[::1]:2222")) == "u@[::1]:2222"
