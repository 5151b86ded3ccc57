"""Bundle writing: ``PieceWriter`` (worker side) and ``BundleWriter`` (main side).

Formats: ``tar.gz`` (concatenated gzip members), ``tar.zst`` (concatenated zstd frames) and
``zip`` (deflate, ZIP64 when needed). See ``writer.py`` for the on-disk layout.
"""

from collector.bundle.names import FORMATS, UnsafeMemberName, bundle_name


def __getattr__(name: str) -> object:
    """The writers load their compression libraries (isal, zstandard) on first use, so a run
    that writes no bundle (an unchanged snapshot, --list, option parsing) does not import them."""
    if name in ("Piece", "PieceWriter"):
        from collector.bundle import pieces

        return getattr(pieces, name)
    if name == "BundleWriter":
        from collector.bundle.writer import BundleWriter

        return BundleWriter
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

__all__ = ["FORMATS", "BundleWriter", "Piece", "PieceWriter", "UnsafeMemberName", "bundle_name"]
