"""Free text typed for the case (--describe, --step, a case file) is redacted as the logs are, with
the same token map; the recorded command line carries neither that text nor an upload URL's
secrets; --strict-case tokens reach the report; `case new` keeps its file in the folder, 0600."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from collector.casefile import CaseInfo, case_bundle_parts
from collector.errors import BadRuleSet, PreflightFailed
from collector.freetext import recorded_command_line, safe_url, text_redactor

REPO = Path(__file__).resolve().parents[2]
CALLER = "5555550142"
CARD = "4111111111111111"
PASSWORD = "CfgDbPw!9"
SIGNATURE = "0123456789abcdef0123456789abcdef"
PRESIGNED = ("https://127.0.0.1:9/cases/b.tar.gz?X-Amz-Algorithm=AWS4-HMAC-SHA256"
             f"&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20251119&X-Amz-Signature={SIGNATURE}")
SUMMARY = f"Caller {CALLER} (card {CARD}) drops after transfer; confserv DB password={PASSWORD} was rotated"
RAW = (CALLER, CARD, PASSWORD, SIGNATURE, "AKIAIOSFODNN7EXAMPLE", "8005550100")


@pytest.fixture(scope="module")
def host(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small SIP Server host whose T-Lib log names the caller."""
    from collector.testhost import generate_host

    root = tmp_path_factory.mktemp("host")
    generate_host(root, products=["sip-server"], days=0.05, seed=3, segment_kb=32)
    logs = sorted(p for p in root.rglob("*.log") if "SIPS" in p.name)
    assert logs
    with open(logs[-1], "ab") as handle:
        handle.write(f"\tAttributeANI\t'{CALLER}'\n".encode())
    return root


def _collect(root: Path, tmp: Path, *args: str) -> tuple[int, dict[str, bytes]]:
    out, state = tmp / "out", tmp / "state"
    proc = subprocess.run([sys.executable, "-m", "collector", "collect", "--root", str(root), "--output", str(out),
                           "--state-dir", str(state), "--quiet", "--priority", "normal", "--workers", "1", *args],
                          cwd=REPO, capture_output=True, text=True, timeout=300)
    (bundle,) = out.glob("*.tar.gz")
    with tarfile.open(bundle) as tar:
        members = {m.name.split("/", 1)[1]: tar.extractfile(m).read() for m in tar.getmembers() if m.isfile()}
    return proc.returncode, members


def test_case_text_is_redacted_as_the_logs(host: Path, tmp_path: Path) -> None:
    code, members = _collect(host, tmp_path, "--case", "556", "--describe", SUMMARY,
                             "--step", f"{CALLER} dials 8005550100", "--site", f"ACME password={PASSWORD}",
                             "--contact", "Pat Admin <pat@example.com>", "--upload", PRESIGNED)
    assert code == 51                                  # nothing listens there; the bundle is kept
    logs = b"".join(data for name, data in members.items() if name.endswith(".log"))
    case = json.loads(members["case.json"])["case"]
    token = re.match(r"Caller (PHONE_[a-z]+) ", case["summary"]).group(1)
    assert f"AttributeANI\t'{token}'".encode() in logs   # the caller: the token support sees in the logs
    for name in ("case.json", "report.html", "manifest.json"):
        text = members[name].decode()
        for raw in RAW:
            assert raw not in text, (name, raw)
        assert token in text, name
    assert "REDACTED" in case["summary"] and case["contact"] == "Pat Admin <pat@example.com>"
    manifest = json.loads(members["manifest.json"])
    line = manifest["command_line"]
    assert "--describe <redacted>" in line and "--step <redacted>" in line and "--site <redacted>" in line
    assert "--upload https://127.0.0.1:9/cases/b.tar.gz?<redacted>" in line


def test_case_file_text_is_redacted(host: Path, tmp_path: Path) -> None:
    case_file = tmp_path / "case.json"
    case_file.write_text(json.dumps({"case": "557", "summary": SUMMARY, "steps": [f"dial from {CALLER}"],
                                     "actions_taken": f"rotated password={PASSWORD}",
                                     "product": f"SIP Server, card {CARD}"}))
    code, members = _collect(host, tmp_path, "--case-file", str(case_file))
    assert code in (0, 1)
    for name in ("case.json", "report.html", "manifest.json"):
        for raw in (CALLER, CARD, PASSWORD):
            assert raw not in members[name].decode(), (name, raw)


def test_strict_case_tokens_reach_the_report(host: Path, tmp_path: Path) -> None:
    code, members = _collect(host, tmp_path, "--case", "558", "--strict-case")
    assert code in (0, 1)
    real = json.loads(members["manifest.json"])["host"]
    token = json.loads(members["case.json"])["environment"]["host"]
    assert token.startswith("HOST_")
    report = members["report.html"].decode()
    assert real not in report and f"<dt>Host</dt><dd>{token}</dd>" in report


