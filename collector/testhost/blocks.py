"""Pre-rendered record blocks and weighted pools of them.

A block is one or more records that are written together (a T-Lib request and its
``message`` line and attributes, a SIP dump with its body, a one-line Std record). Its text is
rendered once when the pool is built; only the timestamps are filled in when a segment is
written, so generating a gigabyte is a matter of joining byte strings.

Each piece of a block is (stamp kind, text): the text follows the stamp and carries the
separator (``" Trc 04541 ..."``, ``": SIPTR: ..."``) and every continuation line.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from itertools import cycle, islice

STAMP_RECORD = 0      # the product's record timestamp (its time_format)
STAMP_TLIB = 1        # "@HH:MM:SS.ffff"
STAMP_HTTP = 2        # URS HTTP "MM/DD/YY@HH:MM:SS.mmm:"

_DRAW_PERIOD = 50021        # draws repeat after this many records (prime, keeps big files cheap)

Piece = tuple[int, bytes]
Pair = tuple[str, str]


@dataclass(frozen=True)
class Block:
    pieces: tuple[Piece, ...]
    secrets: tuple[Pair, ...] = ()
    keeps: tuple[Pair, ...] = ()

    @property
    def size(self) -> int:
        return sum(len(text) + 16 for _, text in self.pieces)


class Acc:
    """Collects the secrets and kept values used while composing one block."""

    def __init__(self) -> None:
        self.secrets: list[Pair] = []
        self.keeps: list[Pair] = []

    def s(self, category: str, value: str) -> str:
        self.secrets.append((category, value))
        return value

    def k(self, category: str, value: str) -> str:
        self.keeps.append((category, value))
        return value

    def block(self, *pieces: tuple[int, str]) -> Block:
        """A block of ``pieces``; only values that really occur in its text are recorded."""
        text = "".join(t for _, t in pieces)
        return Block(
            pieces=tuple((kind, t.encode("utf-8")) for kind, t in pieces),
            secrets=tuple(p for p in dict.fromkeys(self.secrets) if p[1] in text),
            keeps=tuple(p for p in dict.fromkeys(self.keeps) if p[1] in text),
        )


def one(text: str, kind: int = STAMP_RECORD) -> Block:
    """A block of one record without secrets: ``text`` follows the stamp."""
    return Block(pieces=((kind, text.encode("utf-8")),))


@dataclass
class BlockPool:
    """Weighted blocks: ``common`` (ordinary records) and ``special`` (calls, secrets)."""

    common: list[Block] = field(default_factory=list)
    special: list[Block] = field(default_factory=list)
    special_share: float = 0.04           # fraction of records drawn from ``special``
    _slots: list[int] | None = field(default=None, repr=False, compare=False)

    def add(self, block: Block, special: bool = False) -> None:
        (self.special if special else self.common).append(block)
        self._slots = None

    def crlf(self) -> BlockPool:
        """The same pool with Windows line ends."""
        def conv(block: Block) -> Block:
            pieces = tuple((k, t.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")) for k, t in block.pieces)
            return Block(pieces, block.secrets, block.keeps)
        return BlockPool([conv(b) for b in self.common], [conv(b) for b in self.special], self.special_share)

    def add_many(self, blocks: list[Block], special: bool = False) -> None:
        for block in blocks:
            self.add(block, special)

    @property
    def blocks(self) -> list[Block]:
        return self.common + self.special

    def average_size(self, stamp_lengths: dict[int, int] | None = None) -> float:
        """Mean bytes per drawn record, stamps included."""
        lengths = stamp_lengths or {}

        def mean(blocks: list[Block]) -> float:
            total = sum(len(t) + lengths.get(k, 16) for b in blocks for k, t in b.pieces)
            return total / len(blocks) if blocks else 0.0
        share = self.special_share if self.special else 0.0
        return (1 - share) * mean(self.common) + share * mean(self.special) or 100.0

    def draw(self, rng: random.Random, count: int) -> list[int]:
        """Indices into ``blocks`` for ``count`` records (uniform picks from a weighted slot table)."""
        if self._slots is None:
            self._slots = self._slot_table()
        base = rng.choices(self._slots, k=min(count, _DRAW_PERIOD))
        return base if count <= _DRAW_PERIOD else list(islice(cycle(base), count))

    def _slot_table(self) -> list[int]:
        n_common, n_special = len(self.common), len(self.special)
        if not n_special or not n_common:
            return list(range(n_common + n_special))
        share = self.special_share
        size = max(4096, int(n_special / share) + 1, int(n_common / (1 - share)) + 1)
        special_slots = max(n_special, round(size * share))
        common_slots = max(n_common, size - special_slots)
        common = [i % n_common for i in range(common_slots)]
        special = [n_common + i % n_special for i in range(special_slots)]
        return common + special
