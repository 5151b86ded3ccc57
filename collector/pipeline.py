"""The only module that knows the order: plan -> workers (trim, redact, compress) -> bundle.

``run(plan, settings, reporter)`` writes one bundle and returns a RunResult. Workers (one per
core) turn each planned file into a compressed piece; the main process appends finished pieces
to the bundle as they arrive, then the system facts, the manifest and SHA256SUMS, and renames
``NAME.partial`` to its final name. Any exception (a signal, a full disk) removes the partial
bundle and every temporary piece before it propagates.
"""

from __future__ import annotations

import concurrent.futures as cf
import gc
import hashlib
import multiprocessing
import os
import shutil
import signal
import sys
import tempfile
import time
from datetime import datetime, timezone
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures.process import BrokenProcessPool
from multiprocessing.process import BaseProcess
from typing import NoReturn
from pathlib import Path

from collector import __version__, forked
from collector.bundle.budget import SizeBudget
from collector.errors import BundleNameTaken, DiskFull, GcollectError, Interrupted, PreflightFailed, WorkerDied
from collector.interrupts import InterruptedAfterBundle, after_bundle
from collector.manifestjson import LazyList, RawJSON, iter_manifest_json
from collector.member import (BELOW_RESERVE_REASON, MemberOutcome, WorkerConfig, close_worker, configure_worker, preload_rule_sets,
                              process_member, process_members_with, start_worker_process)
from collector.memberlog import MemberLog
from collector.model import BundleInfo, Candidate, Excluded, MemberResult, Plan, RunResult, skipped_files
from collector.progress import Reporter, SilentReporter
from collector.redaction import patterncache
from collector.settings import RunSettings

MANIFEST_SCHEMA = "gcollect/manifest/v1"
_MANIFEST_BATCH = 1 << 20          # manifest.json is encoded and compressed in pieces of this size


def _site_key(state_dir: Path) -> bytes:
    from collector.redaction.tokens import load_or_create_site_key

    return load_or_create_site_key(state_dir)


def _create_token_store(path: Path) -> None:
    """Create the token map (sqlite, WAL) here, once: workers that open a new one at the same
    moment can find it locked while one of them switches it to WAL."""
    from collector.redaction.tokens import TokenStore

    TokenStore(path).close()


def _iso(ts: datetime | None) -> str | None:
    return ts.astimezone(timezone.utc).isoformat() if ts else None


def build_manifest(plan: Plan, settings: RunSettings, members: MemberLog,
                   facts: dict[str, tuple[int, str]], excluded: list[Excluded],
                   rule_sets: list, created: datetime) -> dict:
    """The manifest as a dict whose ``files`` is a LazyList: its entries are made from
    ``members`` each time it is read, so they are never all in memory."""
    redactions: dict[str, int] = {}
    findings = bytes_in = bytes_out = 0
    for member in members:
        for rule, count in member.redactions.items():
            redactions[rule] = redactions.get(rule, 0) + count
        findings += len(member.findings)
        bytes_in += member.size_in
        bytes_out += member.size_out
    fact_entries = [{"path": name, "kind": "facts", "size_out": size, "sha256": sha}
                    for name, (size, sha) in sorted(facts.items())]

    def entries() -> Iterator[dict]:
        yield from map(_file_entry, members.by_path())
        yield from fact_entries

    return {
        "schema": MANIFEST_SCHEMA,
        "tool": {"name": "gcollect", "version": __version__},
        "created_utc": created.isoformat(),
        "host": settings.host_name,
        "case": settings.case,
        "command_line": settings.command_line,
        "root": str(plan.root),
        "window": {"since": _iso(plan.window.since), "until": _iso(plan.window.until),
                   **({"zone": plan.window.zone.as_dict()} if plan.window.zone is not None else {})},
        "profiles": [{"product": p.product, "title": p.title, "source": p.source, "sha256": p.sha256}
                     for p in plan.profiles_used],
        "rule_sets": [{"name": r.name, "sha256": r.sha256} for r in rule_sets],
        "installations": [
            {"product": i.product, "name": i.name, "app_dir": i.app_dir, "log_bases": list(i.log_bases),
             "app_type": i.app_type, "version": i.version, "evidence": list(i.evidence)}
            for i in plan.installations
        ],
        "files": LazyList(entries),
        "excluded": [{"path": e.host_path, "product": e.product, "reason": e.reason} for e in excluded],
        "skipped": [s.as_dict() for s in plan.skipped],
        "redactions": dict(sorted(redactions.items())),
        "scan_findings": findings,
        "totals": {
            "files": len(members),
            "bytes_in": bytes_in,
            "bytes_out": bytes_out,
            "excluded": len(excluded),
            "skipped": skipped_files(plan.skipped),
        },
        **({"extra": settings.extra} if settings.extra else {}),
    }


