"""The member stages in front of redaction that turn a file into text the rules can see: UTF-16
(with a BOM) decoded to UTF-8, and a NUL run ending a log dropped (collector/member.py)."""

from __future__ import annotations

import gzip
import os
from pathlib import Path

import pytest

from collector import member
from collector.crlines import cr_style, find_line_end
from collector.errors import RedactionFailed
from collector.model import Candidate, Window

INI = "[Database]\r\nPassword=Secret123\r\nServer=db01 \u260e M\u00fcller \U0001f600\r\n; \u2554\u2550\u2550\u2550\u2557 \u2026\r\n"
BOMS = {"UTF-16LE": b"\xff\xfe", "UTF-16BE": b"\xfe\xff"}


def utf16(text: str, encoding: str = "UTF-16LE") -> bytes:
    return BOMS[encoding] + text.encode(encoding)


def decode(data: bytes, encoding: str, size: int, *, bom: bool = True) -> bytes:
    chunks = [data[i:i + size] for i in range(0, len(data), size)]
    return b"".join(member._utf16_to_utf8(chunks, encoding, bom=bom))


@pytest.mark.parametrize("encoding", ["UTF-16LE", "UTF-16BE"])
@pytest.mark.parametrize("size", [1, 2, 3, 7, 4096])
def test_utf16_becomes_utf8_whatever_the_chunking(encoding, size) -> None:
    """A character (also a surrogate pair) may be cut anywhere, at odd offsets too; line endings
    stay as they are, the BOM goes."""
    assert decode(utf16(INI, encoding), encoding, size) == INI.encode("utf-8")


@pytest.mark.parametrize("tail,reason", [
    ("\ud800".encode("utf-16-le", "surrogatepass") + "x\r\n".encode("utf-16-le"), "lone surrogate"),  # high
    ("a\udc00b".encode("utf-16-le", "surrogatepass"), "lone surrogate"),                             # low
    (b"a\x00b", "ends inside a character"),                                                     # odd byte count
    ("\ud83d".encode("utf-16-le", "surrogatepass"), "ends inside a character"),                 # half a pair at the end
])
def test_invalid_utf16_fails_closed(tail, reason) -> None:
    with pytest.raises(RedactionFailed, match=reason):
        decode(utf16("ok\r\n") + tail, "UTF-16LE", 3)


@pytest.mark.parametrize("size", [1, 5, 4096])
def test_8bit_text_appended_to_a_utf16_file_is_left_out(size) -> None:
    """`echo Password=Secret1 >> file.log` on a UTF-16 file: read as UTF-16 those bytes are CJK
    characters no rule sees, and re-encoding gives them back: never shipped."""
    data = utf16("line one\r\n") + b"Password=Secret1\r\n"
    with pytest.raises(RedactionFailed, match="8-bit text read as UTF-16"):
        decode(data, "UTF-16LE", size)


def test_a_misread_run_split_between_chunks_is_seen() -> None:
    data = utf16("ok") + b"Passwo"                  # U+6150 in the first chunk, U+7373 U+6F77 in the next
    with pytest.raises(RedactionFailed, match="8-bit"):
        b"".join(member._utf16_to_utf8([data[:8], data[8:]], "UTF-16LE", bom=True))


def test_without_a_bom_at_the_start_nothing_is_dropped() -> None:
    text = "\ufeffx\r\n"            # a stream read from an offset: a U+FEFF there is text
    assert decode(text.encode("utf-16-be"), "UTF-16BE", 2, bom=False) == text.encode("utf-8")


@pytest.mark.parametrize("head,expected", [
    (b"\xff\xfe[\x00", "UTF-16LE"), (b"\xfe\xff\x00[", "UTF-16BE"),
    (b"\xff\xfe\x00\x00[\x00\x00\x00", None),       # UTF-32LE: not UTF-16
    (b"[Database]\r\n", None), (b"\xef\xbb\xbf[Database]", None),
])
def test_only_a_utf16_bom_makes_a_file_utf16(head, expected) -> None:
    candidate = Candidate(source=Path("x.ini"), host_path="x.ini", product="p", installation="i",
                          spec_id="s", kind="config", size=10, mtime=0.0)
    assert member._utf16_encoding(candidate, head) == expected
    raw = Candidate(source=Path("x.ininlog"), host_path="x.ininlog", product="p", installation="i",
                    spec_id="s", kind="binary-log", size=10, mtime=0.0, unredacted_consent=True)
    assert member._utf16_encoding(raw, head) is None   # shipped raw by consent: byte for byte


