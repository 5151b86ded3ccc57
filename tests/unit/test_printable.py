"""collector.printable: names with bytes that are not UTF-8 render as backslash escapes."""

from __future__ import annotations

import io
import os

import pytest

from collector.printable import ERROR_HANDLER, printable


@pytest.mark.parametrize("raw,shown", [
    (b"SIPS_P.20261127_000007_000.\xff\xfe.log", "SIPS_P.20261127_000007_000.\\xff\\xfe.log"),
    (b"caf\xe9.cfg", "caf\\xe9.cfg"),
    ("café.cfg".encode(), "café.cfg"),                # valid UTF-8 stays as it is
    (b"plain.log", "plain.log"),
])
def test_printable_escapes_only_undecodable_bytes(raw: bytes, shown: str) -> None:
    text = printable(os.fsdecode(raw))
    assert text == shown
    text.encode("utf-8")                               # never raises


def test_a_lone_surrogate_that_is_no_byte_escape_is_shown_as_u() -> None:
    assert printable("a\ud800b") == "a\\ud800b"


def test_terminal_streams_escape_instead_of_raising() -> None:
    buffer = io.BytesIO()
    stream = io.TextIOWrapper(buffer, encoding="utf-8", errors=ERROR_HANDLER)
    stream.write(os.fsdecode(b"SIPS_P.\xff.log caf\xc3\xa9") + "\n")
    stream.flush()
    assert buffer.getvalue() == "SIPS_P.\\xff.log café\n".encode()


def test_case_json_keeps_a_non_utf8_name_as_a_json_escape() -> None:
    import json

    from collector.casefile import to_bytes

    name = os.fsdecode(b"/opt/genesys/caf\xe9/SIPS")
    data = to_bytes({"app_dir": name, "site": "Zürich"})
    assert json.loads(data.decode("utf-8")) == {"app_dir": name, "site": "Zürich"}
    assert "Zürich".encode() in data and b"\\udce9" in data
