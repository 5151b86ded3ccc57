"""The demo host end to end: collect -> bundle -> verify, checked against the generator's ledger."""

from __future__ import annotations

import json
import tarfile
from pathlib import Path

import pytest

from collector.bundlereader import iter_members
from collector.errors import ExitCode
from tests.checked_state import seed_checked_state
from tests.cli.conftest import run_gcollect


@pytest.fixture(scope="module")
def collected(tmp_path_factory, demo_host):
    root, ledger = demo_host
    out = tmp_path_factory.mktemp("out")
    state = tmp_path_factory.mktemp("state") / "state"
    proc = run_gcollect("collect", "--root", str(root), "--output", str(out), "--state-dir", str(state),
                        "--json", "--case", "01234567")
    assert proc.returncode in (ExitCode.OK, ExitCode.PARTIAL), proc.stderr.decode()
    report = json.loads(proc.stdout)
    bundle = Path(report["bundle"])
    members = dict(iter_members(bundle))
    return report, bundle, members, ledger, state


def test_json_report_has_the_promised_keys(collected):
    report, bundle, *_ = collected
    for key in ("bundle", "files", "bytes_in", "bytes_out", "excluded", "redactions"):
        assert key in report
    assert bundle.name.startswith("gcollect-") and "-01234567-" in bundle.name
    assert bundle.name.endswith(".tar.gz")
    assert report["files"] > 10 and report["bytes_in"] > report["bytes_out"] > 0


def test_no_planted_secret_in_bundle(collected):
    """Every member, SHA-256 digests left out: a planted 6-digit value turns up inside one of
    the hundred-odd digests of manifest.json and SHA256SUMS in a few percent of runs."""
    import re

    _, _, members, ledger, _ = collected
    digest = re.compile(rb"(?<![0-9a-f])[0-9a-f]{64}(?![0-9a-f])")
    texts = [digest.sub(b"-", data) for data in members.values()]
    leaked = sorted((s.category, s.value) for s in ledger.planted_found(texts))
    assert leaked == []


def test_short_digit_secrets_are_masked_where_they_stand(collected):
    import re

    _, _, members, _, _ = collected
    pattern = re.compile(rb"Attribute(?:CollectedDigits|LastDigit|DTMFDigits)\s*(?:\[str\] = )?[\"']?\d")
    hits = [name for name, data in members.items() if pattern.search(data)]
    assert hits == []


def test_correlation_data_is_kept(collected):
    _, _, members, ledger, _ = collected
    blob = b"\n".join(members.values())
    for category, values in ledger.keep.items():
        values = set(values)
        if not values:
            continue
        kept = sum(1 for v in values if str(v).encode() in blob)
        assert kept / len(values) >= 0.995, (category, kept, len(values))


def test_bundle_layout_and_manifest(collected):
    _, bundle, members, _, _ = collected
    assert "manifest.json" in members and "SHA256SUMS" in members
    assert any(name.startswith("system/") for name in members)
    manifest = json.loads(members["manifest.json"])
    paths = {f["path"] for f in manifest["files"]}
    assert paths <= set(members)
    collected_logs = [f for f in manifest["files"] if f.get("kind") == "log"]
    assert collected_logs and all(f["sha256"] and "redactions" in f for f in collected_logs)
    assert sum(sum(f["redactions"].values()) for f in collected_logs) > 100
    assert manifest["rule_sets"] and manifest["profiles"]
    # never collected: keys, key stores, licence files
    for name in members:
        assert not name.endswith((".key", ".jks", ".p12", "license.dat")), name
    never = set(getattr(collected[3], "never_collect", []) or [])
    assert never and not never & set(members)
    with tarfile.open(bundle) as tar:
        for info in tar.getmembers():
            assert not info.name.startswith("/") and ".." not in info.name.split("/")
            assert info.isfile() or info.isdir()
    assert (bundle.stat().st_mode & 0o777) == 0o600
    assert Path(str(bundle).rsplit(".tar.gz", 1)[0] + ".sha256").exists() or \
        bundle.with_name(bundle.name + ".sha256").exists()


