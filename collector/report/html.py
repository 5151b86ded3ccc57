"""report.html: one self-contained page (inline CSS, inline SVG, no script, no URL of any kind).

A Content-Security-Policy of ``default-src 'none'`` (styles inline only) makes sure the browser
fetches nothing even if a redacted log text looked like markup: every value is escaped.
"""

from __future__ import annotations

from datetime import datetime, timezone
from html import escape
from typing import Any

from collector.model import skip_label
from collector.printable import printable

CSS = """
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}
h1{font-size:1.5em}h2{font-size:1.2em;margin-top:1.6em;border-bottom:1px solid #ccc}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ddd;padding:2px 6px;text-align:left;
vertical-align:top}th{background:#f3f3f3}td.n{text-align:right}tr.Alr td{background:#fde8e8}
.muted{color:#777}svg text{font:11px sans-serif}.bar{fill:#4a7fb5}.win{fill:#f5d76e;fill-opacity:.35}
dl{display:grid;grid-template-columns:max-content auto;gap:2px 12px}dt{font-weight:600}
"""
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"
ROW_H = 18
LABEL_W = 330
CHART_W = 640


def _e(value: Any) -> str:
    return escape("" if value is None else str(value), quote=True)


def _table(headers: list[str], rows: list[list[Any]], *, classes: list[str] | None = None,
           numeric: set[int] = frozenset()) -> str:  # type: ignore[assignment]
    if not rows:
        return '<p class="muted">none</p>'
    out = ["<table><tr>" + "".join(f"<th>{_e(h)}</th>" for h in headers) + "</tr>"]
    for index, row in enumerate(rows):
        cls = f' class="{_e(classes[index])}"' if classes else ""
        cells = "".join(f'<td class="n">{_e(v)}</td>' if i in numeric else f"<td>{_e(v)}</td>"
                        for i, v in enumerate(row))
        out.append(f"<tr{cls}>{cells}</tr>")
    out.append("</table>")
    return "\n".join(out)


def _ts(text: str | None) -> datetime | None:
    if not text:
        return None
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def timeline_svg(data: dict[str, Any]) -> str:
    """One bar per log stream across the time its files cover, over the requested window."""
    streams = data["streams"]
    since, until = _ts(data["window"]["since"]), _ts(data["window"]["until"])
    first, last = _ts(data["span"]["first"]), _ts(data["span"]["last"])
    lo = min(t for t in (since, first, last) if t is not None) if (since or first or last) else None
    hi = max(t for t in (until, last, first) if t is not None) if (until or last or first) else None
    height = ROW_H * len(streams) + 40
    width = LABEL_W + CHART_W + 20
    parts = [f'<svg width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" role="img" aria-label="log coverage timeline">']
    if lo is None or hi is None:
        parts.append('<text x="4" y="14">no timed records</text></svg>')
        return "".join(parts)
    total = max((hi - lo).total_seconds(), 1.0)

    def x(moment: datetime | None, default: float) -> float:
        if moment is None:
            return default
        return LABEL_W + CHART_W * (moment - lo).total_seconds() / total

    if since or until:
        wx0, wx1 = x(since, LABEL_W), x(until, LABEL_W + CHART_W)
        parts.append(f'<rect class="win" data-window="1" x="{wx0:.1f}" y="0" width="{max(wx1 - wx0, 1):.1f}" '
                     f'height="{height - 22}"><title>requested window {_e(data["window"]["since"])} .. '
                     f'{_e(data["window"]["until"])}</title></rect>')
    for row, stream in enumerate(streams):
        y = 4 + row * ROW_H
        start, end = _ts(stream["first"]), _ts(stream["last"])
        x0 = x(start or end, LABEL_W)
        x1 = x(end or start, x0)
        label = f'{stream["product"]}: {stream["stream"].rsplit("/", 1)[-1]}'
        left_out, cut = int(stream.get("left_out") or 0), int(stream.get("cut") or 0)
        gap = ", ".join(([f"{left_out} left out"] if left_out else []) + ([f"{cut} cut"] if cut else []))
        gap = f" ({gap})" if gap else ""
        parts.append(f'<text x="4" y="{y + 12}">{_e(label[:52 - len(gap)] + gap)}</text>')
        files = f'{stream["files"]} files' + (f", {left_out} left out: the bar does not show their hours"
                                              if left_out else "") + (
            f", {cut} cut by a size cap: their older records are not in the bundle, the bar spans the gap"
            if cut else "")
        parts.append(f'<rect class="bar" data-stream="{_e(stream["product"] + ":" + stream["stream"])}" '
                     f'x="{x0:.1f}" y="{y + 2}" width="{max(x1 - x0, 2):.1f}" height="{ROW_H - 5}">'
                     f'<title>{_e(stream["stream"])}: {_e(stream["first"])} .. {_e(stream["last"])} '
                     f'({_e(files)})</title></rect>')
    axis_y = height - 8
    parts.append(f'<text x="{LABEL_W}" y="{axis_y}">{_e(lo.strftime("%Y-%m-%d %H:%M"))} UTC</text>')
    parts.append(f'<text x="{LABEL_W + CHART_W}" y="{axis_y}" text-anchor="end">'
                 f'{_e(hi.strftime("%Y-%m-%d %H:%M"))} UTC</text></svg>')
    return "".join(parts)


