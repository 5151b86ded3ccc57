"""manifest.json is written as it is encoded, with members' log statistics kept as JSON text."""

from __future__ import annotations

import dataclasses
import json

from collector.manifestjson import RawJSON, iter_manifest_json, json_value


def test_raw_json_goes_in_as_its_text_and_reads_back_as_the_same_value() -> None:
    stats = {"stream": "SIPS_P", "messages": [{"id": "04541", "text": "caf\u00e9 <#x#>", "count": 3}]}
    raw = RawJSON(json.dumps(stats, separators=(",", ":")).encode())
    manifest = {"files": [{"path": "a.log", "log_stats": raw}, {"path": "b.cfg"}], "totals": {"files": 2}}
    text = "".join(iter_manifest_json(manifest))
    assert json.loads(text) == {"files": [{"path": "a.log", "log_stats": stats}, {"path": "b.cfg"}],
                                "totals": {"files": 2}}
    assert json_value(raw) == stats and json_value({"x": 1}) == {"x": 1}


def test_a_host_string_that_looks_like_the_placeholder_stays_a_string() -> None:
    looks_like = "\0raw-0000000000000000:0"
    manifest = {"note": looks_like, "files": [{"log_stats": RawJSON(b"{}")}]}
    assert json.loads("".join(iter_manifest_json(manifest))) == {"note": looks_like, "files": [{"log_stats": {}}]}


def test_the_manifest_comes_in_pieces_not_one_string() -> None:
    manifest = {"files": [{"path": f"f{i}.log", "log_stats": RawJSON(b'{"n":1}')} for i in range(2000)]}
    pieces = list(iter_manifest_json(manifest))
    assert len(pieces) > 2000 and max(map(len, pieces)) < 100


def test_a_lazy_list_is_written_as_json_dumps_writes_the_list() -> None:
    """Same text as json.dumps(indent=1), item by item, appended items last; re-iterable."""
    from collector.manifestjson import LazyList

    made = []

    def entries():
        for i in range(3):
            made.append(i)
            yield {"path": f"f{i}.log", "sizes": [i, {"out": i}], "empty": {}, "none": []}

    for lazy, plain in ((LazyList(entries), [{"path": f"f{i}.log", "sizes": [i, {"out": i}], "empty": {},
                                                "none": []} for i in range(3)]),
                        (LazyList(lambda: iter(())), [])):
        lazy.append({"path": "report.html"})
        manifest = {"schema": "s", "files": lazy, "totals": {"files": 3}}
        expected = json.dumps({"schema": "s", "files": plain + [{"path": "report.html"}], "totals": {"files": 3}},
                              indent=1)
        assert "".join(iter_manifest_json(manifest)) == expected
        assert list(lazy) == plain + [{"path": "report.html"}]
    assert made == [0, 1, 2, 0, 1, 2]                     # made again at each reading, never kept
    empty = {"files": LazyList(lambda: iter(()))}
    assert "".join(iter_manifest_json(empty)) == json.dumps({"files": []}, indent=1)


def test_log_stats_inside_lazy_entries_go_in_as_their_text() -> None:
    from collector.manifestjson import LazyList

    lazy = LazyList(lambda: iter([{"path": "a.log", "log_stats": RawJSON(b'{"messages":[{"id":"04541"}]}')}]))
    text = "".join(iter_manifest_json({"files": lazy}))
    assert json.loads(text) == {"files": [{"path": "a.log", "log_stats": {"messages": [{"id": "04541"}]}}]}


def test_a_decompressed_member_names_the_file_it_was_read_from() -> None:
    from collector.model import MemberResult
    from collector.pipeline import _file_entry

    result = MemberResult(host_path="opt/x/SIPS_P.20261120_080000_000.log", product="sip-server",
                          installation="SIPS_P", kind="log", size_in=1, size_out=1, mtime=0.0, sha256="0" * 64,
                          original_path="opt/x/SIPS_P.20261120_080000_000.log.gz")
    entry = _file_entry(result)
    assert (entry["path"], entry["original_path"]) == ("opt/x/SIPS_P.20261120_080000_000.log",
                                                       "/opt/x/SIPS_P.20261120_080000_000.log.gz")
    assert _file_entry(dataclasses.replace(result, original_path=""))["original_path"] == \
        "/opt/x/SIPS_P.20261120_080000_000.log"
