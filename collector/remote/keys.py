"""Share the site key (the HMAC key behind redaction tokens) so several hosts give the same value
the same token: ``export_key(state_dir, file)`` on one host, ``import_key(state_dir, file)`` on the others.

The exported file is one text line ``gcollect-site-key-v1 <base64 of 32 bytes>``, mode 0600; a raw
32-byte ``site.key`` is accepted on import too. Import never replaces a different key unless
``force`` (tokens made with the old key then no longer match new ones; the token map stays valid).
"""

from __future__ import annotations

import base64
import binascii
import hmac
import os
from pathlib import Path

from collector.errors import BadInput, PreflightFailed
from collector.redaction.tokens import KEY_BYTES, KEY_FILE, load_or_create_site_key
from collector.statedir import use_state_dir

MAGIC = "gcollect-site-key-v1"


def encode_key(key: bytes) -> bytes:
    return f"{MAGIC} {base64.b64encode(key).decode()}\n".encode()


def decode_key(data: bytes, where: str) -> bytes:
    if len(data) == KEY_BYTES and not data.startswith(MAGIC.encode()):
        return data
    fields = data.decode("ascii", "replace").split()
    if len(fields) == 2 and fields[0] == MAGIC:
        try:
            key = base64.b64decode(fields[1], validate=True)
        except (binascii.Error, ValueError):
            key = b""
        if len(key) == KEY_BYTES:
            return key
    raise BadInput(what=where, problem=f"not a gcollect site key (expected '{MAGIC} <base64>' "
                                       f"or {KEY_BYTES} raw bytes)")


def fingerprint(key: bytes) -> str:
    """A short, non-secret name for a key (first 12 hex of SHA-256 of a fixed label under the key)."""
    return hmac.new(key, b"gcollect key fingerprint", "sha256").hexdigest()[:12]


def _write_new(path: Path, data: bytes, *, replace: bool) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    try:
        if replace:
            os.replace(tmp, path)
        else:
            os.link(tmp, path)          # never replaces a file that appeared meanwhile
    except FileExistsError:
        raise BadInput(what=str(path), problem="exists; not overwritten (use --force)") from None
    finally:
        tmp.unlink(missing_ok=True)


def export_key(state_dir: Path, dest: Path, *, force: bool = False) -> str:
    """Write the site key (created if the host has none yet) to ``dest`` (0600); its fingerprint."""
    key = load_or_create_site_key(state_dir)
    if dest.exists() and not force:
        raise BadInput(what=str(dest), problem="exists; not overwritten (use --force)")
    try:
        _write_new(dest, encode_key(key), replace=force)
    except OSError as e:
        raise PreflightFailed(problem=f"cannot write {dest}: {e.strerror or e}") from None
    return fingerprint(key)


def import_key(state_dir: Path, source: Path, *, force: bool = False) -> tuple[str, str]:
    """Install ``source`` as this host's site key; (fingerprint, "imported" | "unchanged" | "replaced")."""
    try:
        data = source.read_bytes()
    except OSError as e:
        raise BadInput(what=str(source), problem=e.strerror or str(e)) from None
    key = decode_key(data, str(source))
    use_state_dir(state_dir)
    target = state_dir / KEY_FILE
    existed = target.exists()
    if existed:
        current = load_or_create_site_key(state_dir)
        if hmac.compare_digest(current, key):
            return fingerprint(key), "unchanged"
        if not force:
            raise BadInput(what=str(target), problem=f"holds a different site key ({fingerprint(current)}); "
                                                     f"not replaced (use --force; tokens made so far will "
                                                     f"not match new ones)")
    try:
        _write_new(target, key, replace=existed)
    except OSError as e:
        raise PreflightFailed(problem=f"cannot write {target}: {e.strerror or e}") from None
    return fingerprint(key), ("replaced" if existed else "imported")
