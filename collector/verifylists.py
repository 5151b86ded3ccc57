"""The two lists ``verify`` checks members against, read as their bytes stream by.

``manifest.json`` grows with the files a bundle holds (about 0.7 KB each for tiny segments,
up to 3 KB with log statistics): 100,000 segments make more than 64 MiB. Holding it whole to
``json.loads`` it put a limit on what verify could read that collect did not know. Here only
what verify needs is kept, each ``files[]`` entry's ``path`` and ``sha256``; memory holds one
JSON value at a time (one entry, or one other top-level value such as ``skipped``), at most
``VALUE_MAX`` characters, whatever the size of the whole manifest. ``SHA256SUMS`` is read line
by line the same way.
"""

from __future__ import annotations

import codecs
import json
import re

VALUE_MAX = 64 << 20          # characters of one JSON value held at a time (an entry, "skipped", ...)
_TRIM = 1 << 20               # drop what was consumed once this much is behind the read position
_SPACE = re.compile(r"[ \t\n\r]*")


class ManifestError(ValueError):
    """manifest.json is not what gcollect writes (the message says where)."""


class ManifestFiles:
    """``feed(chunk)`` ... ``close()`` -> {path: sha256} of manifest.json's ``files`` list."""

    def __init__(self) -> None:
        self._decode = codecs.getincrementaldecoder("utf-8")().decode
        self._json = json.JSONDecoder()
        self._buf = ""
        self._pos = 0
        self._state = "start"
        self._key = ""
        self._retry_at = 0          # buffer length at which an incomplete value is tried again
        self._seen_files = False
        self.files: dict[str, str] = {}
        # what verify cross-checks besides the list: the bundle's identity (host, case, created_utc)
        # and the totals (redactions, totals) against the sums of the entries
        self.fields: dict[str, object] = {}
        self.sums: dict[str, dict[str, int]] = {"redactions": {}, "totals": {}}

    def feed(self, data: bytes) -> None:
        try:
            self._buf += self._decode(data)
        except UnicodeDecodeError as e:
            raise ManifestError(f"not UTF-8: {e}") from None
        self._run(final=False)

    def close(self) -> dict[str, str]:
        try:
            self._buf += self._decode(b"", True)
        except UnicodeDecodeError as e:
            raise ManifestError(f"not UTF-8: {e}") from None
        self._run(final=True)
        if self._state != "end":
            raise ManifestError("ends before its closing brace")
        if not self._seen_files:
            raise ManifestError("no 'files' list")
        return self.files

    # ------------------------------------------------------------------ the walk
    def _run(self, *, final: bool) -> None:
        while True:
            self._pos = _SPACE.match(self._buf, self._pos).end()  # type: ignore[union-attr]
            if self._pos >= len(self._buf):
                break
            if not self._step(self._buf[self._pos], final):
                break
        if self._pos > _TRIM:
            self._buf = self._buf[self._pos:]
            self._retry_at = max(0, self._retry_at - self._pos)
            self._pos = 0

    def _step(self, char: str, final: bool) -> bool:
        """One token in the current state; False when more bytes are needed."""
        state = self._state
        if state == "start":
            self._expect(char, "{", "key_or_end")
        elif state in ("key_or_end", "key"):
            if char == "}" and state == "key_or_end":
                self._advance("end")
            else:
                key = self._value(final)
                if key is _MORE:
                    return False
                if not isinstance(key, str):
                    raise ManifestError("a key that is not a string")
                self._key = key
                self._state = "colon"
        elif state == "colon":
            if char != ":":
                raise ManifestError(f"':' expected after {self._key!r}")
            if self._key == "files":
                if self._seen_files:
                    raise ManifestError("two 'files' lists")
                self._seen_files = True
            self._advance("files_open" if self._key == "files" else "value")
        elif state == "value":
            value = self._value(final)
            if value is _MORE:
                return False
            if self._key in FIELDS:
                self.fields[self._key] = value
            self._state = "after_value"
        elif state == "after_value":
            self._expect(char, ",}", None)
        elif state == "files_open":
            self._expect(char, "[", "item_or_close")
        elif state in ("item_or_close", "item"):
            if char == "]" and state == "item_or_close":
                self._advance("after_value")
            else:
                entry = self._value(final)
                if entry is _MORE:
                    return False
                self._add(entry)
                self._state = "after_item"
        elif state == "after_item":
            self._expect(char, ",]", None)
        else:                                             # "end": only white space may follow
            raise ManifestError("data after the closing brace")
        return True

    def _expect(self, char: str, allowed: str, state: str | None) -> None:
        if char not in allowed:
            raise ManifestError(f"{' or '.join(repr(a) for a in allowed)} expected, not {char!r}")
        if state is None:                                 # a separator: which one says what follows
            state = {",": "key" if self._state == "after_value" else "item",
                     "}": "end", "]": "after_value"}[char]
        self._advance(state)

    def _advance(self, state: str) -> None:
        self._pos += 1
        self._state = state

    def _value(self, final: bool) -> object:
        """The JSON value at the read position, or _MORE while it may still be incomplete."""
        if not final and len(self._buf) < self._retry_at:
            return _MORE
        try:
            value, end = self._json.raw_decode(self._buf, self._pos)
        except json.JSONDecodeError as e:
            if final:
                raise ManifestError(str(e)) from None
            return self._wait()
        if end >= len(self._buf) and not final:          # a number or literal may go on in the next chunk
            return self._wait()
        self._pos = end
        self._retry_at = 0
        return value

    def _wait(self) -> object:
        held = len(self._buf) - self._pos
        if held > VALUE_MAX:
            raise ManifestError(f"one value is larger than {VALUE_MAX >> 20} MiB")
        # try again when twice as much is held (parsing a big value once per chunk would be
        # quadratic), and once just past the limit, to refuse a value that exceeds it
        self._retry_at = min(len(self._buf) + max(held, 64 << 10), self._pos + VALUE_MAX + 1)
        return _MORE

    def _add(self, entry: object) -> None:
        try:
            self.files[str(entry["path"])] = str(entry["sha256"]).lower()  # type: ignore[index]
        except (KeyError, TypeError) as e:
            raise ManifestError(f"a 'files' entry without path and sha256 ({e.__class__.__name__}: {e})") from None
        if not isinstance(entry.get("size_in"), int):    # type: ignore[union-attr]
            return                  # facts, case.json, report.html: written by gcollect, not in the totals
        sums = self.sums
        _count(sums["totals"], "files", 1)
        for key in ("bytes_in", "bytes_out"):
            _count(sums["totals"], key, entry.get(_ENTRY_SIZE[key]))  # type: ignore[union-attr]
        redactions = entry.get("redactions")              # type: ignore[union-attr]
        if isinstance(redactions, dict):
            for rule, n in redactions.items():
                _count(sums["redactions"], str(rule), n)


