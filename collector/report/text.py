"""The terminal form of the report (``gcollect inspect``)."""

from __future__ import annotations

from typing import Any

from collector.model import skip_label, skipped_entry_files
from collector.printable import printable

MAX_ROWS = 40


def _w(text: Any, width: int) -> str:
    value = "" if text is None else str(text)
    return value if len(value) <= width else value[:width - 1] + "~"


def _listed(add, title: str, rows: list[str], max_rows: int) -> None:
    """``title (N):`` and up to ``max_rows`` indented rows, nothing when there are none."""
    if rows:
        add(f"{title} ({len(rows)}):")
        for row in rows[:max_rows]:
            add(f"  {row}")
        if len(rows) > max_rows:
            add(f"  ... {len(rows) - max_rows} more")


def render_text(data: dict[str, Any], *, max_rows: int = MAX_ROWS) -> str:
    lines: list[str] = []
    add = lines.append
    window = data["window"]
    add(f"host {data.get('host')}  case {data.get('case') or '-'}  created {data.get('created_utc')}")
    add(f"window {window['since'] or 'open'} .. {window['until'] or 'open'}  "
        f"(records {data['span']['first'] or '?'} .. {data['span']['last'] or '?'})")
    if window.get("zone"):
        add(f"host zone {window['zone']}")
    info = data.get("case_info") or {}
    for key in ("site", "contact", "severity", "summary", "os"):
        if info.get(key):
            add(f"{key}: {info[key]}")
    totals = data.get("totals") or {}
    add(f"files {totals.get('files', 0)}, excluded {totals.get('excluded', 0)}, skipped {totals.get('skipped', 0)}, "
        f"bytes read {totals.get('bytes_in', 0)}, stored {totals.get('bytes_out', 0)}")
    _listed(add, "Not cut to the window, time format not recognised: taken whole",
            [u["path"] for u in data.get("undated", [])], max_rows)
    _listed(add, "Cut by a size cap, only their newest records kept",
            [f"{c['path']}: {c['note']}" for c in data.get("cut", [])], max_rows)
    add("")
    add("Collected per product:")
    for p in data["products"]:
        add(f"  {_w(p['product'], 24):24} {p['files']:5} files {p['bytes_out']:>12} bytes  "
            f"{', '.join(p['installations'])}")
    add("")
    add(f"Log streams ({len(data['streams'])}):")
    for s in data["streams"][:max_rows]:
        gap = f"  ({s['left_out']} left out: see Excluded)" if s.get("left_out") else ""
        gap += f"  ({s['cut']} cut by a size cap: older records missing)" if s.get("cut") else ""
        add(f"  {_w(s['product'], 18):18} {_w(s['stream'], 48):48} {s['first'] or '?'} .. {s['last'] or '?'}{gap}")
    if len(data["streams"]) > max_rows:
        add(f"  ... {len(data['streams']) - max_rows} more")
    add("")
    add(f"Std/Alr messages by ID ({data['alarms_total']} IDs):")
    for a in data["alarms"][:max_rows]:
        add(f"  {a['level']} {a['id']} {_w(a['product'], 18):18} {a['count']:7}  {a['first'] or '?'} .. "
            f"{a['last'] or '?'}  {_w(a['text'], 60)}")
    add("")
    add("HA roles:")
    for r in data["ha_roles"]:
        add(f"  {_w(r['product'], 18):18} {_w(r['stream'], 48):48} {r['role']}")
    add(f"HA role changes ({data['ha_events_total']}):")
    for e in data["ha_events"][:max_rows]:
        add(f"  {e.get('time') or '?'} {_w(e['product'], 18):18} {_w(e.get('text'), 80)}")
    add("")
    add("Redactions per rule:")
    for rule, count in data["redactions"].items():
        add(f"  {_w(rule, 40):40} {count:9}")
    add(f"Excluded ({len(data['excluded'])}):")
    for x in data["excluded"]:
        add(f"  {x.get('path')}: {x.get('reason')}")
    add(f"Skipped ({skipped_entry_files(data['skipped'])}):")
    for x in data["skipped"][:max_rows]:
        add(f"  {skip_label(x)}: {x.get('reason')}")
    if len(data["skipped"]) > max_rows:
        add(f"  ... {len(data['skipped']) - max_rows} more (--json lists all)")
    add(f"Scanner findings ({len(data['findings'])}):")
    for f in data["findings"][:max_rows]:
        add(f"  {f['path']}:{f['line']}: {f['category']}")
    return printable("\n".join(lines) + "\n")