def _shown_host(data: dict[str, Any]) -> str | None:
    """The host name, or its token when the case data is strict (``--strict-case``)."""
    return (data.get("case_info") or {}).get("host") or data.get("host")


def _case_block(data: dict[str, Any]) -> str:
    info = data.get("case_info") or {}
    rows = [("Case", data.get("case") or info.get("number")), ("Host", _shown_host(data)),
            ("Created (UTC)", data.get("created_utc")),
            ("Window (UTC)", f'{data["window"]["since"] or "open"} .. {data["window"]["until"] or "open"}'),
            ("Host zone", data["window"].get("zone")),
            ("Site", info.get("site")), ("Contact", info.get("contact")), ("Severity", info.get("severity")),
            ("Summary", info.get("summary")), ("OS", info.get("os"))]
    out = "<dl>" + "".join(f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in rows if v) + "</dl>"
    if info.get("steps"):
        out += "<p><b>Reproduction steps</b></p><ol>" + "".join(f"<li>{_e(s)}</li>" for s in info["steps"]) + "</ol>"
    return out


def render_html(data: dict[str, Any]) -> str:
    totals = data.get("totals") or {}
    products = _table(["product", "installations", "files", "bytes read", "bytes stored", "kinds"],
                      [[p["product"], ", ".join(p["installations"]), p["files"], p["bytes_in"], p["bytes_out"],
                        ", ".join(f"{k} {n}" for k, n in sorted(p["kinds"].items()))] for p in data["products"]],
                      numeric={2, 3, 4})
    installs = _table(["product", "application", "type", "version"],
                      [[i["product"], i["name"], i["app_type"], i["version"]] for i in data["installations"]])
    alarms = _table(["level", "message ID", "product", "count", "first (UTC)", "last (UTC)", "text (redacted)"],
                    [[a["level"], a["id"], a["product"], a["count"], a["first"], a["last"], a["text"]]
                     for a in data["alarms"]], classes=[a["level"] for a in data["alarms"]], numeric={3})
    roles = _table(["product", "stream", "HA role (segment header)"],
                   [[r["product"], r["stream"], r["role"]] for r in data["ha_roles"]])
    events = _table(["time (UTC)", "product", "stream", "role", "message ID", "record"],
                    [[e.get("time"), e["product"], e["stream"], e.get("role"), e.get("id"), e.get("text")]
                     for e in data["ha_events"]])
    redactions = _table(["rule", "values replaced"], [[k, v] for k, v in data["redactions"].items()], numeric={1})
    excluded = _table(["file", "product", "reason"],
                      [[x.get("path"), x.get("product"), x.get("reason")] for x in data["excluded"]])
    skipped = _table(["file", "product", "reason", "size"],
                     [[skip_label(x), x.get("product"), x.get("reason"), x.get("size")] for x in data["skipped"]])
    undated = _table(["file", "product", "bytes stored"],
                     [[u["path"], u["product"], u["size"]] for u in data.get("undated", [])], numeric={2})
    cut = _table(["file", "product", "note"], [[c["path"], c["product"], c["note"]] for c in data.get("cut", [])])
    findings = _table(["file:line", "category"], [[f'{f["path"]}:{f["line"]}', f["category"]]
                                                  for f in data["findings"]])
    more = (f'<p class="muted">{data["alarms_total"] - len(data["alarms"])} more message IDs in manifest.json</p>'
            if data["alarms_total"] > len(data["alarms"]) else "")
    tool = data.get("tool") or {}
    host = _shown_host(data)
    return printable(f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{CSP}">
<title>gcollect report {_e(host)} {_e(data.get("case") or "")}</title>
<style>{CSS}</style></head><body>
<h1>gcollect report: {_e(host)}</h1>
{_case_block(data)}
<p>{_e(totals.get("files", 0))} files collected, {_e(totals.get("excluded", 0))} excluded,
{_e(totals.get("skipped", 0))} skipped; {_e(totals.get("bytes_in", 0))} bytes read,
{_e(totals.get("bytes_out", 0))} bytes stored{_e(f"; {len(data.get('cut', []))} files cut by a size cap (see below)"
                                                 if data.get("cut") else "")}.</p>
<h2 id="cut">Files cut by a size cap: only their newest records are in the bundle</h2>
{cut}
<h2 id="undated">Logs not cut to the window: time format not recognised, taken whole</h2>
{undated}
<h2 id="alarms">Alarms and standard messages (Std/Alr by message ID)</h2>
{alarms}{more}
<h2 id="timeline">Timeline: what each log stream covers</h2>
<p class="muted">Bars: time covered by the collected records of each stream; shaded: the requested window.</p>
<div id="chart">{timeline_svg(data)}</div>
<h2 id="ha">HA roles and role changes</h2>
{roles}
<p><b>Role changes</b> ({_e(data["ha_events_total"])})</p>
{events}
<h2 id="collected">Collected per product</h2>
{products}
<h2 id="installations">Installations found</h2>
{installs}
<h2 id="redaction">Redaction summary (values replaced per rule)</h2>
{redactions}
<h2 id="excluded">Excluded files (left out, with the reason)</h2>
{excluded}
<h2 id="skipped">Skipped files</h2>
{skipped}
<h2 id="findings">Scanner findings after redaction</h2>
{findings}
<p class="muted">{_e(tool.get("name", "gcollect"))} {_e(tool.get("version", ""))}</p>
</body></html>
""")
