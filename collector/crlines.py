"""Which CRs end lines: a text's line ends as every stage after the reader sees them (LF).

A CR followed by an LF is half of a CRLF (Windows) and stays. A CR alone (not before an LF)
is one of three things:

* a line end, old Mac style: the whole text ends its lines that way (``cr_style``: most of the
  line ends in its head are a CR alone), or lines that end in a CR alone come after LF or CRLF
  lines (another writer appended records; T-Lib attribute lines of one record; a YAML block);
  in LF or CRLF text a CR alone is a line end unless it is inside a value;
* part of a record, inside a value: a line break a caller or an agent typed into a chat
  message or a password (``{"message":"hello<CR>my card is ...``, ``password='Pw<CR>x'``),
  that is, after an odd number of unescaped double quotes since the line's start, or inside a
  single-quoted value opened after ``=`` or ``:``. Ending the line there would cut the value in
  two and leave its second half without its label, and the rules read a value up to a CR or an
  LF: it is stored as a space (noted), so the value is masked whole. A record timestamp
  (``RECORD_STAMP``), a tab or a space (a T-Lib attribute line, an indented YAML or KVList
  line) right after it makes it a line end all the same (a value cut short, a stray quote);
* just before a CRLF (``Call-ID: x<CR><CR><LF>``, a malformed SIP header support may be
  chasing): it stays.

Line ends are stored as LF, one byte for one (offsets and sizes stay as in the file): the
redactor, the window's trimmer, the unfinished-last-line stage and the leak scanner read lines
up to an LF. ``CrLines`` does it to a stream of chunks, holding at most ``LOOK`` bytes;
``as_lf`` to a whole text; ``find_line_end`` finds the first or last line end where a read is
cut (a snapshot's last whole line, a size cap's first line, a resumed read's context), by the
same rules (a window's quotes counted from its start).
"""

from __future__ import annotations

import functools
import re

from collector.timeformats import RECORD_STAMP, stamp_from_match

LONE_CR = re.compile(rb"\r(?!\n)")
LOOK = 128      # bytes after a CR alone read before it is judged (a record stamp, a CRLF)
_OPENS_VALUE = re.compile(rb"[=:][ \t]*\Z")
_QUOTE = re.compile(rb"[\"']")
_MAY_OPEN = rb"[\"]|[=:][ \t]*'"       # where a value can open (no match: no quote to count)

CR_ONLY_NOTE = "line ends that were a CR alone (old Mac style) stored as LF"
TYPED_CR_NOTE = "CRs alone inside records (a line break typed into a value) stored as spaces"
_END, _TYPED, _KEEP = 0, 1, 2


def cr_style(head: bytes) -> bool:
    """Whether a text whose first bytes are ``head`` ends its lines in CR alone (more of its
    line ends are a CR alone than an LF or a CRLF): then every CR alone is a line end."""
    if b"\r" not in head:
        return False
    return len(LONE_CR.findall(head)) > head.count(b"\n")


@functools.cache
def _may_open():
    """RE2 search for ``_MAY_OPEN`` (Python's ``re`` took 7 ms a MB for this alternation)."""
    import re2

    from collector.re2search import latin1_options, span_search

    return span_search(re2.compile(_MAY_OPEN, latin1_options()))


def _record_at(text: bytes, offset: int) -> bool:
    found = RECORD_STAMP.match(text, offset)
    return found is not None and stamp_from_match(found) is not None


