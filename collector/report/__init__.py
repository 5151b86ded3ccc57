"""The report inside every bundle (report.html) and its terminal form (``gcollect inspect``).

* ``build_report_files(manifest) -> {"report.html": bytes}``: the ``extra_files`` callable of
  ``pipeline.run`` / ``CollectRequest``;
* ``summarise(manifest) -> dict``: the data both forms show (``inspect --json`` prints it);
* ``render_html(summary)``, ``render_text(summary)``;
* ``read_manifest(path)``: manifest.json of a bundle (tar.gz, tar.zst, zip), an unpacked bundle
  folder, or a manifest.json file.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from collector.bundlereader import not_a_bundle_file
from collector.errors import BadInput
from collector.report.html import render_html
from collector.report.summary import summarise
from collector.report.text import render_text

__all__ = ["build_report_files", "read_manifest", "render_html", "render_text", "summarise"]


def build_report_files(manifest: dict[str, Any]) -> dict[str, bytes]:
    return {"report.html": render_html(summarise(manifest)).encode("utf-8")}


def read_manifest(path: Path) -> dict[str, Any]:
    path = Path(path)
    if path.is_dir():
        found = list(path.glob("manifest.json")) or list(path.glob("*/manifest.json"))
        if not found:
            raise BadInput(what=str(path), problem="no manifest.json in this folder")
        path = found[0]
    problem = not_a_bundle_file(path, "inspect")
    if problem is not None:
        raise BadInput(what=str(path), problem=problem)
    if path.name.endswith(".json"):
        data = path.read_bytes()
    else:
        from collector.bundlereader import iter_member_streams

        data = b""
        try:
            for name, handle in iter_member_streams(path):
                if name == "manifest.json":
                    data = handle.read()
                    break
        except Exception as exc:  # noqa: BLE001 - any unreadable archive is the user's input problem
            raise BadInput(what=str(path), problem=f"cannot read bundle ({type(exc).__name__}: {exc})") from None
        if not data:
            raise BadInput(what=str(path), problem="no manifest.json in this bundle")
    try:
        manifest = json.loads(data)
    except json.JSONDecodeError as exc:
        raise BadInput(what=str(path), problem=f"manifest.json is not JSON ({exc})") from None
    if not isinstance(manifest, dict):
        raise BadInput(what=str(path), problem="manifest.json is not a JSON object")
    return manifest
