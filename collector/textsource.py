"""Text inside the files a log rotation or a Windows application leaves: a gzip'ed segment
decompressed, a UTF-16 text (with its byte order mark) decoded. One place for the workers, the
snapshot state (which compares a ``.gz`` with the segment it was) and selection (which reads a
head to see whether the window can cut a file), so all three see the same text."""

from __future__ import annotations

import zlib

from collector.errors import RedactionFailed

GZIP_MAGIC = b"\x1f\x8b"
GZIP_WBITS = 16 + 15            # zlib: a gzip header and trailer (CRC, size) around the deflate data
MAX_GUNZIP_RATIO = 100          # a .gz that inflates more than this is treated as hostile


class GzipCutShort(RedactionFailed):
    """cannot redact {path}: {problem}

    Raised by ``gunzip_chunks`` after the last text: the stream ended inside a member (``text``:
    bytes of text it yielded; ``nuls``: the NUL bytes after the cut, never decompressed)."""


def _trailing_nuls_held_back(chunks, held: list[int]):
    """The chunks, a run of NUL bytes at their very end held back (``held[0]``: how many). A
    crash leaves the blocks after a cut as zeros; decompressed, they would be made-up text."""
    for data in chunks:
        body = data.rstrip(b"\0")
        if body:
            while held[0]:                 # NULs inside the file: handed on as they are
                step = min(held[0], 1 << 16)
                held[0] -= step
                yield bytes(step)
            yield body
        held[0] += len(data) - len(body)


def gunzip_chunks(chunks, compressed_size: int, out_chunk: int):
    """Decompress a gzip file chunk by chunk, output bounded per step: one member or several
    (concatenated, as ``cat a.gz b.gz`` makes), NUL padding after the last one allowed (as
    gzip allows it). Fails closed, never passing on a partial file as if it were whole: corrupt
    data, anything but another member or padding after a member, or more than
    ``MAX_GUNZIP_RATIO`` inflation raise RedactionFailed. A stream that ends before its
    member's trailer (a rotation still being compressed, a killed gzip, a cut copy) raises
    ``GzipCutShort`` after its last text: everything yielded is the start of the text as it
    was compressed (inflating a cut deflate stream gives a prefix of its text), and a caller
    may keep it, saying so. NULs at the end of the file are not decompressed."""
    limit = max(compressed_size, 1 << 20) * MAX_GUNZIP_RATIO
    nuls = [0]
    chunks = _trailing_nuls_held_back(chunks, nuls)
    produced = 0
    decompressor = zlib.decompressobj(wbits=GZIP_WBITS)
    members = 0                    # members read to their trailer
    in_member = False              # bytes of the current member were given to the decompressor
    padding = False                # NULs after the last member: nothing else may follow
    for data in chunks:
        more = False               # the output limit was reached: the decompressor may hold more
        while data or more:
            if padding or (members and not in_member and data[:1] == b"\0"):
                if data.strip(b"\0"):
                    raise RedactionFailed(path="", problem="data after the NUL padding at the end of the gzip "
                                                           "stream; left out")
                padding = True
                break
            if members and not in_member and not GZIP_MAGIC.startswith(data[:2]):
                raise RedactionFailed(path="", problem="data after the end of the gzip stream that is not "
                                                       "another gzip member; left out")
            in_member = True
            try:
                out = decompressor.decompress(data, out_chunk)
            except zlib.error as exc:
                raise RedactionFailed(path="", problem=f"corrupt gzip data ({exc})") from None
            produced += len(out)
            if produced > limit:
                raise RedactionFailed(path="", problem=f"inflates more than {MAX_GUNZIP_RATIO}x; left out")
            if out:
                yield out
            if decompressor.eof:            # the member ended: another one, or padding, may follow
                data = decompressor.unused_data
                decompressor = zlib.decompressobj(wbits=GZIP_WBITS)
                members += 1
                in_member = more = False
            else:
                data = decompressor.unconsumed_tail
                more = len(out) == out_chunk
    if in_member and nuls[0]:
        # NULs at the end of the file: the last bytes of a member (its trailer's size field often
        # ends in zeros), or zeros after a cut. Tried on a copy: taken only if they end the member.
        trial = decompressor.copy()
        try:
            out = trial.decompress(bytes(min(nuls[0], 4096)))
        except zlib.error:
            out = b""
        if trial.eof and not trial.unused_data.strip(b"\0") and produced + len(out) <= limit:
            produced += len(out)
            if out:
                yield out
            in_member = False
    if in_member:
        raise GzipCutShort(path="", problem="truncated gzip data (the stream ends before the end of its "
                                            "member: still being written, or cut short); left out",
                           text=produced, nuls=nuls[0])


UTF16_BOMS = {b"\xff\xfe": "UTF-16LE", b"\xfe\xff": "UTF-16BE"}
UTF16_NEWLINES = {"UTF-16LE": b"\n\0", "UTF-16BE": b"\0\n"}


def utf16_encoding(head: bytes) -> str | None:
    """"UTF-16LE"/"UTF-16BE" for a text starting with that byte order mark, else None (no BOM:
    bytes as they are); not for a UTF-32LE BOM."""
    if head.startswith(b"\xff\xfe\0\0"):
        return None
    return UTF16_BOMS.get(head[:2])


def utf16_head(head: bytes, encoding: str) -> bytes:
    """The first bytes of a UTF-16 file as UTF-8, for the stages that read a segment's header."""
    body = head[2:len(head) - len(head) % 2]
    return body.decode(encoding, "replace").encode("utf-8")



def text_head(raw: bytes, host_path: str, limit: int) -> bytes | None:
    """The first bytes of a file as the workers read its text (at most about ``limit``): a
    ``.gz`` decompressed, UTF-16 decoded to UTF-8. None when the gzip data is corrupt (the
    worker leaves such a file out)."""
    if host_path.endswith(".gz") and raw.startswith(GZIP_MAGIC):
        try:
            raw = zlib.decompressobj(wbits=GZIP_WBITS).decompress(raw, limit)
        except zlib.error:
            return None
    encoding = utf16_encoding(raw)
    return utf16_head(raw, encoding) if encoding else raw
