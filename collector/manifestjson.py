"""manifest.json written as it is encoded, with members' log statistics kept as compact JSON.

The main process holds one entry per collected file until the manifest is written; thousands of
files made both the entries (``log_stats`` as nested dicts) and the final JSON string (tens of
MB) grow with the input. Here each member's statistics stay JSON text (``RawJSON``) and the
manifest is produced piece by piece (``iter_manifest_json``).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator


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


def iter_manifest_json(manifest: dict) -> Iterator[str]:
    """manifest.json as text pieces, never as one string (tens of MB for thousands of files);
    RawJSON values go in as their text. The pure-Python encoder (used with ``indent``) yields
    each value it got from ``default`` as one piece, so a placeholder is swapped for the text."""
    raws: list[bytes] = []
    tag = f"\0raw-{os.urandom(8).hex()}:"          # no string from a host can know it
    quoted_tag = json.dumps(tag)[:-1]                # how the encoder writes it: "\u0000raw-...:

    def default(value: object) -> str:
        if isinstance(value, RawJSON):
            raws.append(value.text)
            return f"{tag}{len(raws) - 1}"
        raise TypeError(f"{type(value).__name__} is not JSON serializable")

    encoder = json.JSONEncoder(indent=1, default=default)
    for piece in encoder.iterencode(manifest):
        if piece.startswith(quoted_tag) and piece.endswith('"'):
            yield raws[int(piece[len(quoted_tag):-1])].decode("utf-8")
            continue
        yield piece
