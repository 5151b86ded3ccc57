"""--call: ConnID <-> CallUUID <-> SIP Call-ID links, the record filter stage, the merged log."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from collector.callfilter import CallFilter, call_log_name, find_call_links, iter_records, merge_call_records


@pytest.fixture(scope="module")
def host(tmp_path_factory: pytest.TempPathFactory):
    from collector.testhost import generate_host
    from collector.testhost.fakes import Fakes, make_calls

    root = tmp_path_factory.mktemp("host")
    generate_host(root, products=["sip-server", "urs", "ors"], days=0.3, seed=6, segment_kb=256)
    calls = make_calls(Fakes(random.Random("6:fakes")), 160)       # the calls generate_host planted
    logs = sorted(p for p in root.rglob("*.log") if p.parent.name in ("SIPS_P", "URS_P", "ORS_P"))
    return root, calls, logs


def run(stage: CallFilter, data: bytes, size: int) -> bytes:
    out = [stage.feed(data[i:i + size]) for i in range(0, len(data), size)]
    return b"".join(out) + stage.finish()


def test_links_follow_connid_to_calluuid_and_sip_call_id(host) -> None:
    _, calls, logs = host
    call = calls[7]
    links = find_call_links(logs, call.connid)
    assert {call.connid, call.calluuid, call.sip_call_id} <= links
    others = {c.connid for c in calls if c is not call} | {c.calluuid for c in calls if c is not call}
    assert not links & others
    assert find_call_links(logs, call.calluuid) >= {call.connid, call.sip_call_id}


def test_filter_keeps_every_record_of_the_call_and_nothing_of_others(host) -> None:
    _, calls, logs = host
    call = calls[11]
    ids = frozenset(i.encode() for i in find_call_links(logs, call.connid))
    other_connids = [c.connid.encode() for c in calls if c is not call]
    kept_from: dict[str, int] = {}
    filtered: dict[str, bytes] = {}
    for path in logs:
        data = path.read_bytes()
        out = run(CallFilter(ids), data, 4099)
        assert out == run(CallFilter(ids), data, 1 << 20)                 # any chunking
        records = list(iter_records([data]))
        expected = [r for r in records if any(i in r for i in ids)]
        kept = list(iter_records([out]))
        for record in expected:
            assert record in out
        for record in kept[1:]:
            assert not any(o in record for o in other_connids) or any(i in record for i in ids)
        if expected:
            kept_from[path.parent.name] = kept_from.get(path.parent.name, 0) + len(expected)
            filtered[str(path)] = out
    assert set(kept_from) == {"SIPS_P", "URS_P", "ORS_P"}
    merged = merge_call_records(filtered)
    stamps = [line.split(b" ")[1] for line in merged.splitlines() if line.startswith(b"=== ")]
    assert stamps == sorted(stamps) and len(stamps) >= sum(kept_from.values())
    assert call_log_name(call.connid) == f"call-{call.connid}.log"


def test_request_and_its_event_by_reference_id() -> None:
    data = (b"10:00:00.000 Trc 04541 RequestAnswerCall received from [612]\nmessage RequestAnswerCall\n"
            b"\tAttributeConnID\t007b02aa3c1f0011\n\tAttributeReferenceID\t42\n"
            b"10:00:00.100 Trc 04542 EventError sent to [612]\n\tAttributeReferenceID\t42\n"
            b"10:00:00.200 Trc 04542 EventAgentReady sent to [612]\n\tAttributeReferenceID\t43\n")
    out = run(CallFilter(frozenset({b"007b02aa3c1f0011"})), data, 7)
    assert b"EventError" in out and b"EventAgentReady" not in out
