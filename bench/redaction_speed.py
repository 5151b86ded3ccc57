"""Throughput of the redaction engine on a synthetic, realistic Genesys SIP Server log.

    .venv/bin/python bench/redaction_speed.py [--mb 64] [--chunk-mb 4] [--exact-mb 2] [--dense] [--base64 PCT]

The log is mostly ordinary records (Std/Trc/Int lines, T-Lib events with ConnID/ThisDN/
CallUUID), with T-Lib caller numbers and attached data, and a SIP INVITE dump every few calls.
Prints MB/s for the fast path (RE2 prefilter + exact rules on candidate lines) and for the
exact reference path (every rule on every line) on a smaller sample, plus the share of lines
that were candidates (lines the RE2 prefilter hands to the exact rules), how many of those
came from the line cache, and the redaction counts. ``--dense`` is a busy SIP Server log
(10 ordinary records per call instead of 60). ``--base64 PCT`` puts that share of the bytes in
MIME attachment bodies (76-character lines of base64 of random bytes, as a log that prints a
message's body would hold them; GENESYS.md does not say which products do): the prefilter's
one RE2 automaton of all scans is at its slowest on such lines (docs/architecture.md, "Known
slow input").
"""

from __future__ import annotations

import argparse
import base64
import random
import sys
import time
from collections import OrderedDict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from collector.redaction import Redactor, Tokenizer, load_rule_sets  # noqa: E402

ORDINARY_PER_CALL = 60     # ordinary records between two T-Lib events of interest
SIP_EVERY = 4              # one SIP INVITE dump every N calls
RULE_SETS = ["common-secrets", "config-secrets", "tlib", "sip", "pii"]

ORDINARY = [
    "{t} Std 09900 Connected to Configuration Server 'cs_demo' at 192.0.2.10:2020\n",
    "{t} Trc 04541 RequestRegisterAddress received from [612] (0000002a WDE_Demo 198.51.100.23:50412)\n",
    "message RequestRegisterAddress\n\tAttributeThisDN\t'{dn}'\n\tAttributeReferenceID\t{ref}\n",
    "{t} Trc 04542 EventRegistered sent to [612] (0000002a WDE_Demo 198.51.100.23:50412)\n",
    "{t} Int 04543 Interaction message \"EventRouteRequest\" received from 65200 (\"SIPS_DEMO_P@9000\")\n",
    "{t} +++ CIFace::Request +++\n  -- new invoke\n  Parsed: RequestUpdateUserData\n",
    "{t} Trc 24215 Object: [CfgPerson], name [agent{dn}], DBID: [{ref}] is changed by client, type [SCE]\n",
    "{t} SIPTR(5): Begin step, callId {conn}, state 12, 611 bytes in queue\n",
    "{t} [0,UDP] 203.0.113.5:5060 connection keepalive ok, timer 30000 ms\n",
    "{t} $+TLIB:CTI:Unknown:0:0\n",
    "{t} Std 04561 Mode 'backup' activated for SIPS_DEMO_B at demo-gen02\n",
]

TLIB_EVENT = (
    "@{tl} [0] 8.1.199.01 distribute_event: message EventRinging\n"
    "\tAttributeEventSequenceNumber\t0000000000001a2b\n"
    "\tAttributeTimeinuSecs\t871200\n"
    "\tAttributeTimeinSecs\t1709648105 (09:15:05)\n"
    "\tAttributeUserData\t[88] 00 03 00 00..\n"
    "\t\t'AccountNumber'\t'4000{ref}'\n"
    "\t\t'CustomerName'\t'Jane Example'\n"
    "\t\t'IVR_Lang'\t'EN'\n"
    "\tAttributeCallUUID\t'7QK2M0D4AB5H91VX03KD4G0E7S000001'\n"
    "\tAttributeConnID\t{conn}\n"
    "\tAttributeANI\t'555555{ref4}'\n"
    "\tAttributeDNIS\t'8005550100'\n"
    "\tAttributeOtherDN\t'9000'\n"
    "\tAttributeThisDN\t'{dn}'\n"
    "\tAttributeThisDNRole\t2\n"
    "\tAttributeCallType\t2\n"
)

SIP_DUMP = (
    "{t}: SIPTR: Received [0,UDP] 611 bytes from 203.0.113.5:5060 <<<<<\n"
    "INVITE sip:8005550100@192.0.2.20:5060 SIP/2.0\r\n"
    "Via: SIP/2.0/UDP 203.0.113.5:5060;branch=z9hG4bK{conn}\r\n"
    "From: \"Jane Example\" <sip:555555{ref4}@203.0.113.5>;tag=demo-tag-01\r\n"
    "To: <sip:8005550100@192.0.2.20>\r\n"
    "Call-ID: {conn}-demo-0001@203.0.113.5\r\n"
    "CSeq: 101 INVITE\r\n"
    "Contact: <sip:555555{ref4}@203.0.113.5:5060>\r\n"
    "P-Asserted-Identity: <sip:+1555555{ref4}@carrier.example.net>\r\n"
    "Content-Type: application/sdp\r\n"
    "Content-Length: 96\r\n"
    "\r\n"
    "v=0\r\n"
    "o=- 1709648104 1 IN IP4 203.0.113.5\r\n"
    "c=IN IP4 203.0.113.5\r\n"
    "m=audio 31000 RTP/AVP 0 8 101\r\n"
)


MIME_HEAD = "{t} Dbg 05060 MIME part {ref}: Content-Type: application/pdf; Content-Transfer-Encoding: base64\n"