def _file_entry(m: MemberResult) -> dict:
    return {
        "path": m.host_path,
        "original_path": "/" + (m.original_path or m.host_path),
        "product": m.product,
        "installation": m.installation,
        "kind": m.kind,
        "size_in": m.size_in,
        "size_out": m.size_out,
        "mtime": datetime.fromtimestamp(m.mtime, timezone.utc).isoformat(),
        "sha256": m.sha256,
        "redactions": m.redactions,
        "kept_first": m.kept_first,
        "kept_last": m.kept_last,
        "unredacted": m.unredacted,
        **({"scan_findings": [{"line": line, "category": cat} for line, cat in m.findings]}
           if m.findings else {}),
        **({"note": m.note} if m.note else {}),
        **({"log_stats": RawJSON(m.log_stats)} if m.log_stats else {}),
        **({"source_range": [m.start_offset, m.end_offset], "source_size": m.source_size}
           if m.start_offset or (m.source_size and m.end_offset < m.source_size) else {}),
    }


def _manifest_piece(manifest: dict, tmp_dir: Path, settings: RunSettings, room=None):
    """manifest.json compressed into a piece as it is encoded: memory stays flat however many
    files the manifest lists."""
    from collector.bundle.pieces import PieceWriter

    piece_writer = PieceWriter(tmp_dir, settings.fmt, level=settings.level, room=room)
    try:
        batch: list[str] = []
        size = 0
        for text in iter_manifest_json(manifest):
            batch.append(text)
            size += len(text)
            if size >= _MANIFEST_BATCH:
                piece_writer.write("".join(batch).encode("utf-8"))
                batch, size = [], 0
        piece_writer.write("".join(batch).encode("utf-8"))
        return piece_writer.close()
    except BaseException:
        piece_writer.abort()
        raise


def _call_log_piece(members: MemberLog, tmp_dir: Path, settings: RunSettings, plan: Plan):
    """--call: the merged, time-ordered call log compressed into a piece as it is merged. The
    records of each file are read back one file at a time and the merge is spooled in the
    run's temp folder, so the main process does not grow with the size of the call."""
    from collector.bundle.pieces import PieceWriter
    from collector.callfilter import merge_call_records_into

    piece_writer = PieceWriter(tmp_dir, settings.fmt, level=settings.level)
    try:
        merge_call_records_into(((m.host_path, m.call_text, _when(m.kept_first)) for m in members if m.call_text),
                                piece_writer.write, tmp_dir, local_tz=plan.window.local_tz)
        return piece_writer.close()
    except BaseException:
        piece_writer.abort()
        raise


def _when(text: str | None) -> datetime | None:
    """A manifest time (``kept_first``) as an aware datetime, None when absent or unreadable."""
    try:
        return datetime.fromisoformat(text) if text else None
    except ValueError:
        return None


SIZE_CAP_REASON = "left out for --max-size (the bundle would have been larger)"


def _log_stream(host_path: str):
    from collector.selection import _stream_key

    return _stream_key(host_path)


