"""manifest.json written as it is encoded, with members' log statistics kept as compact JSON.

The main process holds one entry per collected file until the manifest is written; thousands of
files made both the entries (``log_stats`` as nested dicts) and the final JSON string (tens of
MB) grow with the input. Here each member's statistics stay JSON text (``RawJSON``) and the
manifest is produced piece by piece (``iter_manifest_json``).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Iterator


class RawJSON:
    """JSON text that is already encoded (a member's log statistics): written into manifest.json
    as it is, decoded only where somebody reads it (``value()``)."""

    __slots__ = ("text",)

    def __init__(self, text: bytes) -> None:
        self.text = text

    def value(self) -> object:
        return json.loads(self.text)


def json_value(value: object) -> object:
    """``value``, or what a RawJSON holds."""
    return value.value() if isinstance(value, RawJSON) else value


class LazyList:
    """A JSON array whose items are made each time it is read (``manifest["files"]``: one entry
    per collected file, built from the run's member log as manifest.json is encoded, never all
    at once), then the items ``append``-ed to it. Re-iterable; ``iter_manifest_json`` writes it
    as a list. Only as a value of the manifest's top level (its items are indented for that)."""

    def __init__(self, make: Callable[[], Iterable[object]]) -> None:
        self._make = make
        self._added: list[object] = []

    def append(self, item: object) -> None:
        self._added.append(item)

    def __iter__(self) -> Iterator[object]:
        yield from self._make()
        yield from self._added


def iter_manifest_json(manifest: dict) -> Iterator[str]:
    """manifest.json as text pieces, never as one string (tens of MB for thousands of files);
    RawJSON values go in as their text, LazyList items one at a time. Same text as
    ``json.dumps(manifest, indent=1)`` would give with every lazy value made a list."""
    return _pieces(manifest)


def _encoder(*, top: bool) -> tuple[json.JSONEncoder, str, list[RawJSON | LazyList]]:
    """An ``indent=1`` encoder that writes each RawJSON (and, at the top level, each LazyList) as
    a placeholder string, the placeholder's quoted prefix, and the values in placeholder order."""
    slots: list[RawJSON | LazyList] = []
    tag = f"\0slot-{os.urandom(8).hex()}:"         # no string from a host can know it

    def default(value: object) -> str:
        if isinstance(value, RawJSON) or top and isinstance(value, LazyList):
            slots.append(value)
            return f"{tag}{len(slots) - 1}"
        if isinstance(value, LazyList):
            raise TypeError("a LazyList only as a value of the manifest's top level")
        raise TypeError(f"{type(value).__name__} is not JSON serializable")

    return json.JSONEncoder(indent=1, default=default), json.dumps(tag)[:-1], slots   # "\u0000slot-...:


def _pieces(value: object) -> Iterator[str]:
    """The pure-Python encoder (used with ``indent``) yields each value it got from ``default``
    as one piece, so a placeholder is swapped for the text or the items."""
    encoder, quoted_tag, slots = _encoder(top=True)
    for piece in encoder.iterencode(value):
        if piece.startswith(quoted_tag) and piece.endswith('"'):
            slot = slots[int(piece[len(quoted_tag):-1])]
            if isinstance(slot, RawJSON):
                yield slot.text.decode("utf-8")
            else:
                yield from _items(slot)
            continue
        yield piece


def _items(items: LazyList) -> Iterator[str]:
    """A top-level value's list, indented as ``json.dumps(indent=1)`` indents it, one piece per
    item: an item is encoded in one call and its placeholders swapped afterwards. (A piece per
    token, each through a generator of ours, took about 1.7 times as long: 85-87 us against
    48-53 us per file entry with its log statistics.)"""
    empty = True
    for item in items:
        yield "[\n  " if empty else ",\n  "
        empty = False
        yield _item_text(item).replace("\n", "\n  ")
    yield "[]" if empty else "\n ]"


def _item_text(item: object) -> str:
    """One list item as ``json.dumps(item, indent=1)`` with every RawJSON as its text."""
    encoder, quoted_tag, slots = _encoder(top=False)
    parts = encoder.encode(item).split(quoted_tag)
    out = [parts[0]]
    for part in parts[1:]:
        index, rest = part.split('"', 1)
        out.append(slots[int(index)].text.decode("utf-8"))   # type: ignore[union-attr]  only RawJSON here
        out.append(rest)
    return "".join(out)
