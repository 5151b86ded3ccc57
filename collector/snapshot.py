"""Periodic snapshots: lock -> clean up -> retry the upload queue -> plan what is new -> bundle
-> verify -> record -> upload -> commit -> retention.

``take_snapshot(SnapshotRequest) -> SnapshotResult``. The per-file state (``collector.state``)
is committed only for bundles that are written, verified and, when an upload is configured,
uploaded; bundles waiting for an upload are the spool's queue (``collector.spool``) and count as
collected for planning, so a kill at any point repeats work at worst and never loses or
duplicates a line. See docs/snapshots.md.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from collector.api import CollectRequest, Discovery, gc_paused
from collector.errors import BadInput, GcollectError, Interrupted, VerifyFailed, upload_interrupted
from collector.interrupts import InterruptedAfterBundle
from collector.freetext import safe_url
from collector.lock import SnapshotLock
from collector.model import FINISHED_QUIET, PERMISSION_DENIED, Candidate, RunResult, Skip, Window, not_read
from collector.progress import Reporter
from collector.spool import (Retention, SpoolEntry, choose_deletions, forget_delta, list_spool, mark_uploaded,
                             new_record, remove_bundle, write_record)
from collector.state import (Decision, FileState, SnapshotState, StateDelta, atomic_write_json, classify,
                             continuation, entry_after_read, identity_key, load_state, planned_stat,
                             remove_stale_temporaries, save_state, starts_with_head, state_file, unchanged)

Uploader = Callable[[Path, str, Any], dict[str, Any]]     # (bundle, url, options) -> receipt as JSON
INFLIGHT = "snapshot-inflight-{key}.json"


@dataclass(frozen=True)
class SnapshotRequest:
    collect: CollectRequest
    retention: Retention = Retention()
    upload_url: str | None = None
    upload_options: Any = None                 # collector.upload.UploadOptions; None = defaults
    jitter: float = 0.0                        # seconds: random start delay in [0, jitter)
    accept_findings: bool = False


@dataclass
class SnapshotResult:
    bundle: Path | None = None
    run: RunResult | None = None
    counts: dict[str, int] = field(default_factory=dict)      # decision reason -> files
    uploaded: list[str] = field(default_factory=list)          # bundles uploaded by this run
    upload_error: GcollectError | None = None
    held: str | None = None                                     # why the new bundle is not uploaded
    deleted: list[str] = field(default_factory=list)           # retention
    dropped: list[str] = field(default_factory=list)           # deleted before they were uploaded
    discarded: list[str] = field(default_factory=list)         # incomplete bundles of killed runs
    cleaned: list[str] = field(default_factory=list)           # leftovers of killed runs
    queued: int = 0                                             # bundles still waiting for upload
    denied: list[Skip] = field(default_factory=list)           # wanted, but not readable (model.not_read)
    seconds: float = 0.0
    # (host path, bytes) of quiet files' last lines without a newline, left for a later run
    # (seen before and not read again; the run's own are ``run.waiting_lines``)
    waiting: list[tuple[str, int]] = field(default_factory=list)

    @property
    def waiting_lines(self) -> list[tuple[str, int]]:
        return self.waiting + (self.run.waiting_lines if self.run is not None else [])

    def to_json(self) -> dict[str, Any]:
        run = self.run
        return {
            "bundle": str(self.bundle) if self.bundle else None,
            "sha256": run.bundle.sha256 if run and run.bundle else None,
            "files": len(run.members) if run else 0,
            "bytes_in": run.bytes_in if run else 0,
            "bytes_out": run.bytes_out if run else 0,
            "excluded": [{"path": e.host_path, "reason": e.reason} for e in run.excluded] if run else [],
            "scan_findings": len(run.findings) if run else 0,
            "decisions": dict(sorted(self.counts.items())),
            "uploaded": self.uploaded,
            "upload_error": self.upload_error.message if self.upload_error else None,
            "held": self.held,
            "queued": self.queued,
            "deleted": self.deleted,
            "dropped_unuploaded": self.dropped,
            "permission_denied": [s.host_path for s in self.denied if s.reason in PERMISSION_DENIED],
            "not_read": [{"path": s.host_path, "reason": s.reason} for s in self.denied
                         if s.reason not in PERMISSION_DENIED],
            "discarded": self.discarded,
            "cleaned": self.cleaned,
            "waiting_lines": [{"path": path, "bytes": size} for path, size in self.waiting_lines],
            "seconds": round(self.seconds, 3),
        }


def default_uploader(bundle: Path, url: str, options: Any) -> dict[str, Any]:
    try:
        from collector.upload import UploadOptions, upload
    except ImportError as exc:
        raise BadInput(what="--upload", problem=f"uploads are not available in this build ({exc})") from None
    receipt = upload(bundle, url, options if options is not None else UploadOptions())
    data = receipt.to_json() if hasattr(receipt, "to_json") else dict(vars(receipt))
    return {k: (str(v) if isinstance(v, Path) else v) for k, v in data.items()}


def take_snapshot(request: SnapshotRequest, reporter: Reporter | None = None, *,
                  uploader: Uploader = default_uploader,
                  sleep: Callable[[float], None] = time.sleep) -> SnapshotResult:
    """One snapshot run. Raises ``Locked`` (exit 60) at once if another run holds the lock."""
    from collector import pipeline
    from collector.api import prepare_output, prepare_state
    from collector.hostguard import lower_priority

    started = time.monotonic()
    settings = request.collect.settings
    if request.jitter > 0:
        import random

        sleep(random.uniform(0, request.jitter))
    if settings.low_priority:
        lower_priority()
    prepare_state(settings.state_dir)
    prepare_output(settings.output_dir)
    with SnapshotLock(settings.state_dir):
        pipeline.start_workers(settings)                # forked while this process is small
        try:
            result = _Run(request, reporter, uploader, sleep).run()
        finally:
            pipeline.stop_workers()
    result.seconds = time.monotonic() - started
    return result


class _Run:
    """One run, holding the lock."""

    def __init__(self, request: SnapshotRequest, reporter: Reporter | None, uploader: Uploader,
                 sleep: Callable[[float], None]) -> None:
        self.request = request
        self.reporter = reporter
        self.uploader = uploader
        self.sleep = sleep
        self.settings = request.collect.settings
        self.spool = self.settings.output_dir
        self.root = str(request.collect.root.resolve())
        self.state_path = state_file(self.settings.state_dir, request.collect.root)
        self.inflight = self.settings.state_dir / INFLIGHT.format(key=self.state_path.stem.rsplit("-", 1)[-1])
        self.result = SnapshotResult()
        self.committed = SnapshotState(self.root)

    # ------------------------------------------------------------------ steps
    def run(self) -> SnapshotResult:
        self.clean_leftovers()
        with gc_paused():
            self.committed = load_state(self.state_path, self.request.collect.root)   # BadInput if damaged
        pending = self.check_queue()
        pending = self.retry_queue(pending)
        base = self.committed
        for entry in pending:
            base = base.apply(entry.delta, entry.seq, entry.record.get("until"))
        self.snapshot(base, pending)
        self.enforce_retention()
        self.result.queued = sum(1 for e in list_spool(self.spool, self.root) if e.seq > self.committed.seq)
        return self.result

    def clean_leftovers(self) -> None:
        """Remove what a killed run left: partial bundles, temporary pieces, a half-born bundle."""
        cleaned = self.result.cleaned
        for partial in self.spool.glob("*.partial"):
            partial.unlink(missing_ok=True)
            cleaned.append(partial.name)
        for tmp in self.spool.glob(".gcollect-tmp-*"):
            shutil.rmtree(tmp, ignore_errors=True)
            cleaned.append(tmp.name)
        for tmp in (*remove_stale_temporaries(self.settings.state_dir), *remove_stale_temporaries(self.spool)):
            cleaned.append(tmp.name)
        try:
            inflight = json.loads(self.inflight.read_bytes())
        except (OSError, ValueError):
            return
        since = float(inflight.get("started", 0)) - 1
        for bundle in self.spool.glob("gcollect-*"):
            if bundle.name.endswith((".sha256", ".json", ".partial")):
                continue
            if bundle.with_name(bundle.name + ".state.json").exists():
                continue
            try:
                if bundle.stat().st_mtime < since:
                    continue
            except OSError:
                continue
            for path in (bundle, bundle.with_name(bundle.name + ".sha256")):
                path.unlink(missing_ok=True)
            self.result.discarded.append(bundle.name)
        self.inflight.unlink(missing_ok=True)

    def check_queue(self) -> list[SpoolEntry]:
        """The queued bundles; a missing or changed one is discarded with every later one."""
        pending: list[SpoolEntry] = []
        broken = False
        for entry in list_spool(self.spool, self.root):
            if entry.seq <= self.committed.seq:
                if not entry.bundle.exists():
                    entry.record_path.unlink(missing_ok=True)     # deleted by hand; nothing to track
                continue
            if broken or not entry.bundle_intact():
                broken = True
                remove_bundle(entry)
                self.result.discarded.append(entry.bundle.name)
                continue
            pending.append(entry)
        return pending

    def retry_queue(self, pending: list[SpoolEntry]) -> list[SpoolEntry]:
        """Upload queued bundles oldest first; commit each that is done; return what is left."""
        url = self.request.upload_url
        for index, entry in enumerate(pending):
            wanted = entry.record.get("upload_wanted")
            if url and wanted and not entry.uploaded and not entry.record.get("held"):
                try:
                    pending[index] = self.upload(entry, url)
                except GcollectError as exc:
                    self.result.upload_error = exc
                    break
        return self.advance(pending)

    def upload(self, entry: SpoolEntry, url: str) -> SpoolEntry:
        try:
            receipt = self.uploader(entry.bundle, url, self.request.upload_options)
        except (KeyboardInterrupt, Interrupted) as exc:     # the bundle is written and stays queued:
            # an upload error like any other (the run's line, the signal's exit code), not
            # "no bundle written"
            raise upload_interrupted(exc, "the bundle stays queued for the next snapshot's upload") from None
        self.result.uploaded.append(entry.bundle.name)
        return mark_uploaded(entry, url, receipt)

    def advance(self, pending: list[SpoolEntry]) -> list[SpoolEntry]:
        """Commit the queued bundles that are done, in bundle order; stop at the first that is not."""
        left = list(pending)
        committed: list[SpoolEntry] = []
        while left:
            entry = left[0]
            record = entry.record
            done = entry.uploaded or not record.get("upload_wanted") or record.get("held")
            if not done:
                break
            self.committed = self.committed.apply(entry.delta, entry.seq, record.get("until"))
            committed.append(left.pop(0))
        if committed:
            save_state(self.state_path, self.committed)
            for entry in committed:          # after the commit: a kill before this keeps a delta, harmless
                forget_delta(entry)
        return left

    # ------------------------------------------------------------------ the new bundle
    def plan(self, base: SnapshotState) -> tuple[Discovery, list[Decision], list[str], list[Decision]]:
        """What to collect (decisions with a candidate), the keys of entries whose files are
        gone, and the decisions that collect nothing but set an entry (``Decision.record``)."""
        from collector import api

        seen: set[str] = set()
        counts = self.result.counts

        def skip_unchanged(st: os.stat_result) -> bool:
            """Most files of a host: the size and mtime the state has for this identity. They
            never become candidates."""
            key = identity_key(st.st_dev, st.st_ino)
            if unchanged(key, st, base) is None:
                return False
            if key not in seen:                   # a hard link or symlink to it counts once
                seen.add(key)
                counts["unchanged"] = counts.get("unchanged", 0) + 1
            return True

        # the newest segment's last line without a newline waits for a newer segment, however
        # quiet (selection.finished_files): the next run never starts inside a shipped line
        discovery = api.discover_and_plan(replace(self.request.collect, window=Window()),
                                          skip_unchanged=skip_unchanged, quiet_newest_finished=False)
        paths = base.by_path()
        classified: list[tuple[Candidate, Any, Decision]] = []
        for candidate in discovery.plan.members:
            # the plan's own stat of the file (the one its size and mtime come from); a second
            # one here would see the same file a fraction of a second later, and the worker
            # reads what is there when it opens the file either way
            st = planned_stat(candidate)
            if st is None:
                try:
                    st = os.stat(candidate.source)
                except OSError:
                    continue
            key = identity_key(st.st_dev, st.st_ino)
            if key in seen:            # a hard link or symlink to a file already planned
                continue
            seen.add(key)
            if unchanged(key, st, base) is not None:      # only with a stat taken here (the plan kept none)
                counts["unchanged"] = counts.get("unchanged", 0) + 1
                continue
            decision = classify(candidate, st, base, paths)
            if decision.previous is not None:
                seen.add(decision.previous.key)
            classified.append((candidate, st, decision))
        # a log new to the state may continue an entry: a compressed segment, a copytruncate copy
        # of a file truncated in place. New also when its inode is one the state had under another
        # name (a deleted file's inode reused: "truncated" or "rewritten" with another path).
        truncated = [d.previous for candidate, _, d in classified if d.previous is not None
                     and d.reason in ("truncated", "rewritten") and d.previous.path == candidate.host_path]
        decisions: list[Decision] = []
        records: list[Decision] = []
        for candidate, st, decision in classified:
            if candidate.kind == "log" and (decision.previous is None or (
                    decision.reason in ("truncated", "rewritten") and decision.previous.path != candidate.host_path)):
                follows = continuation(candidate, st, paths, truncated)
                if follows is not None and follows.previous is not None:
                    decision = follows
                    if decision.reason.startswith("compressed") and _vanished(discovery, decision.previous):
                        decision = replace(decision, replaces=decision.previous.key)   # x.log is gone
                    seen.add(decision.previous.key)
            reason = decision.reason.split(" from ")[0]
            counts[reason] = counts.get(reason, 0) + 1
            if decision.action == "partial-line" and time.time() - st.st_mtime >= FINISHED_QUIET:
                # a quiet file's last line without a newline, read before: still left for later
                self.result.waiting.append((candidate.host_path, st.st_size - decision.previous.offset))
            if decision.candidate is not None:
                decisions.append(decision)
            elif decision.record is not None:
                records.append(decision)
        drops = [key for key, entry in base.files.items() if key not in seen and _vanished(discovery, entry)]
        return discovery, decisions, drops, records

    def record_only(self, records: list[Decision]) -> None:
        """Set the entries of continuations with nothing left to collect when no bundle is
        written: only those whose entry is committed as it is (its bytes are in a committed
        bundle); the others wait for a bundle of their own (their next run sees them again)."""
        updates: dict[str, FileState] = {}
        gone: set[str] = set()
        for decision in records:
            previous, record = decision.previous, decision.record
            if record is None or previous is None or self.committed.files.get(previous.key) != previous:
                continue
            updates[record.key] = record
            if decision.replaces:
                gone.add(decision.replaces)
        if updates:
            self.committed = self.committed.apply(StateDelta(updates, tuple(sorted(gone - set(updates)))),
                                                  self.committed.seq, None)
            save_state(self.state_path, self.committed)

    def snapshot(self, base: SnapshotState, pending: list[SpoolEntry]) -> None:
        from collector import api

        planned_at = datetime.now(timezone.utc).replace(microsecond=0)
        with gc_paused():
            discovery, decisions, drops, records = self.plan(base)
            self.result.denied = not_read(discovery.plan.skipped)
            if not decisions:
                del discovery, drops     # freed now: the collection after the pause need not walk them
                self.record_only(records)
                return
        from collector.verify import verify_bundle

        members: tuple[Candidate, ...] = tuple(d.candidate for d in decisions if d.candidate is not None)
        discovery = Discovery(discovery.profiles, discovery.installations,
                              replace(discovery.plan, members=members), discovery.notes)
        settings = self.settings
        limit = self.request.retention.max_disk
        if limit is not None and (settings.max_bundle_bytes is None or limit < settings.max_bundle_bytes):
            settings = replace(settings, max_bundle_bytes=limit)
        self.wait_for_free_name(settings)
        atomic_write_json(self.inflight, {"started": time.time(), "pid": os.getpid()})
        try:
            _, run = api.collect(replace(self.request.collect, settings=settings), self.reporter, discovery)
        except InterruptedAfterBundle as exc:
            # complete, but its state was never recorded: a snapshot's bundle without it is no
            # bundle (the next run would discard it); removed now, and the line says so
            bundle = Path(exc.fields["bundle"])
            for path in (bundle, bundle.with_name(bundle.name + ".sha256")):
                path.unlink(missing_ok=True)
            self.inflight.unlink(missing_ok=True)
            raise Interrupted(signal=exc.fields["signal"]) from None
        self.result.run = run
        assert run.bundle is not None
        bundle = run.bundle.path
        if not run.members:          # every file left out (e.g. cannot be redacted): no empty bundle
            for path in (bundle, bundle.with_name(bundle.name + ".sha256")):
                path.unlink(missing_ok=True)
            self.inflight.unlink(missing_ok=True)
            self.record_only(records)
            return
        report = verify_bundle(bundle)
        if not report.ok:
            for path in (bundle, bundle.with_name(bundle.name + ".sha256")):
                path.unlink(missing_ok=True)
            self.inflight.unlink(missing_ok=True)
            first = report.problems[0] if report.problems else None
            raise VerifyFailed(path=str(bundle), problem=(f"{first.member}: {first.problem}" if first
                                                          else "did not verify") + "; state not advanced")
        delta = self.delta(decisions, run, drops, records)
        seq = max([self.committed.seq, *(e.seq for e in pending)]) + 1
        since = base.last_until or _oldest(members)
        record = new_record(seq=seq, bundle=bundle, size=run.bundle.size, sha256=run.bundle.sha256,
                            created=planned_at, since=since, root=self.root, host=settings.host_name,
                            files=len(run.members), bytes_in=run.bytes_in, delta=delta)
        record["upload_wanted"] = safe_url(self.request.upload_url) if self.request.upload_url else None
        if run.findings and not self.request.accept_findings:
            record["held"] = f"{len(run.findings)} scanner finding(s); review, then upload by hand"
            self.result.held = record["held"]
        entry = write_record(bundle, record)
        self.inflight.unlink(missing_ok=True)
        self.result.bundle = bundle
        url = self.request.upload_url
        if url and not record.get("held") and self.result.upload_error is None and not pending:
            try:
                entry = self.upload(entry, url)
            except GcollectError as exc:
                self.result.upload_error = exc
        self.advance([*pending, entry])

    def delta(self, decisions: list[Decision], run: RunResult, drops: list[str],
              records: list[Decision]) -> StateDelta:
        # a .gz member is stored under its name without .gz: the decision is found by the name read
        by_path = {d.candidate.host_path: d for d in decisions if d.candidate is not None}
        updates: dict[str, FileState] = {}
        gone = set(drops)
        for member in run.members:
            decision = by_path.get(member.original_path or member.host_path)
            if decision is None or decision.candidate is None:
                continue
            previous = decision.previous if decision.action == "resume" else None
            if previous is not None and member.start_offset and member.opened_head \
                    and previous.head is not None and not starts_with_head(member.opened_head, previous):
                # truncated (and maybe regrown past the offset) between the plan and the read:
                # what was read is of the new content, whose start was never collected. The entry
                # stays as it was (true of the old content, e.g. for its copytruncate copy): the
                # next run finds the file truncated or rewritten and reads it from 0 (what was
                # read here repeats once)
                continue
            # a size cap kept the first new bytes, or a log's last line (no newline yet) was held
            # back: the entry records the size as read, so the next run sees the file changed and
            # takes the rest even when it did not grow (the held line once the file is finished:
            # selection.finished_files)
            capped = member.end_offset < member.source_size and (
                decision.candidate.tail_bytes is not None or member.kind == "log")
            entry = entry_after_read(host_path=decision.candidate.host_path, kind=member.kind,
                                     device=member.device, inode=member.inode,
                                     source_size=member.end_offset if capped else member.source_size,
                                     mtime=member.mtime,
                                     end_offset=member.end_offset, source=decision.candidate.source,
                                     # a file read from 0 is not the content the previous entry had;
                                     # one resumed keeps the head checked when it was planned (the
                                     # reader's could be of a file truncated since: its new start
                                     # would pass for collected)
                                     previous=previous,
                                     source_head=member.source_head if member.start_offset == 0 else None,
                                     opened_head=member.opened_head)
            updates[entry.key] = entry
            if decision.replaces:
                gone.add(decision.replaces)
        for decision in records:              # continuations with nothing left to collect
            assert decision.record is not None
            updates[decision.record.key] = decision.record
            if decision.replaces:
                gone.add(decision.replaces)
        return StateDelta(updates, tuple(sorted(gone - set(updates))))

    def wait_for_free_name(self, settings: Any) -> None:
        """Bundle names have one-second resolution: never start in the second of an existing one."""
        from collector.bundle.names import free_second

        free_second(self.spool, settings.host_name, settings.case, settings.fmt, sleep=self.sleep)

    # ------------------------------------------------------------------ retention
    def enforce_retention(self) -> None:
        policy = self.request.retention
        if policy.unlimited:
            return
        entries = list_spool(self.spool, self.root)
        protect = {self.result.bundle} if self.result.bundle else set()
        doomed = choose_deletions(entries, policy, protect=protect)
        for entry in doomed:
            if entry.seq > self.committed.seq:      # queued: its lines are given up, in order
                self.committed = self.committed.apply(entry.delta, entry.seq, entry.record.get("until"))
                save_state(self.state_path, self.committed)
                self.result.dropped.append(entry.bundle.name)
            remove_bundle(entry)
            self.result.deleted.append(entry.bundle.name)


def _vanished(discovery: Discovery, entry: FileState) -> bool:
    """True when the entry's file is no longer at its path (deleted or replaced)."""
    try:
        st = os.lstat(discovery.plan.root / entry.path)
    except OSError:
        return True
    return (st.st_dev, st.st_ino) != (entry.device, entry.inode)


def _oldest(members: tuple[Candidate, ...]) -> str | None:
    times = [c.start or datetime.fromtimestamp(c.mtime, timezone.utc) for c in members]
    return min(times).astimezone(timezone.utc).isoformat() if times else None
