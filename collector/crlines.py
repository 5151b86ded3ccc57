"""Which CRs end lines: a text's line ends as every stage after the reader sees them (LF).

A CR followed by an LF is half of a CRLF (Windows) and stays. A CR alone (not before an LF)
is one of two things:

* a line end, old Mac style: the whole text ends its lines that way (``cr_style``: most of
  the line ends in its head are), or records that end in CR alone were appended after LF or
  CRLF lines by another writer. Such records are found by their timestamps: in an LF line (the
  text between two LFs) whose pieces after a CR alone include a record start (``RECORD_STAMP``),
  every CR alone is a line end; so also in the text's last LF line when the text ends in a CR
  alone (a read that ends there ends at a line end);
* part of a record: a line break a caller or an agent typed into a chat message, an e-mail
  subject or a password value (``"message":"hello<CR>my card is ..."``). Ending the line there
  would cut the value in two and leave its second half without its label; and the rules read
  a value up to a CR or an LF. It is stored as a space (noted), so the value is masked whole;
  a CR just before a CRLF (``Call-ID: x<CR><CR><LF>``) stays.

Line ends are stored as LF, one byte for one (offsets and sizes stay as in the file): the
redactor, the window's trimmer, the unfinished-last-line stage and the leak scanner read lines
up to an LF. ``CrLines`` does it to a stream of chunks with bounded memory; ``as_lf`` to a whole
text; ``find_line_end`` finds the first or last line end where a read is cut (a snapshot's last
whole line, a size cap's first line, a resumed read's context), by the same rules.
"""

from __future__ import annotations

import re

from collector.timeformats import RECORD_STAMP, stamp_from_match

LONE_CR = re.compile(rb"\r(?!\n)")
# an LF line held back this long without a record start after one of its CRs alone is taken
# as CR-ended lines (a record this long with a typed line break is rarer than CR-ended lines
# without timestamps); the memory a stream holds
HOLD_MAX = 1 << 20
CR_ONLY_NOTE = "line ends that were a CR alone (old Mac style) stored as LF"
TYPED_CR_NOTE = "CRs alone inside records (a line break typed into a value) stored as spaces"


def cr_style(head: bytes) -> bool:
    """Whether a text whose first bytes are ``head`` ends its lines in CR alone (more of its
    line ends are a CR alone than an LF or a CRLF): then every CR alone is a line end."""
    if b"\r" not in head:
        return False
    return len(LONE_CR.findall(head)) > head.count(b"\n")


def _record_at(text: bytes, offset: int) -> bool:
    found = RECORD_STAMP.match(text, offset)
    return found is not None and stamp_from_match(found) is not None


def lone_crs_end_lines(line: bytes) -> bool:
    """Whether the CRs alone in ``line`` (text of one LF line, without the CR of a CRLF) end
    lines in LF-style text: a record starts after one of them."""
    return any(_record_at(line, found.end()) for found in LONE_CR.finditer(line))


def as_lf(text: bytes, cr_only: bool) -> tuple[bytes, int]:
    """(``text`` with its line-ending CRs as LF, how many); ``cr_only``: ``cr_style`` of the
    text it is part of. ``text`` is whole lines (a CR at its end is a line end)."""
    if b"\r" not in text:
        return text, 0
    if cr_only:
        return LONE_CR.subn(b"\n", text)
    stage = CrLines(cr_only=False)
    out = stage.feed(text) + stage.finish()
    return out, stage.converted