def test_newlines_are_found_only_on_a_code_unit_boundary() -> None:
    # U+0A41 U+4100 "\n" (41 0A 00 41 0A 00): the first b"\n\0" is at offset 1, inside characters
    data = "\u0a41\u4100\n".encode("utf-16-le")
    assert data.find(b"\n\0") == 1
    for cr_only in (False, True):
        assert find_line_end(data, b"\n\0", cr_only) == 4
        assert find_line_end(data, b"\n\0", cr_only, last=True) == 4
        assert find_line_end(data[:4], b"\n\0", cr_only) == find_line_end(data[:4], b"\n\0", cr_only, last=True) == -1
        assert find_line_end(b"a\nb\n", b"\n", cr_only, last=True) == 3


def _candidate(path: Path, kind: str = "log", **extra) -> Candidate:
    info = path.stat()
    return Candidate(source=path, host_path=f"var/log/x/{path.name}", product="sip-server", installation="X",
                     spec_id="segments", kind=kind, size=info.st_size, mtime=0.0,
                     rule_sets=("common-secrets", "config-secrets", "tlib"), device=info.st_dev, inode=info.st_ino,
                     **extra)


def _process(tmp_path: Path, candidate: Candidate, chunk: int = 4096):
    pieces = tmp_path / "pieces"
    pieces.mkdir(exist_ok=True)
    member.configure_worker(member.WorkerConfig(pieces, "tar.gz", None, b"k" * 32, tmp_path / "t.db", (),
                                                Window(), chunk))
    try:
        outcome = member.process_member(candidate)
    finally:
        member.close_worker()
    piece = outcome.piece
    stored = None if piece is None else gzip.decompress(piece.data if piece.path is None else piece.path.read_bytes())
    return outcome, stored


LINES = "".join(f"09:15:{i % 60:02d}.000 Std 09900 line {i} \u00e9t\u00e9\r\n" for i in range(400))


def test_a_capped_utf16_log_keeps_its_last_whole_lines(tmp_path) -> None:
    """The size cap's cut is made on a code unit and after a newline: the tail decodes cleanly."""
    path = tmp_path / "x.log"
    path.write_bytes(utf16(LINES))
    for tail in (1001, 1000, 4321):
        outcome, stored = _process(tmp_path, _candidate(path, tail_bytes=tail), chunk=333)
        assert outcome.excluded is None, outcome.excluded
        assert LINES.encode("utf-8").endswith(stored) and stored.startswith(b"09:15:")
        assert outcome.result.note == "tail of file (size cap); converted from UTF-16LE to UTF-8"


def test_a_growing_utf16_log_is_read_to_its_last_newline_and_resumed_there(tmp_path) -> None:
    path = tmp_path / "x.log"
    path.write_bytes(utf16(LINES) + "09:16:00.000 Std 09900 half a li".encode("utf-16-le"))
    outcome, stored = _process(tmp_path, _candidate(path, whole_lines_only=True), chunk=500)
    assert outcome.excluded is None and stored == LINES.encode("utf-8")
    end = outcome.result.end_offset
    assert end == len(utf16(LINES))
    with open(path, "ab") as handle:
        handle.write("ne\r\n".encode("utf-16-le"))
    outcome, stored = _process(tmp_path, _candidate(path, start_offset=end, whole_lines_only=True))
    assert outcome.excluded is None and stored == b"09:16:00.000 Std 09900 half a line\r\n"


def test_a_utf16_config_is_redacted_as_utf8(tmp_path) -> None:
    path = tmp_path / "utf16.ini"
    path.write_bytes(utf16(INI))
    outcome, stored = _process(tmp_path, _candidate(path, kind="config"), chunk=7)
    assert outcome.excluded is None, outcome.excluded
    assert stored == INI.replace("Secret123", "REDACTED").encode("utf-8")
    assert outcome.result.note == "converted from UTF-16LE to UTF-8"
    assert outcome.result.size_in == path.stat().st_size and outcome.result.redactions


