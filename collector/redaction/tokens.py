"""Keyed, deterministic tokens for redacted values, and the local token map.

A token is ``<CATEGORY>_<10 lowercase letters>`` (``+`` kept in front for phone numbers that
had one), e.g. ``PHONE_kqzvmbtrwe``, ``+PHONE_kqzvmbtrwe``, ``EMAIL_abqxyzlmno``. Tokens hold no
digits, so no number rule can match them again (redaction is idempotent). The letters come
(byte mod 26) from the first 10 bytes of HMAC-SHA256(site key, normalised value): the same value
gives the same letters on every file of the site, whichever rule found it (correlation across
SIP Server, URS, ICON: a caller's number is ``PHONE_kqzvmbtrwe`` in a SIP header and
``USERDATA_kqzvmbtrwe`` in attached data), and nobody without the site key can test guesses of a
phone number against a token. The category prefix only says which rule found the value.

Phone normalisation before hashing (every value of category ``phone``, and a value of any
category made only of digits, visual separators and a leading ``+``): the separators (space,
``-``, ``.``, ``(``, ``)``, ``/``) and the ``+`` are removed, so ``+1 555-555-0142``,
``+15555550142`` and ``15555550142`` share a token; so do ``0015555550142`` and
``01115555550142``: the international prefix 00 or 011 before 10 to 15 digits is the ``+``. No
country code is added or removed: ``5555550142`` and ``15555550142`` get different tokens
(guessing a country would be wrong as often as right), nor is a national 0 or an access code
9 removed. Other values hash their exact bytes. URL, JSON and XML escapes (``%2B``,
``\\u002B``, ``&#43;``) are decoded first, so an escaped copy gets the letters of the plain value;
an e-mail address is compared in lower case, and a ``+`` in a name is the space a form or query
string wrote for it (``name=Harriet+Ostrowski`` and ``Harriet%20Ostrowski``: one token). (Phone
tokens are those of earlier releases, but for numbers written with 00 or 011; the letters of
other categories changed when they stopped depending on the category.)

Text is hashed as UTF-8 in composed form (NFC): a value whose bytes are not valid UTF-8 is read
as cp1252 first (a Windows log in the ANSI code page: SIP Server's Jos\\xe9 M\\xfcller and WDE's
UTF-8 Jos\\xc3\\xa9 M\\xc3\\xbcller get one token; probe R 8). ASCII values and valid NFC UTF-8 hash as
before; the token map keeps the value's bytes as they were written.

The token map (token -> category, value) is a sqlite3 file that stays on the host, mode 0600;
support asks the site to look a token up when needed. It is never bundled.
"""

from __future__ import annotations

import hmac
import os
import re
import sqlite3
import time
import unicodedata
from pathlib import Path

from collector.integrity import fsync_dir

from collector.errors import FULL_ERRNOS, DiskFull, PreflightFailed, naming_file

