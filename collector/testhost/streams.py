"""Write the segments of one log stream: header, then timestamped blocks drawn from a pool.

The stream covers [start, end]; its byte budget is split into segments of ``segment_bytes``,
each covering an equal slice of time, named after the local time of its first moment. The hot
loop only looks up a stamp and appends pre-rendered bytes; output is written in large blocks.
"""

from __future__ import annotations

import math
import os
import random
from itertools import chain, cycle, islice
from operator import add
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .blocks import STAMP_RECORD, BlockPool
from .headers import HeaderFacts, render_header
from .stamps import local_datetime, make_stamper, stamp_many, tz_abbreviation, utc_iso

_CHUNK_RECORDS = 20000


@dataclass
class StreamSpec:
    """One log output stream of one application (a ``[log] all=`` base, or a thread stream)."""

    product: str
    app_name: str
    dir: str                          # host path of the folder the files go to
    base: str                         # file-name base: SIPS_P, SIPS_P-768, cloud, gax.log
    pool: BlockPool
    weight_bytes: int                 # bytes at scale 1.0
    stamp_style: str = "time"
    header_style: str = "framework"
    banner: str = "Genesys Server"
    app_type: str | None = None
    command_line: str = ""
    ha_role: str | None = None
    version: str = "8.5.100.01"
    naming: str = "framework"         # framework | plain-ts | logback
    eol_crlf: bool = False
    min_segments: int = 1


@dataclass
class Clock:
    start_local_ms: int
    end_local_ms: int
    tz_west_s: int
    host_name: str


@dataclass
class FileFact:
    host_path: str
    first: str                        # UTC ISO of the first record
    last: str
    secrets: set[tuple[str, str]] = field(default_factory=set)
    keeps: set[tuple[str, str]] = field(default_factory=set)
    size: int = 0


def ts_name(local_ms: int) -> str:
    moment = local_datetime(local_ms)
    return f"{moment:%Y%m%d_%H%M%S}_{local_ms % 1000:03d}"


def segment_name(spec: StreamSpec, local_ms: int, newest: bool, index: int, suffix: str = ".log") -> str:
    if spec.naming == "logback":           # GWS cloud.log: current + cloud.<date>.<i>.log
        return f"{spec.base}.log" if newest else f"{spec.base}.{local_datetime(local_ms):%Y-%m-%d}.{index}.log"
    if spec.naming == "plain-ts":          # GAX: gax.log.<ts>
        return f"{spec.base}.{ts_name(local_ms)}"
    return f"{spec.base}.{ts_name(local_ms)}{suffix}"


def write_segment(root: Path, spec: StreamSpec, clock: Clock, name: str, seq: int, t0: int, t1: int,
                  count: int, rng: random.Random) -> FileFact:
    """Write one file: header at ``t0`` then ``count`` blocks spread over [t0, t1)."""
    pool = spec.pool
    blocks = pool.blocks
    fast = [b.pieces[0][1] if len(b.pieces) == 1 and b.pieces[0][0] == STAMP_RECORD else None for b in blocks]
    abbr = tz_abbreviation(clock.tz_west_s)
    stampers: dict[int, Callable[[int, int], bytes]] = {
        STAMP_RECORD: make_stamper(spec.stamp_style, abbr), 1: make_stamper("tlib"), 2: make_stamper("urs_http")}
    count = max(1, count)
    istep = max(1, int((t1 - t0 - 2) / count))
    jitter = [0] + [int(rng.random() * istep * 0.4) for _ in range(min(count, 1009) - 1)]
    indices = pool.draw(rng, count)
    times = list(map(add, range(t0 + 1, t0 + 1 + count * istep, istep), islice(cycle(jitter), count)))
    host_path = f"{spec.dir}/{name}"
    path = root / host_path
    path.parent.mkdir(parents=True, exist_ok=True)
    facts = HeaderFacts(
        style=spec.header_style, banner=spec.banner, app_name=spec.app_name, app_type=spec.app_type,
        host_name=clock.host_name, local_start=local_datetime(t0),
        utc_start=local_datetime(t0 + clock.tz_west_s * 1000), tz_west_s=clock.tz_west_s, seq=seq,
        file_name=name, command_line=spec.command_line, ha_role=spec.ha_role, version=spec.version)
    header = render_header(facts).encode()
    if spec.eol_crlf:
        header = header.replace(b"\n", b"\r\n")
    size = 0
    with open(path, "wb") as out_file:
        out_file.write(header)
        size += len(header)
        for lo in range(0, count, _CHUNK_RECORDS):
            chunk_times = times[lo:lo + _CHUNK_RECORDS]
            chunk_idx = indices[lo:lo + _CHUNK_RECORDS]
            stamps = stamp_many(spec.stamp_style, abbr, chunk_times)
            texts = [fast[i] for i in chunk_idx]
            for j in [j for j, text in enumerate(texts) if text is None]:
                sec, ms = divmod(chunk_times[j], 1000)
                stamps[j] = b""
                texts[j] = b"".join(stampers[kind](sec, ms) + piece for kind, piece in blocks[chunk_idx[j]].pieces)
            data = b"".join(chain.from_iterable(zip(stamps, texts)))
            out_file.write(data)
            size += len(data)
    first, last = times[0], times[-1]
    mtime = last / 1000 + clock.tz_west_s
    os.utime(path, (mtime, mtime))
    fact = FileFact(host_path, utc_iso(first, clock.tz_west_s), utc_iso(last, clock.tz_west_s), size=size)
    for idx in set(indices):
        block = blocks[idx]
        fact.secrets.update(block.secrets)
        fact.keeps.update(block.keeps)
    return fact


def _stamp_lengths(style: str, clock: Clock) -> dict[int, int]:
    abbr = tz_abbreviation(clock.tz_west_s)
    return {STAMP_RECORD: len(make_stamper(style, abbr)(clock.start_local_ms // 1000, 0)),
            1: len(make_stamper("tlib")(0, 0)), 2: len(make_stamper("urs_http")(0, 0))}


def write_stream(root: Path, spec: StreamSpec, clock: Clock, scale: float, segment_bytes: int,
                 rng: random.Random, first_seq: int = 1) -> list[FileFact]:
    """All segments of one stream over the clock's span; the newest is still being written."""
    if spec.eol_crlf:
        spec.pool = spec.pool.crlf()
    total = max(4096, int(spec.weight_bytes * scale))
    n_seg = max(spec.min_segments, math.ceil(total / segment_bytes))
    span = clock.end_local_ms - clock.start_local_ms
    seg_ms = span / n_seg
    per_seg = total / n_seg
    avg = spec.pool.average_size(_stamp_lengths(spec.stamp_style, clock))
    facts = []
    for i in range(n_seg):
        t0 = clock.start_local_ms + int(i * seg_ms) + rng.randint(1, 999)
        t1 = clock.start_local_ms + int((i + 1) * seg_ms)
        name = segment_name(spec, t0, i == n_seg - 1, n_seg - 1 - i)
        facts.append(write_segment(root, spec, clock, name, first_seq + i, t0, t1, int(per_seg / avg), rng))
    return facts


def write_companion(root: Path, spec: StreamSpec, clock: Clock, at_local_ms: int, suffix: str,
                    rng: random.Random, records: int = 60) -> FileFact:
    """A ``.snapshot.log`` / ``.qsp`` / ``.memory.log`` file: the last records before ``at``."""
    t0 = at_local_ms - records * 250
    name = segment_name(spec, t0, False, 0, suffix)
    return write_segment(root, spec, clock, name, 9000 + records, t0, at_local_ms, records, rng)