def order_for_size_cap(members) -> list[Candidate]:
    """The order in which members claim room under --max-size (each is admitted or refused as
    its piece arrives, in this order on one worker, about it with a pool): configs and every
    other non-log file first, smallest first (support needs them, and they are small); then
    logs, newest segment of every stream first, then the next newest of each, and so on, so
    that a refused segment leaves the older end of its stream out, never a hole."""
    others = sorted((c for c in members if c.kind != "log"), key=lambda c: (c.capped_size, c.host_path))
    streams: dict = {}
    for c in members:
        if c.kind == "log":
            streams.setdefault(_log_stream(c.host_path), []).append(c)
    ranked = []
    for segments in streams.values():
        segments.sort(key=lambda c: (c.start.timestamp() if c.start else c.mtime, c.mtime), reverse=True)
        ranked += [(rank, c.capped_size, c.host_path, c) for rank, c in enumerate(segments)]
    ranked.sort(key=lambda t: t[:3])
    return others + [t[3] for t in ranked]


def _listing_text(result: MemberResult) -> bytes:
    """The text a member adds after the members: its manifest entry (as written, log statistics
    included) and its SHA256SUMS line; its rows in report.html are counted as long as the entry
    (``SizeBudget.admits``); its records in the merged call log (--call)."""
    entry = "".join(iter_manifest_json({"files": [_file_entry(result)]})).encode("utf-8", "surrogateescape")
    path = result.host_path.encode("utf-8", "surrogateescape")
    return entry + b"\n" + b"0" * 64 + b"  " + path + b"\n" + (result.call_text or b"")


def _member_frame(fmt: str, top: str, member: str, size: int) -> int:
    """Archive bytes a member adds around its stored bytes: a tar header (PAX name included) with
    the previous member's padding, compressed as the writer does; a zip local header and
    central directory record."""
    from collector.bundle import tarformat
    from collector.bundle.pieces import compress_unit

    full = f"{top}/{member}"
    if fmt == "zip":
        return 2 * len(full.encode("utf-8", "surrogateescape")) + 256
    head = tarformat.header(full, size=size, mtime=time.time(), mode=0o600)
    return len(compress_unit(fmt, bytes(511) + head)) + 32


def _size_budget(cap: int, plan: Plan, settings: RunSettings, members: MemberLog, facts: dict[str, bytes] | None,
                 annotations: dict | None, extra_files: Callable[[dict], dict[str, bytes]] | None,
                 rule_sets: list, created: datetime) -> SizeBudget:
    """What comes after the members, measured on the manifest and report of a bundle with none."""
    facts = facts or {}
    skeleton = build_manifest(plan, settings, members, {name: (len(data), "0" * 64) for name, data in facts.items()},
                              [], rule_sets, created)
    skeleton.update(annotations or {})
    texts = ["".join(iter_manifest_json(skeleton)).encode("utf-8", "surrogateescape")]
    if extra_files is not None:
        texts += list(extra_files(skeleton).values())
    return SizeBudget.for_run(cap, files=[*facts.values(), *texts])


def _discard_over_cap(info: BundleInfo, cap: int) -> NoReturn:
    """The estimate of what follows the members fell short: keep nothing rather than a bundle
    over --max-size."""
    for path in (info.path, info.path.with_name(info.path.name + ".sha256")):
        path.unlink(missing_ok=True)
    raise PreflightFailed(problem=f"the bundle came to {info.size} bytes, over --max-size ({cap} bytes); "
                                  "nothing was kept. Raise --max-size or narrow the window")


_CAN_FORK = "fork" in multiprocessing.get_all_start_methods()