class CrLines:
    """The ``as_lf`` of a stream: ``feed`` each chunk, ``finish`` at the end; what they return,
    joined, is the text with its line-ending CRs as LF. Holds at most ``HOLD_MAX`` bytes (an
    LF line not yet decided) and a CR at a chunk's end (an LF may follow). ``converted``: the
    CRs turned into LF so far."""

    def __init__(self, *, cr_only: bool, cr_line: bool = False) -> None:
        self.cr_only = cr_only
        self.converted = 0
        self.spaced = 0          # CRs alone inside records stored as spaces
        self._held = b""        # the undecided rest of the current LF line, from its first CR alone
        # the current LF line's CRs alone end lines (decided); ``cr_line``: the text goes on
        # after a line-ending CR alone (a read resumed there)
        self._line_cr = cr_line

    def feed(self, data: bytes) -> bytes:
        if self._held:
            data = self._held + data
            self._held = b""
        elif not self._line_cr and b"\r" not in data:
            return data                         # ordinary LF or CRLF text: as it is
        if data.endswith(b"\r"):                # an LF may follow in the next chunk
            data, self._held = data[:-1], b"\r"
        if self.cr_only:
            data, count = LONE_CR.subn(b"\n", data)
            self.converted += count
            return data
        return self._lf_style(data)

    def _lf_style(self, data: bytes) -> bytes:
        out = []
        pos, size = 0, len(data)
        while pos < size:
            found = LONE_CR.search(data, pos)
            if found is None:
                if self._line_cr and data.find(b"\n", pos) >= 0:
                    self._line_cr = False
                out.append(data[pos:])
                break
            cr = found.start()
            if data.rfind(b"\n", pos, cr) >= 0:
                self._line_cr = False           # a new LF line began before this CR
            lf = data.find(b"\n", cr)
            end = size if lf < 0 else lf
            part = data[cr:end]
            crlf = lf >= 0 and part.endswith(b"\r")
            body = part[:-1] if crlf else part
            if not self._line_cr:
                if lone_crs_end_lines(body):
                    self._line_cr = True
                elif lf < 0 and len(part) + len(self._held) <= HOLD_MAX:
                    out.append(data[pos:cr])    # the line goes on in the next chunk: undecided
                    self._held = part + self._held
                    break
                elif lf < 0:
                    self._line_cr = True        # CR-ended lines without timestamps, it seems
            out.append(data[pos:cr])
            if self._line_cr:
                body, count = LONE_CR.subn(b"\n", body)
                self.converted += count
                out.append(body + b"\r" if crlf else body)
            else:                               # inside a record: a typed line break
                typed = self._typed(body, crlf)
                out.append(typed + b"\r" if crlf else typed)
            pos = end
        return b"".join(out)

    def finish(self) -> bytes:
        """The held bytes at the end of the text (the end of the last LF line): its CRs alone
        end lines when a record follows one of them, or when the text ends in one."""
        held, self._held = self._held, b""
        if held and (self.cr_only or self._line_cr or held.endswith(b"\r") or lone_crs_end_lines(held)):
            held, count = LONE_CR.subn(b"\n", held)
            self.converted += count
        elif held:
            held = self._typed(held, False)
        self._line_cr = False
        return held

    def _typed(self, body: bytes, before_crlf: bool) -> bytes:
        """``body`` (from a CR alone to the end of its LF line, without a CRLF's CR) with its
        CRs alone as spaces: they are inside a record (a line break typed into a chat message
        or a value), where the rules read a value up to a CR; a CR just before a CRLF stays."""
        if before_crlf and body.endswith(b"\r"):
            return self._typed(body[:-1], False) + b"\r"
        body, count = LONE_CR.subn(b" ", body)
        self.spaced += count
        return body

    def note(self) -> str:
        notes = []
        if self.converted:
            notes.append(f"{self.converted} {CR_ONLY_NOTE}")
        if self.spaced:
            notes.append(f"{self.spaced} {TYPED_CR_NOTE}")
        return "; ".join(notes)


def find_line_end(data: bytes, newline: bytes, cr_only: bool, *, last: bool = False,
                  cr_line: bool = False) -> int:
    """Offset of the first (or last) line end in ``data`` that starts on a code-unit boundary
    (``data`` starts on one), or -1: a ``newline``, or a CR alone that ends a line by the rules
    above (a CRLF's offset is its LF's); ``cr_line``: ``data`` starts after a line-ending CR
    alone, so the CRs alone before its first LF end lines. ``newline`` is one byte, or one
    UTF-16 code unit; in UTF-16 text a CR alone is a line end only in CR-style text."""
    unit = len(newline)
    lf_at = _find_unit(data, newline, unit, last)
    cr = newline.replace(b"\n", b"\r")
    if cr not in data:
        return lf_at
    if unit == 1 and not cr_only:
        return _lf_style_line_end(data, lf_at, last, cr_line)
    if unit > 1 and not cr_only:
        return lf_at
    cr_at = _find_unit(data, cr, unit, last)
    if cr_at < 0 or (lf_at >= 0 and (lf_at > cr_at if last else lf_at < cr_at)):
        return lf_at
    if data[cr_at + unit:cr_at + 2 * unit] == newline:
        return cr_at + unit
    return cr_at


def _lf_style_line_end(data: bytes, lf_at: int, last: bool, cr_line: bool) -> int:
    if last:        # the last LF line's last line-ending CR, else the last LF
        line = data[lf_at + 1:]
        if lone_crs_end_lines(line) or (cr_line and lf_at < 0):
            return lf_at + 1 + line.rfind(b"\r")
        return lf_at
    first_line = data[:lf_at] if lf_at >= 0 else data
    if first_line.endswith(b"\r") and lf_at >= 0:
        first_line = first_line[:-1]            # a CRLF's CR
    found = LONE_CR.search(first_line)
    if found is not None and (cr_line or lone_crs_end_lines(first_line)):
        return found.start()
    return lf_at


def _find_unit(data: bytes, needle: bytes, unit: int, last: bool) -> int:
    pos = data.rfind(needle) if last else data.find(needle)
    while pos > 0 and pos % unit:
        pos = data.rfind(needle, 0, pos + unit - 1) if last else data.find(needle, pos + 1)
    return pos
