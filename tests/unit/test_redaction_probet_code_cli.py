"""Credentials black-box probe T found shipped raw next to forms already masked: passwords in
code and script syntax (props.put("password", "X"), cfg["password"] = "X", ConvertTo-SecureString,
an unquoted SetPassword(X), <- and ::= that gave a fake-looking mask, &quot;-quoted JSON), the
password options of more command-line tools, more key names (bindpw, rootpw, AdminPW, cred, otp),
multi-line XML and config layouts, SNMP pass phrases with blanks and base64 of credential
payloads. Users, hosts, options and the neighbouring settings stay."""

from __future__ import annotations

import base64

import pytest

from tests.redacting import assert_redacted, rule_sets  # noqa: F401 - rule_sets is a fixture

L = "2025-11-20 10:00:05,000 DEBUG [main] "
GMS = "opt/genesys/gms/logs/gms.log"

# (id, kind, path, input, text that must be gone, text that must stay)
LEAKS = [
    ("put-quoted-key", "log", GMS,
     L + 'props.put("password", "CodePw_01") System.setProperty("javax.net.ssl.keyStorePassword", "CodePw_02")\n',
     ["CodePw_01", "CodePw_02"], ['props.put("password", "REDACTED")']),
    ("index-assign", "log", GMS,
     L + 'cfg["password"] = "CodePw_03"; os.environ["DB_PASSWORD"]="CodePw_04"\n',
     ["CodePw_03", "CodePw_04"], ['cfg["password"] = "REDACTED";']),
    ("securestring", "config", "opt/genesys/scripts/deploy.ps1",
     '$s = ConvertTo-SecureString "CodePw_05" -AsPlainText -Force\n', ["CodePw_05"],
     ['ConvertTo-SecureString "REDACTED" -AsPlainText -Force\n']),
    ("setter-bare", "log", GMS, L + "SetPassword(CodePw_06)\n", ["CodePw_06"], ["SetPassword(REDACTED)\n"]),
    ("left-arrow", "log", GMS, L + 'password <- "CodePw_07"\n', ["CodePw_07"], ['password <- "REDACTED"\n']),
    ("colon-colon-equals", "log", GMS, L + "password ::= CodePw_08\n", ["CodePw_08", ":REDACTED"],
     ["password ::= REDACTED\n"]),
    ("quot-json", "log", GMS, L + "&quot;password&quot;:&quot;CodePw_09&quot;\n", ["CodePw_09"],
     ["&quot;password&quot;:&quot;REDACTED&quot;\n"]),
    ("cli-admin-tools", "config", "opt/genesys/SIPS_P/run.sh",
     "smbclient //h/s -U admin%CliPw_01\n"
     'echo "u:CliPw_02" | chpasswd\n'
     "echo 'CliPw_03' | passwd --stdin u\n"
     "net user svc_gen CliPw_04 /add\n"
     "docker login -u u -p CliPw_05 reg\n"
     'echo "CliPw_06" | docker login -u u --password-stdin reg\n'
     "psexec \\\\h -u admin -p CliPw_07 cmd\n"
     "cqlsh h -u cassandra -p CliPw_08\n"
     "mongo -u admin -p CliPw_09 --authenticationDatabase admin\n"
     'expect "assword:"\nsend "CliPw_10\\r"\nexpect "$ "\n'
     'expect "*assword*" { send "CliPw_11\\r" }\n',
     [f"CliPw_{i:02d}" for i in range(1, 12)],
     ["echo 'REDACTED' | passwd --stdin u\n", "net user svc_gen REDACTED /add\n", "-u admin -p REDACTED cmd\n",
      'expect "assword:"\n', 'expect "$ "\n']),
    ("key-names-cfg", "config", "opt/genesys/SIPS_P/SIPS_P.cfg",
     "[opts]\nbindpw = KeyPw_01\nrootpw = KeyPw_02\nAdminPW = KeyPw_03\ncred = KeyPw_04\notp = KeyPw_05\n"
     "otp_length = 6\nhotplug = on\n",
     [f"KeyPw_{i:02d}" for i in range(1, 6)], ["bindpw = REDACTED\n", "otp_length = 6\nhotplug = on\n"]),
    ("key-names-yaml", "config", "opt/genesys/gws/config/application.yaml",
     'ldap:\n  bindpw: "KeyPw_06"\n  AdminPW: KeyPw_07\n  cred: KeyPw_08\n  otp: "KeyPw_09"\n',
     [f"KeyPw_{i:02d}" for i in range(6, 10)], ['  bindpw: "REDACTED"\n']),
    ("key-names-log", "log", GMS, L + "bindpw: KeyPw_10 rootpw=KeyPw_11 cred=KeyPw_12 otp: KeyPw_13 AdminPW=KeyPw_14\n",
     [f"KeyPw_{i:02d}" for i in range(10, 15)], ["bindpw: REDACTED rootpw=REDACTED"]),
    ("xml-split-start-tag", "config", "opt/genesys/gms/gms.properties",
     '<Password\n   type="plain">MlPw_01</Password>\n', ["MlPw_01"], ['   type="plain">REDACTED</Password>\n']),
    ("xml-cdata-own-line", "config", "opt/genesys/gms/gms.properties",
     "<Password>\n\t<![CDATA[MlPw_02]]>\n</Password>\n<user>gim</user>\n", ["MlPw_02"],
     ["<Password>\n", "</Password>\n<user>gim</user>\n"]),
    ("numeric-entity-quote", "config", "opt/genesys/gms/gms.properties",
     '<add name="db" connectionString="Server=h;Password=&#34;MlPw_03&#34;;" />\n', ["MlPw_03"],
     ['Password=&#34;REDACTED&#34;;" />']),
    ("log-dump-key-line", "log", GMS, L + "config dump:\npassword\n= MlPw_04\n" + L + "next\n", ["MlPw_04"],
     ["config dump:\npassword\n", L + "next\n"]),
    ("log-dump-continued", "log", GMS, L + "config dump:\npassword = \\\n    MlPw_05\n" + L + "next\n", ["MlPw_05"],
     [L + "next\n"]),
    ("log-dump-named-next-line", "log", GMS,
     L + 'config dump:\n<add key="Password"\n     value="MlPw_06" />\n<property name="password"\n value="MlPw_07"/>\n'
     + L + "next\n", ["MlPw_06", "MlPw_07"], ['<add key="Password"\n', L + "next\n"]),
    ("log-dump-split-start-tag", "log", GMS, L + 'config dump:\n<Password\n   type="plain">MlPw_08</Password>\n',
     ["MlPw_08"], ['   type="plain">REDACTED</Password>\n']),
    ("snmp-quoted-and-usm", "config", "opt/genesys/gvp/MCP/config/snmpd.conf",
     'createUser -e 0x8000 bob SHA "SnmpPw_01 x" AES "SnmpPw_02"\n'
     'usmUser 1 3 0x80001f88 "bob" "bob" NULL .1.3.6.1.6.3.10.1.1.3 0xSnmpPw_03 .1.3.6.1.6.3.10.1.2.4 0xSnmpPw_04 ""\n',
     ["SnmpPw_01", "SnmpPw_02", "SnmpPw_03", "SnmpPw_04", ' x"'],
     ['createUser -e 0x8000 bob SHA "REDACTED" AES "REDACTED"\n', 'usmUser 1 3 0x80001f88 "bob" "bob" NULL ']),
    ("base64-other-keys", "log", GMS,
     L + "".join(f"payload={base64.b64encode(t.encode()).decode()}\n" for t in
                 ("pwd=B64Pw_01", "pass=B64Pw_02&user=admin", "secret=B64Pw_03", "user=a&pwd=B64Pw_04")),
     [base64.b64encode(t.encode()).decode().rstrip("=")[:12] for t in
      ("pwd=B64Pw_01", "pass=B64Pw_02&user=admin", "secret=B64Pw_03", "user=a&pwd=B64Pw_04")],
     ["payload=REDACTED\n"]),
    ("base64-wrapped", "log", GMS, L + "payload=\ndXNlcj1hZG1pbiZwYXNz\nd29yZD1adDAwOGJReTl4\neA==\n" + L + "next\n",
     ["dXNlcj1hZG1pbiZwYXNz", "d29yZD1adDAwOGJReTl4"], ["payload=\nREDACTED\n", L + "next\n"]),
    ("karaf-blank-separators", "config", "opt/Genesys/GAX/karaf/etc/users.properties",
     "admin\tKarafPw_01,_g_:admingroup\nuser\\ name = KarafPw_02,_g_:viewers\n_g_\\:admingroup = group,admin\n",
     ["KarafPw_01", "KarafPw_02"], ["admin\tREDACTED,_g_:admingroup\n", "_g_\\:admingroup = group,admin\n"]),
]

