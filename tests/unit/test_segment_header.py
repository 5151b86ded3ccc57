"""segheader.parse_header: lines found from their endings, in time linear in the head."""

from __future__ import annotations

import time

from collector.segheader import MAX_HEADER_BYTES, parse_header


def test_header_lines_keep_every_ending_and_stop_at_the_first_record() -> None:
    head = (b"Genesys SIP Server 8.1.103.95\r\nApplication name: SIPS_P\rHost name: h1\n"
            b"File: (0007) SIPS_P.20240305_091500_120.log\n\n09:15:00.120 Std 04500 up\nnot read")
    header = parse_header(head)
    assert (header.app_name, header.host_name, header.file_seq) == ("SIPS_P", "h1", 7)
    assert header.header_end == head.index(b"09:15:00.120")
    assert header.version == "8.1.103.95"


def test_a_head_without_a_line_end_is_read_once_not_once_for_every_byte() -> None:
    """A first line longer than the head (a one-line JSON log, a 5 MB line) had the line pattern
    try every start again: a quarter of a second a call, in each stage that reads the header.
    The bound is a thousand times what a linear read takes, and a tenth of the old cost."""
    head = b"A" * MAX_HEADER_BYTES
    started = time.process_time()
    for _ in range(10):
        header = parse_header(head)
    assert time.process_time() - started < 0.25
    assert header.header_end == 0 and header.banner == ""
