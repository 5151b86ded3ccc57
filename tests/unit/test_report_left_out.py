"""A log left out (it could not be redacted safely) shows on its stream's timeline row, in
`gcollect inspect` and in report.html: the bar alone would claim hours the bundle does not hold."""

from __future__ import annotations

from collector.report import render_text, summarise
from collector.report.html import timeline_svg

LOGS = "var/log/genesys/SIPS_P"


def _log(name: str, first: str, last: str) -> dict:
    return {"path": f"{LOGS}/{name}", "product": "sip-server", "kind": "log", "size_in": 10, "size_out": 10,
            "log_stats": {"stream": f"{LOGS}/SIPS_P", "first": first, "last": last}}


MANIFEST = {
    "window": {"since": "2024-03-05T13:30:00+00:00", "until": "2024-03-05T15:15:00+00:00"},
    "files": [_log("SIPS_P.20240305_080000_120.log", "2024-03-05T13:30:02+00:00", "2024-03-05T13:59:02+00:00"),
              _log("SIPS_P.20240305_100000_120.log", "2024-03-05T15:00:02+00:00", "2024-03-05T15:14:02+00:00")],
    "excluded": [
        {"path": f"{LOGS}/SIPS_P.20240305_090000_120.log", "product": "sip-server",
         "reason": "cannot be redacted: line longer than 4194304 bytes"},
        {"path": "var/log/genesys/StatServer_P/StatServer_P.20240305_100000_120.log.gz", "product": "stat-server",
         "reason": "cannot be redacted: truncated gzip data"},
        {"path": "opt/genesys/SIPS_P/SIPS_P.cfg", "product": "sip-server", "reason": "cannot be redacted: binary"},
    ],
}


def test_left_out_logs_are_counted_on_their_streams() -> None:
    data = summarise(MANIFEST)
    rows = {(r["product"], r["stream"]): r for r in data["streams"]}
    assert rows[("sip-server", f"{LOGS}/SIPS_P")]["files"] == 2
    assert rows[("sip-server", f"{LOGS}/SIPS_P")]["left_out"] == 1
    # a stream whose only segment was left out still gets its row (no times), a config none
    stat = rows[("stat-server", "var/log/genesys/StatServer_P/StatServer_P")]
    assert (stat["files"], stat["left_out"], stat["first"]) == (0, 1, None)
    assert len(rows) == 2


def test_inspect_and_report_say_so() -> None:
    data = summarise(MANIFEST)
    line = next(x for x in render_text(data).splitlines() if x.strip().startswith("sip-server") and "SIPS_P " in x)
    assert line.endswith("(1 left out: see Excluded)")
    svg = timeline_svg(data)
    assert "sip-server: SIPS_P (1 left out)" in svg
    assert "2 files, 1 left out: the bar does not show their hours" in svg


def test_logs_a_size_cap_cut_are_listed_and_marked_on_their_streams() -> None:
    """--max-file-size (or a cap's boundary file) keeps only a log's newest records. The console
    said WINDOW CUT; report.html said "0 excluded" and drew the stream's bar over the missing
    hours, and inspect said nothing (probe AH F4)."""
    from html import escape

    from collector.model import SIZE_CAP_CUT_NOTE
    from collector.report.html import render_html

    note = f"{SIZE_CAP_CUT_NOTE}: newest 7.6 KB of the window's records kept, 29.5 KB of older in-window records left out"
    capped = {**_log("SIPS_P.20240305_110000_120.log", "2024-03-05T15:10:02+00:00", "2024-03-05T15:14:50+00:00"),
              "note": note}
    data = summarise({**MANIFEST, "files": [*MANIFEST["files"], capped]})
    assert data["cut"] == [{"path": capped["path"], "product": "sip-server", "note": note}]
    row = next(r for r in data["streams"] if r["stream"] == f"{LOGS}/SIPS_P")
    assert (row["files"], row["cut"]) == (3, 1)
    text = render_text(data)
    assert f"Cut by a size cap, only their newest records kept (1):\n  {capped['path']}: {note}" in text
    assert "(1 left out: see Excluded)  (1 cut by a size cap: older records missing)" in text
    html = render_html({**data, "totals": {"files": 3}})
    assert "1 files cut by a size cap (see below)" in html and escape(note) in html
    assert "sip-server: SIPS_P (1 left out, 1 cut)" in timeline_svg(data)
    assert "cut" not in render_text(summarise(MANIFEST)).lower().replace("excluded", "")