def test_a_gzipped_utf16_log_is_decompressed_and_converted(tmp_path) -> None:
    path = tmp_path / "x.20250101.log.gz"
    path.write_bytes(gzip.compress(utf16(LINES + "\tpassword=GzPw_1\r\n")))
    outcome, stored = _process(tmp_path, _candidate(path))
    assert outcome.excluded is None, outcome.excluded
    assert b"GzPw_1" not in stored and stored.startswith(LINES.encode("utf-8"))
    assert outcome.result.note == f"decompressed from {path.name}; converted from UTF-16LE to UTF-8"


def test_a_utf16_log_padded_with_nuls_is_collected(tmp_path) -> None:
    path = tmp_path / "x.log"
    path.write_bytes(utf16(LINES) + bytes(4096))
    outcome, stored = _process(tmp_path, _candidate(path))
    assert outcome.excluded is None and stored == LINES.encode("utf-8")
    assert outcome.result.note == "converted from UTF-16LE to UTF-8; 2048 trailing NUL characters dropped"


def test_binary_behind_a_utf16_bom_is_left_out(tmp_path) -> None:
    path = tmp_path / "x.log"
    path.write_bytes(b"\xff\xfe" + bytes(range(256)) * 64)
    outcome, stored = _process(tmp_path, _candidate(path))
    assert outcome.result is None and stored is None and "cannot be redacted" in outcome.excluded.reason


def test_a_log_ending_in_nuls_is_collected_and_says_so(tmp_path) -> None:
    path = tmp_path / "x.snapshot.log"
    path.write_bytes(b"09:15:05.000 Std 09900 ok\n\tAttributeANI\t'5550103456'\n" + bytes(5000))
    outcome, stored = _process(tmp_path, _candidate(path), chunk=1024)
    assert outcome.excluded is None, outcome.excluded
    assert stored.startswith(b"09:15:05.000 Std 09900 ok\n\tAttributeANI\t'PHONE_") and stored.endswith(b"'\n")
    assert outcome.result.note == "5000 trailing NUL bytes dropped"
    assert outcome.result.size_in == outcome.result.end_offset == 5000 + 53


def test_a_nul_block_inside_a_log_is_removed_and_the_log_collected(tmp_path) -> None:
    """A crash leaves NULs where unflushed text was, then the segment goes on: the log is still
    collected (that hour is what support needs), redacted, and the manifest note says so."""
    path = tmp_path / "x.log"
    path.write_bytes(b"09:15:05.000 Std 09900 ok\x00\n\tAttributeANI\t'5550103250'\n" + bytes(4096)
                     + b"09:20:00.000 Std 04500 started again\n" + bytes(100))
    outcome, stored = _process(tmp_path, _candidate(path), chunk=16)
    assert outcome.excluded is None, outcome.excluded
    assert b"\0" not in stored and b"5550103250" not in stored
    assert stored.startswith(b"09:15:05.000 Std 09900 ok\n\tAttributeANI\t'PHONE_")
    assert stored.endswith(b"'\n09:20:00.000 Std 04500 started again\n")
    assert outcome.result.note == ("4097 NUL bytes removed from the text (2 places: a crash or an unflushed write); "
                                   "100 trailing NUL bytes dropped")


def test_nuls_in_many_places_still_leave_a_file_out(tmp_path) -> None:
    path = tmp_path / "x.log"
    path.write_bytes(b"".join(b"%-12s\0\0\0\0%-10s\0\0" % (b"Ann Smith", b"5550103250") for _ in range(100)) + b"\n")
    outcome, stored = _process(tmp_path, _candidate(path), chunk=64)
    assert outcome.result is None and stored is None and "NUL bytes in more than 64 places" in outcome.excluded.reason
    assert os.listdir(tmp_path / "pieces") == []


def unfinished(data: bytes, size: int) -> tuple[bytes, member._UnfinishedLastLine]:
    stage = member._UnfinishedLastLine()
    chunks = [data[i:i + size] for i in range(0, len(data), size)]
    return b"".join(stage.chunks(chunks)), stage


