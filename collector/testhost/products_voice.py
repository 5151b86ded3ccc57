"""Voice path: SIP Server (with thread streams), another T-Server, URS and ORS."""

from __future__ import annotations

import hashlib

from .blocks import STAMP_HTTP, STAMP_RECORD, Acc, BlockPool, one
from .configs import core_bytes, jks_bytes, pem_private_key
from .fakes import Call
from .shapes import attached_data, psdk_event, sip_call_messages, sip_dump, tlib_event, tlib_request, tlib_userdata
from .site import AppPlan, Site
from .streams import StreamSpec
from .templates import FRAMEWORK_COMMON, ordinary_pool

MB = 1 << 20
SIPS_VERSION = "8.1.104.37"

SIPS_COMMON = FRAMEWORK_COMMON + [
    " -- SIPConnection({hex8}): state changed to CONNECTED\n",
    " Trc 04541 RequestRegisterAddress received from {client}\nmessage RequestRegisterAddress\n\tAttributeThisDN\t'{dn}'\n\tAttributeReferenceID\t{ref}\n",
    " Trc 04542 EventRegistered sent to {client}\n",
    " SIPTR: transport {thr} keep-alive to {ip}:5060 ok\n",
    " Int 04543 Interaction message \"EventRouteUsed\" received from 65200 (\"URS_P@9000\")\n",
    " HA: sync {n} calls to backup, lag {ms} ms\n",
    " DN {dn}: agent state Ready, workmode 0\n",
    " CallManager[{thr}]: call {connid} released, duration {m} s\n",
    " Dbg 30001 [{thr}] SIPDialog {hex8} timer B started ({ms} ms)\n",
]
TRANSPORT_COMMON = [
    " SIPTR: [{thr}] socket {fd} bound to {ip}:5060 UDP\n",
    " SIPTR: OPTIONS ping to {ip}:5060 -> 200 OK in {ms} ms\n",
    " SIPTR: retransmission {m} of INVITE to {ip}:{port}\n",
    " Trc 04500 Socket {fd} read {n} bytes\n",
]
URS_COMMON = FRAMEWORK_COMMON + [
    " _I_I_{connid} [09:04] strategy: **Main_Inbound** is attached to the call\n",
    " _M_I_{connid} [17:1a] call (vq {n}) started: 3 parties, 0 targets\n",
    " _I_E_{connid} [14:32] eval: Stat(StatServer_P, {stat}) = {n}\n",
    " 05 [{thr}] Target selection: agent {dn} ready, score {pct}\n",
    " request to 65200(SIPS_P) message RequestRouteCall\n\tAttributeThisDN\t'9000'\n\tAttributeConnID\t{connid}\n\tAttributeReferenceID\t{ref}\n",
]
ORS_COMMON = FRAMEWORK_COMMON + [
    " Dbg 00000 {hex8}{hex8}{hex8}{hex8}: METRIC <transition event=\"interaction.added\" target=\"route\" />\n",
    " Dbg 00000 ~1~{hex8}{hex8}{hex8}{hex8}: METRIC <state_enter name=\"route\" />\n",
    " Trc 00000 SCXML: {n} sessions active, {m} queued events\n",
    " Int 04543 Interaction message \"EventRouteRequest\" received from 65200 (\"SIPS_P@9000\")\n",
]


def sip_call_blocks(site: Site, call: Call, agent_ip: str, client: str, pool: BlockPool, transport: BlockPool) -> None:
    """Every shape a call leaves in SIP Server logs: SIP dumps, T-Lib events and requests."""
    for direction, peer, message in sip_call_messages(Acc(), call, site.host_ip, agent_ip):
        a = Acc()
        text = sip_dump(a, message, direction, peer)
        for category, value in _message_values(call, site.host_ip, agent_ip):
            if value in text:
                if category in KEEP:
                    a.k(category, value)
                else:
                    a.s(category, value)
        block = a.block((STAMP_RECORD, text))
        transport.add(block, special=True)
        pool.add(block, special=True)
    a = Acc()
    pool.add(a.block(*tlib_event(a, call, "EventRinging", call.agent_dn, call.index + 100, SIPS_VERSION, client)),
             special=True)
    a = Acc()
    pool.add(a.block((STAMP_RECORD, tlib_request(a, call, "RequestAnswerCall", call.agent_dn, client, call.index))),
             special=True)
    a = Acc()
    pool.add(a.block((STAMP_RECORD, tlib_request(a, call, "RequestSingleStepTransfer", call.agent_dn, client,
                                                 call.index + 7, digits=True))), special=True)
    a = Acc()
    pool.add(a.block((STAMP_RECORD, f" CID:CUUID>{a.k('sip_call_id', call.sip_call_id)}:"
                                    f"{a.k('calluuid', call.calluuid)}:{a.k('connid', call.connid)}\n")), special=True)


