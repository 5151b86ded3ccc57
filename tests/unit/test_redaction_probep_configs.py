"""Credentials black-box probe P found shipped raw in collected configuration files and scripts:
Karaf users.properties (user = password, roles), net-snmp community strings and USM pass
phrases, a password in a SIP URI inside an option value, short key names (db-pw, smtp_pw, psk,
auth_key, creds), net use / redis-cli passwords in scripts, JSON Web Key private members, and a
PGPASSWORD= that took the rest of the command with it. Users, roles, hosts, ports, the rest of a
command and public key members stay."""

from __future__ import annotations

import pytest

from tests.redacting import assert_redacted, rule_sets  # noqa: F401 - rule_sets is a fixture

# (id, kind, path, input, text that must be gone, text that must stay)
LEAKS = [
    ("karaf-users-properties", "config", "opt/Genesys/Workbench/Karaf/etc/users.properties",
     "# Karaf users: user = password, role\n"
     "admin = KarafAdm1nPw, _g_:admingroup\n"
     "_g_\\:admingroup = group,admin,manager,viewer\n"
     "wbuser=KarafNoSpPw,viewer\n"
     "user = KarafUserPw, role1, role2\n"
     "karaf = {CRYPT}4b1c9a0f{CRYPT},_g_:admingroup\n",
     ["KarafAdm1nPw", "KarafNoSpPw", "KarafUserPw", "4b1c9a0f"],
     ["admin = REDACTED, _g_:admingroup\n", "_g_\\:admingroup = group,admin,manager,viewer\n",
      "wbuser=REDACTED,viewer\n", "user = REDACTED, role1, role2\n", "karaf = REDACTED,_g_:admingroup\n"]),
    ("snmpd-conf-communities", "config", "opt/genesys/gvp/MCP/config/snmpd.conf",
     "rocommunity SnmpRoComm default\n"
     "rwcommunity SnmpRwComm 10.0.0.0/8\n"
     "rocommunity6 -V systemonly SnmpRo6Comm fd00::/8\n"
     "com2sec local localhost SnmpC2sComm\n"
     "com2sec -Cn ctx mynet 10.0.0.0/8 SnmpC2sCtx\n"
     "community SnmpBareComm\n"
     "trap2sink 192.0.2.50 SnmpTrapComm 162\n"
     "trapsink nms01 SnmpTrap1Comm\n"
     "createUser gvpops SHA SnmpAuthPass AES SnmpPrivPass\n"
     "createUser -e 0x8000 gvpmon MD5 SnmpAuth2Pass\n"
     "rouser gvpops priv\n"
     "agentAddress udp:161\n",
     ["SnmpRoComm", "SnmpRwComm", "SnmpRo6Comm", "SnmpC2sComm", "SnmpC2sCtx", "SnmpBareComm",
      "SnmpTrapComm", "SnmpTrap1Comm", "SnmpAuthPass", "SnmpPrivPass", "SnmpAuth2Pass"],
     ["rocommunity REDACTED default\n", "rwcommunity REDACTED 10.0.0.0/8\n",
      "rocommunity6 -V systemonly REDACTED fd00::/8\n", "com2sec local localhost REDACTED\n",
      "com2sec -Cn ctx mynet 10.0.0.0/8 REDACTED\n", "trap2sink 192.0.2.50 REDACTED 162\n",
      "createUser gvpops SHA REDACTED AES REDACTED\n", "createUser -e 0x8000 gvpmon MD5 REDACTED\n",
      "rouser gvpops priv\n", "agentAddress udp:161\n"]),
    ("sip-uri-password-in-options", "config", "opt/genesys/SIPS_P/SIPS_P.cfg",
     "[TServer]\ncontact = sip:genesys:SipCfgUriPw@192.0.2.20:5060\n"
     "sip.outboundproxy = sip:gvp:McpUriPw@192.0.2.30:5060\n"
     "trunk-uri = sips:trunk01:CarrierPw9@carrier.example.net:5061;transport=tls\n"
     "contact-2 = sip:7101@192.0.2.20:5060\n",
     ["SipCfgUriPw", "McpUriPw", "CarrierPw9"],
     ["contact = sip:genesys:REDACTED@192.0.2.20:5060\n", "sip.outboundproxy = sip:gvp:REDACTED@192.0.2.30:5060\n",
      "sips:trunk01:REDACTED@carrier.example.net:5061;transport=tls\n", "contact-2 = sip:7101@192.0.2.20:5060\n"]),
    ("sip-uri-password-in-log-keeps-host", "log", "var/log/genesys/SIPS_P/SIPS_P.log",
     "10:00:00.000 Int 04543 trunk registered sip:trunkuser:LogUriPw54@carrier.example.net done\n",
     ["LogUriPw54"], ["sip:trunkuser:REDACTED@carrier.example.net done"]),
    ("short-secret-key-names-cfg", "config", "opt/genesys/OCS/OCS.cfg",
     "[custom]\ndb-pw = ShortDbPw\nsmtp_pw = ShortSmtpPw\nldap-bind-pw = ShortLdapPw\nssl.pw=ShortSslPw\n"
     "psk = ShortPsk\nauth_key = ShortAuthKey\nauth-key: ShortAuthKey2\ncreds = ShortCreds\n"
     "credentials = LongCreds\n"
     "password-min-length = 8\npw-expiry-days = 90\npsk-mode = 1\npw-min-length=12\n",
     ["ShortDbPw", "ShortSmtpPw", "ShortLdapPw", "ShortSslPw", "ShortPsk", "ShortAuthKey", "ShortCreds",
      "LongCreds"],
     ["db-pw = REDACTED\n", "smtp_pw = REDACTED\n", "ldap-bind-pw = REDACTED\n", "psk = REDACTED\n",
      "password-min-length = 8\n", "pw-expiry-days = 90\n", "psk-mode = 1\n", "pw-min-length=12\n"]),
    ("short-secret-key-names-properties", "config", "opt/genesys/gms/config/app.properties",
     "mail.smtp-pw=PropSmtpPw\nmail.smtp.pw PropSpacePw\nwifi.psk: PropPsk\n",
     ["PropSmtpPw", "PropSpacePw", "PropPsk"], ["mail.smtp-pw=REDACTED\n"]),
    ("short-secret-key-names-json", "config", "opt/genesys/gms/config/app.json",
     '{"db": {"host": "db01", "db_pw": "JsonDbPw", "auth_key": "JsonAuthKey", "psk": "JsonPsk",\n'
     '  "creds": "JsonCreds", "pw_min_length": 8}}\n',
     ["JsonDbPw", "JsonAuthKey", "JsonPsk", "JsonCreds"], ['"host": "db01"', '"pw_min_length": 8}}']),
    ("short-secret-key-names-cme-export", "config", "opt/genesys/gax/export_apps.xml",
     '<options><list_pair key="OCServer"><str_pair key="password" value="XmlOptPw"/>\n'
     '<str_pair key="smtp-pw" value="XmlSmtpPw"/><str_pair key="auth_key" value="XmlAuthKey"/>\n'
     '<str_pair key="pw-expiry-days" value="90"/></list_pair></options>\n',
     ["XmlOptPw", "XmlSmtpPw", "XmlAuthKey"], ['<str_pair key="pw-expiry-days" value="90"/>']),
    ("redis-conf-directives", "config", "opt/genesys/gms/etc/redis.properties",
     "redis.requirepass RedisReqPw\nmasterauth RedisMasterPw\nport 6379\n",
     ["RedisReqPw", "RedisMasterPw"], ["redis.requirepass REDACTED\n", "masterauth REDACTED\nport 6379\n"]),
    ("script-net-use-and-redis-cli", "config", "opt/genesys/ConfigServer/startServer.bat",
     "@echo off\r\nnet use Z: \\\\filesrv\\genesys /user:CORP\\svc_genesys NetUsePw25\r\n"
     "net use \\\\filesrv\\logs NetUsePw26 /user:svc_logs /persistent:no\r\n"
     "confserv.exe -c confserv.conf\r\n",
     ["NetUsePw25", "NetUsePw26"],
     ["/user:CORP\\svc_genesys REDACTED\r\n", "\\\\filesrv\\logs REDACTED /user:svc_logs /persistent:no\r\n"]),
    ("script-redis-cli", "config", "opt/genesys/ConfigServer/backup_cfgdb.sh",
     "#!/bin/sh\nredis-cli -h redis01 -a RedisCliPw ping\nredis-cli --pass RedisPass2 -h redis02 info\n"
     "plink -ssh -pw PlinkPw ops@jump uptime\n",
     ["RedisCliPw", "RedisPass2", "PlinkPw"],
     ["redis-cli -h redis01 -a REDACTED ping\n", "--pass REDACTED -h redis02 info\n", "-pw REDACTED ops@jump"]),
    ("script-pgpassword-keeps-command", "config", "opt/genesys/ConfigServer/backup_cfgdb.sh",
     "PGPASSWORD=PgInlinePw pg_dump -h pgcfg01 -U gen_cfg gencfg > /backup/gencfg.sql\n"
     "export PGPASSWORD='Pg Quoted Pw'\n",
     ["PgInlinePw", "Pg Quoted"],
     ["PGPASSWORD=REDACTED pg_dump -h pgcfg01 -U gen_cfg gencfg > /backup/gencfg.sql\n"]),
    ("jwk-private-members", "config", "opt/genesys/gms/config/jwks.json",
     '{"keys": [{"kty": "RSA", "kid": "gms1", "use": "sig", "alg": "RS256", "n": "pubModulusN", "e": "AQAB", '
     '"d": "JwkPrivExpD", "p": "JwkPrimeP", "q": "JwkPrimeQ", "dp": "JwkDp", "dq": "JwkDq", "qi": "JwkQi"},\n'
     '{"kty": "oct", "kid": "hmac1", "k": "JwkOctK"}]}\n',
     ["JwkPrivExpD", "JwkPrimeP", "JwkPrimeQ", "JwkDp", "JwkDq", "JwkQi", "JwkOctK"],
     ['"kty": "RSA", "kid": "gms1", "use": "sig", "alg": "RS256", "n": "pubModulusN", "e": "AQAB", ',
      '"kty": "oct", "kid": "hmac1"']),
    ("jwk-private-members-pretty", "config", "opt/genesys/gms/config/jwks.json",
     '{\n  "keys": [\n    {\n      "kty": "EC",\n      "crv": "P-256",\n      "x": "pubX",\n'
     '      "y": "pubY",\n      "d": "jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI",\n      "kid": "ec1"\n    }\n  ]\n}\n',
     ["jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI"], ['"x": "pubX",\n', '"d": "REDACTED",\n', '"kid": "ec1"\n']),
]