@pytest.mark.parametrize("size", [1, 2, 5, 4096])
@pytest.mark.parametrize("text, kept", [
    (b"a 1\nb 2\n\tAttributeDNIS\t'1555550", b"a 1\nb 2\n"),             # LF, line still being written
    (b"a 1\r\nb 2\r\nPassword=\"Tr0ub", b"a 1\r\nb 2\r\n"),               # CRLF
    (b"a 1\nb 2\n", b"a 1\nb 2\n"),                                        # whole: as it is
    (b"a 1\r\nb 2\r\n", b"a 1\r\nb 2\r\n"),
    # a CR alone that reaches this stage is inside a record (line-ending ones are LF already,
    # _CrLineEnds): no line end; the value after it is not handed on alone (probe Z 1)
    (b"a 1\nb password='Pw\rZz", b"a 1\n"),
    (b"a 1\nb 2\r", b"a 1\n"),
    (b"", b""),
])
def test_the_unfinished_last_line_is_left_out(text, kept, size):
    out, stage = unfinished(text, size)
    assert out == kept and stage.ended and stage.dropped == len(text) - len(kept)


@pytest.mark.parametrize("text", [b"Password=\"Tr0ub", bytes(100) + b"x" + bytes(10)])
def test_a_text_without_any_line_end_is_left_out(text):
    with pytest.raises(RedactionFailed, match="no complete line"):
        unfinished(text, 3)


@pytest.mark.parametrize("size", [1, 3, 4096])
def test_nuls_after_the_last_line_go_on_to_the_redactor_and_after_a_half_line_are_dropped(size):
    out, stage = unfinished(b"a 1\n" + bytes(100), size)
    assert out == b"a 1\n" + bytes(100) and stage.dropped == 0          # the redactor drops and counts them
    out, stage = unfinished(b"a 1\nhalf" + bytes(100), size)
    assert out == b"a 1\n" and (stage.dropped, stage.nuls_after) == (4, 100)
    out, stage = unfinished(b"a 1\n" + bytes(10) + b"b 2\nc", size)      # NULs inside the text: as they are
    assert out == b"a 1\n" + bytes(10) + b"b 2\n" and stage.dropped == 1


@pytest.mark.parametrize("size", [1, 4096])
def test_a_finished_files_last_line_is_kept_and_noted_unless_written_while_read(size):
    """Probe X 9: a finished file's last line without a newline is handed on and the note says
    so; when the file was written while it was read (``still_finished`` False), it is dropped
    as a live file's: the writer may be in the middle of that line."""
    text = b"a 1\nFATAL: signal 11" + bytes(8)
    chunks = [text[i:i + size] for i in range(0, len(text), size)]
    stage = member._UnfinishedLastLine(keep_last=True, still_finished=lambda: True, why="it is old")
    assert b"".join(stage.chunks(chunks)) == text and stage.kept == 16 and not stage.dropped
    assert stage.note() == ("its last line had no newline, and it is old (a crash or a stop cut the line): "
                            "its 16 bytes kept, redacted like any line")
    stage = member._UnfinishedLastLine(keep_last=True, still_finished=lambda: False, why="it is old")
    assert b"".join(stage.chunks(chunks)) == b"a 1\n" and (stage.kept, stage.dropped) == (0, 16)
    assert stage.note().startswith("its last line had no newline (still being written, or cut by a crash)")


def test_an_unfinished_line_over_the_limit_is_left_out(monkeypatch):
    monkeypatch.setattr(member, "MAX_HELD_LINE", 10)
    with pytest.raises(RedactionFailed):
        unfinished(b"a\n" + b"x" * 20, 4)


@pytest.mark.parametrize("size", [1, 2, 3, 4096])
def test_cr_only_text_reaches_the_stages_as_lf_lines(size):
    """Probe V 1: in CR-style text every lone CR becomes one LF (byte for byte, so offsets stay),
    a CRLF later in the text stays, also when a chunk ends between its CR and LF; a resumed
    read's context (whole lines) is turned alike."""
    text = b"a 1\rb 2\r\tAttributeUserData\r\t\t'CustomerName'\t'Q'\rc 3\r\nd 4\r"
    assert cr_style(text)
    stage = member._CrLineEnds(cr_style(text))
    out = b"".join(stage.chunks([text[i:i + size] for i in range(0, len(text), size)]))
    assert out == b"a 1\nb 2\n\tAttributeUserData\n\t\t'CustomerName'\t'Q'\nc 3\r\nd 4\n"
    assert stage.converted == 5 and len(out) == len(text)
    stage = member._CrLineEnds(True)
    out = list(stage.chunks([b"head\r", member._Context(b"x\ry\r"), b"z\r"]))
    assert out == [b"head", b"\n", b"x\ny\n", b"z", b"\n"] and type(out[2]) is member._Context


