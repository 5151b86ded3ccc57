"""Management Framework and reporting: Configuration Server (+ proxy), SCS, Message Server, LCA,
DB Server and Stat Server (one in the usual place, one in an odd folder known only by its header)."""

from __future__ import annotations

from .blocks import STAMP_RECORD, Acc
from .configs import confserv_cfg, install_result_log, lca_cfg, license_dat, silent_ini
from .ledger import PlantedInstallation
from .site import AppPlan, Site
from .streams import StreamSpec
from .templates import FRAMEWORK_COMMON, ordinary_pool

MB = 1 << 20

CS_COMMON = FRAMEWORK_COMMON + [
    " Trc 04541 Message MSGCFG_GETOBJECTINFO received from {fd} ({peer} '{peer}')\n",
    " Trc 04542 Message MSGCFG_ENDOBJECTSLIST sent to {fd} ({peer} '{peer}')\n",
    " Std 04500 Client {fd} authorized, name [{peer}], type [SCE], user name [default], protocol [addp], address [{ip}:{port}]\n",
    " Trc 24215 Object: [{obj}], name [Obj{n}], DBID: [{n}] is changed by client, type [SCE], name: [GAX_P], user: [admin]\n",
    " Trc 04541 Message MSGCFG_CHANGEOBJECT received from {fd} (SCE 'GAX_P')\n",
    " Std 21000 Database request took {ms} ms, {m} rows\n",
    " Trc 24200 Notification about {obj} DBID [{n}] sent to {m} clients\n",
]
SCS_COMMON = FRAMEWORK_COMMON + [
    " Trc 04541 Notify STATUS: App<{peer}> status=Running mode=Primary host=demo-gen01\n",
    " Trc 04541 Notify RUNMODE: App<{peer}> runmode=Primary\n",
    " Std 04561 App<{peer}> Primary mode activated\n",
    " Trc 04542 Alarm check: condition {n} cleared for {peer}\n",
]
MS_COMMON = FRAMEWORK_COMMON + [
    " Trc 04541 Log message {n} from {peer} ({ip}) stored, priority {m}\n",
    " Std 04500 DB Server connection to centralized log ok, queue {m}\n",
]
LCA_COMMON = [
    " Std 05041 Application '{peer}' status changed to SERVICE_RUNNING\n",
    " Trc 05070 Notify STATUS: App<{peer}> status=Running pid={n}\n",
    " Trc 04541 Message 'RequestStartApplication' received from SCS_P ({ip}:{port})\n",
    " Std 05060 Client {fd} connected from {ip}:{port}\n",
    " Dbg 00000 Process monitor: {m} processes checked, {n} KB RSS\n",
    " Trc 05080 GDA: heartbeat ok ({ms} ms)\n",
]
DBS_COMMON = FRAMEWORK_COMMON + [
    " Trc 04541 Request DBM_SQL received from {fd} ({peer}), {n} bytes\n",
    " Std 21011 dbclient_postgre: connected to 192.0.2.40 database genesys_cfg as genesys_cfg\n",
    " Dbg 00000 [dbclient {thr}] query executed in {ms} ms, {m} rows\n",
]
STAT_COMMON = FRAMEWORK_COMMON + [
    " Trc 04541 'RequestOpenStatistic' received from {client}\n",
    " Trc 04542 'EventStatisticOpened' sent to client {fd}, ref {ref}\n",
    " Int 04543 Interaction message \"EventAgentReady\" received from 65200 (\"SIPS_P@9000\")\n",
    " Dbg 10011 [Status] Agent at DN {dn}: state changed to Ready\n",
    " Dbg 10012 [Action] {stat} for agent at DN {dn} updated: {n}\n",
    " Dbg 10013 [SQL] INSERT INTO STAT_{m} took {ms} ms\n",
]


def config_server(site: Site) -> list[AppPlan]:
    rng = site.rng("config-server")
    pool = ordinary_pool(rng, site.fakes, CS_COMMON, 220, 0.03)
    for person in range(40):
        a = Acc()
        first, last = site.fakes.first_last()
        email = a.s("email", site.fakes.email(f"{first} {last}"))
        pool.add(a.block((STAMP_RECORD, f" Trc 24215 Object: [CfgPerson], name [{first.lower()}{person}], DBID: "
                                        f"[{300 + person}] is changed by client, type [SCE], name: [GAX_P], user: [admin]\n"
                                        f"\temailAddress [{email}] password [****]\n")), special=True)
    plan = site.framework_app("config-server", "ConfigServer", "Configuration Server", "confserv", "confserv", pool,
                              MB, stamp="ctime", banner="Genesys Configuration Server", d_drive=True,
                              version="8.5.101.23")
    inst = plan.installation
    app_dir = inst.app_dir or ""
    log_all = site.log_option(plan.streams[0].dir, "confserv", app_dir)
    acc = Acc()
    site.put(f"{app_dir}/confserv.cfg", confserv_cfg(acc, site.fakes, "confserv", log_all, site.windows), "config",
             inst, acc)
    acc = Acc()
    install_path = "/" + app_dir if not site.windows else app_dir.replace("/", "\\").replace("C\\", "C:\\", 1)
    site.put(f"{app_dir}/genesys_silent.ini", silent_ini(acc, site.fakes, install_path), "config", inst, acc)
    site.put(f"{app_dir}/genesys_install_result.log", install_result_log("confserv", install_path), "text", inst)
    if not site.windows:
        site.put("opt/genesys/flexlm/license.dat", license_dat(), "config", inst, forbidden=True)
    else:
        site.put("C/Program Files/GCTI/flexlm/license.dat", license_dat(), "config", inst, forbidden=True)
    return [plan]


