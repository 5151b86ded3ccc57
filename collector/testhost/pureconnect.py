"""PureConnect (Windows only): binary ``.ininlog`` trace logs with ``.ininlog_idx`` indexes in
per-day folders; older days stored as zip files (``<Logs>/<YYYY-MM-DD>.zip``)."""

from __future__ import annotations

import io
import struct
import zipfile
from datetime import datetime, timedelta, timezone

from .blocks import Acc
from .ledger import PlantedInstallation
from .site import AppPlan, Site

CIC_LOGS = "D/I3/IC/Logs"
IMS_LOGS = "C/Program Files/Interactive Intelligence/Media Server/Logs"


def _ininlog(site: Site, acc: Acc | None, subsystem: str, lo: datetime, hi: datetime, records: int) -> tuple[bytes, bytes]:
    """A binary trace log (NUL-separated records with packed times) and its index."""
    out = io.BytesIO()
    idx = io.BytesIO()
    out.write(b"ININLOG\x00\x02\x00" + subsystem.encode() + b"\x00" * (24 - len(subsystem)))
    idx.write(b"ININIDX\x00")
    step = (hi - lo).total_seconds() / records
    for i in range(records):
        moment = lo + timedelta(seconds=i * step)
        call = site.calls[(i * 7) % len(site.calls)]
        if acc is not None and i % 10 == 0:
            text = f"Call {call.connid[-10:]} ANI {acc.s('phone', call.ani)} routed to {call.agent_dn}"
        else:
            text = f"{subsystem}: queue depth {i % 17}, thread {i % 9} heartbeat"
        idx.write(struct.pack("<QI", int(moment.timestamp() * 1000), out.tell()))
        payload = text.encode("ascii")
        out.write(struct.pack("<QHI", int(moment.timestamp() * 1000), 3, len(payload)) + payload + b"\x00\x00")
    return out.getvalue(), idx.getvalue()


def _days(site: Site) -> list[tuple[datetime, datetime, datetime]]:
    clock = site.clock
    start = datetime.fromtimestamp(clock.start_local_ms / 1000 + clock.tz_west_s, tz=timezone.utc)
    end = datetime.fromtimestamp(clock.end_local_ms / 1000 + clock.tz_west_s, tz=timezone.utc)
    day = start.replace(hour=0, minute=0, second=0, microsecond=0)
    days = []
    while day <= end:
        days.append((day, max(day, start), min(day + timedelta(days=1) - timedelta(milliseconds=1), end)))
        day += timedelta(days=1)
    return days


def _write_logs(site: Site, inst: PlantedInstallation, logs: str, subsystems: tuple[str, ...]) -> None:
    days = _days(site)
    for n, (day, lo, hi) in enumerate(days):
        newest = n == len(days) - 1
        folder = f"{logs}/{day:%Y-%m-%d}"
        if newest:
            for subsystem in subsystems:
                acc = Acc()
                log, idx = _ininlog(site, acc, subsystem, lo, hi, 400)
                host_path = site.put(f"{folder}/{subsystem}.ininlog", log, "binary-log", inst, acc)
                site.put(f"{folder}/{subsystem}.ininlog_idx", idx, "binary-log", inst)
                site.extra_windows[host_path] = (lo.isoformat(timespec="milliseconds"),
                                                 hi.isoformat(timespec="milliseconds"))
            continue
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for subsystem in subsystems:
                log, idx = _ininlog(site, None, subsystem, lo, hi, 400)
                stamp = (day.year, day.month, day.day, 23, 59, 58)
                archive.writestr(zipfile.ZipInfo(f"{day:%Y-%m-%d}/{subsystem}.ininlog", stamp), log)
                archive.writestr(zipfile.ZipInfo(f"{day:%Y-%m-%d}/{subsystem}.ininlog_idx", stamp), idx)
        host_path = site.put(f"{logs}/{day:%Y-%m-%d}.zip", buffer.getvalue(), "binary-log", inst)
        site.extra_windows[host_path] = (lo.isoformat(timespec="milliseconds"), hi.isoformat(timespec="milliseconds"))


def cic(site: Site) -> list[AppPlan]:
    inst = PlantedInstallation("pureconnect-cic", "CIC", "D/I3/IC", [f"{CIC_LOGS}/"])
    for exe in ("ACDServerU.exe", "AccServerU.exe", "AdminServerU.exe"):
        site.put(f"D/I3/IC/Server/{exe}", b"MZ\x90\x00 synthetic marker\x00", "text", inst)
    _write_logs(site, inst, CIC_LOGS, ("AccServer", "ACDServer", "AdminServer", "CallLog", "ClientServices"))
    return [AppPlan(inst)]


def ims(site: Site) -> list[AppPlan]:
    base = "C/Program Files/Interactive Intelligence/Media Server"
    inst = PlantedInstallation("pureconnect-ims", "MediaServer", base, [f"{IMS_LOGS}/"])
    site.put(f"{base}/MediaServerU.exe", b"MZ\x90\x00 synthetic marker\x00", "text", inst)
    _write_logs(site, inst, IMS_LOGS, ("MediaServer", "MediaServerRtp"))
    return [AppPlan(inst)]