def _new_pool(size: int, low_priority: bool) -> tuple[cf.ProcessPoolExecutor, bool]:
    """A pool of ``size`` worker processes, forked where the system can, else spawned; and
    whether this process's objects were frozen for it (then ``gc.unfreeze()`` when it closes).

    Forked workers share the main process's pages until they write to them, and a garbage
    collection in a worker writes to every object it walks. Frozen objects are never walked:
    the 1 GB bench's PSS sum 109 -> 95 MB."""
    if _CAN_FORK:
        gc.collect()
        gc.freeze()
    try:
        pool = cf.ProcessPoolExecutor(max_workers=size,
                                      mp_context=multiprocessing.get_context("fork" if _CAN_FORK else "spawn"),
                                      initializer=start_worker_process, initargs=(low_priority,))
    except BaseException:
        if _CAN_FORK:
            gc.unfreeze()
        raise
    return pool, _CAN_FORK


# A pool forked by start_workers (before discovery), waiting for the run to take it:
# (pool, workers, low_priority).
_STARTED: tuple[cf.ProcessPoolExecutor, int, bool] | None = None


def start_workers(settings: RunSettings) -> None:
    """Fork the worker processes now, before discovery and planning, while this process is small.

    A forked worker's RSS starts with every page of the process it was forked from. Forked at
    the run (after planning) each worker began with the plan (about 2 KB per planned file) and
    everything discovery left: at 4 GB (7,657 files) 51 MB. Forked here it begins at about
    21 MB, whatever the input size. The run's config then comes with every task
    (``process_members_with``) and the workers load the run's rule sets themselves, checked
    against the digests the run recorded. ``run`` takes the pool; ``stop_workers`` closes one no
    run took (a dry run, an error before the run). Does nothing where fork is not available or
    with one worker."""
    global _STARTED
    if _STARTED is not None or settings.workers <= 1 or not _CAN_FORK:
        return
    _use_state_caches(settings)
    _compile_rule_sets(settings)
    patterncache.save()
    pool, _frozen = _new_pool(settings.workers, settings.low_priority)
    try:
        pool.submit(os.getpid).result()      # a forking pool starts all its processes at the first task
    except BaseException as exc:
        processes = list((getattr(pool, "_processes", None) or {}).values())
        pool.shutdown(wait=True, cancel_futures=True)
        gc.unfreeze()
        if isinstance(exc, BrokenProcessPool):
            raise WorkerDied(cause=_death_cause(processes)) from None
        raise
    _STARTED = (pool, settings.workers, settings.low_priority)


def _use_state_caches(settings: RunSettings) -> None:
    """Keep the compiled Hyperscan databases (``redaction/hsmatch.py``) and the rules' compiled
    patterns (``redaction/patterncache.py``) in the state folder."""
    from collector.redaction import hsmatch

    state_dir = settings.state_dir
    hsmatch.use_cache(state_dir / "hyperscan" if state_dir is not None else None)
    patterncache.use(state_dir / "patterns" if state_dir is not None else None)


def _compile_rule_sets(settings: RunSettings) -> None:
    """Compile the rules of every rule set the run can use (packaged and site folders) once,
    here, before the workers are forked: they inherit the compiled patterns (``compile_rule``'s
    cache) instead of each compiling its own at its first file, after the main process has
    compiled them too. This process needs them anyway (case text, system facts, the run).

    About 0.8 s of each worker's start on these machines, while the main process planned and
    compiled alone: 2.6 -> 1.9 s for a 2 MB collection. The workers' pages are shared until
    written (frozen for the garbage collector by ``_new_pool``). Only the cache is filled: the
    run loads its rule sets itself, checked and digested as before, so a problem here (a
    broken site rule set) is reported by that load, not by this one."""
    from collector.redaction.rules import all_checked, available_rule_sets, compile_unchecked, load_rule_sets

    names = sorted(available_rule_sets(settings.rule_dirs))
    if _CAN_FORK and settings.state_dir is not None and not all_checked(names, settings.rule_dirs, settings.state_dir):
        # A host's first run (or the first after an update) checks every rule set: every example
        # through the engine, compiling and dropping hundreds of patterns and automata. Done in
        # this process, the freed heap stayed in its RSS and in every worker forked from it (main
        # 89 MB, workers 105-110 MB, against 50 and 70-75 on a later run), so a child does it and
        # only its record stays (in the state folder); a failure is the child's only, and the load
        # below checks again and reports it. Meanwhile this process compiles on the other core
        # (2 cores: 3.46 -> 3.03 s for a 1 MB collection).
        child = forked.start(lambda: load_rule_sets(names, settings.rule_dirs, checked_in=settings.state_dir))
        try:
            compile_unchecked(names, settings.rule_dirs)
        except BaseException:                      # interrupted: the checks end with this process
            forked.end(child)
            raise
        forked.wait(child)
    try:
        load_rule_sets(names, settings.rule_dirs, checked_in=settings.state_dir)
    except Interrupted:
        raise
    except Exception:  # noqa: BLE001 - only a cache: the run's own load says what is wrong
        pass


