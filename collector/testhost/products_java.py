"""Java apps with their own file names and headers: GWS, GAX, GMS, Pulse, Workbench, GIM, UCS,
Chat, E-mail, GVP Reporting Server and (Windows only) Workspace Desktop Edition."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from .blocks import STAMP_RECORD, Acc, BlockPool
from .configs import gws_application_yaml, java_properties, json_settings, logback_xml, wde_config
from .ledger import PlantedInstallation
from .shapes import psdk_event
from .site import AppPlan, Site
from .streams import StreamSpec
from .templates import ordinary_pool

MB = 1 << 20

JAVA_COMMON = [
    " INFO [qtp1437-{thr}] c.g.c.v.s.b.ServiceStatusMonitor - Node status OK, {n} active sessions\n",
    " DEBUG [qtp1437-{thr}] c.g.c.v.a.f.RequestLoggingFilter - GET /api/v2/me/calls 200 {ms} ms\n",
    " WARN [cassandra-{thr}] c.g.c.v.c.CassandraClient - Slow query {ms} ms on {ip}\n",
    " INFO [voice-{thr}] c.g.c.v.s.v.t.TServerConnection - Connected to SIPS_P at {ip}:3000\n",
    " ERROR [qtp1437-{thr}] c.g.c.v.a.ApiExceptionHandler - Request failed: 404 Not Found /api/v2/devices/{n}\n",
    " DEBUG [pool-{thr}-thread-{m}] c.g.c.v.s.StatisticsService - {stat} for DN {dn} = {n}\n",
    " INFO [main] c.g.c.v.c.ConfigServerConnection - Config object {obj} DBID {n} updated\n",
]


def _java_specials(site: Site, pool: BlockPool, logger: str, calls_step: int = 2) -> None:
    for call in site.calls[::calls_step]:
        a = Acc()
        pool.add(a.block((STAMP_RECORD, f" DEBUG [voice-{call.index % 8}] {logger} - Received event from SIPS_P:\n"
                                        + psdk_event(a, call, "EventEstablished", call.agent_dn))), special=True)
        a = Acc()
        jwt = a.s("jwt", site.fakes.jwt(call.agent_email))
        pool.add(a.block((STAMP_RECORD, f" DEBUG [qtp1437-{call.index % 50}] c.g.c.v.a.f.RequestLoggingFilter - "
                                        f"Headers: Authorization: Bearer {jwt}\n")), special=True)
        a = Acc()
        basic = a.s("authorization", site.fakes.basic_auth(f"agent{call.agent_dn}", site.fakes.password()))
        pool.add(a.block((STAMP_RECORD, f" DEBUG [qtp1437-{call.index % 50}] c.g.c.v.a.f.RequestLoggingFilter - "
                                        f"Headers: Authorization: Basic {basic}, User {a.s('email', call.agent_email)}"
                                        f" logged in from {a.k('ip', site.fakes.ip())}\n")), special=True)


def java_app(site: Site, product: str, linux_folder: str, windows_product: str, app_name: str, marker: str,
             pool: BlockPool, weight: int, *, base: str, banner: str, stamp: str = "statserver",
             header: str = "java", naming: str = "framework", log_dir: str | None = None,
             app_type: str | None = None, version: str = "8.5.200.10") -> AppPlan:
    app_dir = site.app_dir(linux_folder, windows_product, app_name)
    log_dir = log_dir or f"{app_dir}/logs"
    inst = PlantedInstallation(product, app_name, app_dir, [f"{log_dir}/{base}"])
    site.put(f"{app_dir}/{marker}", b"PK\x03\x04 synthetic java archive marker\x00", "text", inst)
    cmd = f"java -Xmx4g -jar {marker} -host cfghost -port 2020 -app {app_name}"
    stream = StreamSpec(product=product, app_name=app_name, dir=log_dir, base=base, pool=pool, weight_bytes=weight,
                        stamp_style=stamp, header_style=header, banner=banner, app_type=app_type, command_line=cmd,
                        version=version, naming=naming, eol_crlf=site.windows)
    return AppPlan(inst, [stream])


def gws(site: Site) -> list[AppPlan]:
    pool = ordinary_pool(site.rng("gws"), site.fakes, JAVA_COMMON, 200, 0.04)
    _java_specials(site, pool, "c.g.c.v.s.v.t.VoiceEventHandler")
    app_dir = site.app_dir("gws", "Web Services", "gws")
    log_dir = f"{app_dir}/logs" if site.windows else "var/log/jetty9"
    plan = java_app(site, "gws", "gws", "Web Services", "gws", "start.jar", pool, 3 * MB // 2, base="cloud",
                    banner="GWS", header="gws", naming="logback", log_dir=log_dir, version="8.5.201.50")
    inst = plan.installation
    acc = Acc()
    site.put(f"{app_dir}/config/application.yaml", gws_application_yaml(acc, site.fakes), "config", inst, acc)
    acc = Acc()
    site.put(f"{app_dir}/config/logback.xml", logback_xml(acc, site.fakes, "/" + log_dir), "config", inst, acc)
    _request_logs(site, log_dir, inst)
    return [plan]


def _request_logs(site: Site, log_dir: str, inst: PlantedInstallation) -> None:
    """Jetty NCSA request logs, one per GMT day: ``yyyy_mm_dd.request.log``."""
    rng = site.rng("gws-request")
    clock = site.clock
    start = datetime.fromtimestamp((clock.start_local_ms / 1000) + clock.tz_west_s, tz=timezone.utc)
    end = datetime.fromtimestamp((clock.end_local_ms / 1000) + clock.tz_west_s, tz=timezone.utc)
    day = start.replace(hour=0, minute=0, second=0, microsecond=0)
    while day <= end:
        lo, hi = max(day, start), min(day + timedelta(days=1) - timedelta(seconds=1), end)
        count = 300
        step = (hi - lo).total_seconds() / count
        acc = Acc()
        lines = []
        for i in range(count):
            moment = lo + timedelta(seconds=i * step)
            ip = acc.k("ip", site.fakes.ip())
            user = "-"
            query = ""
            if i % 25 == 3:
                call = site.calls[rng.randrange(len(site.calls))]
                user = acc.s("email", call.agent_email)
                query = "?access_token=" + acc.s("jwt", site.fakes.jwt(user))
            path = rng.choice(("/api/v2/me", "/api/v2/me/calls", "/api/v2/notifications", "/ui/ad/v1/index.html"))
            lines.append(f"{ip} - {user} [{moment:%d/%b/%Y:%H:%M:%S} +0000] \"GET {path}{query} HTTP/1.1\" "
                         f"200 {rng.randint(120, 9000)} \"-\" \"Mozilla/5.0 (Windows NT 10.0)\"\n")
        host_path = f"{log_dir}/{day:%Y_%m_%d}.request.log"
        site.put(host_path, "".join(lines), "log", inst, acc)
        site.extra_windows[host_path] = (lo.isoformat(timespec="milliseconds"),
                                         (lo + timedelta(seconds=(count - 1) * step)).isoformat(timespec="milliseconds"))
        day += timedelta(days=1)


def gax(site: Site) -> list[AppPlan]:
    pool = ordinary_pool(site.rng("gax"), site.fakes, JAVA_COMMON, 160, 0.03)
    _java_specials(site, pool, "c.g.g.s.ConfigServerProxy", 4)
    plan = java_app(site, "gax", "gax", "GAX", "GAX_P", "gax.war", pool, MB // 2, base="gax.log",
                    banner="Genesys Administrator Extension", naming="plain-ts", version="9.0.104.15")
    acc = Acc()
    site.put(f"{plan.installation.app_dir}/conf/gax.properties", java_properties(acc, site.fakes, "gax"), "config",
             plan.installation, acc)
    return [plan]


def gms(site: Site) -> list[AppPlan]:
    pool = ordinary_pool(site.rng("gms"), site.fakes, JAVA_COMMON, 160, 0.04)
    for call in site.calls[::3]:
        a = Acc()
        pool.add(a.block((STAMP_RECORD, f" INFO [qtp88-{call.index % 9}] c.g.m.s.CallbackService - Callback scheduled "
                                        f"_customer_number={a.s('phone', call.ani)} _desired_time=now "
                                        f"connid={a.k('connid', call.connid)}\n")), special=True)
    plan = java_app(site, "gms", "gms", "GMS", "GMS_1", "gms.jar", pool, MB // 2, base="GMS_1",
                    banner="Genesys Mobile Server", header="gms", stamp="iso8601", version="8.5.201.04")
    acc = Acc()
    site.put(f"{plan.installation.app_dir}/etc/credentials.json", json_settings(acc, site.fakes, "gms"), "config",
             plan.installation, acc)
    return [plan]


def _simple_java(site: Site, product: str, folder: str, win: str, app: str, marker: str, base: str, banner: str,
                 stamp: str, cfg: str | None, cfg_kind: str = "properties", content: list[str] | None = None,
                 weight: int = MB // 3) -> list[AppPlan]:
    pool = ordinary_pool(site.rng(product), site.fakes, content or JAVA_COMMON, 140, 0.03)
    _java_specials(site, pool, f"c.g.{product.replace('-', '')}.Events", 5)
    plan = java_app(site, product, folder, win, app, marker, pool, weight, base=base, banner=banner, stamp=stamp)
    if cfg:
        acc = Acc()
        text = java_properties(acc, site.fakes, product.replace("-", "")) if cfg_kind == "properties" \
            else json_settings(acc, site.fakes, product)
        site.put(f"{plan.installation.app_dir}/{cfg}", text, "config", plan.installation, acc)
    return [plan]


def pulse(site: Site) -> list[AppPlan]:
    return _simple_java(site, "pulse", "pulse", "Pulse", "Pulse_P", "pulse.jar", "pulse", "Genesys Pulse",
                        "statserver", "conf/pulse.properties")


def workbench(site: Site) -> list[AppPlan]:
    return _simple_java(site, "workbench", "Workbench_9.3", "Workbench", "Workbench_IO", "workbench-io.jar",
                        "workbench_io", "Genesys Workbench IO", "iso8601", "config/workbench.json", "json")


def gim(site: Site) -> list[AppPlan]:
    return _simple_java(site, "gim", "GIM", "Info Mart", "GIM_ETL", "gim_etl_server.jar", "gim_etl",
                        "Genesys Info Mart", "statserver", "conf/gim_etl.properties")


def ucs(site: Site) -> list[AppPlan]:
    plans = _simple_java(site, "ucs", "UCS", "Universal Contact Server", "UCS", "ucs.jar", "UCS",
                         "Genesys Universal Contact Server", "iso8601", "conf/ucs.properties")
    pool = plans[0].streams[0].pool
    for call in site.calls[::4]:
        a = Acc()
        pool.add(a.block((STAMP_RECORD, f" INFO [esp-{call.index % 6}] c.g.u.ContactService - Contact found: "
                                        f"EmailAddress={a.s('email', call.email)} "
                                        f"FirstName+LastName='{a.s('customer_name', call.customer_name)}' "
                                        f"PhoneNumber={a.s('phone', call.ani)}\n")), special=True)
    return plans


def chat_server(site: Site) -> list[AppPlan]:
    plans = _simple_java(site, "chat-server", "ChatServer", "Chat Server", "ChatServer", "chatserver.jar",
                         "ChatServer", "Genesys Chat Server", "iso8601", None)
    pool = plans[0].streams[0].pool
    for call in site.calls[1::4]:
        a = Acc()
        pool.add(a.block((STAMP_RECORD, f" Int 04543 chat message from client: Text='Hi, my card is "
                                        f"{a.s('card', call.card)} and my mail {a.s('email', call.email)}'\n")),
                 special=True)
    return plans


def email_server(site: Site) -> list[AppPlan]:
    plans = _simple_java(site, "email-server", "EmailServer", "E-mail Server", "EmailServer", "emailserver.jar",
                         "EmailServer", "Genesys E-mail Server", "iso8601", "conf/email.properties")
    pool = plans[0].streams[0].pool
    for call in site.calls[2::4]:
        a = Acc()
        pool.add(a.block((STAMP_RECORD, f" Std 04500 Incoming mail From: \"{a.s('customer_name', call.customer_name)}\""
                                        f" <{a.s('email', call.email)}> To: support@example.com Subject: account "
                                        f"{a.s('account', call.account)}\n")), special=True)
    return plans


def gvp_reporting(site: Site) -> list[AppPlan]:
    return _simple_java(site, "gvp-reporting", "gvp/RS", "gvp/Reporting Server", "RS_1", "rs.war", "RS_1",
                        "Genesys GVP Reporting Server", "statserver", "conf/rs.properties")


def wde(site: Site) -> list[AppPlan]:
    app_dir = "C/Program Files (x86)/GCTI/Workspace Desktop Edition"
    plans = []
    for user in ("jdoe", "asample"):
        pool = ordinary_pool(site.rng("wde", user), site.fakes, [
            " INFO  InteractionWorkspace - Agent state changed to Ready on DN {dn}\n",
            " DEBUG Genesyslab.Desktop.Modules.Voice - Event EventPartyChanged for {connid}\n",
            " WARN  Genesyslab.Enterprise - Reconnect to {ip}:{port} in {m} s\n"], 90, 0.05)
        _java_specials(site, pool, "Genesyslab.Platform.Voice", 6)
        log_dir = f"C/Users/{user}/AppData/Roaming/GCTI/Workspace Desktop Edition/logs"
        inst = PlantedInstallation("wde", "WDE_Demo", app_dir, [f"{log_dir}/InteractionWorkspace"])
        stream = StreamSpec(product="wde", app_name="WDE_Demo", dir=log_dir, base="InteractionWorkspace", pool=pool,
                            weight_bytes=MB // 4, stamp_style="wde", header_style="wde", banner="InteractionWorkspace",
                            command_line="InteractionWorkspace.exe", version="8.5.128.07", eol_crlf=True)
        plans.append(AppPlan(inst, [stream]))
    first = plans[0].installation
    site.put(f"{app_dir}/InteractionWorkspace.exe", b"MZ\x90\x00 synthetic marker\x00", "text", first)
    acc = Acc()
    site.put(f"{app_dir}/InteractionWorkspace.exe.config", wde_config(acc, site.fakes), "config", first, acc)
    return plans