class _Quotes:
    """Whether the text since the last line end is inside a value: an odd number of unescaped
    double quotes, or a single quote that opened a value after ``=`` or ``:`` and is not closed."""

    __slots__ = ("double", "single", "tail", "closed_last")

    def __init__(self) -> None:
        self.double = False
        self.single = False
        self.tail = b""         # the line's last bytes so far: an escape or an = before a quote
        self.closed_last = False    # a single-quoted value closed at the text's last byte ('' may follow)

    def reset(self) -> None:
        self.double = self.single = self.closed_last = False
        self.tail = b""

    @property
    def inside(self) -> bool:
        return self.double or self.single

    def add(self, text: bytes) -> None:
        """``text`` comes next on the line (no line end in it). A quote after an odd run of
        backslashes is escaped; inside a double-quoted string a single quote is text, and the
        other way round; a doubled single quote inside a single-quoted value ('it''s) is one."""
        if not text:
            return
        view = self.tail + text if self.tail else text
        begin = len(view) - len(text)
        if self.closed_last:
            self.closed_last = False
            if text[:1] == b"'":                            # the second quote of a '' pair
                self.single = True
                begin += 1
        if b'"' in text or b"'" in text:
            skip = -1
            for found in _QUOTE.finditer(view, begin):
                at = found.start()
                if at == skip:
                    continue
                run = at
                while run and view[run - 1] == 92:          # backslashes before it
                    run -= 1
                if (at - run) % 2:
                    continue                                # escaped
                if view[at] == 34:                          # "
                    if not self.single:
                        self.double = not self.double
                elif self.double:
                    continue
                elif self.single:
                    if view[at + 1:at + 2] == b"'":
                        skip = at + 1                       # '' inside the value: one quote
                    else:
                        self.single = False
                        self.closed_last = at == len(view) - 1
                else:
                    self.single = _OPENS_VALUE.search(view, max(0, at - 8), at) is not None
        self.tail = view[-16:]

    def add_line_tail(self, text: bytes) -> None:
        """``text`` comes next and may hold line ends (LF): only what follows the last counts."""
        at = text.rfind(b"\n")
        if at >= 0:
            self.reset()
            text = text[at + 1:]
        if text:
            self.add(text)


def _judge(data: bytes, cr: int, quotes: _Quotes) -> int:
    """What the CR alone at ``cr`` is, the text before it (since the last line end) given by
    ``quotes``; ``data`` holds ``LOOK`` bytes after it, or all there is."""
    after = data[cr + 1:cr + 3]
    if after == b"\r\n":
        return _KEEP
    if not quotes.inside or after[:1] in (b"\t", b" ") or _record_at(data, cr + 1):
        return _END
    return _TYPED


def _ending_crs_as_lf(text: bytes) -> tuple[bytes, int]:
    """``text`` with every CR alone as LF but one just before a CRLF (which stays), and how many:
    bytes.replace between the CRLFs (a regex substitution took 20 ms a MB of CR-ended lines)."""
    if b"\r\n" not in text:
        return text.replace(b"\r", b"\n"), text.count(b"\r")
    parts = text.split(b"\r\n")
    last = len(parts) - 1
    out = [part[:-1].replace(b"\r", b"\n") + b"\r" if index < last and part.endswith(b"\r")
           else part.replace(b"\r", b"\n") for index, part in enumerate(parts)]
    kept = sum(1 for index, part in enumerate(parts) if index < last and part.endswith(b"\r"))
    return b"\r\n".join(out), text.count(b"\r") - last - kept


def as_lf(text: bytes, cr_only: bool) -> tuple[bytes, int]:
    """(``text`` with its line-ending CRs as LF, how many); ``cr_only``: ``cr_style`` of the
    text it is part of. ``text`` starts at a line start."""
    if b"\r" not in text:
        return text, 0
    stage = CrLines(cr_only=cr_only)
    out = stage.feed(text) + stage.finish()
    return out, stage.converted


