"""Planned-change notice for Genesys Customer Care (announce major changes a week ahead).

``build_notice(...) -> dict`` (JSON form) and ``render_notice_text(notice) -> str`` (ready to
e-mail). The environment (OS, switch if known, DBMS, Genesys components and versions) is filled
in from the host tree with ``collector.casefile``. A change starting less than
``NOTICE_PERIOD`` from ``now`` carries a ``warning``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from collector.errors import BadInput
from collector.model import Installation

NOTICE_SCHEMA = "gcollect/change-notice/v1"
NOTICE_PERIOD = timedelta(days=7)


def _switch(installations: Sequence[Installation], components: list[dict[str, Any]]) -> str | None:
    """The switch/PBX, if the installations say: SIP Server, or a T-Server's banner/name."""
    for inst in installations:
        if inst.product == "sip-server":
            return "SIP (Genesys SIP Server)"
    for inst in installations:
        if inst.product == "tserver":
            return f"T-Server {inst.name}" + (f" ({inst.app_type})" if inst.app_type else "")
    return None


def build_notice(*, change_from: str, change_to: str, start: datetime, end: datetime, contacts: Sequence[str],
                 company: str | None = None, site: str | None = None, cases: Sequence[str] = (),
                 description: str | None = None, root: Path | None = None,
                 installations: Sequence[Installation] = (), host_name: str | None = None,
                 now: datetime | None = None) -> dict[str, Any]:
    """The notice as a JSON-able dict; raises BadInput on an impossible window or no contact."""
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("start and end must be aware datetimes")
    if end <= start:
        raise BadInput(what="--end", problem="the change must end after it starts")
    if not [c for c in contacts if c.strip()]:
        raise BadInput(what="--contact", problem="name at least one contact for the change")
    current = (now or datetime.now(timezone.utc)).astimezone(timezone.utc)
    lead = start - current
    environment: dict[str, Any] = {}
    if root is not None:
        from collector.casefile import environment as read_environment

        env = read_environment(root, installations, host_name or "")
        environment = {
            "os": env["os"].get("pretty") or " ".join(x for x in (env["os"].get("name"), env["os"].get("version"))
                                                      if x) or None,
            "switch": _switch(installations, env["components"]),
            "dbms": [" ".join(x for x in (d.get("engine"), d.get("version")) if x) for d in env["dbms"]],
            "components": [{"product": c["product"], "name": c["name"], "version": c["version"]}
                           for c in env["components"]],
            "host": env.get("host"),
        }
    notice: dict[str, Any] = {
        "schema": NOTICE_SCHEMA,
        "created_utc": current.replace(microsecond=0).isoformat(),
        "company": company,
        "site": site,
        "change": {"from": change_from, "to": change_to, "description": description},
        "window": {"start": start.astimezone(timezone.utc).isoformat(),
                   "end": end.astimezone(timezone.utc).isoformat(),
                   "hours": round((end - start).total_seconds() / 3600, 2)},
        "lead_time_days": round(lead.total_seconds() / 86400, 2),
        "environment": environment,
        "contacts": [c.strip() for c in contacts if c.strip()],
        "open_cases": [c.strip() for c in cases if c.strip()],
        "warning": None,
    }
    if lead < NOTICE_PERIOD:
        when = "already started" if lead <= timedelta(0) else f"starts in {lead.total_seconds() / 86400:.1f} days"
        notice["warning"] = (f"the change {when}: Genesys Customer Care asks for notice of planned changes "
                             f"at least one week ahead")
    return notice


def render_notice_text(notice: dict[str, Any]) -> str:
    env = notice.get("environment") or {}
    change = notice["change"]
    who = " / ".join(x for x in (notice.get("company"), notice.get("site")) if x) or "(company/site not given)"
    lines = [
        f"Subject: Planned change notice: {change['from']} -> {change['to']} ({who})",
        "",
        "To Genesys Customer Care,",
        "",
        "we plan the following change and let you know in advance.",
        "",
        f"Company / site:   {who}",
        f"Change:           {change['from']} -> {change['to']}",
    ]
    if change.get("description"):
        lines.append(f"Description:      {change['description']}")
    lines += [
        f"Window (UTC):     {notice['window']['start']} .. {notice['window']['end']} ({notice['window']['hours']} h)",
        f"Open cases:       {', '.join(notice['open_cases']) or 'none'}",
        f"Contacts:         {'; '.join(notice['contacts'])}",
    ]
    if env:
        lines += ["", "Environment:",
                  f"  OS:             {env.get('os') or 'unknown'}",
                  f"  Switch:         {env.get('switch') or 'unknown'}",
                  f"  DBMS:           {', '.join(env.get('dbms') or []) or 'unknown'}"]
        for comp in env.get("components") or []:
            lines.append(f"  {comp['product']:<22} {comp['name']:<20} {comp['version'] or 'version unknown'}")
    if notice.get("warning"):
        lines += ["", f"NOTE: {notice['warning']}."]
    lines += ["", f"(written by gcollect, {notice['created_utc']})", ""]
    return "\n".join(lines)