def stop_workers() -> None:
    """Close a pool that start_workers forked and no run took."""
    global _STARTED
    started, _STARTED = _STARTED, None
    if started is not None:
        started[0].shutdown(wait=True, cancel_futures=True)
        gc.unfreeze()


def _take_started(settings: RunSettings) -> cf.ProcessPoolExecutor | None:
    """The started pool if it fits these settings (else it is closed and None is returned)."""
    global _STARTED
    if _STARTED is not None and _STARTED[1:] == (settings.workers, settings.low_priority):
        pool, _STARTED = _STARTED[0], None
        return pool
    stop_workers()
    return None


_TASK_FILES = 32            # small files go to a worker together, at most this many
_TASK_BYTES = 4 << 20       # and at most this many bytes to read


def _tasks(candidates: Iterable[Candidate]) -> Iterator[tuple[Candidate, ...]]:
    """The pool's tasks, in plan order: a file of ``_TASK_BYTES`` or more alone, smaller ones (a
    host with thousands of small segments) together. One task per file cost the main process
    a submit, a wake-up of the pool's thread and a result of its own for every file: on a host
    of 20,000 small files, more CPU than both workers' redaction."""
    task: list[Candidate] = []
    size = 0
    for candidate in candidates:
        reads = candidate.capped_size
        if task and (len(task) >= _TASK_FILES or size + reads > _TASK_BYTES):
            yield tuple(task)
            task, size = [], 0
        task.append(candidate)
        size += reads
    if task:
        yield tuple(task)


def _death_cause(processes: list[BaseProcess]) -> str:
    """How a pool's worker ended: a signal (SIGKILL is what the out-of-memory killer sends)."""
    codes = [process.exitcode for process in processes if process.exitcode]
    signals = sorted({-code for code in codes if code < 0})
    if signal.SIGKILL in signals:
        return "killed by SIGKILL, perhaps by the out-of-memory killer"
    if signals:
        return "killed by " + ", ".join(signal.Signals(n).name for n in signals)
    return f"exit code {codes[0]}" if codes else "ended unexpectedly, perhaps out of memory"


