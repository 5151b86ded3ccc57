"""Ordinary records from format templates: the bulk of every log, with no secrets.

A template is the text after the timestamp, e.g. ``" Std 05060 Client {fd} connected from
{ip}:{port}\\n"``. Fields are filled with fresh technical values for each pre-rendered block;
IPs, ConnIDs and agent DNs are recorded as values to keep.
"""

from __future__ import annotations

import random

from .blocks import STAMP_RECORD, Acc, Block, BlockPool
from .fakes import Fakes

PEERS = ("SIPS_P", "URS_P", "ORS_P", "StatServer_P", "confserv", "SCS_P", "MessageServer", "GAX_P",
         "WDE_Demo", "Pulse_P", "ICON_Voice", "OCS_P", "IxnServer")


def _fields(rng: random.Random, fakes: Fakes, acc: Acc) -> dict[str, object]:
    return {
        "ip": acc.k("ip", fakes.ip()),
        "port": rng.randint(1024, 65000),
        "fd": rng.randint(8, 900),
        "n": rng.randint(1, 5000),
        "m": rng.randint(1, 120),
        "dn": acc.k("agent_dn", fakes.agent_dn()),
        "connid": acc.k("connid", fakes.connid()),
        "peer": rng.choice(PEERS),
        "hex8": fakes.hex_id(8),
        "ms": rng.randint(0, 999),
        "ref": rng.randint(1, 99999),
        "client": f"[{rng.randint(8, 900)}] ({rng.randint(1, 255):08x} {rng.choice(PEERS)} {fakes.ip()}:{rng.randint(1024, 65000)})",
        "thr": rng.randint(1, 64),
        "pct": rng.randint(1, 99),
        "obj": rng.choice(("CfgPerson", "CfgDN", "CfgAgentLogin", "CfgApplication", "CfgPlace", "CfgSkill")),
        "stat": rng.choice(("CurrentAgentState", "TotalTalkTime", "CallsAnswered", "AverageHandlingTime")),
    }


def template_block(rng: random.Random, fakes: Fakes, template: str, kind: int = STAMP_RECORD) -> Block:
    acc = Acc()
    text = template.format(**_fields(rng, fakes, acc))
    return acc.block((kind, text))


def ordinary_pool(rng: random.Random, fakes: Fakes, templates: list[str], count: int = 240,
                  special_share: float = 0.04) -> BlockPool:
    """``count`` pre-rendered blocks cycling through ``templates``."""
    pool = BlockPool(special_share=special_share)
    for i in range(count):
        pool.add(template_block(rng, fakes, templates[i % len(templates)]))
    return pool


# Framework messages every server prints (IDs other than 0454x are illustrative).
FRAMEWORK_COMMON = [
    " Std 09900 Connected to Configuration Server 'confserv' at {ip}:2020\n",
    " Trc 04520 Check point {n}: memory in use {m} MB, clients {fd}\n",
    " Std 05060 Client {fd} connected from {ip}:{port}\n",
    " Std 05061 Client {fd} disconnected ({peer})\n",
    " Trc 04511 ADDP: heartbeat from {peer} ({ip}:{port}) ok, delay {ms} ms\n",
    " Int 04543 Interaction message \"EventAgentReady\" received from {fd} (\"{peer}\")\n",
    " Dbg 00000 [{thr}] timer {hex8} expired after {ms} ms\n",
    " Trc 04541 Message MSGCFG_OBJECTCHANGED received from {fd} ({peer})\n",
    " Std 04560 Backup server {peer} connected, synchronization of {n} objects\n",
    " Alr 00002 Connection to {peer} at {ip}:{port} lost, reconnecting in {m} s\n",
    " Trc 04500 Socket {fd} read {n} bytes\n",
    " -- [{thr}] queue length {m}, processed {n} messages in last interval\n",
    " Trc 04541 RequestAgentReady received from {client}\nmessage RequestAgentReady\n\tAttributeThisDN\t'{dn}'\n"
    "\tAttributeAgentWorkMode\t0 (AgentManualIn)\n\tAttributeExtensions\t[35] 00 01 00 00..\n"
    "\t\t'ReasonCode'\t'Ready'\n\tAttributeReferenceID\t{ref}\n",
    " Trc 04542 EventAgentReady sent to {client}\nmessage EventAgentReady\n\tAttributeEventSequenceNumber\t00000000000{hex8}\n"
    "\tAttributeTimeinuSecs\t{n}\n\tAttributeTimeinSecs\t17{hex8}\n\tAttributeThisDN\t'{dn}'\n"
    "\tAttributeAgentWorkMode\t0\n\tAttributeReferenceID\t{ref}\n",
    " Trc 04541 RequestQueryAddress received from {client}\nmessage RequestQueryAddress\n\tAttributeThisDN\t'{dn}'\n"
    "\tAttributeAddressInfoType\t4 (AddressInfoDNStatus)\n\tAttributeReferenceID\t{ref}\n",
]