def config_server_proxy(site: Site) -> list[AppPlan]:
    pool = ordinary_pool(site.rng("csproxy"), site.fakes, CS_COMMON, 160, 0.0)
    plan = site.framework_app("config-server-proxy", "CS_Proxy", "Configuration Server", "CS_Proxy_B", "confserv",
                              pool, MB // 2, stamp="iso8601", banner="Genesys Configuration Server Proxy",
                              app_type="ConfigurationServer", version="8.5.101.23")
    return [plan]


def scs(site: Site) -> list[AppPlan]:
    pool = ordinary_pool(site.rng("scs"), site.fakes, SCS_COMMON, 160, 0.0)
    return [site.framework_app("scs", "SCS", "Solution Control Server", "SCS_P", "scs", pool, MB // 2,
                               stamp="us_date2", banner="Genesys Solution Control Server", app_type="SCS",
                               version="8.5.100.21")]


def message_server(site: Site) -> list[AppPlan]:
    pool = ordinary_pool(site.rng("ms"), site.fakes, MS_COMMON, 120, 0.0)
    return [site.framework_app("message-server", "MessageServer", "Message Server", "MessageServer",
                               "MessageServer", pool, MB // 3, stamp="locale_long",
                               banner="Genesys Message Server", app_type="MessageServer", version="8.5.100.08")]


def lca(site: Site) -> list[AppPlan]:
    pool = ordinary_pool(site.rng("lca"), site.fakes, LCA_COMMON, 120, 0.0)
    plan = site.framework_app("lca", "LCA", "Local Control Agent", "LCA", "lca", pool, MB // 3, stamp="iso8601",
                              banner="Local Control Agent", in_app_dir=True, version="8.5.100.31", launcher=False)
    inst = plan.installation
    app_dir = inst.app_dir or ""
    log_all = site.log_option(plan.streams[0].dir, "LCA", app_dir)
    site.put(f"{app_dir}/lca.cfg", lca_cfg(log_all), "config", inst)
    if not site.windows:
        site.put(f"{app_dir}/run.sh", f"#!/bin/sh\ncd /{app_dir}\n./lca 4999 \"$@\"\n", "config", inst, mode=0o755)
    plan.streams[0].command_line = "./lca 4999" if not site.windows else "lca.exe 4999 -service LCA"
    return [plan]


def db_server(site: Site) -> list[AppPlan]:
    pool = ordinary_pool(site.rng("dbs"), site.fakes, DBS_COMMON, 160, 0.0)
    return [site.framework_app("db-server", "DBServer", "DB Server", "dbserver", "dbserver", pool, MB // 2,
                               banner="Genesys DB Server", app_type="RealDBServer", version="8.1.300.11")]


def _stat_pool(site: Site, name: str):
    pool = ordinary_pool(site.rng(name), site.fakes, STAT_COMMON, 220, 0.03)
    for call in site.calls[::2]:
        a = Acc()
        text = (" Int 04543 Interaction message \"EventEstablished\" received from 65200 (\"SIPS_P@9000\")\n"
                f"\tAttributeConnID\t{a.k('connid', call.connid)}\n"
                f"\tAttributeThisDN\t'{a.k('agent_dn', call.agent_dn)}'\n"
                f"\tAttributeANI\t'{a.s('phone', call.ani)}'\n"
                f"\tAttributeOtherDN\t'{a.s('phone', call.ani)}'\n")
        pool.add(a.block((STAMP_RECORD, text)), special=True)
    return pool


def stat_server(site: Site) -> list[AppPlan]:
    main = site.framework_app("stat-server", "StatServer", "Stat Server", "StatServer_P", "StatServer",
                              _stat_pool(site, "stat"), 3 * MB // 2, stamp="statserver",
                              banner="Genesys StatServer", app_type="StatServer", version="8.5.112.12")
    # The odd one: no marker, no launcher, logs beside it; only its segment header tells what it is.
    odd_dir = "D/apps/stat1" if site.windows else "srv/apps/stat1"
    inst = PlantedInstallation("stat-server", "Stat_Rep", odd_dir, [f"{odd_dir}/logs/Stat_Rep"])
    stream = StreamSpec(product="stat-server", app_name="Stat_Rep", dir=f"{odd_dir}/logs", base="Stat_Rep",
                        pool=_stat_pool(site, "stat-rep"), weight_bytes=MB // 2, stamp_style="us_date4",
                        banner="Genesys StatServer", app_type="StatServer",
                        command_line=site.command_line("StatServer", "Stat_Rep"), version="8.5.112.12",
                        eol_crlf=site.windows)
    return [main, AppPlan(inst, [stream])]