def test_a_cr_alone_ends_a_line_for_the_line_search() -> None:
    """Probe Y 1/2: where a read is cut (a snapshot's last whole line, a tail's first line, a
    resumed read's context), a CR alone is a line end as an LF is, in CR-style and in LF text
    (outside a value); a CRLF is one line end (at its LF)."""
    for cr_only in (True, False):
        assert find_line_end(b"a\nb\rc", b"\n", cr_only, last=True) == 3
        assert find_line_end(b"a\rb\nc", b"\n", cr_only, last=True) == 3
        assert find_line_end(b"ab\rc\nd", b"\n", cr_only) == 2
        assert find_line_end(b"ab\r\nc\rd", b"\n", cr_only) == 3
        assert find_line_end(b"ab\r\nc", b"\n", cr_only, last=True) == 3
        assert find_line_end(b"abc", b"\n", cr_only) == find_line_end(b"abc", b"\n", cr_only, last=True) == -1
    assert find_line_end("a\rb".encode("utf-16-le"), b"\n\0", True, last=True) == 2
    assert find_line_end("a\rb".encode("utf-16-le"), b"\n\0", False, last=True) == 2


def test_a_cr_typed_inside_a_value_is_no_line_end() -> None:
    """Probe Z 1 and 2: a CR alone inside a value of an LF or CRLF log (a line break a caller
    typed into a chat message, inside a password) cut the value in two once every CR alone was
    a line end: the chat text after it shipped raw. Inside an open double-quoted string, or a
    single-quoted value opened after = or :, it is no line end (a record stamp after it makes
    it one all the same), for the stream and for the line search; the stream stores it as a
    space (the rules read a value up to a CR). A CR just before a CRLF stays as it is."""
    assert find_line_end(b'a\n{"t":"b\rc', b"\n", False, last=True) == 1
    assert find_line_end(b"a='b\rc'\nd", b"\n", False) == 7
    assert find_line_end(b'{"t":"b\r09:15:06.000 Std 1\n', b"\n", False) == 7      # a value cut short
    assert find_line_end(b"Call-ID: x\r\r\nFrom", b"\n", False) == 12
    text = (b"Genesys Interaction Server 8.5.1\r\nHost name: ixn01\r\n"
            b"2026-11-27T09:00:00.000 Trc 1 {\"text\":\"hello\rmy \\\"card\\\" is 4111\rthanks\"}\n"
            b"09:00:00.000 password='PwZz\rCR10' it's\r\nCall-ID: x\r\r\nFrom: y\r\n")
    assert not cr_style(text)
    for size in (1, 2, 3, 4096):
        stage = member._CrLineEnds(False)
        out = b"".join(stage.chunks([text[i:i + size] for i in range(0, len(text), size)]))
        assert out == text.replace(b"o\rm", b"o m").replace(b"1\rt", b"1 t").replace(b"z\rC", b"z C")
        assert (stage.converted, stage.lines.spaced) == (0, 3)
        assert stage.note() == "3 CRs alone inside records (a line break typed into a value) stored as spaces"
    stage = member._CrLineEnds(False)
    assert b"".join(stage.chunks([b"a\nb='x\ry", b"z'"])) == b"a\nb='x yz'"


