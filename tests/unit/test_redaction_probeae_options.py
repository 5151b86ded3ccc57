"""Probe AE: a password option printed with its value in an option message shipped raw (exit 0).

`Option password changed to X` was masked (password-is-value), `Option 'password' changed to 'X'`
was not: a quoted or bracketed key, a section path before the key ([TServer/password],
[confserv\\dbserver\\password], [dbserver].[password]) or words between key and value (in section
'x':, (section x) =, of TServer =, has value, new value, old value: [..] new value: [..],
option=password value=X) got past every rule, and the leak scanner saw none of it. The rule
option-password-value masks them (also for pwd, passwd, passphrase, secret, the site-language words
and names that end in the word: sip-auth-password, db-password, trusted-ca-pwd), password-is-value
takes "Set password to X", and the scanner flags each shape that survives (fail closed, exit 30).
A name that goes on past the word (password-policy), a flag value, a value already hidden and a
message without a value stay."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from collector.errors import ExitCode
from tests.redacting import (  # noqa: F401 - rule_sets is a fixture
    assert_redacted, framed_findings, redacted, rule_sets,
)

LOG = "var/log/genesys/SIPS_P/SIPS_P.20261128_220938_128.log"
CONFSERV = "var/log/genesys/confserv/confserv.20261128_220938_128.log"

# (line, the value that must go, what the line must read after redaction)
PROBE = [
    ("20:21:40.001 Std 21017 Option 'password' changed to 'OpQ01'", "OpQ01", "Option 'password' changed to 'REDACTED'"),
    ("20:21:40.002 Std 21017 Option [TServer/password] = OpQ02", "OpQ02", "Option [TServer/password] = REDACTED"),
    ("20:21:40.004 Std 21017 Config option changed: section=dbserver option=password value=OpQ04", "OpQ04",
     "option=password value=REDACTED"),
    ("20:21:40.007 Std 21017 option 'password' in section 'ldap': 'OpQ08'", "OpQ08",
     "option 'password' in section 'ldap': 'REDACTED'"),
    ('20:21:40.011 Std 21017 Option "password" set to "OpQ12"', "OpQ12", 'Option "password" set to "REDACTED"'),
    ("20:21:40.012 Std 21017 Option [dbserver].[password] = [OpQ13]", "OpQ13", "Option [dbserver].[password] = [REDACTED]"),
    ("20:21:40.100 Trc 24215 Object: [CfgApplication], option [confserv\\dbserver\\password] changed to [OptPwA1]",
     "OptPwA1", "option [confserv\\dbserver\\password] changed to [REDACTED]"),
    ("20:21:40.103 Trc 24215 Object: [CfgPerson], name [agent.x], DBID: [202], password changed: [OptPwA7]",
     "OptPwA7", "password changed: [REDACTED]"),
    ("20:21:40.104 Std 00000 option 'password' in section 'dbserver' set to 'OptPwA8'", "OptPwA8",
     "in section 'dbserver' set to 'REDACTED'"),
    ("20:21:40.107 Std 00000 Option changed: [dbserver].[password] old value: [OptPwB2] new value: [OptPwB3]",
     "OptPwB2", "old value: [REDACTED] new value: [REDACTED]"),
    ("20:21:40.107 Std 00000 Option changed: [dbserver].[password] old value: [OptPwB2] new value: [OptPwB3]",
     "OptPwB3", "old value: [REDACTED] new value: [REDACTED]"),
    ("Option password (section dbserver) = OpQ09", "OpQ09", "Option password (section dbserver) = REDACTED"),
    ("Option 'sip-auth-password' new value 'OpQ10'", "OpQ10", "Option 'sip-auth-password' new value 'REDACTED'"),
    ("Option 'password' has value 'OpQ11'", "OpQ11", "Option 'password' has value 'REDACTED'"),
    ("Set password to OpQ16", "OpQ16", "Set password to REDACTED"),
    ("Option password of TServer = OpQ18", "OpQ18", "Option password of TServer = REDACTED"),
    ("Option password changed to OpR01x", "OpR01x", "Option password changed to REDACTED"),
    ("Option 'password' changed to 'OpR02x'", "OpR02x", "Option 'password' changed to 'REDACTED'"),
]

# the same shapes under the other password words and names that end in one
WORDS = [
    ("Option 'pwd' changed to 'OpW01'", "OpW01"),
    ("Option [TServer/passwd] = OpW02", "OpW02"),
    ("Option 'passphrase' in section 'tls': 'OpW03'", "OpW03"),
    ("Option [ldap].[secret] = [OpW04]", "OpW04"),
    ("Option 'kennwort' has value 'OpW05'", "OpW05"),
    ("option 'senha' in section 'db' set to 'OpW06'", "OpW06"),
    ('Option "contrase\u00f1a" set to "OpW07"', "OpW07"),
    ("Option 'mot de passe' new value 'OpW08'", "OpW08"),
    ("Option 'l\u00f6senord' changed to 'OpW09'", "OpW09"),
    ("Option 'has\u0142o' changed to 'OpW10'", "OpW10"),
    ("Option '\u043f\u0430\u0440\u043e\u043b\u044c' changed to 'OpW11'", "OpW11"),
    ("Option wachtwoord of TServer = OpW12", "OpW12"),
    ("Option 'db-password' changed to 'OpW13'", "OpW13"),
    ("Option 'trusted-ca-pwd' has value 'OpW14'", "OpW14"),
    ("Option [sip/sip-auth-password] = OpW15", "OpW15"),
    ("Option db-password changed to OpW16", "OpW16"),
    ("option 'client-secret' changed from [OpW17a] to [OpW17b]", "OpW17a"),
    ("option 'client-secret' changed from [OpW17a] to [OpW17b]", "OpW17b"),
    ("Option 'password' was changed to 'OpW18'.", "OpW18"),
    ("Option 'Password' Changed To 'OpW19'", "OpW19"),
    ("Option 'password' of application 'TServer' = 'OpW20'", "OpW20"),
    ("Option 'password' is 'OpW21'", "OpW21"),
    ("Option 'password' changed to OpW22, restart required", "OpW22"),
]

HARMLESS = [
    "Option 'password-policy' changed to 'strong'",
    "Option 'password-min-length' = 8",
    "password changed successfully",
    "password expires in 30 days",
    "Option 'password' changed",
    "Option 'password' changed to '****'",
    "password [REDACTED]",
    "Option 'password-required' = true",
    "Option 'enable-password-hide' = yes",
    "Option 'hide-password' = no",
    "Option 'password' value changed",
    "Option 'password' in section 'dbserver' changed",
    "Option [dbserver].[password] old value: [****] new value: [****]",
    "Option 'secret-ttl' changed to '300'",
    "Option 'password' set to ''",
    "the password is too short; password set to expire in 90 days",
]

STAMP = "20:21:41.000 Std 21017 "
_STAMPED = re.compile(r"^\d\d:\d\d:\d\d\.\d{3} (?:Std|Trc) \d{5} ")


@pytest.mark.parametrize("case", PROBE, ids=[f"{i}-{c[1]}" for i, c in enumerate(PROBE)])
@pytest.mark.parametrize("fast", [True, False], ids=["prefilter", "every-line"])
def test_probe_ae_option_password_is_masked(rule_sets, case, fast) -> None:
    line, value, after = case
    text = line + "\n" + STAMP + "next record\n"
    for path in (LOG, CONFSERV):
        out = assert_redacted(rule_sets, text, [value], [after, STAMP + "next record\n"], kind="log", path=path, fast=fast)
        assert framed_findings("x.log", out) == [], out


@pytest.mark.parametrize("case", WORDS, ids=[c[1] for c in WORDS])
@pytest.mark.parametrize("fast", [True, False], ids=["prefilter", "every-line"])
def test_probe_ae_other_password_words_and_suffixed_names(rule_sets, case, fast) -> None:
    line, value = case
    out = assert_redacted(rule_sets, STAMP + line + "\n", [value], ["REDACTED"], kind="log", path=LOG, fast=fast)
    assert framed_findings("x.log", out) == [], out


@pytest.mark.parametrize("kind", ["config", "text"])
def test_probe_ae_masked_in_config_and_text_too(rule_sets, kind) -> None:
    text = "".join(line + "\n" for line, _, _ in PROBE)
    assert_redacted(rule_sets, text, [value for _, value, _ in PROBE], [], kind=kind,
                    path="opt/genesys/confserv/notes.txt" if kind == "text" else "opt/genesys/confserv/confserv.conf")


@pytest.mark.parametrize("fast", [True, False], ids=["prefilter", "every-line"])
def test_probe_ae_harmless_option_lines_stay(rule_sets, fast) -> None:
    text = "".join(STAMP + line + "\n" for line in HARMLESS)
    assert redacted(rule_sets, text, "log", LOG, fast=fast) == text
    assert framed_findings("x.log", text) == []


@pytest.mark.parametrize("line", [c[0] for c in PROBE if c[0] != "Set password to OpQ16"] + [c[0] for c in WORDS
                                  if "mot de passe" not in c[0]])
def test_probe_ae_the_scanner_flags_the_shape_when_it_survives(line) -> None:
    assert framed_findings("x.log", line) == [(2, "password")]


def test_probe_ae_end_to_end_the_bundle_holds_no_option_password(tmp_path) -> None:
    """A SIP Server log with the probe's lines: exit 0, no value in the bundle, no finding."""
    from collector.bundlereader import iter_members
    from tests.cli.conftest import run_gcollect

    root = tmp_path / "host"

    def write(rel: str, text: str) -> None:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")

    write("etc/os-release", 'NAME="Red Hat Enterprise Linux"\nID=rhel\n')
    write("etc/hostname", "sip01\n")
    write("opt/genesys/SIPS_P/sip_server", "#!/bin/sh\n")
    name = "SIPS_P.20261127_090000_000.log"
    header = ("Genesys SIP Server, version 8.1.103.95\nApplication name:   SIPS_P\nApplication type:   TServer\n"
              "Host name:          sip01\nLocal time:         2026-11-27T09:00:00.120\n"
              "Start time (UTC):   2026-11-27T09:00:00.120\nTime zone:          0\n"
              f"File:               (0000000003) {name}\nCommand line:       ./sip_server -app SIPS_P\n")
    body = "".join(f"09:15:{i:02d}.000 Std 21017 {_STAMPED.sub('', line)}\n" for i, (line, _, _) in enumerate(PROBE))
    write(f"var/log/genesys/SIPS_P/{name}", header + body)
    proc = run_gcollect("collect", "--root", str(root), "--output", str(tmp_path / "out"), "--state-dir",
                        str(tmp_path / "state"), "--json", "--all-logs", "--priority", "normal", env={"TZ": "UTC"})
    assert proc.returncode == ExitCode.OK, proc.stderr.decode()
    report = json.loads(proc.stdout)
    assert report["scan_findings"] == []
    members = dict(iter_members(Path(report["bundle"])))
    stored = next(data for path, data in members.items() if path.endswith(name))
    assert stored.count(b"REDACTED") >= len(PROBE) - 1
    for _, value, _ in PROBE:
        assert value.encode() not in stored, value
