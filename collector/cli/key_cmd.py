"""`gcollect key export|import`: share the site key so several hosts give one value one token."""

from __future__ import annotations

from pathlib import Path

import click

from collector.errors import ExitCode

_STATE = click.option("--state-dir", type=click.Path(path_type=Path), default=None,
                      help="State folder holding site.key (default /var/lib/gcollect as root; GCOLLECT_STATE_DIR).")
_FORCE = click.option("--force", is_flag=True, help="Replace an existing, different file or key.")


@click.group("key", epilog="""\b
Examples:
  gcollect key export /root/site.key                # on the first host (file mode 0600)
  scp /root/site.key sip02:/root/ && ssh sip02 gcollect key import /root/site.key
  gcollect collect --hosts hosts.txt --push-key /root/site.key --since 2h
""")
def key_group() -> None:
    """Export or import the site key behind redaction tokens. Hosts sharing one key give the same
    caller number the same token, so support can follow a call across hosts. The key is a secret:
    keep the exported file 0600 and delete it once imported."""


@key_group.command("export", epilog="""\b
Examples:
  gcollect key export /root/site.key
  gcollect key export --state-dir /srv/gcollect /tmp/site.key --force
""")
@click.argument("file", type=click.Path(path_type=Path))
@_STATE
@_FORCE
def export_command(file: Path, state_dir: Path | None, force: bool) -> int:
    """Write this host's site key to FILE (mode 0600; created if the host has no key yet)."""
    from collector.remote.keys import export_key
    from collector.settings import default_state_dir

    print_ = export_key(state_dir or default_state_dir(), file, force=force)
    click.echo(f"site key {print_} written to {file} (mode 0600); import it on the other hosts with "
               f"`gcollect key import {file.name}`, then delete it")
    return int(ExitCode.OK)


@key_group.command("import", epilog="""\b
Examples:
  gcollect key import /root/site.key
  gcollect key import --state-dir /srv/gcollect site.key --force   # replace a different key
""")
@click.argument("file", type=click.Path(path_type=Path))
@_STATE
@_FORCE
def import_command(file: Path, state_dir: Path | None, force: bool) -> int:
    """Install FILE (from `gcollect key export`) as this host's site key. A different existing key is
    kept unless --force."""
    from collector.remote.keys import import_key
    from collector.settings import default_state_dir

    target = state_dir or default_state_dir()
    print_, what = import_key(target, file, force=force)
    click.echo(f"site key {print_} {what} in {target}")
    return int(ExitCode.OK)
