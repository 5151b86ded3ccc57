"""Bundle writing: ``PieceWriter`` (worker side) and ``BundleWriter`` (main side).

Formats: ``tar.gz`` (concatenated gzip members), ``tar.zst`` (concatenated zstd frames) and
``zip`` (deflate, ZIP64 when needed). See ``writer.py`` for the on-disk layout.
"""

from collector.bundle.names import FORMATS, UnsafeMemberName, bundle_name
from collector.bundle.pieces import Piece, PieceWriter
from collector.bundle.writer import BundleWriter

__all__ = ["FORMATS", "BundleWriter", "Piece", "PieceWriter", "UnsafeMemberName", "bundle_name"]
