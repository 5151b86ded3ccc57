"""``--max-size``: which members a bundle can take so that the finished file stays within the cap.

The members are written first; after them come the system facts, report.html, manifest.json,
SHA256SUMS and the end of the archive, and each member adds its own archive framing and a
line to each list. ``SizeBudget`` counts what the writer has really written, plus an estimate
of everything still to come (``tail``), measured by compressing it: the lists of a bundle
with no member (``for_run``), then each member's entry as it is admitted, compressed against
the entry before it (the lists are compressed as one stream, where one entry costs about what
it adds to the one before). Counting text at half its size (the old estimate) reserved 2,900
bytes per member where 400 were written: a 60 KB cap left out 20 of 36 files of a 37 KB bundle.
The pipeline checks the finished size as well and keeps no bundle over the cap.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field

MARGIN = 1.25            # compressed estimates are scaled by this (zstd/deflate levels, report rows)
ENTRY_SLACK = 64         # per member: stream framing of its entry and report row
TAIL_FRAME = 2 << 10     # the end of the archive, and slack
FILE_FRAME = 256         # per file after the members (facts, report, manifest, SHA256SUMS): its header


def compressed_size(data: bytes, previous: bytes = b"") -> int:
    """Bytes ``data`` takes deflated, with ``previous`` as the text before it in the stream."""
    compressor = zlib.compressobj(6, zlib.DEFLATED, -15, zdict=previous[-32768:]) if previous \
        else zlib.compressobj(6, zlib.DEFLATED, -15)
    return len(compressor.compress(data)) + len(compressor.flush())


@dataclass
class SizeBudget:
    cap: int             # bytes the finished bundle may have
    tail: int            # estimated bytes still to be written after the members
    _previous: bytes = field(default=b"", repr=False)

    @classmethod
    def for_run(cls, cap: int, *, files: list[bytes]) -> SizeBudget:
        """``files``: what follows the members as it would be with no member (system facts,
        manifest skeleton, report.html)."""
        tail = TAIL_FRAME + FILE_FRAME * (len(files) + 2)
        tail += sum(int(compressed_size(data) * MARGIN) for data in files)
        return cls(cap, tail)

    def _listing_cost(self, listing: bytes) -> int:
        # twice: the manifest entry, and report.html's rows for the member (about as long)
        return int(2 * compressed_size(listing, self._previous) * MARGIN) + ENTRY_SLACK

    def admits(self, written: int, stored: int, listing: bytes) -> bool:
        """Whether a member of ``stored`` bytes (its archive framing included), adding
        ``listing`` (its manifest entry and SHA256SUMS line) to the lists, fits after
        ``written`` bytes."""
        return written + stored + self.tail + self._listing_cost(listing) <= self.cap

    def add_listing(self, listing: bytes) -> None:
        """An admitted member's text, written after the members."""
        self.tail += self._listing_cost(listing)
        self._previous = listing

    def add_excluded(self, size: int) -> None:
        """An excluded file's entry (path and reason, twice)."""
        self.tail += size // 2 + 1
