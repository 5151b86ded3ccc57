"""HostLedger: what ``generate_host`` planted, for tests, the demo and the benchmark.

Written with ``ledger.write(path)`` only outside the generated root (the ledger lists every
secret in clear text, so it must never be collected).

Secret categories: phone (ANI/DNIS/OtherDN, SIP URI users, tel: URIs), digits
(AttributeCollectedDigits), account, card, customer_name, display_name (SIP), email, ssn,
sip_auth (Digest username/response), password, url_credential, jdbc_credential,
authorization (Bearer/Basic header values), jwt, aws_key, private_key (each PEM body line).
Keep categories: connid, calluuid, agent_dn, ip, sip_call_id, byte_count.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from collections.abc import Iterable
from typing import NamedTuple

MIN_SEARCHABLE = 6

SECRET_CATEGORIES = ("phone", "digits", "account", "card", "customer_name", "display_name", "email",
                     "ssn", "sip_auth", "password", "url_credential", "jdbc_credential",
                     "authorization", "jwt", "aws_key", "private_key")
KEEP_CATEGORIES = ("connid", "calluuid", "agent_dn", "ip", "sip_call_id", "byte_count")


class PlantedSecret(NamedTuple):
    category: str
    value: str
    host_path: str


@dataclass
class PlantedInstallation:
    product: str
    app_name: str
    app_dir: str | None                       # host path
    log_bases: list[str] = field(default_factory=list)   # host paths, no extension
    files: list[str] = field(default_factory=list)       # every file of this installation


@dataclass
class HostLedger:
    root: str
    layout: str
    host_name: str
    seed: int
    start: str                                 # UTC ISO: end - days
    end: str
    tz_west_s: int                             # the host's "Time zone:" value
    products: dict[str, list[PlantedInstallation]] = field(default_factory=dict)
    secrets: list[PlantedSecret] = field(default_factory=list)
    keep: dict[str, list[str]] = field(default_factory=dict)
    windows: dict[str, tuple[str, str]] = field(default_factory=dict)   # log host path -> (first, last) UTC
    never_collect: list[str] = field(default_factory=list)              # keys, keystores, licence, core
    file_kinds: dict[str, str] = field(default_factory=dict)            # host path -> log|config|binary-log|text|forbidden
    skipped_products: dict[str, str] = field(default_factory=dict)      # product -> why not generated
    total_bytes: int = 0

    # ------------------------------------------------------------ queries
    def files(self) -> list[str]:
        return sorted(self.file_kinds)

    def installations(self) -> list[PlantedInstallation]:
        return [inst for insts in self.products.values() for inst in insts]

    def secrets_in(self, host_path: str) -> list[PlantedSecret]:
        return [s for s in self.secrets if s.host_path == host_path]

    def secret_values(self, category: str | None = None) -> set[str]:
        return {s.value for s in self.secrets if category is None or s.category == category}

    def planted_found(self, blobs: Iterable[bytes], *, min_len: int = MIN_SEARCHABLE) -> set[PlantedSecret]:
        """Planted secrets (values of ``min_len``+ characters) found in any of ``blobs``: one
        linear-time RE2 pass per blob. Shorter values (4-digit PINs) occur by chance in ports and
        counters, so they are checked where they stand instead (see the e2e tests)."""
        import re

        import re2

        by_value: dict[bytes, PlantedSecret] = {}
        for secret in self.secrets:
            if len(secret.value) >= min_len:
                by_value.setdefault(secret.value.encode(), secret)
        if not by_value:
            return set()
        options = re2.Options()
        options.max_mem = 256 << 20
        pattern = re2.compile(b"|".join(re.escape(v) for v in sorted(by_value, key=len, reverse=True)), options)
        found: set[PlantedSecret] = set()
        for blob in blobs:
            found.update(by_value[v] for v in pattern.findall(blob))
        return found

    # ------------------------------------------------------------ persistence
    def to_json(self) -> str:
        data = asdict(self)
        data["secrets"] = [list(s) for s in self.secrets]
        data["windows"] = {k: list(v) for k, v in self.windows.items()}
        return json.dumps(data, indent=1, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> HostLedger:
        data = json.loads(text)
        data["products"] = {p: [PlantedInstallation(**i) for i in insts] for p, insts in data["products"].items()}
        data["secrets"] = [PlantedSecret(*s) for s in data["secrets"]]
        data["windows"] = {k: (v[0], v[1]) for k, v in data["windows"].items()}
        return cls(**data)

    def write(self, path: Path) -> Path:
        """Write the ledger to ``path``; refuses any place inside the generated root."""
        path = Path(path).resolve()
        root = Path(self.root).resolve()
        if path == root or root in path.parents:
            raise ValueError(f"refusing to write the ledger inside the generated root: {path}")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(self.to_json(), encoding="utf-8")
        return path
