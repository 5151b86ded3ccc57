"""The snapshot spool: bundles in the output folder, each with a record ``NAME.state.json``.

A record says what its bundle holds (sequence number, time range, size, sha256), what it
changes in the per-file state (``delta``, dropped once the committed state includes it), that it
was verified, and whether (and where) it was uploaded. A bundle without a record is not a snapshot bundle and is never touched here.

Order: records are numbered (``seq``). The committed state includes the deltas of bundles
``1..committed_seq``; the bundles after that are the upload queue, retried oldest first.
Retention deletes from the oldest end only, so the queue is always a suffix of the spool and
the committed state can advance in bundle order even when a queued bundle has to be dropped.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from collector.freetext import safe_url
from collector.state import StateDelta, atomic_write_json

RECORD_SCHEMA = "gcollect/snapshot-record/v1"
RECORD_SUFFIX = ".state.json"
COMPANION_SUFFIXES = (".sha256", ".upload.json")


@dataclass(frozen=True)
class SpoolEntry:
    bundle: Path
    record: dict[str, Any]

    @property
    def seq(self) -> int:
        return int(self.record["seq"])

    @property
    def size(self) -> int:
        return int(self.record.get("size", 0))

    @property
    def created(self) -> datetime:
        return datetime.fromisoformat(self.record["created"])

    @property
    def uploaded(self) -> bool:
        return bool(self.record.get("upload"))

    @property
    def delta(self) -> StateDelta:
        return StateDelta.from_json(self.record.get("delta", {}))

    @property
    def record_path(self) -> Path:
        return record_path(self.bundle)

    def bundle_intact(self) -> bool:
        """The bundle is there with the size it was verified at (a cheap check, no re-read)."""
        try:
            return self.bundle.stat().st_size == self.size
        except OSError:
            return False

    def summary(self, committed_seq: int) -> dict[str, Any]:
        return {"bundle": str(self.bundle), "seq": self.seq, "since": self.record.get("since"),
                "until": self.record.get("until"), "size": self.size, "sha256": self.record.get("sha256"),
                "files": self.record.get("files"), "uploaded": self.uploaded,
                "upload_url": (self.record.get("upload") or {}).get("url"),
                "queued": self.seq > committed_seq, "present": self.bundle.exists()}


@dataclass(frozen=True)
class Retention:
    keep: int | None = None               # --keep N: at most N bundles
    max_age: float | None = None          # --max-age: seconds
    max_disk: int | None = None           # --max-disk: bytes of bundles (+ sidecars)

    @property
    def unlimited(self) -> bool:
        return self.keep is None and self.max_age is None and self.max_disk is None


def record_path(bundle: Path) -> Path:
    return bundle.with_name(bundle.name + RECORD_SUFFIX)


def bundle_of(record: Path) -> Path:
    return record.with_name(record.name[: -len(RECORD_SUFFIX)])


def new_record(*, seq: int, bundle: Path, size: int, sha256: str, created: datetime,
               since: str | None, root: str, host: str, files: int, bytes_in: int,
               delta: StateDelta) -> dict[str, Any]:
    return {"schema": RECORD_SCHEMA, "seq": seq, "bundle": bundle.name, "size": size, "sha256": sha256,
            "created": created.astimezone(timezone.utc).isoformat(), "since": since,
            "until": created.astimezone(timezone.utc).isoformat(), "root": root, "host": host,
            "files": files, "bytes_in": bytes_in, "verified": True, "upload": None,
            "delta": delta.to_json()}


def write_record(bundle: Path, record: dict[str, Any]) -> SpoolEntry:
    atomic_write_json(record_path(bundle), record)
    return SpoolEntry(bundle, record)


def forget_delta(entry: SpoolEntry) -> SpoolEntry:
    """Once the committed state includes a bundle, its delta is never read again (only queued
    bundles' deltas are): the record keeps the rest. After a first snapshot of 10,000 files the
    delta is ~3 MB of JSON that every later run would parse twice."""
    if "delta" not in entry.record:
        return entry
    return write_record(entry.bundle, {k: v for k, v in entry.record.items() if k != "delta"})


def mark_uploaded(entry: SpoolEntry, url: str, receipt: dict[str, Any]) -> SpoolEntry:
    record = dict(entry.record)
    record["upload"] = {"url": safe_url(url), "at": datetime.now(timezone.utc).replace(microsecond=0).isoformat(),
                        "receipt": receipt}
    return write_record(entry.bundle, record)


def list_spool(spool_dir: Path, root: str | None = None) -> list[SpoolEntry]:
    """Every snapshot record in ``spool_dir`` (for ``root`` if given), oldest first."""
    entries: list[SpoolEntry] = []
    try:
        records = list(spool_dir.glob("*" + RECORD_SUFFIX))
    except OSError:
        return []
    for path in records:
        try:
            data = json.loads(path.read_bytes())
        except (OSError, ValueError):
            continue                      # half-written records cannot exist (atomic); foreign file
        if not isinstance(data, dict) or data.get("schema") != RECORD_SCHEMA or not data.get("verified"):
            continue
        if root is not None and data.get("root") != root:
            continue
        entries.append(SpoolEntry(bundle_of(path), data))
    entries.sort(key=lambda e: e.seq)
    return entries


def remove_bundle(entry: SpoolEntry) -> None:
    """Delete a bundle, its companions, and its record last."""
    entry.bundle.unlink(missing_ok=True)
    for suffix in COMPANION_SUFFIXES:
        entry.bundle.with_name(entry.bundle.name + suffix).unlink(missing_ok=True)
    entry.record_path.unlink(missing_ok=True)


def disk_usage(entry: SpoolEntry) -> int:
    total = 0
    for path in (entry.bundle, *(entry.bundle.with_name(entry.bundle.name + s) for s in COMPANION_SUFFIXES)):
        try:
            total += path.stat().st_size
        except OSError:
            pass
    return total


def choose_deletions(entries: Sequence[SpoolEntry], policy: Retention, *, now: float | None = None,
                     protect: Iterable[Path] = (), usage: dict[Path, int] | None = None) -> list[SpoolEntry]:
    """The oldest bundles to delete so that every limit holds; never the protected ones.

    ``entries`` are oldest first. Deletion always takes from the oldest end, so uploaded
    (committed) bundles go before queued ones and the queue stays a suffix.
    """
    now = time.time() if now is None else now
    protected = set(protect)
    sizes = usage if usage is not None else {e.bundle: disk_usage(e) for e in entries}
    remaining = list(entries)
    total = sum(sizes.get(e.bundle, e.size) for e in remaining)
    doomed: list[SpoolEntry] = []

    def over() -> bool:
        if not remaining:
            return False
        oldest = remaining[0]
        if policy.keep is not None and len(remaining) > policy.keep:
            return True
        if policy.max_age is not None and oldest.created.timestamp() < now - policy.max_age:
            return True
        return policy.max_disk is not None and total > policy.max_disk

    while over():
        oldest = remaining[0]
        if oldest.bundle in protected:
            break
        remaining.pop(0)
        total -= sizes.get(oldest.bundle, oldest.size)
        doomed.append(oldest)
    return doomed


def describe(entries: Sequence[SpoolEntry], committed_seq: int) -> list[str]:
    """Lines for ``gcollect snapshot --list``."""
    from collector.units import human

    lines = []
    for e in entries:
        since = (e.record.get("since") or "?")[:19].replace("T", " ")
        until = (e.record.get("until") or "?")[:19].replace("T", " ")
        status = "uploaded" if e.uploaded else ("queued" if e.seq > committed_seq else "local")
        missing = "" if e.bundle.exists() else "  (bundle missing)"
        lines.append(f"{e.seq:>5}  {since} .. {until}  {human(e.size):>9}  {status:<8}  {e.bundle.name}{missing}")
    return lines
