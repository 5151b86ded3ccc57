"""generate_host: write a folder that looks like the root of a Genesys host, return its ledger."""

from __future__ import annotations

import gc
import random
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Literal

from . import products_java, products_mgmt, products_more, products_voice, pureconnect
from .configs import os_release
from .fakes import Fakes, make_calls
from .ledger import HostLedger, PlantedSecret
from .site import AppPlan, Site
from .streams import Clock, FileFact, write_companion, write_stream

Builder = Callable[[Site], list[AppPlan]]

BUILDERS: dict[str, Builder] = {
    "config-server": products_mgmt.config_server,
    "config-server-proxy": products_mgmt.config_server_proxy,
    "scs": products_mgmt.scs,
    "message-server": products_mgmt.message_server,
    "lca": products_mgmt.lca,
    "db-server": products_mgmt.db_server,
    "sip-server": products_voice.sip_server,
    "tserver": products_voice.tserver,
    "urs": products_voice.urs,
    "ors": products_voice.ors,
    "stat-server": products_mgmt.stat_server,
    "interaction-server": products_more.interaction_server,
    "ucs": products_java.ucs,
    "chat-server": products_java.chat_server,
    "email-server": products_java.email_server,
    "ocs": products_more.ocs,
    "icon": products_more.icon,
    "gim": products_java.gim,
    "gvp-mcp": products_more.gvp_mcp,
    "gvp-rm": products_more.gvp_rm,
    "gvp-sip-proxy": products_more.gvp_sip_proxy,
    "gvp-reporting": products_java.gvp_reporting,
    "gws": products_java.gws,
    "gax": products_java.gax,
    "gms": products_java.gms,
    "pulse": products_java.pulse,
    "workbench": products_java.workbench,
    "wde": products_java.wde,
    "pureconnect-cic": pureconnect.cic,
    "pureconnect-ims": pureconnect.ims,
}
WINDOWS_ONLY = {"wde", "pureconnect-cic", "pureconnect-ims"}
DEMO_PRODUCTS: tuple[str, ...] = ("config-server", "lca", "sip-server", "urs", "ors", "stat-server", "gws")
ALL_PRODUCTS: tuple[str, ...] = tuple(BUILDERS)
TZ_WEST = {"linux": 18000, "windows": -3600}


def generate_host(dest: Path, *, products: Sequence[str] | None = None, layout: Literal["linux", "windows"] = "linux",
                  days: float = 3.0, end: datetime | None = None, segment_kb: int = 512, seed: int = 1,
                  target_bytes: int | None = None, host_name: str = "demo-gen01") -> HostLedger:
    """Write a synthetic Genesys host under ``dest``; deterministic for a given ``seed``.

    Segments cover [end - days, end] (``end`` defaults to now, UTC, whole seconds). With
    ``target_bytes`` the amount of log data is scaled so the tree totals about that many bytes.
    """
    gc_was_enabled = gc.isenabled()
    gc.disable()              # millions of short-lived bytes objects; the collector only slows us down
    try:
        return _generate(Path(dest), products, layout, days, end, segment_kb, seed, target_bytes, host_name)
    finally:
        if gc_was_enabled:
            gc.enable()


