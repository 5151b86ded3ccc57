"""``--max-size``: which members a bundle can take so that the finished file stays within the cap.

The members are written first; after them come the system facts, report.html, manifest.json,
SHA256SUMS and the end of the archive, and each member adds its own archive framing and a
line to each list. Counting only the members' stored bytes let bundles end 1-11 % over the
cap. ``SizeBudget`` counts what the writer has really written, plus an upper estimate of
everything still to come (``tail``); the pipeline checks the finished size as well and keeps
no bundle over the cap.
"""

from __future__ import annotations

from dataclasses import dataclass

TEXT_SHRINK = 2          # JSON, HTML and SHA256SUMS compress at least 2x (manifest.json: 6-8x measured)
MEMBER_FRAME = 1536      # one member's tar header (+ PAX name), padding and unit framing; zip: both records
TAIL_FRAME = 16 << 10    # framing of what follows the members, and the end of the archive


@dataclass
class SizeBudget:
    cap: int             # bytes the finished bundle may have
    tail: int            # estimated bytes still to be written after the members

    @classmethod
    def for_run(cls, cap: int, *, raw_tail: int, text_tail: int) -> SizeBudget:
        """``raw_tail``: bytes that may not compress (system facts); ``text_tail``: the lists
        and the report as they would be with no member (manifest skeleton, report.html)."""
        return cls(cap, TAIL_FRAME + raw_tail + text_tail // TEXT_SHRINK)

    def admits(self, written: int, stored: int, listing: int) -> bool:
        """Whether a member of ``stored`` bytes, adding ``listing`` bytes of text to the lists
        (its manifest entry, SHA256SUMS line, report row), fits after ``written`` bytes."""
        return written + stored + MEMBER_FRAME + self.tail + listing // TEXT_SHRINK <= self.cap

    def add_listing(self, listing: int) -> None:
        """Text that will be written after the members (an entry, or an excluded file's reason)."""
        self.tail += listing // TEXT_SHRINK + 1