KEEP = {"sip_call_id", "calluuid", "connid", "ip", "agent_dn", "byte_count"}


def _message_values(call: Call, sips_ip: str, agent_ip: str) -> list[tuple[str, str]]:
    values = [("phone", call.ani), ("phone", call.dnis), ("phone", "+1" + call.ani),
              ("display_name", call.customer_name), ("email", call.agent_email),
              ("sip_call_id", call.sip_call_id), ("calluuid", call.calluuid), ("connid", call.connid),
              ("ip", call.caller_ip), ("ip", sips_ip), ("ip", agent_ip), ("agent_dn", call.agent_dn)]
    values.append(("sip_auth", f"agent{call.agent_dn}x{call.index}"))
    values.append(("sip_auth", hashlib.md5(call.calluuid.encode()).hexdigest()))
    return values


def sip_server(site: Site) -> list[AppPlan]:
    rng = site.rng("sip-server")
    pool = ordinary_pool(rng, site.fakes, SIPS_COMMON, 300, 0.05)
    transport = ordinary_pool(rng, site.fakes, TRANSPORT_COMMON, 80, 0.35)
    agent_ip = "198.51.100.23"
    client = f"[612] (0000002a WDE_Demo {agent_ip}:50412)"
    for call in site.calls:
        sip_call_blocks(site, call, agent_ip, client, pool, transport)
    plan = site.framework_app("sip-server", "SIPS_P", "SIP Server", "SIPS_P", "sip_server", pool, 3 * MB,
                              banner="Genesys SIP Server", app_type="TServer", d_drive=True, version=SIPS_VERSION)
    main = plan.streams[0]
    main.ha_role = "Primary"
    main.min_segments = 3
    threads = {"001": (pool, 1 * MB), "002": (pool, MB // 2), "768": (transport, 1 * MB), "1024": (pool, MB // 3)}
    for suffix, (thread_pool, weight) in threads.items():
        stream = StreamSpec(**{**main.__dict__, "base": f"{main.base}-{suffix}", "pool": thread_pool,
                               "weight_bytes": weight, "min_segments": 1})
        plan.streams.append(stream)
        plan.installation.log_bases.append(f"{main.dir}/{main.base}-{suffix}")
    plan.companions.append((0, ".snapshot.log"))
    app_dir = plan.installation.app_dir or ""
    key = Acc()
    site.put(f"{app_dir}/tls/server.key", pem_private_key(key, site.fakes), "config", plan.installation, key,
             forbidden=True)
    site.put(f"{app_dir}/tls/keystore.jks", jks_bytes(site.fakes), "config", plan.installation, forbidden=True)
    site.put(f"{app_dir}/tls/server.crt", "-----BEGIN CERTIFICATE-----\nMIIBdemoCERT\n-----END CERTIFICATE-----\n",
             "config", plan.installation)
    site.put(f"{app_dir}/core.31337", core_bytes(site.fakes), "binary-log", plan.installation, forbidden=True)
    return [plan]


def tserver(site: Site) -> list[AppPlan]:
    rng = site.rng("tserver")
    pool = ordinary_pool(rng, site.fakes, SIPS_COMMON[:12], 200, 0.05)
    client = "[415] (00000011 URS_P 192.0.2.21:41022)"
    for call in site.calls[::3]:
        a = Acc()
        pool.add(a.block(*tlib_event(a, call, "EventRinging", call.agent_dn, call.index + 500, "8.1.010.26", client)),
                 special=True)
        a = Acc()
        pool.add(a.block((STAMP_RECORD, " Trc 04541 ISCC: RequestRemoteConnectionInfo received from [33]\n"
                          f"\tISCCAttributeConnID\t{a.k('connid', call.connid)}\n"
                          f"\tISCCAttributeCallUUID\t'{a.k('calluuid', call.calluuid)}'\n"
                          f"\tAttributeANI\t'{a.s('phone', call.ani)}'\n")), special=True)
    plan = site.framework_app("tserver", "TServer_Avaya", "T-Server for Avaya", "TS_Avaya_P", "avaya_server", pool,
                              MB, banner="Genesys T-Server for Avaya Communication Manager", app_type="TServer",
                              version="8.1.010.26")
    plan.streams[0].ha_role = "Primary"
    return [plan]


def urs(site: Site) -> list[AppPlan]:
    rng = site.rng("urs")
    pool = ordinary_pool(rng, site.fakes, URS_COMMON, 260, 0.05)
    for call in site.calls:
        a = Acc()
        text = (f" received from 65200(SIPS_P){site.host_ip}:3000(fd=15) message EventRouteRequest\n"
                + "".join([f"\tAttributeConnID\t{a.k('connid', call.connid)}\n",
                           f"\tAttributeCallUUID\t'{a.k('calluuid', call.calluuid)}'\n",
                           f"\tAttributeANI\t'{a.s('phone', call.ani)}'\n",
                           f"\tAttributeDNIS\t'{a.s('phone', call.dnis)}'\n",
                           f"\tAttributeThisDN\t'{a.k('agent_dn', call.route_point)}'\n",
                           tlib_userdata(attached_data(a, call))]))
        pool.add(a.block((STAMP_RECORD, text)), special=True)
        a = Acc()
        pool.add(a.block((STAMP_HTTP, f" HTTP GET /urs/call/{a.k('connid', call.connid)}/lvq?tenant=Resources"
                                      f"&ani={a.s('phone', call.ani)} from 198.51.100.7:53422\n")), special=True)
        a = Acc()
        pool.add(a.block((STAMP_RECORD, f" _I_I_{a.k('connid', call.connid)} [01:0c] ASSIGN: CustomerName(LOCAL) <- "
                                        f"STRING '{a.s('customer_name', call.customer_name)}'\n"
                          if not call.hidden else f" _I_I_{a.k('connid', call.connid)} [01:0c] ASSIGN: "
                                                  "CustomerName(LOCAL) <- STRING '****'\n")), special=True)
    for n in range(30):
        pool.add(one(f" [http] 198.51.100.7:5{n:04d} GET /urs/stat/{n} -> 200 ({rng.randint(80, 900)} bytes)\n",
                     STAMP_HTTP))
    plan = site.framework_app("urs", "URS", "Universal Routing Server", "URS_P", "URServer", pool, 2 * MB,
                              banner="Genesys Universal Routing Server", app_type="RouterServer", version="8.1.400.62")
    plan.companions.append((0, ".qsp"))
    return [plan]


def ors(site: Site) -> list[AppPlan]:
    rng = site.rng("ors")
    pool = ordinary_pool(rng, site.fakes, ORS_COMMON, 240, 0.05)
    for call in site.calls:
        a = Acc()
        a.k("calluuid", call.calluuid)
        text = f" Int 04543 Interaction message \"EventRinging\" received from 65200 (\"SIPS_P@9000\")\n" \
               + psdk_event(a, call, "EventRinging", call.agent_dn)
        pool.add(a.block((STAMP_RECORD, text)), special=True)
        a = Acc()
        sid = call.session_id
        prefix = "~1~" if call.index % 2 else ""
        body = "****" if call.hidden else a.s("email", call.email)
        pool.add(a.block((STAMP_RECORD, f" Dbg 00000 {prefix}{sid}: METRIC <log expr=\"'customer '+_data.email\" "
                                        f"level=\"1\">customer {body}</log> connid={a.k('connid', call.connid)}\n")),
                 special=True)
    plan = site.framework_app("ors", "ORS", "Orchestration Server", "ORS_P", "orchestration_server", pool,
                              3 * MB // 2, stamp="locale_long", banner="Genesys Orchestration Server",
                              app_type="OrchestrationServer", version="8.1.400.55")
    plan.companions.append((0, ".memory.log"))
    return [plan]
