"""The library behind the CLI: one function per job, typed requests in, typed results out.

The CLI parses options into these requests, calls one function and turns a GcollectError into
one line and an exit code. Nothing here knows click.
"""

from __future__ import annotations

import contextlib
import gc
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from collector.errors import BadInput, NothingFound, PreflightFailed
from collector.model import UNDATED_NOTE, Candidate, Installation, Plan, Profile, RunResult, Window, skipped_files
from collector.progress import Reporter
from collector.settings import RunSettings

if TYPE_CHECKING:
    from collector.callfilter import CallLinks


@dataclass(frozen=True)
class CollectRequest:
    root: Path
    settings: RunSettings
    window: Window = Window()
    products: tuple[str, ...] = ()            # --profile; empty = everything found
    profile_dirs: tuple[Path, ...] = ()       # site profile folders
    caps: object | None = None                # selection.Caps; None = defaults
    consent: frozenset[str] = frozenset()
    include_core: bool = False
    use_processes: bool | None = None
    facts: bool = True                        # add system/ facts
    annotations: dict = field(default_factory=dict)   # merged into manifest.json (e.g. case data)
    static_files: dict = field(default_factory=dict)  # name -> bytes added to the bundle (e.g. case.json)
    extra_files: object | None = None         # callable(manifest) -> {name: bytes} (e.g. report.html)
    call: str | None = None                   # --call CONNID|CALLUUID|SIP-CALL-ID


@dataclass
class Discovery:
    profiles: dict[str, Profile]
    installations: list[Installation]
    plan: Plan
    notes: list[str] = field(default_factory=list)


def check_root(root: Path) -> Path:
    if not root.exists():
        raise BadInput(what=str(root), problem="no such folder (--root)")
    if not root.is_dir():
        raise BadInput(what=str(root), problem="not a folder (--root)")
    if not os.access(root, os.R_OK | os.X_OK):
        raise BadInput(what=str(root), problem="cannot be read (--root)")
    return root


def load_profile_set(products: Sequence[str], profile_dirs: Sequence[Path],
                     state_dir: Path | None = None) -> dict[str, Profile]:
    """The profiles (``--profile`` names checked); ``state_dir`` remembers which profile files
    passed the checks, so an unchanged file is not checked again (``profile.load_profiles``)."""
    from collector.profile import load_profiles

    profiles = load_profiles(tuple(profile_dirs), checked_in=state_dir)
    unknown = [p for p in products if p not in profiles]
    if unknown:
        raise BadInput(what="--profile " + ",".join(unknown),
                       problem="no such profile; see `gcollect profiles list`")
    return profiles


def with_site_rule_sets(profiles: dict[str, Profile], rule_dirs: Sequence[Path]) -> dict[str, Profile]:
    """Every profile that redacts also runs the site's own rule sets (``--rules-dir`` files that
    override no packaged set): an admin's rules for the site's attached-data keys apply to every
    product, not only to one whose profile names them."""
    from collector.redaction.rules import site_rule_sets

    extra = site_rule_sets(rule_dirs) if rule_dirs else ()
    if not extra:
        return profiles
    return {name: replace(p, redaction=tuple(dict.fromkeys((*p.redaction, *extra)))) if p.redaction else p
            for name, p in profiles.items()}


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic garbage collection inside: for steps that allocate tens of thousands of
    long-lived objects (a plan, a snapshot state) and make no reference cycles, where each full
    collection would walk every one of them again. Nests; restores the previous setting."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def discover_and_plan(request: CollectRequest, *,
                      skip_unchanged: Callable[[os.stat_result], bool] | None = None,
                      quiet_newest_finished: bool = True) -> Discovery:
    """Discovery and the plan; ``skip_unchanged`` and ``quiet_newest_finished`` as for
    ``selection.select`` (a snapshot gives both)."""
    with gc_paused():
        return _discover_and_plan(request, skip_unchanged, quiet_newest_finished)