class _Workers:
    """A process pool that can be torn down at once (on a signal or a full disk)."""

    def __init__(self, config: WorkerConfig, settings: RunSettings, members: int) -> None:
        self.inline = settings.workers <= 1 or members <= 1
        self.pool: cf.ProcessPoolExecutor | None = None
        self.frozen = False
        self.size = 1 if self.inline else min(settings.workers, members)
        self.config = config            # a pool's workers get it with each task (process_members_with)
        if self.inline:
            stop_workers()
            configure_worker(config)
            return
        started = _take_started(settings)
        if started is not None:
            self.pool, self.frozen = started, True
            self.size = settings.workers
            return
        self.pool, self.frozen = _new_pool(self.size, settings.low_priority)

    def outcomes(self, candidates: list[Candidate], *, in_order: bool = False):
        """Each candidate's outcome, as workers finish them; ``in_order``: in the candidates'
        order (--max-size admits members in that order)."""
        if self.pool is None:
            for candidate in candidates:
                yield process_member(candidate)
            return
        processes: list[BaseProcess] = []    # the pool forgets its processes when one dies: keep them
        try:
            yield from self._pooled_outcomes(candidates, processes, in_order)
        except BrokenProcessPool:
            raise WorkerDied(cause=_death_cause(processes)) from None

    def _pooled_outcomes(self, candidates: list[Candidate], processes: list[BaseProcess], in_order: bool):
        window = 2 * self.size          # bounded: at most two tasks' pieces per worker waiting (on disk,
                                        # or in memory for pieces of INLINE_PIECE_MAX or less)
        queue = _tasks(candidates)
        running: set[cf.Future] = set()
        pool, config = self.pool, self.config
        processes.extend((getattr(pool, "_processes", None) or {}).values())   # started ones exist already
        submitted: list[cf.Future] = []
        for task in queue:
            submitted.append(pool.submit(process_members_with, config, task))
            if len(submitted) >= window:
                break
        processes.extend(p for p in (getattr(pool, "_processes", None) or {}).values() if p not in processes)
        if in_order:                    # the oldest task first; still at most ``window`` in flight
            while submitted:
                yield from submitted.pop(0).result()
                nxt = next(queue, None)
                if nxt is not None:
                    submitted.append(pool.submit(process_members_with, config, nxt))
            return
        running = set(submitted)
        while running:
            done, running = cf.wait(running, return_when=cf.FIRST_COMPLETED)
            for future in done:
                yield from future.result()
                nxt = next(queue, None)
                if nxt is not None:
                    running.add(pool.submit(process_members_with, config, nxt))

    def close(self, *, abort: bool = False) -> None:
        if self.pool is not None:
            if abort:
                for process in list(getattr(self.pool, "_processes", {}).values()):
                    try:
                        process.terminate()
                    except OSError:
                        pass
            pool, self.pool = self.pool, None
            try:
                pool.shutdown(wait=True, cancel_futures=True)
            finally:
                self._unfreeze()
        else:
            try:
                close_worker()      # its pending tokens written: a full disk raises DiskFull here
            finally:
                self._unfreeze()

    def _unfreeze(self) -> None:
        if self.frozen:
            gc.unfreeze()
            self.frozen = False


def _clean_up(workers: _Workers | None, writer, members: MemberLog) -> None:
    """After the failure that ends a run: stop the workers, remove ``NAME.partial``, close the
    member log. Every step runs whatever the one before it raised (a token map whose disk is
    full fails again as it closes, a pool that broke), and the failure reported is the one that
    ended the run, not a later one from cleaning up."""
    steps = [lambda: workers.close(abort=True)] if workers is not None else []
    steps += [writer.abort] if writer is not None else []
    steps.append(members.close)
    for step in steps:
        try:
            step()
        except Exception:  # noqa: BLE001 - cleaning up goes on; the run's own error is raised
            pass


