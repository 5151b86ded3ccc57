"""The Ansible role (packaging/ansible) run by a real `ansible-playbook` (ansible-core, its own `ssh`)
against two sshd hosts of the test fleet: install the single-file gcollect, collect, fetch."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from collector.verify import verify_bundle
from tests.integration.test_remote import REPO, Fleet, chown_tree, remote_temp_dirs, running_fleet

pytestmark = [pytest.mark.integration, pytest.mark.slow]
PLAYBOOK = REPO / "packaging" / "ansible" / "gcollect.yml"


def ansible_playbook() -> Path | None:
    here = Path(sys.executable).parent / "ansible-playbook"
    if here.exists():
        return here
    found = shutil.which("ansible-playbook")
    return Path(found) if found else None


@pytest.fixture(scope="module")
def fleet() -> Iterator[Fleet]:
    if ansible_playbook() is None:
        pytest.skip("ansible-playbook missing: pip install ansible-core (into the test venv)")
    if shutil.which("ssh") is None:
        pytest.skip("needs openssh-client")
    yield from running_fleet()


def test_playbook_installs_collects_and_fetches(fleet: Fleet, tmp_path: Path) -> None:
    from collector.cli import cli
    from collector.remote.keys import export_key

    hosts = [fleet.hosts["h1"], fleet.hosts["h3"]]       # h3 has no gcollect on its PATH
    lines = []
    for host in hosts:
        install = fleet.dir / f"ansible-{host.name}"
        install.mkdir()
        chown_tree(install, fleet.user)
        lines.append(f"{host.name} ansible_host=127.0.0.1 ansible_port={host.server.port} "
                     f"gcollect_root={host.root} gcollect_state_dir={host.state} "
                     f"gcollect_install_path={install}/gcollect")
    inventory = tmp_path / "inventory.ini"
    inventory.write_text("[genesys]\n" + "\n".join(lines) + "\n\n[genesys:vars]\n"
                         f"ansible_user={fleet.user}\nansible_ssh_private_key_file={fleet.key}\n"
                         "ansible_python_interpreter=/usr/bin/python3\n"
                         f"ansible_ssh_common_args='-o UserKnownHostsFile={fleet.known_hosts} "
                         "-o StrictHostKeyChecking=yes -o BatchMode=yes'\n")
    fetch = tmp_path / "bundles"
    extra = {"gcollect_zipapp": str(fleet.zipapp), "gcollect_fetch_dir": str(fetch), "gcollect_case": "01234567",
             "gcollect_shiv_root": str(fleet.dir / "shiv"), "gcollect_collect_args": "--workers 2"}
    shared_key = cli.get_command(None, "key") is not None
    if shared_key:
        key_file = tmp_path / "site.key"
        export_key(tmp_path / "admin-state", key_file)
        extra["gcollect_site_key"] = str(key_file)
    env = {**os.environ, "LC_ALL": "C.UTF-8", "ANSIBLE_NOCOLOR": "1", "ANSIBLE_HOST_KEY_CHECKING": "True",
           "ANSIBLE_LOCAL_TEMP": str(tmp_path / "ansible-local"), "ANSIBLE_RETRY_FILES_ENABLED": "False"}
    before = remote_temp_dirs()
    ansible_before = set(Path("/tmp").glob("gcollect-ansible.*"))
    argv = [str(ansible_playbook()), "-i", str(inventory), str(PLAYBOOK), "-f", "2", "-e", json.dumps(extra)]
    proc = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    for host in hosts:
        [bundle] = (fetch / host.name).glob(f"gcollect-gen-{host.name}-01234567-*.tar.gz")
        assert (fetch / host.name / (bundle.name + ".sha256")).exists()
        assert verify_bundle(bundle).ok
        if shared_key:
            assert (host.state / "site.key").read_bytes() == (tmp_path / "admin-state" / "site.key").read_bytes()
    assert remote_temp_dirs() == before
    assert set(Path("/tmp").glob("gcollect-ansible.*")) <= ansible_before, "the hosts' output folders remain"