def _discover_and_plan(request: CollectRequest,
                       skip_unchanged: Callable[[os.stat_result], bool] | None = None,
                       quiet_newest_finished: bool = True) -> Discovery:
    from collector.discovery import discover
    from collector.selection import Caps, select

    root = check_root(request.root)
    window = request.window
    if window.zone is None:            # a library caller: the collected host's zone reads its logs
        from collector.hostzone import host_zone

        window = replace(window, zone=host_zone(root))
    profiles = with_site_rule_sets(
        load_profile_set(request.products, request.profile_dirs, request.settings.state_dir),
        request.settings.rule_dirs)
    # Detection uses every profile, so the most specific one wins (SIP Server vs other T-Servers);
    # --profile then keeps only the products asked for (and the host's own facts).
    unlisted: dict[str, str] = {}       # folders discovery needed and could not list: in the plan's skips
    unprofiled: dict[str, str] = {}     # files of Genesys logs no profile claims: in the plan's skips
    installations = discover(root, profiles, use_processes=request.use_processes,
                             only=tuple(request.products), problems=unlisted,
                             unprofiled=None if request.products else unprofiled)
    active = {k: v for k, v in profiles.items() if not request.products or k in request.products or k == "host"}
    genesys = [i for i in installations if i.product != "host"]
    if not genesys and not (request.products and set(request.products) <= {"host"}):
        raise NothingFound(root=str(root) + _unprofiled_note(unprofiled))
    caps = request.caps if request.caps is not None else Caps()
    plan = select(root, active, installations, window, caps, consent=request.consent,
                  include_core=request.include_core, skip_unchanged=skip_unchanged,
                  quiet_newest_finished=quiet_newest_finished, unlisted=unlisted, unprofiled=unprofiled)
    return Discovery(profiles, installations, plan)


def _unprofiled_note(unprofiled: Mapping[str, str]) -> str:
    """`` (but Genesys logs no profile knows: X in FOLDER; ...)`` for the no-installation line."""
    from collector.model import Skip, unprofiled as unprofiled_folders

    found = unprofiled_folders([Skip(host, None, why) for host, why in unprofiled.items()])
    if not found:
        return ""
    named = "; ".join(f"{what} in /{folder}" for folder, what, _ in found[:3])
    more = f" and {len(found) - 3} more" if len(found) > 3 else ""
    return f" (but Genesys logs of a product with no profile: {named}{more}; a site profile (--profile-dir) can collect them)"


def _text_redactor(settings: RunSettings):
    from collector.redaction.engine import Redactor
    from collector.redaction.rules import load_rule_sets
    from collector.redaction.tokens import Tokenizer, TokenStore, load_or_create_site_key

    rule_sets = load_rule_sets(("common-secrets", "pii"), settings.rule_dirs, checked_in=settings.state_dir)
    store = TokenStore(settings.state_dir / "tokens.db")
    tokenizer = Tokenizer(load_or_create_site_key(settings.state_dir), store)

    def redact_line(line: bytes) -> bytes:
        redactor = Redactor(rule_sets, tokenizer, "text", "system/processes")
        out = redactor.feed(line + b"\n") + redactor.finish()
        return out.rstrip(b"\n")

    return redact_line, store


def prepare_output(output_dir: Path) -> Path:
    try:
        output_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise PreflightFailed(problem=f"cannot create output folder {output_dir}: {exc.strerror}") from None
    return output_dir


def prepare_state(state_dir: Path) -> Path:
    from collector.statedir import use_state_dir

    return use_state_dir(state_dir)


def start_workers(settings: RunSettings) -> None:
    """Fork the worker processes now, before discovery, while this process is small (see
    ``pipeline.start_workers``); the next run takes them. Pair with ``stop_workers``."""
    from collector import pipeline

    pipeline.start_workers(settings)


def stop_workers() -> None:
    """Close workers that ``start_workers`` forked and no run took (dry run, an error)."""
    from collector import pipeline

    pipeline.stop_workers()


def collect(request: CollectRequest, reporter: Reporter | None = None,
            discovery: Discovery | None = None) -> tuple[Discovery, RunResult]:
    """Discover, plan and write one bundle."""
    from collector import pipeline
    from collector.hostguard import lower_priority
    from collector.sysfacts import system_facts

    settings = request.settings
    if settings.low_priority:
        lower_priority()
    discovery = discovery or discover_and_plan(request)
    prepare_output(settings.output_dir)
    prepare_state(settings.state_dir)
    facts = None
    if request.facts:
        redact_line, store = _text_redactor(settings)
        try:
            facts = system_facts(request.root, discovery.installations, redact_line)
        finally:
            store.close()
    files = dict(facts or {})
    files.update(request.static_files)
    from collector.logfilters import log_filters

    annotations = {"log_filters": log_filters(request.root, discovery.installations), **request.annotations}
    call = None
    if request.call:
        seed, links = call_links(request.call, discovery.plan)
        call = seed, frozenset(i.encode() for i in links.ids)
        annotations["call"] = {"seed": seed, "ids": sorted(links.ids)}
        if links.sessions:
            annotations["call"]["gvp_sessions"] = sorted(links.sessions)
        if note := links.not_followed():
            annotations["call"]["not_followed"] = note
    result = pipeline.run(discovery.plan, settings, reporter, facts=files,
                          annotations=annotations, extra_files=request.extra_files, call=call)
    return discovery, result


