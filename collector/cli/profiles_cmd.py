"""`gcollect profiles list|show|check`."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import click

from collector.errors import BadInput, BadProfile, ExitCode


@click.group("profiles", epilog="""\b
Examples:
  gcollect profiles list                 # products, and what this host has
  gcollect profiles show sip-server
  gcollect profiles check /etc/gcollect/profiles.d/my-app.yaml
""")
def profiles_group() -> None:
    """Product profiles: which logs and configs each Genesys product has (YAML data)."""


@profiles_group.command("list", epilog="Example:\n\n\b\n  gcollect profiles list --root /mnt/copy-of-host")
@click.option("--root", type=click.Path(path_type=Path), default=Path("/"), show_default=True,
              help="Look for installations under this root.")
@click.option("--profile-dir", "profile_dirs", multiple=True, type=click.Path(path_type=Path),
              help="Extra folder of site profiles.")
@click.option("--no-detect", is_flag=True, help="Only list profiles; do not look at the host.")
@click.option("--json", "as_json", is_flag=True)
def list_command(root: Path, profile_dirs: tuple[Path, ...], no_detect: bool, as_json: bool) -> int:
    """List the profiles and which products were detected on this host, and where."""
    from collector.api import check_root
    from collector.profile import load_profiles

    profiles = load_profiles(profile_dirs)
    found: dict[str, list] = {}
    if not no_detect:
        from collector.discovery import discover

        check_root(root)
        for inst in discover(root, profiles):
            found.setdefault(inst.product, []).append(inst)
    if as_json:
        click.echo(json.dumps([
            {"product": p.product, "title": p.title, "source": p.source,
             "detected": [{"name": i.name, "app_dir": i.app_dir, "evidence": list(i.evidence)}
                          for i in found.get(p.product, [])]}
            for p in sorted(profiles.values(), key=lambda p: p.product)], indent=1))
        return 0
    for profile in sorted(profiles.values(), key=lambda p: p.product):
        insts = found.get(profile.product, [])
        mark = "*" if insts else " "
        where = "; ".join(f"{i.name} at /{i.app_dir or (i.log_bases[0] if i.log_bases else '?')}" for i in insts)
        click.echo(f"{mark} {profile.product:<22} {profile.title}" + (f"  -> {where}" if where else ""))
    if not no_detect:
        click.echo(f"\n* = detected under {root}")
    return 0


@profiles_group.command("show", epilog="Example:\n\n\b\n  gcollect profiles show sip-server")
@click.argument("name")
@click.option("--profile-dir", "profile_dirs", multiple=True, type=click.Path(path_type=Path))
def show_command(name: str, profile_dirs: tuple[Path, ...]) -> int:
    """Show one profile: where it looks, what it takes, which rule sets redact it."""
    from collector.profile import load_profiles

    profiles = load_profiles(profile_dirs)
    if name not in profiles:
        raise BadInput(what=name, problem="no such profile; see `gcollect profiles list`")
    profile = profiles[name]
    click.echo(f"# {profile.title} ({profile.product}) from {profile.source}")
    click.echo(Path(profile.source).read_text(encoding="utf-8") if Path(profile.source).is_file()
               else json.dumps(asdict(profile), indent=1, default=str))
    return 0


@profiles_group.command("check", epilog="Example:\n\n\b\n  gcollect profiles check /etc/gcollect/profiles.d/my-app.yaml")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
def check_command(files: tuple[Path, ...]) -> int:
    """Validate profile FILES; print each problem with file, key and line."""
    from collector.profile import check_profile_file

    bad = 0
    for path in files:
        if not path.is_file():
            raise BadInput(what=str(path), problem="no such file")
        problems = check_profile_file(path)
        for problem in problems:
            click.echo(problem, err=True)
        if problems:
            bad += 1
        else:
            click.echo(f"OK {path}")
    if bad:
        raise BadProfile(where=f"{bad} file(s)", problem="invalid (see above)")
    return int(ExitCode.OK)