def run(plan: Plan, settings: RunSettings, reporter: Reporter | None = None,
        *, facts: dict[str, bytes] | None = None, annotations: dict | None = None,
        extra_files: Callable[[dict], dict[str, bytes]] | None = None,
        call: tuple[str, frozenset[bytes]] | None = None) -> RunResult:
    """Write one bundle for ``plan``. Raises GcollectError on a run-ending problem.

    ``facts``: files for ``system/``; ``annotations``: keys merged into manifest.json (case data,
    log filters); ``extra_files(manifest) -> {name: bytes}``: files derived from the finished
    manifest (the HTML report), added before manifest.json and listed in it. ``call`` = (seed,
    ids): workers keep only that call's records; the merged, time-ordered ``call-<seed>.log``
    is added.
    """
    from collector.bundle import BundleWriter, bundle_name
    from collector.bundle.names import FREE_SECOND_TRIES, free_second
    from collector.hostguard import RoomGuard, preflight
    from collector.redaction.rules import load_rule_sets

    reporter = reporter or SilentReporter()
    started = time.monotonic()
    created = free_second(settings.output_dir, settings.host_name, settings.case, settings.fmt)
    disk = preflight(settings.output_dir, plan.bytes_kept_estimate, reserve_bytes=settings.reserve_bytes,
                     max_bundle_bytes=settings.max_bundle_bytes, members=len(plan.members))
    writers = max(1, settings.workers) + 1      # the workers' pieces and the main process's bundle
    room = RoomGuard(settings.output_dir, disk.reserve, writers)
    rule_names = sorted({name for c in plan.members for name in c.rule_sets})
    _use_state_caches(settings)             # workers started later, and a run in this process
    # a broken rule set stops here, before any read
    rule_sets = load_rule_sets(rule_names, settings.rule_dirs, checked_in=settings.state_dir)
    by_name = {r.name: r for r in rule_sets}
    preload_rule_sets(settings.rule_dirs, {names: [by_name[n] for n in names]
                                           for names in {c.rule_sets for c in plan.members}})
    patterncache.save()
    key = _site_key(settings.state_dir)
    token_db = settings.state_dir / "tokens.db"
    _create_token_store(token_db)

    tmp_dir = Path(tempfile.mkdtemp(prefix=".gcollect-tmp-", dir=settings.output_dir))
    config = WorkerConfig(tmp_dir=tmp_dir, fmt=settings.fmt, level=settings.level, site_key=key,
                          token_db=token_db, rule_dirs=settings.rule_dirs,
                          window=plan.window, chunk_size=settings.chunk_size,
                          call_ids=call[1] if call else frozenset(),
                          rule_digests=tuple((r.name, r.sha256) for r in rule_sets), checks_dir=settings.state_dir,
                          reserve_bytes=disk.reserve, writers=writers,
                          leave_out_below_reserve=settings.max_bundle_bytes is not None)
    members = MemberLog(settings.output_dir)   # on disk: the main process does not grow with the file count
    excluded: list[Excluded] = []
    waiting_lines: list[tuple[str, int]] = []
    bytes_in = 0
    if settings.max_bundle_bytes is None:
        candidates = sorted(plan.members, key=lambda c: -c.capped_size)   # big files first: both cores busy
    else:
        candidates = order_for_size_cap(plan.members)
    refused_streams: set = set()
    workers = None
    writer = None
    info = None
    try:
        for attempt in range(FREE_SECOND_TRIES):
            name = bundle_name(settings.host_name, settings.case, created, settings.fmt)
            top = name[: -len(settings.fmt) - 1]        # a host named app.zip1 keeps its whole name
            try:
                writer = BundleWriter(settings.output_dir, name, settings.fmt, top, room=room)
                break
            except BundleNameTaken:                     # a run started beside this one took the second
                if attempt == FREE_SECOND_TRIES - 1:
                    raise
                created = free_second(settings.output_dir, settings.host_name, settings.case, settings.fmt)
        workers = _Workers(config, settings, len(candidates))
        reporter.start(plan.bytes_planned)
        budget = None
        if settings.max_bundle_bytes is not None:
            budget = _size_budget(settings.max_bundle_bytes, plan, settings, members, facts, annotations,
                                  extra_files, rule_sets, created)
        for outcome in workers.outcomes(candidates, in_order=budget is not None):
            outcome: MemberOutcome
            bytes_in += outcome.bytes_read
            reporter.advance(outcome.bytes_read)
            if outcome.waiting is not None:
                waiting_lines.append(outcome.waiting)
            if outcome.excluded is not None:
                excluded.append(outcome.excluded)
                if budget is not None and outcome.excluded.reason == BELOW_RESERVE_REASON:
                    stream = _log_stream(outcome.excluded.host_path)    # its older segments too
                    refused_streams.add(stream)
                    budget.add_excluded(len(outcome.excluded.host_path) + 2 * len(BELOW_RESERVE_REASON))
                continue
            if outcome.result is None:      # nothing new (a snapshot's unfinished line)
                continue
            piece = outcome.piece
            # the plan's string for the same path (selection interns it): the writer's and the
            # member log's lists then hold no second copy of each path (probe K finding 11)
            outcome.result.host_path = sys.intern(outcome.result.host_path)
            if budget is not None:
                result = outcome.result
                stream = _log_stream(result.original_path or result.host_path) if result.kind == "log" else None
                listing = _listing_text(result)
                frame = _member_frame(settings.fmt, top, result.host_path, result.size_out)
                need = piece.stored_size + frame
                admitted = stream not in refused_streams and budget.admits(writer.size, need, listing)
                # the reserve, whatever --max-size says: a piece with no room above it is left out
                no_room = admitted and not (room.fits(need) and writer.try_add_piece(
                    result.host_path, piece, mtime=result.mtime))
                if not admitted or no_room:
                    if piece.path is not None:
                        Path(piece.path).unlink(missing_ok=True)
                    reason = BELOW_RESERVE_REASON if no_room else SIZE_CAP_REASON
                    excluded.append(Excluded(result.host_path, result.product, reason))
                    budget.add_excluded(len(result.host_path) + 2 * len(reason))
                    if stream is not None:     # its older segments too: no hole in the stream
                        refused_streams.add(stream)
                    continue
                budget.add_listing(listing)
            else:
                writer.add_piece(outcome.result.host_path, piece, mtime=outcome.result.mtime)
            members.append(outcome.result)
        workers.close()
        workers = None
        fact_entries: dict[str, tuple[int, str]] = {}
        now = time.time()
        call_piece = None
        if call is not None:
            from collector.callfilter import call_log_name

            call_piece = (call_log_name(call[0]), _call_log_piece(members, tmp_dir, settings, plan))
        for fact_name in sorted({*(facts or {}), *([call_piece[0]] if call_piece else [])}):
            if call_piece is not None and fact_name == call_piece[0]:
                piece = call_piece[1]
                writer.add_piece(fact_name, piece, mtime=now)
                fact_entries[fact_name] = (piece.size, piece.sha256)
                continue
            data = facts[fact_name]
            writer.add_bytes(fact_name, data, mtime=now)
            fact_entries[fact_name] = (len(data), hashlib.sha256(data).hexdigest())
        manifest = build_manifest(plan, settings, members, fact_entries, excluded, rule_sets, created)
        manifest.update(annotations or {})
        if extra_files is not None:
            for extra_name, data in sorted(extra_files(manifest).items()):
                writer.add_bytes(extra_name, data, mtime=now)
                manifest["files"].append({"path": extra_name, "kind": "report", "size_out": len(data),
                                          "sha256": hashlib.sha256(data).hexdigest()})
        writer.add_piece("manifest.json", _manifest_piece(manifest, tmp_dir, settings, room), mtime=now)
        info = writer.close()
        writer = None
        if settings.max_bundle_bytes is not None and info.size > settings.max_bundle_bytes:
            _discard_over_cap(info, settings.max_bundle_bytes)
    except BaseException as exc:
        _clean_up(workers, writer, members)
        if (info is not None and info.path.exists() and isinstance(exc, (KeyboardInterrupt, Interrupted))
                and not isinstance(exc, InterruptedAfterBundle)):
            raise after_bundle(exc, info.path) from None    # the bundle is complete: it says so
        raise
    finally:
        stop_workers()                 # a pool started for this run that it did not take
        reporter.close()
        shutil.rmtree(tmp_dir, ignore_errors=True)
    return RunResult(
        bundle=info,
        members=members,
        excluded=excluded,
        skipped=list(plan.skipped),
        installations=plan.installations,
        bytes_in=bytes_in,
        bytes_out=info.size,
        seconds=time.monotonic() - started,
        waiting_lines=waiting_lines,
    )


__all__ = ["run", "build_manifest", "start_workers", "stop_workers", "DiskFull", "GcollectError"]