def test_token_map_stays_on_host_and_unmask_works(collected):
    _, _, members, ledger, state = collected
    assert (state / "site.key").exists()
    assert oct((state / "site.key").stat().st_mode & 0o777) == oct(0o600)
    # find one token in the bundle and unmask it
    import re

    blob = b"\n".join(v for k, v in members.items() if k.endswith(".log"))
    manifest = json.loads(members["manifest.json"])
    assert "site.key" not in " ".join(members) and "tokens.db" not in " ".join(members)
    proc = run_gcollect("unmask", "--state-dir", str(state), "no-such-token")
    assert proc.returncode == ExitCode.BAD_INPUT
    assert manifest["redactions"]
    assert blob


def test_verify_passes_then_fails_after_one_byte(collected, tmp_path):
    _, bundle, *_ = collected
    proc = run_gcollect("verify", str(bundle))
    assert proc.returncode == 0, proc.stdout.decode() + proc.stderr.decode()
    copy = tmp_path / bundle.name
    data = bytearray(bundle.read_bytes())
    data[len(data) // 2] ^= 0x01
    copy.write_bytes(bytes(data))
    sidecar = bundle.parent / (bundle.name + ".sha256")
    if not sidecar.exists():
        sidecar = Path(str(bundle).rsplit(".tar.gz", 1)[0] + ".sha256")
    (tmp_path / sidecar.name).write_bytes(sidecar.read_bytes())
    proc = run_gcollect("verify", str(copy))
    assert proc.returncode == ExitCode.VERIFY_FAILED
    assert b"Traceback" not in proc.stderr


def test_window_keeps_snapshot_and_in_window_segments(demo_host, tmp_path):
    root, ledger = demo_host
    facts = ledger.window_facts if hasattr(ledger, "window_facts") else {}
    proc = run_gcollect("collect", "--root", str(root), "--output", str(tmp_path), "--state-dir",
                        str(tmp_path / "state"), "--since", "3h", "--json")
    assert proc.returncode in (0, 1), proc.stderr.decode()
    report = json.loads(proc.stdout)
    members = dict(iter_members(Path(report["bundle"])))
    manifest = json.loads(members["manifest.json"])
    logs = [f["path"] for f in manifest["files"] if f.get("kind") == "log"]
    assert logs
    # the full run takes more log files than the 3-hour window
    skipped_window = [s for s in manifest["skipped"] if "window" in s["reason"]]
    assert skipped_window
    assert facts is not None


SITE_RULES = """schema: gcollect/rules/v1
name: acme-site
description: a site's own rule set, named by no profile
applies_to: {kinds: [log]}
rules:
  - id: acme-application-name
    category: secret
    action: mask
    mask: ACME-APP
    regex: '^Application name:\\s+(?P<secret>\\S+)'
    examples:
      - line: 'Application name:   SIPS_P'
        must_contain: ['Application name:   ACME-APP']
"""


@pytest.mark.parametrize("suffix", [".yaml", ".yml"])       # .yml as profiles: it was silently ignored
def test_a_site_rule_set_in_rules_dir_applies_to_every_product(demo_host, tmp_path, suffix):
    root, _ = demo_host
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / f"acme-site{suffix}").write_text(SITE_RULES)
    proc = run_gcollect("collect", "--root", str(root), "--output", str(tmp_path), "--state-dir",
                        str(tmp_path / "state"), "--rules-dir", str(rules), "--json")
    assert proc.returncode in (0, 1), proc.stderr.decode()
    report = json.loads(proc.stdout)
    members = dict(iter_members(Path(report["bundle"])))
    masked = {name.split("/")[-2] for name, data in members.items() if b"Application name:   ACME-APP" in data}
    assert len(masked) >= 5                                  # SIP Server, URS, ORS, Stat Server, LCA ...
    assert not any(b"Application name:   SIPS_P" in data for data in members.values())
    assert report["redactions"]["acme-application-name"] >= len(masked)
    manifest = json.loads(members["manifest.json"])
    assert "acme-site" in {r["name"] for r in manifest["rule_sets"]}


INTERNAL_CALL = (
    "\tAttributeOtherDN\t'7101'\n\tAttributeCallID\t3709648000000004\n\tISCCAttributeAccessNumber\t'80012'\n"
    "INVITE sip:90001@192.0.2.20:5060 SIP/2.0\no=- 4858401127891236575 2 IN IP4 192.0.2.40\n"
    "06:15:36.447 _I_I_00874f09e855862a [09:04] FIND target AG_Sales@StatServer.GA, 7101@SIPSwitch.DN\n"
)