@pytest.mark.parametrize("case", LEAKS, ids=[c[0] for c in LEAKS])
@pytest.mark.parametrize("fast", [True, False], ids=["prefilter", "every-line"])
def test_probe_p_config_credentials_are_redacted(rule_sets, case, fast) -> None:
    _, kind, path, text, gone, kept = case
    assert_redacted(rule_sets, text, gone, kept, kind=kind, path=path, fast=fast)


STAY = [
    ("config", "sip.transports: udp, tcp\nallowed-users = alice, admin\ndb.user = gim, admin\n"),
    ("config", "syslocation Server Room\nsysContact ops@example.com\nrouser gvpops priv\n"),
    ("config", '{"d": "2024-01-01", "p": 5, "name": "x"}\n'),
    ("config", "pw-expiry-days = 90\npsk-mode = aes\npassword-min-length = 8\n"),
]


def test_an_ini_password_with_blanks_is_still_masked_whole(rule_sets) -> None:
    """PGPASSWORD=X cmd keeps the command; an INI value with blanks is still masked to the end."""
    assert_redacted(rule_sets, "[db]\nPASSWORD=Genesys Pa55 word\nPassword=Two Words\n",
                    ["Genesys", "Pa55", "Two", "Words"], ["PASSWORD=REDACTED\n"],
                    kind="config", path="opt/genesys/genesys_silent.ini")


@pytest.mark.parametrize("case", STAY, ids=[f"stay-{i}" for i in range(len(STAY))])
def test_probe_p_look_alikes_stay(rule_sets, case) -> None:
    kind, text = case
    from tests.redacting import redacted
    keep = [line for line in text.splitlines() if "@" not in line]
    out = redacted(rule_sets, text, kind, "opt/genesys/x.conf")
    for line in keep:
        assert line in out, f"{line!r} changed: {out!r}"