def _generate(dest: Path, products: Sequence[str] | None, layout: Literal["linux", "windows"], days: float, end: datetime | None,
              segment_kb: int, seed: int, target_bytes: int | None, host_name: str) -> HostLedger:
    if layout not in ("linux", "windows"):
        raise ValueError(f"layout must be linux or windows, not {layout!r}")
    wanted = list(DEMO_PRODUCTS if products is None else products)
    unknown = [p for p in wanted if p not in BUILDERS]
    if unknown:
        raise ValueError(f"unknown products: {', '.join(unknown)}")
    if end is None:
        end = datetime.now(timezone.utc).replace(microsecond=0)
    elif end.tzinfo is None:
        end = end.replace(tzinfo=timezone.utc)
    end = end.astimezone(timezone.utc)
    start = end - timedelta(days=days)
    dest.mkdir(parents=True, exist_ok=True)
    tz = TZ_WEST[layout]
    clock = Clock(int(start.timestamp() * 1000) - tz * 1000, int(end.timestamp() * 1000) - tz * 1000, tz, host_name)
    fakes = Fakes(random.Random(f"{seed}:fakes"))
    site = Site(root=dest, layout=layout, host_name=host_name, clock=clock, fakes=fakes,
                calls=make_calls(fakes, 160), seed=seed, static_mtime=start.timestamp() - 86400)
    ledger = HostLedger(root=str(dest.resolve()), layout=layout, host_name=host_name, seed=seed,
                        start=start.isoformat(), end=end.isoformat(), tz_west_s=tz)
    _system_files(site)
    plans: list[AppPlan] = []
    for product in wanted:
        if product in WINDOWS_ONLY and layout != "windows":
            ledger.skipped_products[product] = "Windows-only product; use layout='windows'"
            continue
        plans.extend(BUILDERS[product](site))
    static_bytes = sum((dest / p).stat().st_size for p in site.file_kinds)
    weights = sum(s.weight_bytes for plan in plans for s in plan.streams)
    scale = 1.0 if target_bytes is None else max(0.0, target_bytes - static_bytes) / max(1, weights)
    segment_bytes = max(16, segment_kb) * 1024
    facts: list[FileFact] = []
    for plan in plans:
        ledger.products.setdefault(plan.installation.product, []).append(plan.installation)
        plan_facts: list[FileFact] = []
        for index, stream in enumerate(plan.streams):
            rng = site.rng("stream", plan.installation.app_name, stream.base)
            stream_facts = write_stream(dest, stream, clock, scale, segment_bytes, rng)
            plan_facts.extend(stream_facts)
            for companion_index, suffix in plan.companions:
                if companion_index == index:
                    at = clock.end_local_ms - int((clock.end_local_ms - clock.start_local_ms) * 0.4)
                    plan_facts.append(write_companion(dest, stream, clock, at, suffix, rng))
        plan.installation.files.extend(f.host_path for f in plan_facts)
        for fact in plan_facts:
            site.file_kinds[fact.host_path] = "binary-log" if fact.host_path.endswith((".ininlog", ".zip")) else "log"
        facts.extend(plan_facts)
    _fill_ledger(ledger, site, facts)
    return ledger


def _system_files(site: Site) -> None:
    if site.windows:
        site.put("C/Windows/System32/drivers/etc/hosts", "127.0.0.1 localhost\n192.0.2.10 cfghost\n", "text")
        return
    site.put("etc/os-release", os_release(), "text")
    site.put("etc/hostname", site.host_name + "\n", "text")
    site.put("etc/hosts", f"127.0.0.1 localhost\n{site.host_ip} {site.host_name}\n192.0.2.10 cfghost\n", "text")


def _fill_ledger(ledger: HostLedger, site: Site, facts: list[FileFact]) -> None:
    keeps = {category: set(values) for category, values in site.keeps.items()}
    secrets = list(site.secrets)
    for fact in facts:
        ledger.windows[fact.host_path] = (fact.first, fact.last)
        secrets.extend(PlantedSecret(c, v, fact.host_path) for c, v in sorted(fact.secrets))
        for category, value in fact.keeps:
            keeps.setdefault(category, set()).add(value)
    ledger.windows.update(site.extra_windows)
    ledger.windows = dict(sorted(ledger.windows.items()))
    ledger.secrets = secrets
    ledger.keep = {category: sorted(values) for category, values in sorted(keeps.items())}
    ledger.file_kinds = dict(sorted(site.file_kinds.items()))
    ledger.never_collect = sorted(site.never_collect)
    ledger.total_bytes = sum((site.root / p).stat().st_size for p in site.file_kinds)

