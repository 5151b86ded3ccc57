"""Real bundles of a chosen size for upload tests and benchmarks.

Uploads verify a bundle as ``gcollect verify`` does before sending it, so a file of random bytes
is no longer something to upload. ``make_bundle_of_size`` writes a true bundle (BundleWriter:
one incompressible member, manifest.json, SHA256SUMS, the ``NAME.sha256`` sidecar) whose file
is a little under ``size`` bytes, so part counts stay what a test expects.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from collector.bundle import FORMATS, BundleWriter, PieceWriter
from collector.integrity import sidecar_path

PAYLOAD = "payload/random.bin"
OVERHEAD = 16 * 1024              # headers, frames, manifest.json, SHA256SUMS: well under this
_BLOCK = 4 * 1024 * 1024


def bundle_format(name: str) -> str:
    for fmt in FORMATS:
        if name.endswith("." + fmt):
            return fmt
    raise ValueError(f"{name}: not a bundle name (.{', .'.join(FORMATS)})")


def make_bundle_of_size(folder: Path, size: int, name: str = "site-20240305.tar.zst", *,
                        sidecar: bool = True, manifest_sha256: str | None = None) -> Path:
    """A bundle at ``folder/name`` of at most ``size`` bytes (at least the overhead) that passes
    ``verify_bundle``; without its sidecar if ``sidecar`` is false; with ``manifest_sha256`` the
    manifest lists that digest for the payload instead of the true one (a bundle that fails).
    An earlier bundle of that name (and its sidecar) is replaced."""
    fmt = bundle_format(name)
    for old in (folder / name, sidecar_path(folder / name)):
        old.unlink(missing_ok=True)
    pieces = folder / f".pieces-{name}"
    pieces.mkdir(parents=True, exist_ok=True)
    try:
        with BundleWriter(folder, name, fmt, name[: -len(fmt) - 1]) as writer:
            piece = PieceWriter(pieces, fmt)
            left = max(0, size - OVERHEAD)
            while left:
                block = os.urandom(min(left, _BLOCK))
                piece.write(block)
                left -= len(block)
            writer.add_piece(PAYLOAD, piece.close(), mtime=0)
            listed = [{"path": member, "sha256": manifest_sha256 or digest} for member, _size, digest in writer.members]
            writer.add_bytes("manifest.json", json.dumps({"files": listed}).encode(), mtime=0)
            info = writer.close()
    finally:
        shutil.rmtree(pieces, ignore_errors=True)
    if not sidecar:
        sidecar_path(info.path).unlink()
    return info.path