def mime_body(rnd: random.Random, size: int) -> str:
    """About ``size`` bytes of a base64 attachment body in 76-character lines (RFC 2045)."""
    encoded = base64.b64encode(rnd.randbytes(size * 3 // 4)).decode()
    return "".join(encoded[i:i + 76] + "\n" for i in range(0, len(encoded), 76))


def synthetic_log(size: int, seed: int = 7, base64_share: float = 0.0) -> bytes:
    rnd = random.Random(seed)
    parts: list[str] = []
    total = 0
    call = 0
    while total < size:
        call += 1
        values = {
            "t": f"09:{rnd.randrange(60):02d}:{rnd.randrange(60):02d}.{rnd.randrange(1000):03d}",
            "tl": f"09:15:{rnd.randrange(60):02d}.{rnd.randrange(10000):04d}",
            "dn": str(7000 + rnd.randrange(999)),
            "ref": str(rnd.randrange(10000, 99999)),
            "ref4": f"{rnd.randrange(10000):04d}",
            "conn": f"{rnd.getrandbits(64):016x}",
        }
        block = [rnd.choice(ORDINARY).format(**values) for _ in range(ORDINARY_PER_CALL)]
        block.append(TLIB_EVENT.format(**values))
        if call % SIP_EVERY == 0:
            block.append(SIP_DUMP.format(**values))
        if base64_share:
            plain = sum(map(len, block))
            block.append(MIME_HEAD.format(**values) + mime_body(rnd, int(plain * base64_share / (1 - base64_share))))
        text = "".join(block)
        parts.append(text)
        total += len(text)
    return "".join(parts).encode()


def run(data: bytes, chunk: int, *, use_prefilter: bool) -> tuple[float, dict[str, int], bytes]:
    rule_sets = load_rule_sets(RULE_SETS)
    redactor = Redactor(rule_sets, Tokenizer(b"k" * 32, None), "log", "bench.log", use_prefilter=use_prefilter)
    start = time.process_time()                 # CPU time: robust when the machine is shared
    out = [redactor.feed(data[i:i + chunk]) for i in range(0, len(data), chunk)]
    out.append(redactor.finish())
    seconds = time.process_time() - start
    return seconds, redactor.stats, b"".join(out)


class _CountingCache(OrderedDict):
    hits = 0

    def get(self, key, default=None):  # type: ignore[no-untyped-def,override]
        found = super().get(key, default)
        if found is not None:
            self.hits += 1
        return found


def candidate_counts(data: bytes, chunk: int) -> tuple[int, int]:
    """(candidate lines, candidate lines answered by the line cache) for one run."""
    rule_sets = load_rule_sets(RULE_SETS)
    redactor = Redactor(rule_sets, Tokenizer(b"k" * 32, None), "log", "bench.log")
    cache = redactor._cache = _CountingCache()
    calls = {"line": 0}
    line = redactor._line

    def count_line(text: bytes, indexes):  # type: ignore[no-untyped-def]
        calls["line"] += 1
        return line(text, indexes)

    redactor._line = count_line  # type: ignore[method-assign]
    for i in range(0, len(data), chunk):
        redactor.feed(data[i:i + chunk])
    redactor.finish()
    return calls["line"] + cache.hits, cache.hits


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=64)
    parser.add_argument("--chunk-mb", type=float, default=4)
    parser.add_argument("--exact-mb", type=float, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--ordinary", type=int, default=ORDINARY_PER_CALL,
                        help="ordinary records per call (higher = fewer sensitive lines)")
    parser.add_argument("--dense", action="store_true", help="same as --ordinary 10")
    parser.add_argument("--base64", type=float, default=0.0, metavar="PCT",
                        help="percent of the bytes in base64 attachment bodies (default 0)")
    args = parser.parse_args()
    if not 0 <= args.base64 < 100:
        parser.error("--base64 must be at least 0 and below 100")
    globals()["ORDINARY_PER_CALL"] = 10 if args.dense else args.ordinary
    data = synthetic_log(int(args.mb * 1e6), base64_share=args.base64 / 100)
    chunk = int(args.chunk_mb * (1 << 20))
    lines = data.count(b"\n")
    run(data[: 1 << 20], chunk, use_prefilter=True)           # compile + warm caches
    best = min(run(data, chunk, use_prefilter=True)[0] for _ in range(args.repeat))
    seconds, stats, out = run(data, chunk, use_prefilter=True)
    changed = sum(1 for a, b in zip(data.splitlines(), out.splitlines()) if a != b)
    print(f"input {len(data) / 1e6:.1f} MB, {lines} lines, {changed} lines changed "
          f"({100 * changed / lines:.1f}%), output {len(out) / 1e6:.1f} MB")
    print(f"fast path : {len(data) / 1e6 / best:8.1f} MB/s  (CPU time, best of {args.repeat}, {args.chunk_mb} MB chunks)")
    candidates, cached = candidate_counts(data, chunk)
    print(f"candidates: {candidates} lines ({100 * candidates / lines:.1f}%), {cached} of them from the line cache")
    sample = data[: int(args.exact_mb * 1e6)]
    sample = sample[: sample.rfind(b"\n") + 1]
    exact_seconds, _, exact_out = run(sample, chunk, use_prefilter=False)
    fast_seconds, _, fast_out = run(sample, chunk, use_prefilter=True)
    print(f"exact path: {len(sample) / 1e6 / exact_seconds:8.1f} MB/s  (every rule on every line, {len(sample) / 1e6:.1f} MB)")
    print(f"fast == exact on the sample: {fast_out == exact_out}")
    print("redactions:", ", ".join(f"{k}={v}" for k, v in sorted(stats.items())))


if __name__ == "__main__":
    main()
