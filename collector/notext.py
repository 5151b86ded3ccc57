"""Content that is not text, told by its first bytes: compressed data, an archive, a key store,
DER, or bytes whose statistics are those of compressed or encrypted data.

Such a file matched by a log glob (``gax.log.2025-11-13.zip``: a rotation zipped in place; a
``.gz`` whose text is itself gzip) must never be shipped as text: the rules see nothing in it,
and inflating the stored bytes gives its secrets back. A small compressed file has too few
control bytes for the redactor's binary check, and the NUL runs it has would be removed as if
they were a crash block. The worker asks ``not_text_problem`` about a file's first bytes (after
a ``.gz`` is decompressed) before any stage sees them, and leaves the file out with the reason.
"""

from __future__ import annotations

import re

# (magic at offset 0, what it is). Longest first where one is the prefix of another.
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"PK\x03\x04", "compressed data (zip)"),
    (b"PK\x05\x06", "compressed data (zip)"),          # an empty zip's end record
    (b"PK\x07\x08", "compressed data (zip)"),          # a spanned zip
    (b"\x1f\x8b", "compressed data (gzip)"),
    (b"\x1f\x9d", "compressed data (compress .Z)"),
    (b"\x1f\x1e", "compressed data (pack)"),
    (b"\xfd7zXZ\x00", "compressed data (xz)"),
    (b"\x5d\x00\x00", "compressed data (lzma)"),
    (b"\x28\xb5\x2f\xfd", "compressed data (zstd)"),
    (b"\x04\x22\x4d\x18", "compressed data (lz4)"),
    (b"\x02\x21\x4c\x18", "compressed data (lz4)"),     # legacy frame
    (b"LZIP", "compressed data (lzip)"),
    (b"\x89LZO\x00\r\n\x1a\n", "compressed data (lzop)"),
    (b"7z\xbc\xaf\x27\x1c", "compressed data (7z)"),
    (b"Rar!\x1a\x07", "compressed data (rar)"),
    (b"MSCF\x00\x00\x00\x00", "compressed data (cab)"),
    (b"\xfe\xed\xfe\xed", "a Java key store (JKS)"),
    (b"\xce\xce\xce\xce", "a Java key store (JCEKS)"),
    (b"\xac\xed\x00\x05", "serialized Java objects"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an OLE compound file"),
    (b"SQLite format 3\x00", "an SQLite database"),
    (b"\x7fELF", "an executable (ELF)"),
    (b"%PDF-", "a PDF (compressed streams)"),
)
_BZIP2 = re.compile(rb"BZh[1-9](?:1AY&SY|\x17rE8P\x90)")            # block or end-of-stream magic
_DER = re.compile(rb"\x30[\x80-\x84]")        # ASN.1 SEQUENCE, long length: PKCS#12, a DER key or certificate
_TAR_MAGIC_AT = 257                            # "ustar" in a tar header

# Byte statistics, for what has no known magic (raw deflate, encrypted data, a cut archive):
# in the first SAMPLE bytes (NULs not counted), control bytes and bytes 0x80-0xBF that are no
# part of a UTF-8 character. Compressed or random bytes have about 11% + 24% of them; text in
# any encoding almost none (UTF-8 is valid; Latin-1, cp1252 and cp1251 letters are 0xC0-0xFF).
SAMPLE = 4096
_MIN_ODD = 4            # so that a short text with a stray control byte or a degree sign is text
_ODD_PERCENT = 15
CONTROL_BYTES = bytes(range(1, 9)) + bytes(range(14, 27)) + bytes(range(28, 32))  # not TAB LF VT FF CR ESC
_LONE_CONTINUATION = re.compile("[\udc80-\udcbf]")


def magic_problem(head: bytes) -> str | None:
    """What the first bytes say the content is, if it is compressed, an archive or a key store."""
    for magic, what in _MAGIC:
        if head.startswith(magic):
            return what
    if _BZIP2.match(head):
        return "compressed data (bzip2)"
    if head[_TAR_MAGIC_AT:_TAR_MAGIC_AT + 5] == b"ustar":
        return "an archive (tar)"
    if _DER.match(head):
        return "DER data (PKCS#12, a key or a certificate)"
    return None


def odd_bytes(sample: bytes) -> tuple[int, int]:
    """(control bytes and lone UTF-8 continuation bytes, bytes counted) in ``sample``, NULs not
    counted (a crash block of NULs is not what makes a file binary)."""
    sample = sample.replace(b"\0", b"")
    control = len(sample) - len(sample.translate(None, CONTROL_BYTES))
    lone = len(_LONE_CONTINUATION.findall(sample.decode("utf-8", "surrogateescape")))
    return control + lone, len(sample)


def statistics_problem(text_head: bytes) -> str | None:
    """Whether the first bytes of a text look like compressed or encrypted data, whatever the
    file's size (a small file too)."""
    odd, counted = odd_bytes(text_head[:SAMPLE])
    if odd >= _MIN_ODD and odd * 100 >= counted * _ODD_PERCENT:
        return f"binary content ({odd} of its first {counted} bytes are control bytes or not UTF-8)"
    return None


def not_text_problem(head: bytes, text_head: bytes | None = None) -> str | None:
    """The reason a file whose content starts with ``head`` cannot be redacted as text, or None.
    ``text_head``: the same start as UTF-8 when the file is UTF-16 (the statistics are taken on
    the text, not on its code units)."""
    what = magic_problem(head)
    if what is None:
        what = statistics_problem(head if text_head is None else text_head)
    return None if what is None else f"{what} cannot be redacted"