KEPT = [
    ("code-neighbours", "log", L + 'fields = ["password", "username"]; props.put("passwordPolicy", "strong") '
     "at c.g.Foo.setPassword(Foo.java:42) setPassword(null) state <- RUNNING\n"),
    ("key-name-neighbours", "log", L + "MAXPW=1 gotp=2 otpauth=3 scredit=4 otp_enabled=true\n"),
    ("multi-line-neighbours", "log", L + "password\nexpired for user gim\n" + L + '<add key="Password"\n'
     + L + "next record\n"),
    ("base64-neighbours", "log", L + "data=dXNlcj1hZG1pbiZyb2xlPWFnZW50 done\n" + L + "state:\nRUNNING now\n"),
    ("cli-neighbours", "config", "docker run -p 8080:80 gws\nnet user svc_gen /delete\nnet user svc_gen * /add\n"
     "smbclient -L files -U ops\necho done | passwd -S gcti\nmysql -u root -p cfgdb\n"),
]


@pytest.mark.parametrize("case", LEAKS, ids=[c[0] for c in LEAKS])
@pytest.mark.parametrize("fast", [True, False], ids=["prefilter", "every-line"])
def test_probe_t_credential_is_masked(rule_sets, case, fast: bool) -> None:  # noqa: F811
    _id, kind, path, text, gone, kept = case
    assert_redacted(rule_sets, text, gone, kept, kind=kind, path=path, fast=fast)


@pytest.mark.parametrize("case", KEPT, ids=[c[0] for c in KEPT])
def test_probe_t_neighbours_stay(rule_sets, case) -> None:  # noqa: F811
    _id, kind, text = case
    assert_redacted(rule_sets, text, [], [text], kind=kind,
                    path="opt/genesys/x.cfg" if kind == "config" else GMS)