def test_what_redaction_keeps_on_purpose_blocks_no_upload(demo_host, tmp_path):
    """The independent scanner and the rules agree: an agent's extension, a Luhn-valid call id
    or a URS target left in a log is no finding, so the run ends 0, not 30 (findings)."""
    import shutil

    root, _ = demo_host
    host = tmp_path / "host"
    shutil.copytree(root, host, symlinks=True)
    log = max((p for p in host.rglob("*.log") if "SIPS" in p.name), key=lambda p: p.stat().st_mtime)
    with log.open("a") as f:
        f.write(INTERNAL_CALL)
    proc = run_gcollect("collect", "--root", str(host), "--output", str(tmp_path / "out"), "--state-dir",
                        str(tmp_path / "state"), "--all-logs", "--json")
    assert proc.returncode == ExitCode.OK, proc.stderr.decode()
    report = json.loads(proc.stdout)
    assert report["scan_findings"] == []
    members = dict(iter_members(Path(report["bundle"])))
    assert any(b"\tAttributeOtherDN\t'7101'\n\tAttributeCallID\t3709648000000004\n" in data for data in members.values())


@pytest.mark.parametrize("fmt", ["tar.gz", "zip"])
@pytest.mark.parametrize("cap,cap_bytes", [("100K", 100 << 10), ("1M", 1 << 20)])
def test_max_size_is_never_exceeded_and_says_what_it_left_out(demo_host, tmp_path, fmt, cap, cap_bytes):
    """--max-size 100K wrote 113,407 bytes, 1M 1.6 % over: the manifest, report, facts and the
    archive framing after the members were not counted."""
    root, _ = demo_host
    proc = run_gcollect("collect", "--root", str(root), "--output", str(tmp_path), "--state-dir",
                        str(tmp_path / "state"), "--format", fmt, "--max-size", cap, "--json")
    assert proc.returncode == ExitCode.PARTIAL, proc.stderr.decode()
    report = json.loads(proc.stdout)
    bundle = Path(report["bundle"])
    assert bundle.stat().st_size <= cap_bytes
    err = proc.stderr.decode()
    assert f"left out to keep the bundle within --max-size {cap}" in err and err.count("\n") == 1, err
    manifest = json.loads(dict(iter_members(bundle))["manifest.json"])
    assert manifest["files"] and any("--max-size" in item["reason"] for item in manifest["excluded"])
    assert run_gcollect("verify", str(bundle)).returncode == 0


def test_a_bundle_over_max_size_after_all_is_not_kept(demo_host, tmp_path):
    """If the estimate of what follows the members fell short, no bundle over the cap stays."""
    import subprocess
    import sys

    from tests.cli.conftest import REPO

    root, _ = demo_host
    blind = ("import sys, collector.bundle.budget as b; b.TAIL_FRAME = -(1 << 40); "  # the estimate admits all
             "from collector.cli import main; main(sys.argv[1:])")
    out = tmp_path / "out"
    out.mkdir()
    seed_checked_state(tmp_path / "state")
    proc = subprocess.run([sys.executable, "-c", blind, "collect", "--root", str(root), "--output", str(out),
                           "--state-dir", str(tmp_path / "state"), "--max-size", "100K", "-q"],
                          cwd=REPO, capture_output=True, timeout=300)
    err = proc.stderr.decode()
    assert proc.returncode == ExitCode.PREFLIGHT, err
    assert "over --max-size" in err and err.count("\n") == 1, err
    assert sorted(p.name for p in out.iterdir()) == []


