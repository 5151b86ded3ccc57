"""Parse human sizes (``5G``, ``500M``, ``2048K``, ``1.5GB``) into bytes."""

from __future__ import annotations

import re

_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([KMGT]?)(?:i?B)?\s*$", re.I)
_FACTORS = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}


def parse_size(text: str, *, default_unit: str = "") -> int:
    """``5G`` -> 5 GiB; a bare number takes ``default_unit``. Raises ValueError."""
    match = _SIZE.match(text or "")
    if not match:
        raise ValueError(f"not a size: {text!r} (examples: 500M, 5G, 2048K)")
    number, unit = match.groups()
    unit = (unit or default_unit).upper()
    return int(float(number) * _FACTORS[unit])


def human(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if abs(n) < 1024 or unit == "TB":
            return f"{int(n)} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} TB"
