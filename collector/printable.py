"""Text that always encodes as UTF-8, for everything gcollect renders (HTML, text, terminal).

A file name that is not valid UTF-8 is kept byte for byte in the bundle; in Python it is a
``str`` whose undecodable bytes are surrogate escapes (``os.fsdecode``), which UTF-8 cannot
encode. ``printable`` shows each such byte as ``\\xNN`` (and any other lone surrogate as
``\\uNNNN``), the way ``ls -b`` shows them. Files gcollect writes call ``printable``; the
terminal streams get the same escapes as their error handler (``escape_terminal_output``). JSON
keeps the name exactly: ``json.dumps`` escapes surrogates as ``\\udcff`` (``ensure_ascii``), and
``json_escaped`` does the same for text written with ``ensure_ascii=False``.
"""

from __future__ import annotations

import codecs
import re
import sys

_SURROGATE = re.compile("[\ud800-\udfff]")
ERROR_HANDLER = "gcollect-printable"


def _escape_char(char: str) -> str:
    code = ord(char)
    return f"\\x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else f"\\u{code:04x}"


def printable(text: str) -> str:
    """``text`` with every lone surrogate replaced by a backslash escape (unchanged if none)."""
    return _SURROGATE.sub(lambda m: _escape_char(m.group()), text) if _SURROGATE.search(text) else text


def json_escaped(text: str) -> str:
    """JSON text made by ``json.dumps(..., ensure_ascii=False)`` with each lone surrogate written
    as the ``\\uXXXX`` escape ``ensure_ascii`` would give it: valid UTF-8, and a reader gets the
    same string back. (Surrogates can only stand inside JSON strings, where the escape is valid.)"""
    return _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text) if _SURROGATE.search(text) else text


def _escape_unencodable(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeEncodeError):
        raise error
    return "".join(_escape_char(c) if _SURROGATE.match(c) else c.encode("ascii", "backslashreplace").decode()
                   for c in error.object[error.start:error.end]), error.end


codecs.register_error(ERROR_HANDLER, _escape_unencodable)


def escape_terminal_output() -> None:
    """stdout and stderr write what they cannot encode as backslash escapes instead of raising
    (a UTF-8 locale's streams are strict: one odd file name in a listing would end the run)."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors=ERROR_HANDLER)