def call_ids(seed: str, plan: Plan) -> tuple[str, frozenset[bytes]]:
    """The identifiers of one call (ConnID <-> CallUUID <-> SIP Call-ID <-> GVP MCP LogID)
    across the planned logs."""
    seed, links = call_links(seed, plan)
    return seed, frozenset(i.encode() for i in links.ids)


def call_links(seed: str, plan: Plan) -> tuple[str, CallLinks]:
    """The seed as given (stripped) and what ``follow_call`` found for it in the planned logs."""
    from collector.callfilter import follow_call

    seed = seed.strip()
    logs = [c for c in plan.members if c.kind == "log"]
    links = follow_call(logs, seed, read=_read_planned)
    if links.ids == {seed} and not _mentioned(logs, seed.encode()):
        raise BadInput(what=f"--call {seed}", problem="no record of this call in the selected logs "
                                                       "(check the id and the time window)")
    return seed, links


def _read_planned(candidate: Candidate) -> Iterator[bytes]:
    """A planned file's bytes, if it is still the file selection chose (else none)."""
    from collector.hostguard import read_selected

    return read_selected(candidate.source, candidate.device, candidate.inode)


def _mentioned(candidates: Sequence[Candidate], needle: bytes) -> bool:
    return any(needle in chunk for candidate in candidates for chunk in _read_planned(candidate))


def unmask(token: str, state_dir: Path) -> tuple[str, str, str] | None:
    """(token as the map holds it, category, original value), or None. Tokens of numbers written
    with a leading + carry it (+PHONE_x); a double-click selects PHONE_x, so both forms are
    looked up, the one given first."""
    from collector.redaction.tokens import TokenStore

    import sqlite3

    db = state_dir / "tokens.db"
    try:
        os.stat(db)
    except FileNotFoundError:
        raise BadInput(what=str(db), problem="no token map on this host (nothing was redacted here yet)") from None
    except OSError as exc:
        raise BadInput(what=str(db), problem=_unreadable_map(exc, state_dir)) from None
    token = token.strip()
    other = token[1:] if token.startswith("+") else "+" + token
    try:
        store = TokenStore(db)
        try:
            for form in (token, other):
                found = store.lookup(form)
                if found is not None:
                    return form, found[0], found[1]
            return None
        finally:
            store.close()
    except (OSError, sqlite3.Error) as exc:
        raise BadInput(what=str(db), problem=_unreadable_map(exc, state_dir)) from None


def _unreadable_map(exc: Exception, state_dir: Path) -> str:
    """Why the token map cannot be read, for one line: the cause, and whose it is."""
    cause = getattr(exc, "strerror", None) or str(exc)
    try:
        owner = f"; it belongs to uid {os.stat(state_dir).st_uid}, run unmask as that user (e.g. with sudo)"
    except OSError:
        owner = ""
    return f"cannot read the token map: {cause}{owner}"


def summary(result: RunResult) -> Mapping[str, object]:
    """The JSON report of a collect run (``--json``)."""
    return {
        "bundle": str(result.bundle.path) if result.bundle else None,
        "sha256": result.bundle.sha256 if result.bundle else None,
        "format": result.bundle.format if result.bundle else None,
        "files": len(result.members),
        "bytes_in": result.bytes_in,
        "bytes_out": result.bytes_out,
        "seconds": round(result.seconds, 3),
        "installations": [{"product": i.product, "name": i.name} for i in result.installations
                          if i.product != "host"],
        "excluded": [{"path": e.host_path, "product": e.product, "reason": e.reason} for e in result.excluded],
        "skipped": skipped_files(result.skipped),
        "redactions": result.redactions,
        "scan_findings": [{"path": m, "line": n, "category": c} for m, n, c in result.findings],
        "time_format_not_recognised": [m.host_path for m in result.members if UNDATED_NOTE in m.note],
        "gzip_truncated": gzip_truncated(result.members),
    }


def gzip_truncated(members) -> list[str]:
    """Members kept from a .gz whose stream was cut short (the rest of their text is missing)."""
    from collector.member import GZIP_CUT_NOTE

    return [m.host_path for m in members if GZIP_CUT_NOTE in m.note]