@pytest.mark.parametrize("size", [1, 5, 4096])
def test_cr_ended_lines_of_an_lf_record_are_lines(size) -> None:
    """Probe AA 1: the CR-ended lines of one record in LF or CRLF text (T-Lib attribute lines,
    a YAML block) were joined with spaces when no timestamp followed a CR: the KVList and YAML
    rules, which read a line from its start, never saw them (PIN and password shipped raw).
    Outside a value a CR alone is a line end; an apostrophe in text opens no value."""
    text = (b"09:15:05.000 Trc 04541 RequestRouteCall: it's here\n\tAttributeUserData\t[44]..\r"
            b"\t\t'CustomerPIN'\t'482932'\r\t\t'salasana'\t'Sy2pw9Q'\r\n"
            b"db:\r  password: |\r    Sy5pw9Q\r")
    stage = member._CrLineEnds(False)
    out = b"".join(stage.chunks([text[i:i + size] for i in range(0, len(text), size)]))
    assert out == text.replace(b"\r\n", b"\0").replace(b"\r", b"\n").replace(b"\0", b"\r\n")
    assert (stage.converted, stage.lines.spaced) == (5, 0)
    stage = member._CrLineEnds(False)          # a stray double quote: attribute lines still end
    assert b"".join(stage.chunks([b'a 5" screen\r\t\t\'PIN\'\t\'4829\'\r\n'])) == b'a 5" screen\n\t\t\'PIN\'\t\'4829\'\r\n'


MIXED_HEADER = (b"Genesys SIP Server 8.1.103.95\nApplication name: SIPS_P\nApplication type: TServer\n"
                b"Host name: sip01\nLocal time:  2026-11-27T09:00:00.000\nTime zone: -3600\n"
                b"File: (0000000001) x.log\n")


def _ringing(n: int) -> bytes:
    return (b"@09:15:05.8712 [0] 8.1.103.95 distribute_event: message EventRinging\n"
            b"\tAttributeUserData\t[88] 00 03 00 00..\n"
            b"\t\t'AccountNumber'\t'7%07d'\n\t\t'CustomerName'\t'Jane Q%d'\n"
            b"\tAttributeConnID\t007b02aa3c1f0011\n" % (n, n))


def _assert_redacted_lf(stored: bytes, numbers) -> None:
    for n in numbers:
        assert b"'7%07d'" % n not in stored and b"Jane Q%d'" % n not in stored, n
    assert stored.count(b"\t\t'AccountNumber'\t'USERDATA_") == len(numbers)
    assert stored.count(b"\t\t'CustomerName'\t'USERDATA_") == len(numbers)
    assert b"\r" not in stored


@pytest.mark.parametrize("chunk", [7, 4096])
def test_cr_records_after_lf_lines_are_lines_for_every_stage(tmp_path, chunk) -> None:
    """Probe Y 1 and 2: records that end in CR alone after an LF header and LF records (another
    writer appended them) had their user data shipped raw (the text was read as a few huge
    lines), and in a live file all of them were dropped as its unfinished last line."""
    path = tmp_path / "x.log"
    text = MIXED_HEADER + _ringing(1) + b"".join(_ringing(n) for n in range(2, 6)).replace(b"\n", b"\r")
    path.write_bytes(text)
    outcome, stored = _process(tmp_path, _candidate(path), chunk=chunk)
    assert outcome.excluded is None, outcome.excluded
    assert stored.count(b"\n") == text.count(b"\n") + text.count(b"\r") and stored.startswith(MIXED_HEADER)
    _assert_redacted_lf(stored, range(1, 6))
    assert outcome.result.size_in == len(text)
    assert outcome.result.note == "20 line ends that were a CR alone (old Mac style) stored as LF"


def test_a_snapshot_of_mixed_text_stops_after_its_last_cr_line_and_resumes_there(tmp_path) -> None:
    """The live segment's whole lines end at its last CR; the next run primes the rules with
    the lines before (CR-ended ones too), so a pair whose AttributeUserData line was read
    before is redacted."""
    path = tmp_path / "x.log"
    first = MIXED_HEADER + _ringing(1) + _ringing(2).replace(b"\n", b"\r")
    path.write_bytes(first + b"@09:15:06.0001 [0] 8.1.103.95 half a li")
    outcome, stored = _process(tmp_path, _candidate(path, whole_lines_only=True), chunk=11)
    assert outcome.excluded is None and outcome.result.end_offset == len(first)
    _assert_redacted_lf(stored, [1, 2])
    assert b"half a li" not in stored
    rest = b"ne\r" + _ringing(3)[:-len(b"\tAttributeConnID\t007b02aa3c1f0011\n")].replace(b"\n", b"\r")
    with open(path, "ab") as handle:
        handle.write(rest[:rest.index(b"\t\t'AccountNumber'")])
    end = outcome.result.end_offset
    outcome, stored = _process(tmp_path, _candidate(path, start_offset=end, whole_lines_only=True), chunk=11)
    assert outcome.excluded is None and outcome.result.end_offset == path.stat().st_size
    with open(path, "ab") as handle:
        handle.write(rest[rest.index(b"\t\t'AccountNumber'"):])
    end = outcome.result.end_offset
    outcome, stored = _process(tmp_path, _candidate(path, start_offset=end, whole_lines_only=True), chunk=11)
    assert outcome.excluded is None, outcome.excluded
    assert stored.startswith(MIXED_HEADER) and outcome.result.end_offset == path.stat().st_size
    _assert_redacted_lf(stored[len(MIXED_HEADER):], [3])