class CrLines:
    """The ``as_lf`` of a stream: ``feed`` each chunk, ``finish`` at the end; what they return,
    joined, is the text with its line-ending CRs as LF and its typed ones as spaces. Holds at
    most ``LOOK`` bytes back (from a CR alone near a chunk's end). ``converted``, ``spaced``:
    the CRs turned into LF, into a space, so far."""

    def __init__(self, *, cr_only: bool, ends_line: bool = False) -> None:
        self.cr_only = cr_only
        self.ends_line = ends_line  # the text ends at a line end (a snapshot's cut): a CR there is one
        self.converted = 0
        self.spaced = 0
        self._held = b""            # from a CR near the end of the last chunk: judged with the next
        self._quotes = _Quotes()    # the current line's text before ``_held``

    def feed(self, data: bytes) -> bytes:
        if self._held:
            data = self._held + data
            self._held = b""
        elif b"\r" not in data:
            if not self.cr_only:
                self._quotes.add_line_tail(data)    # ordinary LF text: as it is
            return data
        return self._convert(data, final=False)

    def finish(self) -> bytes:
        held, self._held = self._held, b""
        return self._convert(held, final=True) if held else b""

    def _convert(self, data: bytes, *, final: bool) -> bytes:
        if self.cr_only:
            if not final and data.endswith(b"\r"):       # an LF may follow in the next chunk
                data, self._held = data[:-1], b"\r"
            data, count = LONE_CR.subn(b"\n", data)
            self.converted += count
            return data
        quotes = self._quotes
        may_open = _may_open()
        if (not quotes.inside and not quotes.closed_last and may_open(data, 0) is None
                and may_open(quotes.tail + data[:16], 0) is None):
            # no value can open here (T-Lib attribute lines, CR-ended records): every CR alone
            # ends a line, but one before a CRLF; a CR run at the end waits for what follows
            cut = len(data)
            if not final:
                while cut and data[cut - 1] == 13:
                    cut -= 1
                self._held = data[cut:]
            data, count = _ending_crs_as_lf(data[:cut] if cut < len(data) else data)
            self.converted += count
            quotes.add_line_tail(data)
            return data
        out = []
        pos, size = 0, len(data)
        while True:
            found = LONE_CR.search(data, pos)
            if found is None:
                if not final and data.endswith(b"\r"):  # a CRLF's CR, or one alone: the next chunk tells
                    self._held = b"\r"
                    size -= 1
                rest = data if pos == 0 and size == len(data) else data[pos:size]
                quotes.add_line_tail(rest)
                if not out:
                    return rest                         # CRLF text: as it is, no copy
                out.append(rest)
                break
            cr = found.start()
            if not final and cr + LOOK >= size:
                quotes.add_line_tail(data[pos:cr])
                out.append(data[pos:cr])
                self._held = data[cr:]                  # judged once LOOK bytes follow it
                break
            quotes.add_line_tail(data[pos:cr])
            out.append(data[pos:cr])
            kind = _END if final and self.ends_line and cr == size - 1 else _judge(data, cr, quotes)
            if kind == _END:
                out.append(b"\n")
                self.converted += 1
                quotes.reset()
            elif kind == _TYPED:
                out.append(b" ")
                self.spaced += 1
            else:
                out.append(b"\r")
            pos = cr + 1
        return b"".join(out)

    def note(self) -> str:
        notes = []
        if self.converted:
            notes.append(f"{self.converted} {CR_ONLY_NOTE}")
        if self.spaced:
            notes.append(f"{self.spaced} {TYPED_CR_NOTE}")
        return "; ".join(notes)


def find_line_end(data: bytes, newline: bytes, cr_only: bool, *, last: bool = False) -> int:
    """Offset of the first (or last) line end in ``data`` that starts on a code-unit boundary
    (``data`` starts on one), or -1: a ``newline``, or a CR alone that ends a line by the rules
    above (a CRLF's offset is its LF's). ``newline`` is one byte, or one UTF-16 code unit; in
    UTF-16 text every CR alone is a line end."""
    unit = len(newline)
    lf_at = _find_unit(data, newline, unit, last)
    cr = newline.replace(b"\n", b"\r")
    if cr not in data:
        return lf_at
    if unit == 1 and not cr_only:
        return _lf_style_line_end(data, lf_at, last)
    cr_at = _find_unit(data, cr, unit, last)
    if cr_at < 0 or (lf_at >= 0 and (lf_at > cr_at if last else lf_at < cr_at)):
        return lf_at
    if data[cr_at + unit:cr_at + 2 * unit] == newline:
        return cr_at + unit
    return cr_at


def _lf_style_line_end(data: bytes, lf_at: int, last: bool) -> int:
    """``find_line_end`` in LF or CRLF text: a CR alone is judged as ``CrLines`` judges it,
    its line's quotes counted from the last LF (or ``data``'s start)."""
    start = lf_at + 1 if last else 0
    stop = len(data) if last or lf_at < 0 else lf_at
    quotes = _Quotes()
    pos = start
    found_end = -1
    while True:
        found = LONE_CR.search(data, pos)
        if found is None or found.start() >= stop:
            break
        cr = found.start()
        quotes.add(data[pos:cr])
        if _judge(data, cr, quotes) == _END:
            if not last:
                return cr
            found_end = cr
            quotes.reset()
        pos = cr + 1
    return found_end if found_end >= 0 else lf_at


def _find_unit(data: bytes, needle: bytes, unit: int, last: bool) -> int:
    pos = data.rfind(needle) if last else data.find(needle)
    while pos > 0 and pos % unit:
        pos = data.rfind(needle, 0, pos + unit - 1) if last else data.find(needle, pos + 1)
    return pos
