"""The case bundle of a multi-host run: every host's verified bundle, ``index.json``, ``index.txt``,
``manifest.json`` and ``SHA256SUMS`` (so ``gcollect verify`` checks it like any bundle)."""

from __future__ import annotations

import json
import platform
import time
from collections.abc import Mapping, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from collector import __version__
from collector.bundle import BundleWriter, PieceWriter, bundle_name
from collector.model import BundleInfo, Window
from collector.printable import printable
from collector.remote.run import HostResult
from collector.units import human

INDEX_VERSION = 1


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(timezone.utc).isoformat().replace("+00:00", "Z") if moment else None


def host_entry(r: HostResult) -> dict[str, Any]:
    rep = r.report
    entry: dict[str, Any] = {
        "host": r.spec.host, "port": r.spec.port, "name": r.spec.label, "status": r.status,
        "reason": r.reason or None, "failure": r.kind or None, "via": r.via or None,
        "seconds": round(r.seconds, 2),
    }
    if r.ok and rep:
        entry.update({
            "products": sorted({i.get("product", "?") for i in rep.get("installations", [])}),
            "installations": rep.get("installations", []),
            "bundle": f"hosts/{r.spec.label}/{r.bundle.name}" if r.bundle else None,
            "sha256": r.sha256 or None, "size": r.size,
            "files": rep.get("files"), "bytes_in": rep.get("bytes_in"), "bytes_out": rep.get("bytes_out"),
            "excluded": rep.get("excluded", []), "redactions": sum((rep.get("redactions") or {}).values()),
            "scan_findings": rep.get("scan_findings", []), "exit_code": r.exit_code,
        })
    if r.ok and rep:
        # the instants this host collected and the zone it read times without an offset in
        # (from its own report; None from a gcollect too old to say)
        entry["window"] = rep.get("window") if isinstance(rep.get("window"), dict) else None
    return entry


def window_entry(window: Window, host_local: Mapping[str, str] | None) -> dict[str, Any]:
    """The case's window: absolute UTC instants, or (``host_local``) the options as given, read by
    each host in its own zone (``hosts[].window`` then says which instants that made)."""
    if not host_local:
        return {"since": _iso(window.since), "until": _iso(window.until)}
    entry: dict[str, Any] = {"since": host_local.get("--since"), "until": host_local.get("--until")}
    for flag, key in (("--around", "around"), ("--window", "width")):
        if flag in host_local:
            entry[key] = host_local[flag]
    entry["zone"] = "host"
    return entry


def build_index(results: Sequence[HostResult], window: Window, case: str | None,
                command_line: str, host_local: Mapping[str, str] | None = None) -> dict[str, Any]:
    ok = [r for r in results if r.ok]
    return {
        "index_version": INDEX_VERSION, "tool": "gcollect", "version": __version__,
        "created": _iso(datetime.now(timezone.utc)), "case": case, "collector_host": platform.node(),
        "command_line": command_line,
        "window": window_entry(window, host_local),
        "hosts_total": len(results), "hosts_ok": len(ok), "hosts_failed": len(results) - len(ok),
        "hosts": [host_entry(r) for r in results],
    }


def host_window_text(window: Any) -> str:
    if not isinstance(window, dict):
        return "not reported by the host's gcollect (see its manifest.json)"
    zone = window.get("zone") if isinstance(window.get("zone"), dict) else {}
    return (f"{window.get('since') or 'open'} .. {window.get('until') or 'open'} (UTC), "
            f"zone {zone.get('text') or zone.get('name') or 'not reported'}")


def index_text(index: dict[str, Any]) -> str:
    window = index["window"]
    host_local = window.get("zone") == "host"
    if host_local:
        given = " ".join(f"--{key} {window[key]}" for key in ("since", "until", "around", "width")
                         if window.get(key))
        span = f"{given} (times without an offset: each host's own zone, below)"
    else:
        span = f"{window['since'] or 'open'} .. {window['until'] or 'open'} (UTC)"
    lines = [f"gcollect case bundle  case: {index['case'] or 'none'}  created: {index['created']}",
             f"window: {span}",
             f"hosts: {index['hosts_ok']} of {index['hosts_total']} collected", ""]
    for h in index["hosts"]:
        address = f"{h['host']}:{h['port']}"
        if h["status"] == "ok":
            products = ", ".join(h.get("products") or []) or "nothing"
            lines.append(f"OK      {h['name']:<24} {address:<24} {h.get('files') or 0} files, "
                         f"{human(h.get('size') or 0)}  [{products}]  {h.get('bundle')}")
            if host_local:
                lines.append(f"        window: {host_window_text(h.get('window'))}")
            if h.get("excluded"):
                lines.append(f"        {len(h['excluded'])} files left out on the host (see its manifest.json)")
            if h.get("scan_findings"):
                lines.append(f"        {len(h['scan_findings'])} scanner findings: review before sending")
        else:
            lines.append(f"{h['status'].upper():<7} {h['name']:<24} {address:<24} {h['failure']}: {h['reason']}")
    return "\n".join(lines) + "\n"


def _add_file(writer: BundleWriter, member: str, path: Path, tmp: Path, fmt: str) -> None:
    piece = PieceWriter(tmp, fmt)
    with piece:
        with open(path, "rb") as src:
            while data := src.read(1 << 20):
                piece.write(data)
        finished = piece.close()
    writer.add_piece(member, finished, mtime=path.stat().st_mtime)


def write_case_bundle(results: Sequence[HostResult], out_dir: Path, fmt: str, case: str | None,
                      window: Window, command_line: str, tmp: Path,
                      host_local: Mapping[str, str] | None = None) -> tuple[BundleInfo, dict[str, Any]]:
    name = bundle_name("case", case, datetime.now(timezone.utc), fmt)
    top = name[: -len(fmt) - 1]
    index = build_index(results, window, case, command_line, host_local)
    now = time.time()
    with BundleWriter(out_dir, name, fmt, top) as writer:
        for r in results:
            if r.ok and r.bundle is not None:
                for path in (r.bundle, r.bundle.with_name(r.bundle.name + ".sha256")):
                    _add_file(writer, f"hosts/{r.spec.label}/{path.name}", path, tmp, fmt)
        writer.add_bytes("index.json", (json.dumps(index, indent=1) + "\n").encode(), mtime=now)
        writer.add_bytes("index.txt", printable(index_text(index)).encode(), mtime=now)
        manifest = {
            "manifest_version": 1, "kind": "case", "tool": "gcollect", "version": __version__,
            "created": index["created"], "case": case, "window": index["window"],
            "hosts": [{"name": h["name"], "status": h["status"], "sha256": h.get("sha256")} for h in index["hosts"]],
            "files": [{"path": member, "size": size, "sha256": digest} for member, size, digest in writer.members],
        }
        writer.add_bytes("manifest.json", (json.dumps(manifest, indent=1) + "\n").encode(), mtime=now)
        info = writer.close()
    return info, index