def test_a_gzipped_mixed_log_has_its_cr_records_redacted(tmp_path) -> None:
    path = tmp_path / "x.20261127.log.gz"
    path.write_bytes(gzip.compress(MIXED_HEADER + (_ringing(1) + _ringing(2)).replace(b"\n", b"\r")))
    outcome, stored = _process(tmp_path, _candidate(path), chunk=5)
    assert outcome.excluded is None, outcome.excluded
    _assert_redacted_lf(stored, [1, 2])
    assert "that were a CR alone (old Mac style) stored as LF" in outcome.result.note


def test_quotes_are_counted_with_their_escapes() -> None:
    """Probe AB 3: an escaped backslash before a quote ("C:\\logs\\") closes the string, a doubled
    single quote inside a value ('it''s) does not close it, an apostrophe inside a double-quoted
    string is text; and probe AB 2: a CR before a space or a tab (an indented line) ends a line
    even after an unbalanced quote."""
    cases = [
        (b'a="C:\\\\logs\\\\" x\rb\n', b'a="C:\\\\logs\\\\" x\nb\n'),
        (b"password='it''s\rX'\n", b"password='it''s X'\n"),
        (b'{"t":"it\'s\rX"}\n', b'{"t":"it\'s X"}\n'),
        (b'note: "open\r  password: |\r    Sy5\n', b'note: "open\n  password: |\n    Sy5\n'),
    ]
    for text, want in cases:
        for size in (1, 4096):
            stage = member._CrLineEnds(False)
            assert b"".join(stage.chunks([text[i:i + size] for i in range(0, len(text), size)])) == want, text


def test_a_snapshot_keeps_the_line_its_cut_ends_at_a_cr(tmp_path) -> None:
    """Probe AB 5: a CR inside a quote with a tab after it is a line end; a snapshot's cut fell
    just after it, and the stream (nothing after it to look at) stored it as a space: the line
    had no end, was dropped as unfinished, and the next run resumed after it (lost)."""
    path = tmp_path / "x.log"
    line = b'09:15:05.000 Std 04541 Message "EventRinging\r'
    path.write_bytes(MIXED_HEADER + line + b"\tAttributeThisDN\t'71")
    outcome, stored = _process(tmp_path, _candidate(path, whole_lines_only=True), chunk=4096)
    assert outcome.excluded is None and outcome.result.end_offset == len(MIXED_HEADER + line)
    assert stored == MIXED_HEADER + line[:-1] + b"\n"


def test_a_snapshot_cut_counts_quotes_from_the_start_of_the_line(tmp_path, monkeypatch) -> None:
    """Probe AB 1: the last line end was looked for in the file's last 1 MiB, its quotes counted
    from there (mid-line): a CR typed inside a password after a long JSON value counted as a
    line end; the record was dropped and the next run shipped the password's second half raw.
    The window grows back to the line's start."""
    monkeypatch.setattr(member, "LAST_LINE_WINDOW", 64)
    path = tmp_path / "x.log"
    record = b'09:15:05.000 Std 0 {"blob":"' + b"QUJD" * 50 + b'","password":"Pw1\rSz4pw9Q'
    path.write_bytes(MIXED_HEADER + record)
    outcome, stored = _process(tmp_path, _candidate(path, whole_lines_only=True), chunk=4096)
    assert outcome.excluded is None and outcome.result.end_offset == len(MIXED_HEADER)
    assert b"Sz4" not in stored and b"Pw1" not in stored