def test_case_text_fails_closed(tmp_path: Path) -> None:
    with pytest.raises(ValueError):          # no redactor, no token map: the text is not written raw
        case_bundle_parts(CaseInfo(summary=SUMMARY), tmp_path, [], "h1")
    with pytest.raises(BadRuleSet):
        with text_redactor(tmp_path / "state", rule_sets=["no-such-rule-set"]):
            pass
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "pii.yaml").write_text("not: [a rule set\n")
    with pytest.raises(BadRuleSet):
        with text_redactor(tmp_path / "state", [rules]):
            pass
    key = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7\n-----END RSA PRIVATE KEY-----"
    with text_redactor(tmp_path / "state") as redact:
        assert "MIIEowIBAAKCAQEA7" not in redact(f"the old key was {key}")
    state_file = tmp_path / "state-is-a-file"
    state_file.write_text("")
    with pytest.raises(PreflightFailed, match="cannot use state folder .*: not a folder"):   # no token map:
        with text_redactor(state_file):                                                    # nothing passed on
            pass


def test_text_redactor_uses_the_run_token_map(tmp_path: Path) -> None:
    with text_redactor(tmp_path / "state") as redact:
        first = redact(f"caller {CALLER}")
    with text_redactor(tmp_path / "state") as redact:
        again = redact(f"AttributeANI '{CALLER}'")
        alone = redact(f"number {CALLER} cannot reach the IVR since 2025-11-19 14:00, case 01234567")
    token = re.search(r"PHONE_[a-z]+", first).group(0)
    assert token in again and CALLER not in first + again
    assert alone == f"number {token} cannot reach the IVR since 2025-11-19 14:00, case 01234567"


def test_recorded_command_line() -> None:
    line = recorded_command_line(["collect", "--describe=x 5555550142", "--step", "s", "--contact", "Pat",
                                  f"--upload={PRESIGNED}", "--to", "sftp://bob:pw@h/x/", "--case", "1"])
    assert line == ("collect --describe=<redacted> --step <redacted> --contact Pat "
                    "--upload=https://127.0.0.1:9/cases/b.tar.gz?<redacted> --to sftp://bob@h/x/?<redacted> "
                    "--case 1")
    assert safe_url("s3://bucket/cases/") == "s3://bucket/cases/"
    assert safe_url("not a url") == "not a url"


def test_case_new_keeps_the_file_in_the_folder(tmp_path: Path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    proc = subprocess.run([sys.executable, "-m", "collector", "case", "new", "--case", "12/../../x",
                           "--contact", "Pat <pat@example.com>", "--no-input"],
                          cwd=work, capture_output=True, text=True, timeout=60,
                          env={**os.environ, "PYTHONPATH": str(REPO)})
    assert proc.returncode == 0, proc.stderr
    (written,) = list(work.iterdir())
    assert written.name == "case-12_.._.._x.json" and written.is_file()
    assert not (tmp_path / "x.json").exists()
    assert written.stat().st_mode & 0o777 == 0o600


def test_snapshot_refuses_a_presigned_url_without_showing_its_secret(host: Path, tmp_path: Path) -> None:
    """A pre-signed URL names one object: every snapshot would replace the one before it, so
    snapshot refuses it before collecting anything, and the refusal shows no signature."""
    out, state = tmp_path / "out", tmp_path / "state"
    proc = subprocess.run([sys.executable, "-m", "collector", "snapshot", "--root", str(host), "--output", str(out),
                           "--state-dir", str(state), "--priority", "normal", "--workers", "1", "--upload", PRESIGNED],
                          cwd=REPO, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 2, proc.stderr
    assert "https://127.0.0.1:9/cases/b.tar.gz" in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
    for raw in (SIGNATURE, "AKIAIOSFODNN7EXAMPLE"):
        assert raw not in proc.stderr + proc.stdout
    assert not list(out.glob("*.state.json")) and not list(out.glob("*.tar.gz"))


def test_hosts_index_gets_the_recorded_command_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import collector.remote
    from collector.cli.remote_cmd import collect_remote

    seen = {}

    class Stop(Exception):
        pass

    def fake_collect_hosts(specs, job, case, **_kwargs):
        seen["command_line"] = case.command_line
        seen["args"] = job.collect_args
        seen["case_file"] = job.case_file
        raise Stop

    argv = ["gcollect", "collect", "--hosts", "h1", "--describe", SUMMARY, "--upload", PRESIGNED]
    monkeypatch.setattr(sys, "argv", argv)
    monkeypatch.setattr(collector.remote, "collect_hosts", fake_collect_hosts)
    with pytest.raises(Stop):
        collect_remote({"describe": SUMMARY, "upload_url": PRESIGNED, "output": tmp_path}, "h1")
    assert seen["command_line"] == ("collect --hosts h1 --describe <redacted> "
                                    "--upload https://127.0.0.1:9/cases/b.tar.gz?<redacted>")
    # each host's gcollect redacts it with its own (pushed) key: it goes there in a case file,
    # never as an argument (a command line is visible to every user of the host)
    assert not any(SUMMARY in arg for arg in seen["args"]) and "--describe" not in seen["args"]
    assert json.loads(seen["case_file"])["summary"] == SUMMARY
