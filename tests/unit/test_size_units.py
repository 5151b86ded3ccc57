"""Size options (``--max-file-size``, ``--max-total``, ``--max-size``, ``--reserve``,
``--max-disk``): ``B`` is bytes, K/M/G/T powers of 1024, a number without a unit is refused
(it was read as megabytes: ``4096`` lifted a cap to 4 GB, ``100B`` meant 100 MB; probe U 11)."""

from __future__ import annotations

import pytest

from collector.units import parse_size


@pytest.mark.parametrize("text, size", [
    ("100B", 100), ("100b", 100), ("0", 0), ("0B", 0), ("2048K", 2 << 20), ("2048KB", 2 << 20),
    ("2048KiB", 2 << 20), ("500M", 500 << 20), ("5G", 5 << 30), ("1.5GB", 3 << 29), ("1T", 1 << 40),
    (" 2 M ", 2 << 20),
])
def test_sizes_with_a_unit(text, size):
    assert parse_size(text) == size


@pytest.mark.parametrize("text", ["2", "4096", "2097152", "1.5"])
def test_a_number_without_a_unit_is_refused(text):
    with pytest.raises(ValueError, match="has no unit; give a number and a unit: 100B, 2048K, 500M, 5G or 1T"):
        parse_size(text)


@pytest.mark.parametrize("text", ["", "-1", "5X", "M", "5 GB B", "1e3K"])
def test_not_a_size(text):
    with pytest.raises(ValueError, match="not a size"):
        parse_size(text)
