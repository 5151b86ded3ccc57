"""Other Framework-style servers: Interaction Server, OCS, ICON and the GVP family."""

from __future__ import annotations

from .blocks import STAMP_RECORD, Acc
from .shapes import attached_data, tlib_userdata
from .site import AppPlan, Site
from .templates import FRAMEWORK_COMMON, ordinary_pool

MB = 1 << 20


def interaction_server(site: Site) -> list[AppPlan]:
    pool = ordinary_pool(site.rng("ixn"), site.fakes, FRAMEWORK_COMMON + [
        " Trc 04541 Message RequestPull received from {client}\n\tattr_itx_id\t'{hex8}{hex8}'\n\tattr_agent_id\t'agent{dn}'\n",
        " Int 04543 Interaction {hex8}{hex8} moved to queue 'Inbound_Email', {n} in queue\n"], 200, 0.04)
    for call in site.calls[::3]:
        a = Acc()
        pool.add(a.block((STAMP_RECORD, " Trc 04542 EventProcessingStarted sent to [77] (00000005 ORS_P 192.0.2.22:7005)\n"
                                        f"\tattr_itx_id\t'{a.k('calluuid', call.calluuid)}'\n"
                                        f"\tattr_user_data\t[KVList]\n"
                                        + "".join(f"\t\t'{k}'\t'{v}'\n" for k, v in attached_data(a, call)))),
                 special=True)
    return [site.framework_app("interaction-server", "InteractionServer", "Interaction Server", "IxnServer",
                               "interaction_server", pool, MB // 2, stamp="iso8601",
                               banner="Genesys Interaction Server", app_type="InteractionServer",
                               version="8.5.109.03")]


def ocs(site: Site) -> list[AppPlan]:
    pool = ordinary_pool(site.rng("ocs"), site.fakes, FRAMEWORK_COMMON + [
        " Std 50132 Campaign Group 'Collections@Group_{m}', Dialing mode Predictive, {n} records dialed\n",
        " Trc 50002 Calling list 'CL_{m}': {n} records retrieved, {pct}% complete\n"], 200, 0.05)
    for call in site.calls[::2]:
        a = Acc()
        pool.add(a.block((STAMP_RECORD, f" Int 04544 Record {call.index} chain {call.index + 1}: contact_info="
                                        f"'{a.s('phone', call.ani)}' GSW_CUSTOMER_NAME='{a.s('customer_name', call.customer_name)}'"
                                        f" GSW_ACCOUNT='{a.s('account', call.account)}'\n")), special=True)
    return [site.framework_app("ocs", "OCS", "Outbound Contact Server", "OCS_P", "cm_server", pool, MB // 2,
                               stamp="us_date4", banner="Genesys Outbound Contact Server", app_type="OCServer",
                               version="8.1.514.06")]


def icon(site: Site) -> list[AppPlan]:
    pool = ordinary_pool(site.rng("icon"), site.fakes, FRAMEWORK_COMMON + [
        " Trc 25010 Persistent queue: {n} transactions pending, {m} written\n",
        " Std 25005 IDB: stored {n} G_CALL records in {ms} ms\n"], 200, 0.04)
    for call in site.calls[1::3]:
        a = Acc()
        pool.add(a.block((STAMP_RECORD, f" Trc 25020 G_SECURE_USERDATA_HISTORY for call {a.k('calluuid', call.calluuid)}:\n"
                                        + tlib_userdata(attached_data(a, call)))), special=True)
    return [site.framework_app("icon", "ICON", "Interaction Concentrator", "ICON_Voice", "icon", pool, MB // 2,
                               stamp="us_date2", banner="Genesys Interaction Concentrator", app_type="InteractionConcentrator",
                               version="8.1.514.04")]


def gvp_mcp(site: Site) -> list[AppPlan]:
    pool = ordinary_pool(site.rng("mcp"), site.fakes, FRAMEWORK_COMMON[:8] + [
        " Int 50001 LogID={hex8}-{hex8} fetch http://apps.example.com/ivr/main.vxml 200 ({ms} ms)\n",
        " Int 50002 LogID={hex8}-{hex8} prompt played: welcome.wav\n"], 180, 0.05)
    for call in site.calls[::3]:
        a = Acc()
        pool.add(a.block((STAMP_RECORD, f" Int 50010 Request sent: INFO sip:{a.s('phone', call.ani)}@{a.k('ip', call.caller_ip)} SIP/2.0\n"
                                        f"\tLogID={call.connid} vxml input: '{a.s('digits', call.digits)}' dnis={a.s('phone', call.dnis)}\n")),
                 special=True)
        a = Acc()
        pool.add(a.block((STAMP_RECORD, f" Int 50011 Response received: SIP/2.0 200 OK Call-ID: {a.k('sip_call_id', call.sip_call_id)}\n")),
                 special=True)
    return [site.framework_app("gvp-mcp", "gvp/MCP_1", "gvp/VP Media Control Platform 8.1/MCP_8.1", "MCP_1",
                               "pwproxy", pool, MB // 2, banner="Genesys Media Control Platform",
                               app_type="CFGGVPMCP", version="8.1.700.71")]


def gvp_rm(site: Site) -> list[AppPlan]:
    pool = ordinary_pool(site.rng("rm"), site.fakes, FRAMEWORK_COMMON[:8] + [
        " Int 50100 LogID={hex8} Request received: INVITE sip:msml@{ip}:5070 SIP/2.0\n",
        " Int 50101 LogID={hex8} Request sent: INVITE sip:mcp@{ip}:5070 SIP/2.0 (resource group MCP_Group)\n"], 160, 0.0)
    return [site.framework_app("gvp-rm", "gvp/RM_1", "gvp/VP Resource Manager 8.1", "RM_1", "resourcemgr",
                               pool, MB // 3, banner="Genesys Resource Manager", app_type="CFGGVPResourceMgr",
                               version="8.1.700.28")]


def gvp_sip_proxy(site: Site) -> list[AppPlan]:
    pool = ordinary_pool(site.rng("sipproxy"), site.fakes, FRAMEWORK_COMMON[:8] + [
        " Int 50200 forwarding INVITE to {ip}:5060, branch z9hG4bK{hex8}\n"], 120, 0.0)
    return [site.framework_app("gvp-sip-proxy", "gvp/SIPProxy_1", "gvp/SIP Proxy", "SIPProxy_1",
                               "sipproxy", pool, MB // 4, banner="Genesys SIPPROXY", app_type="GenericServer",
                               version="8.1.600.12")]