KEY_BYTES = 32
KEY_FILE = "site.key"
_LETTERS = "abcdefghijklmnopqrstuvwxyz"
_BYTE_TO_LETTER = bytes(_LETTERS.encode()[b % 26] for b in range(256))   # ~47 bits in 10 letters
# A token's letters never spell a word the rules read inside a password key (pwd, pass, secret,
# token, cred, key, otp, psk): USERDATA_fzjeootpwd followed by ': 1' was a pwd key to a second pass
# (a redacted file redacted again changed). Such letters (about 1 token in 500) are derived again.
_KEY_WORD_IN_LETTERS = re.compile(rb"pwd|pass|secret|token|cred|key|otp|psk")
_PHONE_SEPARATORS = b" -.()/"
_PHONE_SHAPED = re.compile(rb"\+?[0-9 .()/-]*[0-9][0-9 .()/-]*")   # digits, separators, a leading +
# an e-mail address: customers type theirs in any letter case (From: Harriet.O@Example.ORG),
# UCS and GWS hold it lower-cased; mail systems treat both parts without case
_EMAIL_SHAPED = re.compile(rb"[^\s@<>\"']+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
# the international prefix written for the '+' (00 in most of the world, 011 from North America):
# 0015550100123 and 011495550100654 are +15550100123 and +495550100654. Only before 10 to 15 more
# digits that start with a country code (not 0), as an international number has: a national number
# that begins with 011 (UK 0113 496 0000, 11 digits) or an id that begins with 00 keeps its digits
_INTERNATIONAL_PREFIX = re.compile(rb"^(?:00|011)(?=[1-9][0-9]{9,14}$)")
# the national trunk 0 that international forms write in parentheses after the country code
# (+44 (0)20 7946 0958 is dialled +44 20 7946 0958): dropped, so both forms are one number
_TRUNK_ZERO = re.compile(rb"^((?:\+|00|011)[ .-]?[1-9][0-9]{0,2}[ .-]?)\(0\)")
# a North American number without its country code (T-Server's ANI 5550719876, as GENESYS.md's
# example 3) and the same caller in E.164 (+15550719876, 15550719876, 0115550719876): one number.
# Only the NANP shape, area code and exchange from 2-9 ([2-9]XX[2-9]XXXXXX), gets the 1; another
# country's ten-digit national number of that shape shares a token with a +1 number (two
# callers read as one), never the reverse (one caller split in two)
_NANP_TEN = re.compile(rb"[2-9][0-9]{2}[2-9][0-9]{6}")
_TEL_SCHEME = re.compile(rb"(?i)tel:")
_CACHE_LIMIT = 16_384          # bounded memory: ~3 MB per worker; a miss only costs one HMAC


def load_or_create_site_key(state_dir: Path) -> bytes:
    """Return the site's 32-byte token key, creating it (0600, dir 0700) on first use."""
    from collector.statedir import use_state_dir

    use_state_dir(state_dir)
    key_path = state_dir / KEY_FILE
    for _attempt in range(50):
        try:
            return _read_key(key_path)
        except FileNotFoundError:
            pass
        tmp = state_dir / f".{KEY_FILE}.{os.getpid()}.{time.monotonic_ns()}.tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.write(fd, os.urandom(KEY_BYTES))
            os.fsync(fd)
        except OSError as e:
            tmp.unlink(missing_ok=True)
            raise naming_file(e, key_path) from None
        finally:
            os.close(fd)
        try:
            os.link(tmp, key_path)           # atomic; fails if another process won the race
        except FileExistsError:
            pass
        finally:
            tmp.unlink(missing_ok=True)
        fsync_dir(state_dir)
    raise PreflightFailed(problem=f"cannot create {key_path}")


def _owner(path: Path) -> str:
    """``; owner uid N`` of ``path`` for an error line, or "" when it cannot be seen."""
    try:
        return f"; owner uid {os.stat(path).st_uid}"
    except OSError:
        return ""


def _read_key(key_path: Path) -> bytes:
    try:
        fd = os.open(key_path, os.O_RDONLY)
    except FileNotFoundError:
        raise
    except OSError as exc:
        raise PreflightFailed(problem=f"cannot read site key {key_path}: {exc.strerror or exc}{_owner(key_path)} "
                                      "(run as the user whose state folder it is, or set --state-dir)") from None
    try:
        if os.fstat(fd).st_mode & 0o077:
            os.fchmod(fd, 0o600)
        data = os.read(fd, KEY_BYTES + 1)
    finally:
        os.close(fd)
    if len(data) != KEY_BYTES:
        raise PreflightFailed(problem=f"{key_path} is not a {KEY_BYTES}-byte key ({len(data)} bytes)")
    return data


_ROOM_NEEDED = 1 << 20        # less free space than this beside the map: an I/O error is the full disk


def _full(exc: sqlite3.Error, folder: Path) -> bool:
    """The token map's file system (or quota) is full: sqlite's "database or disk is full"
    (SQLITE_FULL), or a "disk I/O error" (SQLITE_IOERR: growing the ``-shm`` or ``-wal`` file
    failed, sqlite keeps no errno) while the folder has next to no free space."""
    code = getattr(exc, "sqlite_errorcode", None)
    if code is None:
        code = sqlite3.SQLITE_FULL if "database or disk is full" in str(exc) else \
            sqlite3.SQLITE_IOERR if "disk I/O error" in str(exc) else 0
    if code & 0xFF == sqlite3.SQLITE_FULL:
        return True
    if code & 0xFF != sqlite3.SQLITE_IOERR:
        return False
    try:
        room = os.statvfs(folder)
    except (OSError, AttributeError):
        return False
    return room.f_bavail * room.f_frsize < _ROOM_NEEDED


def token_prefix(category: str) -> str:
    return category.upper().replace("-", "_")


# How logs escape a value that went through a URL, a JSON string or an XML document: %2B,
# \u002B, &#43; / &#x2B;. Decoded before hashing, so a caller followed from the SIP trace to
# a GWS request log, a GVP fetch URL or a JSON body keeps one token ('+' is not decoded as a
# space: in a number it is the number's own '+').
_ESCAPED = re.compile(rb"%([0-9A-Fa-f]{2})|\\u([0-9A-Fa-f]{4})|&#(?:[xX]([0-9A-Fa-f]{1,6})|([0-9]{1,7}));")


def _unescaped_char(match: re.Match[bytes]) -> bytes:
    if match.group(1):
        return bytes((int(match.group(1), 16),))
    hexa = match.group(2) or match.group(3)
    code = int(hexa, 16) if hexa else int(match.group(4))
    try:
        return chr(code).encode("utf-8")
    except (ValueError, UnicodeEncodeError):       # beyond Unicode, or a lone surrogate: as written
        return match.group(0)


def unescaped(value: bytes) -> bytes:
    """``value`` with URL (%XX), JSON (\\uXXXX) and XML (&#NN;, &#xNN;) escapes decoded; a URL
    encoded twice (%2540, %252B: a URL inside a URL's query) is decoded twice."""
    if b"%" not in value and b"\\u" not in value and b"&#" not in value:
        return value
    once = _ESCAPED.sub(_unescaped_char, value)
    return _ESCAPED.sub(_unescaped_char, once) if b"%25" in value else once


def as_utf8_nfc(value: bytes) -> bytes:
    """``value`` as UTF-8 in Unicode's composed form (NFC): bytes that are not valid UTF-8 are
    read as cp1252 (Windows' ANSI code page; its five unassigned bytes as Latin-1), so a name
    that SIP Server on Windows wrote in cp1252 (Jos\\xe9) and WDE wrote in UTF-8 (Jos\\xc3\\xa9), or
    macOS in decomposed form (e + U+0301), is one value. ASCII is returned as it is."""
    if value.isascii():
        return value
    try:
        text = value.decode("utf-8")
    except UnicodeDecodeError:
        text = "".join(_cp1252_char(b) for b in value)
    return unicodedata.normalize("NFC", text).encode("utf-8")


def _cp1252_char(byte: int) -> str:
    try:
        return bytes((byte,)).decode("cp1252")
    except UnicodeDecodeError:                     # 0x81, 0x8D, 0x8F, 0x90, 0x9D: unassigned
        return chr(byte)


def normalise(category: str, value: bytes) -> tuple[bytes, bool]:
    """(bytes to hash, keep a leading '+') for a value of a category: the same for every
    category, so one value gets the same letters whichever rule found it, and the same for
    its escaped forms (``unescaped``). An e-mail address is compared without letter case."""
    plain = as_utf8_nfc(unescaped(value))
    if category != "phone" and _TEL_SCHEME.match(plain) and _PHONE_SHAPED.fullmatch(plain, 4):
        plain = plain[4:]                          # 'tel:+1555...' in user data: the caller's letters
    if category == "phone" or _PHONE_SHAPED.fullmatch(plain):
        plus = category == "phone" and (value.startswith(b"+") or value[:3] in (b"%2B", b"%2b"))
        if b"(0)" in plain:
            plain = _TRUNK_ZERO.sub(rb"\1", plain, count=1)
        digits = plain.translate(None, _PHONE_SEPARATORS)
        if digits[:1] == b"+":
            digits = digits.lstrip(b"+")
        else:
            digits = _INTERNATIONAL_PREFIX.sub(b"", digits, count=1)
            if len(digits) == 10 and _NANP_TEN.fullmatch(digits):
                digits = b"1" + digits
        return b"phone\0" + digits, plus
    if _EMAIL_SHAPED.fullmatch(plain):
        if plain.isascii():
            return b"value\0" + plain.lower(), False
        return b"value\0" + plain.decode("utf-8", "surrogateescape").lower().encode("utf-8", "surrogateescape"), False
    if category == "name" and b"+" in value:      # a form-encoded space (name=Harriet+Ostrowski)
        plain = as_utf8_nfc(unescaped(value.replace(b"+", b" ")))
    return b"value\0" + plain, False


class TokenStore:
    """token -> (category, value) map in a local sqlite3 file, shared by worker processes."""

    FLUSH_EVERY = 500

    def __init__(self, path: Path) -> None:
        self.path = path
        self._closed = False
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
            try:
                if os.fstat(fd).st_mode & 0o077:
                    os.fchmod(fd, 0o600)
            finally:
                os.close(fd)
        except OSError as exc:
            if exc.errno in FULL_ERRNOS:
                raise self._disk_full() from None
            raise PreflightFailed(problem=f"cannot use token map {path}: {exc.strerror or exc}{_owner(path)} "
                                          "(run as the user whose state folder it is, or set --state-dir)") from None
        self._db = sqlite3.connect(path, timeout=60.0, isolation_level=None)
        try:
            self._db.execute("PRAGMA busy_timeout = 60000")
            self._db.execute("PRAGMA journal_mode = WAL")
            self._db.execute("PRAGMA synchronous = NORMAL")
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS tokens ("
                " token TEXT PRIMARY KEY, category TEXT NOT NULL, value TEXT NOT NULL)"
            )
        except sqlite3.DatabaseError as exc:
            self._db.close()
            self._closed = True
            if isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc):
                raise                          # busy, not broken
            if _full(exc, self.path.parent):                     # the folder is full, the map is fine
                raise self._disk_full() from None
            raise PreflightFailed(problem=f"token map {path} cannot be used ({exc}); move it aside (it holds the "
                                          "tokens made so far) or choose another --state-dir") from None
        self._restrict_side_files()
        self._pending: dict[str, tuple[str, str]] = {}

    def _disk_full(self) -> DiskFull:
        return DiskFull(where=str(self.path.parent))

    def _restrict_side_files(self) -> None:
        for suffix in ("-wal", "-shm"):
            side = Path(str(self.path) + suffix)
            if side.exists():
                os.chmod(side, 0o600)

    def add(self, token: bytes | str, category: str, value: bytes | str) -> None:
        tok = token.decode("ascii") if isinstance(token, bytes) else token
        val = value.decode("utf-8", "backslashreplace") if isinstance(value, bytes) else value
        self._pending[tok] = (category, val)
        if len(self._pending) >= self.FLUSH_EVERY:
            self.flush()

    def flush(self) -> None:
        if not self._pending:
            return
        rows = [(t, c, v) for t, (c, v) in self._pending.items()]
        for attempt in range(20):
            try:
                self._db.execute("BEGIN IMMEDIATE")
                try:
                    self._db.executemany(
                        "INSERT OR IGNORE INTO tokens(token, category, value) VALUES (?, ?, ?)", rows
                    )
                    self._db.execute("COMMIT")
                except BaseException:
                    if self._db.in_transaction:   # sqlite ends it itself on some errors (a full disk)
                        try:
                            self._db.execute("ROLLBACK")
                        except sqlite3.Error:
                            pass                   # the error that stopped the COMMIT is the one to report
                    raise
                break
            except sqlite3.OperationalError as exc:
                if _full(exc, self.path.parent):
                    raise self._disk_full() from None
                if "locked" not in str(exc) and "busy" not in str(exc) or attempt == 19:
                    raise
                time.sleep(0.05 * (attempt + 1))
        self._pending.clear()
        self._restrict_side_files()

    def lookup(self, token: str) -> tuple[str, str] | None:
        if token in self._pending:
            return self._pending[token]
        row = self._db.execute("SELECT category, value FROM tokens WHERE token = ?", (token,)).fetchone()
        return (row[0], row[1]) if row else None

    def close(self) -> None:
        """Write what is pending and close (once: closing again does nothing). The file is
        closed even when the write fails (a full disk), and that failure is raised."""
        if self._closed:
            return
        self._closed = True
        try:
            self.flush()
        finally:
            self._db.close()

    def __enter__(self) -> TokenStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Tokenizer:
    """Same value + same key -> same letters, everywhere; the category is the prefix."""

    def __init__(self, key: bytes, store: TokenStore | None) -> None:
        if len(key) < 16:
            raise ValueError("token key must be at least 16 bytes")
        self._key = key
        self._store = store
        self._cache: dict[tuple[str, bytes], bytes] = {}

    def token(self, category: str, value: bytes) -> bytes:
        cached = self._cache.get((category, value))
        if cached is not None:
            return cached
        material, plus = normalise(category, value)
        digest = hmac.digest(self._key, material, "sha256")   # one C call
        letters = digest[:10].translate(_BYTE_TO_LETTER)
        again = 0
        while _KEY_WORD_IN_LETTERS.search(letters) is not None:
            again += 1
            letters = hmac.digest(self._key, b"%s\0%d" % (material, again), "sha256")[:10].translate(_BYTE_TO_LETTER)
        sign = (value[:3] if value[:1] == b"%" else b"+") if plus else b""    # an encoded + stays encoded
        token = sign + token_prefix(category).encode("ascii") + b"_" + letters
        if len(self._cache) >= _CACHE_LIMIT:
            self._cache.clear()
        self._cache[(category, value)] = token
        if self._store is not None:
            self._store.add(token, category, value)
        return token
