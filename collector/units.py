"""Parse human sizes (``5G``, ``500M``, ``2048K``, ``1.5GB``, ``100B``) into bytes."""

from __future__ import annotations

import re

_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(?:([KMGT])(?:i?B)?|(B))?\s*$", re.I)
_FACTORS = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}
SIZE_FORMS = "give a number and a unit: 100B, 2048K, 500M, 5G or 1T; K, M, G, T are powers of 1024"


def parse_size(text: str) -> int:
    """``5G`` -> 5 GiB, ``100B`` -> 100 bytes; ``0`` alone is 0. Raises ValueError for anything
    else, a number without a unit too: it used to be read as megabytes (``4096`` = 4 GB), which
    nobody guesses, and reading it as bytes now would silently change what old commands mean."""
    match = _SIZE.match(text or "")
    if not match:
        raise ValueError(f"not a size: {text!r}; {SIZE_FORMS}")
    number, unit, byte_unit = match.groups()
    if unit:
        return int(float(number) * _FACTORS[unit.upper()])
    if byte_unit or float(number) == 0:
        return int(float(number))
    raise ValueError(f"not a size: {text!r} has no unit; {SIZE_FORMS}")


def human(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if abs(n) < 1024 or unit == "TB":
            return f"{int(n)} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} TB"