FIELDS = ("host", "case", "created_utc", "redactions", "totals")
_ENTRY_SIZE = {"bytes_in": "size_in", "bytes_out": "size_out"}


def _count(into: dict[str, int], key: str, n: object) -> None:
    if isinstance(n, int) and not isinstance(n, bool):
        into[key] = into.get(key, 0) + n


_MORE = object()


class SumsLines:
    """``feed(chunk)`` ... ``close()`` -> {name: sha256} of SHA256SUMS (``sha256sum`` format,
    backslash-escaped names); ``malformed`` holds the numbers of lines that are not."""

    def __init__(self) -> None:
        self._partial = b""
        self._line = 0
        self.sums: dict[str, str] = {}
        self.malformed: list[int] = []

    def feed(self, data: bytes) -> None:
        lines = (self._partial + data).split(b"\n")
        self._partial = lines.pop()
        if len(self._partial) > VALUE_MAX:
            raise ValueError(f"a line longer than {VALUE_MAX >> 20} MiB")
        for line in lines:
            self._take(line)

    def close(self) -> dict[str, str]:
        if self._partial:
            self._take(self._partial)
        return self.sums

    def _take(self, line: bytes) -> None:
        self._line += 1
        if not line:
            return
        escaped = line.startswith(b"\\")
        body = line[1:] if escaped else line
        digest, sep, name = body[:64], body[64:66], body[66:]
        if sep not in (b"  ", b" *") or not name or len(digest) != 64:
            self.malformed.append(self._line)
            return
        if escaped:
            name = name.replace(b"\\\\", b"\0").replace(b"\\n", b"\n").replace(b"\\r", b"\r").replace(b"\0", b"\\")
        self.sums[name.decode("utf-8", "surrogateescape")] = digest.decode("ascii", "replace").lower()