@pytest.mark.parametrize("module, owner, func, signal_name", [
    ("collector.bundle.writer", "BundleWriter", "_publish", "SIGINT"),    # between the bundle and its .sha256
    ("collector.bundle.writer", "BundleWriter", "_publish", "SIGTERM"),
    ("collector.cli.collect_cmd", None, "print_summary", "SIGINT"),       # the bundle complete, no summary yet
])
def test_an_interrupt_once_the_bundle_is_complete_says_so(demo_host, tmp_path, module, owner, func, signal_name):
    """Probe Z 5: Ctrl-C in a collect's last moments (after the bundle was renamed into place)
    left the bundle, without its .sha256 when it came before that was written, and the line
    said "no bundle written" or nothing. The rename and the sidecar now happen with Ctrl-C and
    SIGTERM held back, and an interrupt after them names the complete bundle (exit 130/143)."""
    import subprocess
    import sys

    from tests.cli.conftest import REPO

    root, _ = demo_host
    preamble = (                     # the function, then the signal, as if it came just after it
        "import os, signal, sys, importlib\n"
        f"mod = importlib.import_module({module!r})\n"
        f"owner = getattr(mod, {owner!r}) if {owner!r} else mod\n"
        f"real = getattr(owner, {func!r})\n"
        "def hit(*a, **k):\n"
        "    out = real(*a, **k)\n"
        f"    os.kill(os.getpid(), signal.{signal_name})\n"
        "    return out\n"
        f"setattr(owner, {func!r}, hit)\n"
        "from collector.cli import main; main(sys.argv[1:])\n")
    out = tmp_path / "out"
    out.mkdir()
    seed_checked_state(tmp_path / "state")
    proc = subprocess.run([sys.executable, "-c", preamble, "collect", "--root", str(root), "--output", str(out),
                           "--state-dir", str(tmp_path / "state"), "--workers", "1"],
                          cwd=REPO, capture_output=True, timeout=300)
    err = proc.stderr.decode()
    assert proc.returncode == (143 if signal_name == "SIGTERM" else 130), err
    bundles = sorted(p.name for p in out.iterdir())
    assert len(bundles) == 2 and bundles[1] == bundles[0] + ".sha256", bundles
    line = err.strip().splitlines()[-1]
    assert line == (f"gcollect: interrupted by {signal_name} after the bundle was complete: {out / bundles[0]} "
                    "(and its .sha256) is kept" + ("; its summary was not printed" if owner is None else "")), err
    assert "no bundle written" not in err
    assert run_gcollect("verify", str(out / bundles[0])).returncode == 0


def test_a_snapshot_interrupted_as_its_bundle_completes_leaves_no_bundle(demo_host, tmp_path):
    """A snapshot's bundle counts only with its state recorded: one interrupted right after the
    rename (held until the .sha256 is written) is removed, and the line says no bundle was
    written; the next snapshot collects the same files."""
    import subprocess
    import sys

    from tests.cli.conftest import REPO

    root, _ = demo_host
    preamble = ("import os, signal, sys\n"
                "from collector.bundle.writer import BundleWriter\n"
                "real = BundleWriter._publish\n"
                "def hit(self):\n"
                "    real(self)\n"
                "    os.kill(os.getpid(), signal.SIGINT)\n"
                "BundleWriter._publish = hit\n"
                "from collector.cli import main; main(sys.argv[1:])\n")
    spool = tmp_path / "spool"
    args = ["snapshot", "--root", str(root), "--output", str(spool), "--state-dir", str(tmp_path / "state"),
            "--workers", "1"]
    seed_checked_state(tmp_path / "state")
    proc = subprocess.run([sys.executable, "-c", preamble, *args], cwd=REPO, capture_output=True, timeout=300)
    err = proc.stderr.decode()
    assert proc.returncode == 130, err
    assert err.strip().splitlines()[-1] == "gcollect: interrupted by SIGINT; temporary files removed, no bundle written"
    assert not [p.name for p in spool.iterdir() if p.name.startswith("gcollect-")]
    again = run_gcollect(*args, "--json")
    assert again.returncode == 0, again.stderr.decode()
    assert json.loads(again.stdout)["files"] > 0


def test_the_report_dates_a_cut_multi_day_segment_as_the_manifest_does(demo_host, tmp_path):
    """The demo's SIP Server thread streams run for days in one time-only segment. Cut to the
    last 2 hours, report.html and inspect (log_stats) put them one or two days before the
    window, while the manifest's kept_first was right (probe AH F1): they agree now."""
    root, _ = demo_host
    proc = run_gcollect("collect", "--root", str(root), "--output", str(tmp_path / "out"), "--state-dir",
                        str(tmp_path / "state"), "--since", "2h", "--profile", "sip-server", "--json")
    assert proc.returncode in (0, 1), proc.stderr.decode()
    manifest = json.loads(dict(iter_members(Path(json.loads(proc.stdout)["bundle"])))["manifest.json"])
    cut = [f for f in manifest["files"] if f.get("kept_first") and (f.get("log_stats") or {}).get("first")]
    assert len({f["path"].split(".")[0] for f in cut}) >= 4          # the main stream and the thread streams
    for f in cut:
        assert f["log_stats"]["first"][:23] == f["kept_first"][:23], f["path"]
        assert f["log_stats"]["last"][:23] == f["kept_last"][:23], f["path"]
