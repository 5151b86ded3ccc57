"""Turn a bundle's manifest.json into the summary the report and ``gcollect inspect`` show.

Pure function of the manifest (``summarise(manifest) -> dict``, JSON-able): what was collected
per host and product, one timeline entry per log stream (product + stream base; SIP Server
thread streams ``-NNN`` are streams of their own), the Std/Alr message table, HA roles and role
changes, redaction counts per rule, excluded and skipped files with their reasons, logs taken
whole because their time format was not recognised, logs a size cap cut to their newest bytes
(their older records, of the window too, are not in the bundle), and scanner findings.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from collector.manifestjson import json_value
from collector.model import SIZE_CAP_CUT_NOTE, TAIL_NOTE, UNDATED_NOTE

MAX_ALARM_ROWS = 500
MAX_HA_ROWS = 500
LOG_KINDS = ("log", "binary-log")


def _parse(ts: Any) -> datetime | None:
    if not isinstance(ts, str) or not ts:
        return None
    try:
        moment = datetime.fromisoformat(ts)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds") if moment else None


def _stream(entry: dict[str, Any], stats: dict[str, Any]) -> str:
    if stats.get("stream"):
        return str(stats["stream"])
    from collector.logstats import stream_of

    return stream_of(str(entry.get("path", "")))


def _span(entry: dict[str, Any], stats: dict[str, Any]) -> tuple[datetime | None, datetime | None]:
    first = _parse(stats.get("first")) or _parse(entry.get("kept_first"))
    last = _parse(stats.get("last")) or _parse(entry.get("kept_last"))
    if last is None:
        last = _parse(entry.get("mtime"))
    return first, last


def _stream_row(product: str, name: str) -> dict[str, Any]:
    return {"product": product, "stream": name, "files": 0, "first": None, "last": None, "app": {},
            "ha_role": None, "left_out": 0, "cut": 0}


def _count_left_out(streams: dict[tuple[str, str], dict[str, Any]], excluded: list[Any]) -> None:
    """Count each log left out (it could not be redacted safely, ...) on its stream's row, so the
    timeline does not show a stream as covering hours whose segment is missing; a stream whose
    every segment was left out gets a row of its own (no times)."""
    for entry in excluded:
        if not isinstance(entry, dict):
            continue
        path = str(entry.get("path") or "")
        stored = path[:-3] if path.endswith(".gz") else path
        product = str(entry.get("product") or "unknown")
        key = (product, _stream({"path": stored}, {}))
        if key not in streams and not stored.endswith(".log"):
            continue                                   # a config or other file: not a log stream
        streams.setdefault(key, _stream_row(*key))["left_out"] += 1


def _min(a: datetime | None, b: datetime | None) -> datetime | None:
    return b if a is None else a if b is None else min(a, b)


def _max(a: datetime | None, b: datetime | None) -> datetime | None:
    return b if a is None else a if b is None else max(a, b)


def summarise(manifest: dict[str, Any]) -> dict[str, Any]:
    # one pass over the entries: in a run they are made one at a time from the member log
    collected = (f for f in manifest.get("files", [])
                 if isinstance(f, dict) and f.get("kind") not in ("facts", "report"))
    products: dict[str, dict[str, Any]] = {}
    streams: dict[tuple[str, str], dict[str, Any]] = {}
    alarms: dict[tuple[str, str, str], dict[str, Any]] = {}
    ha_rows: list[dict[str, Any]] = []
    roles: list[dict[str, Any]] = []
    findings: list[dict[str, Any]] = []
    undated: list[dict[str, Any]] = []
    cut: list[dict[str, Any]] = []
    for entry in collected:
        product = str(entry.get("product") or "unknown")
        prod = products.setdefault(product, {"product": product, "files": 0, "bytes_in": 0, "bytes_out": 0,
                                             "installations": set(), "kinds": {}})
        prod["files"] += 1
        prod["bytes_in"] += int(entry.get("size_in") or 0)
        prod["bytes_out"] += int(entry.get("size_out") or 0)
        if entry.get("installation"):
            prod["installations"].add(str(entry["installation"]))
        kind = str(entry.get("kind") or "file")
        prod["kinds"][kind] = prod["kinds"].get(kind, 0) + 1
        for hit in entry.get("scan_findings") or []:
            findings.append({"path": entry.get("path"), "line": hit.get("line"), "category": hit.get("category")})
        note = str(entry.get("note") or "")
        if UNDATED_NOTE in note:
            undated.append({"path": entry.get("path"), "product": product, "size": entry.get("size_out")})
        capped = SIZE_CAP_CUT_NOTE in note or TAIL_NOTE in note
        if capped:
            cut.append({"path": entry.get("path"), "product": product, "note": note})
        if kind not in LOG_KINDS:
            continue
        stats = json_value(entry.get("log_stats")) or {}      # compact JSON in a run: decoded once
        name = _stream(entry, stats)
        first, last = _span(entry, stats)
        row = streams.setdefault((product, name), _stream_row(product, name))
        row["files"] += 1
        row["cut"] += capped
        row["first"], row["last"] = _min(row["first"], first), _max(row["last"], last)
        row["app"] = row["app"] or stats.get("app") or {}
        if stats.get("ha_role") and stats["ha_role"] != row["ha_role"]:
            row["ha_role"] = stats["ha_role"]
            roles.append({"product": product, "stream": name, "role": stats["ha_role"], "path": entry.get("path")})
        for event in stats.get("ha_events") or []:
            ha_rows.append({"product": product, "stream": name, "path": entry.get("path"), **event})
        for msg in stats.get("messages") or []:
            key = (product, str(msg.get("level")), str(msg.get("id")))
            agg = alarms.setdefault(key, {"product": product, "level": key[1], "id": key[2], "count": 0,
                                          "first": None, "last": None, "text": msg.get("text") or "",
                                          "streams": set()})
            agg["count"] += int(msg.get("count") or 0)
            agg["first"] = _min(agg["first"], _parse(msg.get("first")))
            agg["last"] = _max(agg["last"], _parse(msg.get("last")))
            agg["streams"].add(name)
    _count_left_out(streams, manifest.get("excluded") or [])
    window = manifest.get("window") or {}
    since, until = _parse(window.get("since")), _parse(window.get("until"))
    stream_rows = sorted(streams.values(), key=lambda r: (r["product"], r["stream"]))
    lo = min((r["first"] or r["last"] for r in stream_rows if r["first"] or r["last"]), default=None)
    hi = max((r["last"] or r["first"] for r in stream_rows if r["first"] or r["last"]), default=None)
    alarm_rows = sorted(alarms.values(), key=lambda a: (a["level"] != "Alr", -a["count"], a["product"], a["id"]))
    ha_rows.sort(key=lambda r: (r.get("time") or "", r["product"], r["stream"]))
    return {
        "host": manifest.get("host"),
        "case": manifest.get("case"),
        "case_info": manifest.get("case_info"),
        "created_utc": manifest.get("created_utc"),
        "tool": manifest.get("tool"),
        "window": {"since": _iso(since), "until": _iso(until), "zone": (window.get("zone") or {}).get("text")},
        "span": {"first": _iso(lo), "last": _iso(hi)},
        "totals": manifest.get("totals") or {},
        "products": [{**p, "installations": sorted(p["installations"])} for _, p in sorted(products.items())],
        "installations": [{k: i.get(k) for k in ("product", "name", "version", "app_type")}
                          for i in manifest.get("installations", []) if i.get("product") != "host"],
        "streams": [{**r, "first": _iso(r["first"]), "last": _iso(r["last"])} for r in stream_rows],
        "alarms": [{**a, "first": _iso(a["first"]), "last": _iso(a["last"]), "streams": sorted(a["streams"])}
                   for a in alarm_rows[:MAX_ALARM_ROWS]],
        "alarms_total": len(alarm_rows),
        "ha_roles": roles,
        "ha_events": ha_rows[:MAX_HA_ROWS],
        "ha_events_total": len(ha_rows),
        "redactions": dict(sorted((manifest.get("redactions") or {}).items(), key=lambda kv: (-kv[1], kv[0]))),
        "excluded": list(manifest.get("excluded") or []),
        "skipped": list(manifest.get("skipped") or []),
        "findings": findings,
        "undated": undated,            # logs in the window taken whole: time format not recognised
        "cut": cut,                    # logs a size cap cut to their newest bytes (older records left out)
    }
