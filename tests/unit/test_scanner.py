"""The independent scanner: what must never leave is found; what is already hidden is not."""

from __future__ import annotations

import pytest

from collector.scanner import LeakScanner, luhn_ok

FOUND = [
    ("\tAttributeANI\t'5555550142'", "caller-number"),
    ('AttributeDNIS [str] = "8005550100"', "caller-number"),
    ("\t\t'CardNumber'\t'4111 1111 1111 1111'", "card-number"),
    ("card=4111-1111-1111-1111;", "card-number"),
    ("card 4111 1111 1111 1111 2024 exp", "card-number"),
    ("amex 3782 822463 10005", "card-number"),
    ('From: "Jane" <sip:5555550142@203.0.113.5>;tag=x', "sip-identity"),
    ("P-Asserted-Identity: <tel:+15555550142>", "sip-identity"),
    ("password=hunter22", "password"),
    ('  "password": "s3cr3t!",', "password"),
    ("db.pwd: Welcome1", "password"),
    ("passwd: Welcome1", "password"),
    ('password=="Welcome1"', "password"),
    ("password := Welcome1", "password"),
    ("fetch GET http://appsrv.example.test/pay?c=4111%201111%201111%201111&x=1", "card-number"),
    ("contact jane.doe@example.com now", "email"),
    ("notify ivan@m\u00fcnchen.de now", "email"),
    ("token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U", "jwt"),
    ("key AKIAIOSFODNN7EXAMPLE", "aws-key"),
    ("aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEYab", "aws-key"),
    ("push with ghp_Ab1Cd2Ef3Gh4Ij5Kl6Mn7Op8Qr9St0Uv1Wx2 done", "vendor-token"),
    # an option message that still shows a password option's value (probe AE)
    ("20:21:40.001 Std 21017 Option 'password' changed to 'OpQ01'", "password"),
    ("20:21:40.002 Std 21017 Option [TServer/password] = OpQ02", "password"),
    ("Config option changed: section=dbserver option=password value=OpQ04", "password"),
    ("option 'password' in section 'ldap': 'OpQ08'", "password"),
    ("Option [dbserver].[password] = [OpQ13]", "password"),
    ("Object: [CfgApplication], option [confserv\\dbserver\\password] changed to [OptPwA1]", "password"),
    ("Object: [CfgPerson], DBID: [202], password changed: [OptPwA7]", "password"),
    ("Option changed: [dbserver].[password] old value: [REDACTED] new value: [OptPwB3]", "password"),
    ("Option password (section dbserver) = OpQ09", "password"),
    ("Option 'sip-auth-password' new value 'OpQ10'", "password"),
    ("Option password of TServer = OpQ18", "password"),
    ("Option password changed to OpR01x", "password"),
    ("Option 'trusted-ca-pwd' has value 'OpQ19'", "password"),
    ("Option \"kennwort\" set to \"OpQ20\"", "password"),
    # a password word that ends a longer key: after an underscore or in camelCase (the word
    # boundary before it hid these from the scanner)
    ("db_password=Secret123", "password"),
    ("DB_PASSWORD=Secret123", "password"),
    ("dbPassword: Secret123", "password"),
    ("mysql_passwd: Secret123", "password"),
    ("ldap_secret = Sx9k2bq", "password"),
    ("adminKennwort=Geheim88", "password"),
    ("pat github_pat_11ABCDEFG0abcdefghijkl_mnopqrstuvwxyz0123456789", "vendor-token"),
    ("slack xoxb-1234567890-0987654321-SlackTok3n4bcd posted", "vendor-token"),
    ("app xapp-1-A0123456789-1234567890-abcdef0123456789", "vendor-token"),
    ("runner glrt-Ab1Cd2Ef3Gh4Ij5Kl6Mn7Op8 ok", "vendor-token"),
    ("client GOCSPX-Ab1Cd2Ef3Gh4Ij5Kl6Mn7Op8Qr9 ok", "vendor-token"),
    ("oauth ya29.a0Ab1Cd2Ef3Gh4Ij5Kl6Mn7Op8Qr9St0Uv ok", "vendor-token"),
    ("openai sk-proj-Ab1Cd2Ef3Gh4Ij5Kl6Mn7Op8Qr9St0Uv ok", "vendor-token"),
    ("sendgrid SG.Ab1Cd2Ef3Gh4Ij5Kl6Mn.Op8Qr9St0Uv1Wx2Yz3Ab4Cd5Ef6Gh7 ok", "vendor-token"),
    ("vault hvs.Ab1Cd2Ef3Gh4Ij5Kl6Mn7Op8Qr9 ok", "vendor-token"),
    ("npm npm_Ab1Cd2Ef3Gh4Ij5Kl6Mn7Op8Qr9St0Uv1Wxy ok", "vendor-token"),
    ("hook whsec_Ab1Cd2Ef3Gh4Ij5Kl6Mn7Op8Qr9St0 ok", "vendor-token"),
    ("token\\u003dghp_Ab1Cd2Ef3Gh4Ij5Kl6Mn7Op8Qr9St0Uv1Wx2 ok", "vendor-token"),
    # the edges of what redaction keeps: an outside number in a party attribute or a SIP URI,
    # an e-mail with an upper-case country domain, a card on an ordinary line
    ("\tAttributeOtherDN\t'5555550142'", "caller-number"),
    ("\tAttributeCallingNumber\t'5555550142'", "caller-number"),
    ("To: <sip:5555550142@192.0.2.20>", "sip-identity"),
    ("mail JANE@EXAMPLE.PL", "email"),
    ("seq 4111111111111111", "card-number"),
    ("CARD_NUMBER=4111111111111111", "card-number"),
    ('<Resource name="jdbc/gax" username="gax_ro" password="Gax#2024"/>', "password"),
    ('<connection user="7101" password="Sip#2024"/></section>', "password"),
    # quotes escaped inside a JSON string (a Kafka JAAS line in a JSON config)
    ('  "sasl.jaas.config": "PlainLoginModule required username=\\"u\\" password=\\"Jaas#2024\\";"', "password"),
    ("<producerConfig>ssl.keystore.password=Leak1</producerConfig>", "password"),
    # a caller's PIN after its label or in its XML element (probe Z)
    ("09:30:08.000 Std 09900 Pin Entered: 482921", "pin"),
    ("09:30:08.000 Std 09900 PIN collected: '482921', retrying", "pin"),
    ("09:30:08.000 Std 09900 pin input = 482921", "pin"),
    ("09:30:08.000 Std 09900 Entered PIN: 482921.", "pin"),
    ("GET /ivr?lang=en&pin=482921&x=1", "pin"),
    ('{"pin": "482921"}', "pin"),
    ("PIN_entered: 482921", "pin"),
    ('<pin type="digits">482921</pin>', "pin"),
    ("<pin><![CDATA[482921]]></pin>", "pin"),
    ("<ns2:PinCode>482921</ns2:PinCode>", "pin"),
    ("<passcode mode='dtmf'> 482921 </passcode>", "pin"),
    # the same PIN in groups, after a camelCase label, "pass code" or an arrow, escaped as XML
    # entities, on the line after its element, URL-encoded, in a VoiceXML field, in a config (probe AA 3)
    ("10:00:00.000 Trc 0 Pin Entered: 4829-21", "pin"),
    ("10:00:00.000 Trc 0 Pin Entered: 48 29 21", "pin"),
    ("10:00:00.000 Trc 0 PinEntered: 482921", "pin"),
    ("10:00:00.000 Trc 0 pass code: 482921", "pin"),
    ("10:00:00.000 Trc 0 PIN -> 482921", "pin"),
    ("10:00:00.000 Trc 0 &lt;pin&gt;482921&lt;/pin&gt;", "pin"),
    ("10:00:00.000 Trc 0 &amp;lt;pin&amp;gt;482911&amp;lt;/pin&amp;gt;", "pin"),     # escaped twice
    ("10:00:00.000 Trc 0 <pin>\n482921\n</pin>", "pin"),
    ("GET /ivr/verify?acct=1&pin%3D482921 HTTP/1.1", "pin"),
    ('2026-11-27 10:00:00.000 DBUG 0-0 1 <field name="pin"><filled>482921</filled></field>', "pin"),
    ('<param name="passcode">482921</param>', "pin"),
    ('{"passcode": 482921}', "pin"),
    ("  pin: '4829-21'", "pin"),
]

CLEAN = [
    "09:15:05.871 Trc 04542 EventRinging sent to [612] (0000002a WDE_Demo 198.51.100.23:50412)",
    "\tAttributeConnID\t007b02aa3c1f0011",
    "\tAttributeCallUUID\t'7QK2M0D4AB5H91VX03KD4G0E7S000001'",
    "\tAttributeThisDN\t'7101'",
    "\tAttributeANI\t'tel-qkzvbtwaxe'",
    "\tAttributeCollectedDigits\t'****'",
    "Call-ID: 4f1c0e2a-demo-0001@203.0.113.5",
    "Call-ID: abc@host.example.com",
    "10:00:00.000 Trc 30000 Call-ID 1-28745@gen-mcp01.corp.example.com received",
    "request callid=1-28745@gen-mcp01.corp.example.com",
    "09:15:04.990: SIPTR: Received [0,UDP] 611 bytes from 203.0.113.5:5060 <<<<<",
    "password=<REDACTED>",
    "password = ****",
    "Password=${DB_PASSWORD}",
    "File: (0000000007) SIPS_DEMO_P.20240305_091500_120.log",
    "AttributeTimeinSecs\t1709648105 (09:15:05)",
    "From: <sip:tel-qkzvbtwaxe@203.0.113.5>;tag=demo-tag-01",
    "id 1234567890123456 is not luhn-valid",
    "\tAttributeEventSequenceNumber\t0000000000000067",
    "epoch ms 1709648105000 and 1709648105000123",
    # what the redaction rules keep on purpose is no finding either: an upload must not be
    # blocked by an agent's extension or a Luhn-valid call id (one in ten)
    "\tAttributeCallID\t3709648000000004",
    "\tAttributeNetworkCallID [long] = 4100000000000001",
    "o=- 4858401127891236575 2 IN IP4 192.0.2.40",
    "\tAttributeOtherDN\t'7101'",
    "\tAttributeOtherDN\t'90001'",
    "\tISCCAttributeAccessNumber\t'80012'",
    "INVITE sip:90001@192.0.2.20:5060 SIP/2.0",
    "Referred-By: <sip:7101@192.0.2.20>",
    "06:15:36.447 FIND target AG_Sales@StatServer.GA, 7101@SIPSwitch.DN, VQ_Sales@StatServer.GQ",
    "PID@host: [14211@gws01.corp.example.com]",
    "git clone git@github.com:org/x.git /opt/genesys/scripts",
    "passwd:     files sss",
    "fetch GET http://appsrv.example.test/pay?c=REDACTED-CARD&x=1&range=1234%205678%209012%203456",
    "passwd: compat",
    "push with ghp_REDACTED done, github_pat_REDACTED, slack xoxb-REDACTED, xapp-REDACTED",
    "glrt-REDACTED GOCSPX-REDACTED ya29.REDACTED sk-proj-REDACTED SG.REDACTED hvs.REDACTED npm_REDACTED whsec_REDACTED",
    "SG.Sales queue, npm_modules, hvs.short, token\\u003dghp_REDACTED",
    "REGISTER sip:192.0.2.20 SIP/2.0",
    "Record-Route: <sip:192.0.2.20;lr>",
    "url=jdbc:oracle:thin:gim_etl/REDACTED@db01.example.net:1521/GIM",
    "Message-ID: <CAF=jane.example+abc@mail.example.com>",
    "java.sql.SQLException: Access denied for user 'gms'@'10.0.0.5' (using password: YES)",
    "Password = hide",
    "AccountNumber = hide-first,4",
    # an empty password (common in configuration exports) is not the next line's text
    "gax.report.db.password=\ngax.legacy.db.password=********",
    "[dap]\npassword=\nusername=stat_local",
    "db.password = \n\n[next]\nhost=db01",
    # Genesys Info Mart key columns, Luhn-valid one time in ten (card-number keeps them)
    "INTERACTION_FACT row INTERACTION_ID=2024030500012344 START_DATE_TIME_KEY=1709648100",
    "row MEDIA_RESOURCE_KEY=4111111111111111",
    # a masked password as the last attribute of an empty XML element (tomcat-users.xml, JDBC
    # resources, Config Server option dumps)
    '<Resource name="jdbc/gax" username="gax_ro" password="REDACTED"/>',
    "<user name=\"deployer\" roles=\"manager-script\" password='REDACTED'/>",
    '<str_pair key="connection-string" value="Server=192.0.2.70;Uid=stat;Pwd=REDACTED"/>',
    '<section name="Connectivity"><connection user="7101" protocol="udp" password="REDACTED"/></section>',
    # the same JAAS line redacted (Pulse, GWS and Workbench JSON configs)
    '  "sasl.jaas.config": "PlainLoginModule required username=\\"u\\" password=\\"REDACTED\\";"',
    "{\"jaas\": \"LoginModule required password=\\'REDACTED\\';\"}",
    # the same secret key with ==, := or => (secret-key-value takes the whole separator)
    'password=="REDACTED"',
    "password := REDACTED, 'password' => 'REDACTED'",
    # the same keys masked, set to a flag or a placeholder, or naming a file or a length
    "db_password=REDACTED dbPassword: REDACTED use_password=true hide_password=yes isPassword=false",
    "dbPassword=${DB_PASS} ssl_password_file=/etc/x min_password_length=8 OLDPWD=/opt/genesys db_password=",
    # option messages whose value is hidden, a flag, absent, or no password's (probe AE)
    "Option 'password' changed to 'REDACTED', Option [dbserver].[password] old value: [****] new value: [REDACTED]",
    "Option 'password-policy' changed to 'strong'; Option 'password-min-length' = 8; Option 'password-required' = true",
    "password changed successfully; password expires in 30 days; Option 'password' changed; password [REDACTED]",
    "Option 'enable-password-hide' = yes; Option 'hide-password' = no; Option 'password' value changed",
    "Option 'password' in section 'dbserver' changed; password set to expire in 90 days; Option 'password' set to ''",
    # a PIN masked, a setting about it, a PIN word inside another word, a date or a long id
    # after it, a self-closing element (probe Z)
    "Pin Entered: REDACTED-DIGITS, <pin type=\"digits\">REDACTED-DIGITS</pin>, pin=REDACTED-DIGITS",
    "pin_attempts=3 PIN length: 4 <pin_retries>3</pin_retries> <PinLength>6</PinLength> PIN entered: 1 of 3",
    "Pin Entered: (none) PIN entered: invalid spin=123456 pinned=1234 <spin>123456</spin> X-Genesys-PIN: USERDATA_abcdefghij",
    "pin: 2024-03-05 pin=1234567890123 pin: 09:30:08 pin = 0 pin-timeout = 5000 pin-digits = 6000 pin 8642",
    '<pin type="digits"/>1234 <pin expr="lastresult$.utterance"/>',
    # the same redacted, settings about a PIN, a date after a label, an element left empty (probe AA 3)
    "Pin Entered: REDACTED-DIGITS PinEntered: REDACTED-DIGITS pass code: REDACTED-DIGITS PIN -> REDACTED-DIGITS",
    "&lt;pin&gt;REDACTED-DIGITS&lt;/pin&gt; pin%3DREDACTED-DIGITS <field name=\"pin\"><filled>REDACTED-DIGITS</filled>",
    "<pin>\nREDACTED-DIGITS\n</pin>\n<pin>\n</pin>\n<pin>\n  <length>6</length>\n</pin>",
    "&amp;lt;pin&amp;gt;REDACTED-DIGITS&amp;lt;/pin&amp;gt; &amp;lt;spin&amp;gt;123456&amp;lt;/spin&amp;gt; &amp;lt;pin_retries&amp;gt;3",
    "Pin Entered: 2024-03-05 PIN entered: 10:30:00 PinLength: 6 pass code length: 6 pin%3Dtrue &lt;spin&gt;123456&lt;/spin&gt;",
    "pin_length 4\npin_attempts: 3\n{\"pinLength\": 6, \"passcodeExpiryDays\": 90}",
    '<field name="pin"><filled><assign name="x" expr="pin"/></filled></field> <param name="pinLength">6</param>',
]


@pytest.mark.parametrize("line,category", FOUND)
def test_found(line, category):
    scanner = LeakScanner("m")
    scanner.feed(b"first line\n" + line.encode() + b"\nlast\n")
    scanner.finish()
    assert [(f.line, f.category) for f in scanner.findings] == [(2, category)]


@pytest.mark.parametrize("line", CLEAN)
def test_clean(line):
    scanner = LeakScanner("m")
    scanner.feed(line.encode() + b"\n")
    scanner.finish()
    assert scanner.findings == []


@pytest.mark.parametrize("line", [b"pin=4111111111111111\n", b"PIN: 4111 1111 1111 1111\n", b"Pin Entered: 4111-1111-1111-1111\n"])
def test_a_card_after_a_pin_key_is_still_judged_as_a_card(line):
    scanner = LeakScanner("m")
    scanner.feed(line)
    scanner.finish()
    assert [f.category for f in scanner.findings] == ["card-number"]


def test_pem_private_key_body_found_but_masked_body_not():
    body = b"MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj\n"
    scanner = LeakScanner("k")
    scanner.feed(b"-----BEGIN PRIVATE KEY-----\n" + body + b"-----END PRIVATE KEY-----\n")
    scanner.finish()
    assert [(f.line, f.category) for f in scanner.findings] == [(1, "private-key")]
    scanner = LeakScanner("k")
    scanner.feed(b"-----BEGIN PRIVATE KEY-----\n<REDACTED PRIVATE KEY LINE>\n-----END PRIVATE KEY-----\n")
    scanner.finish()
    assert scanner.findings == []


def test_line_numbers_survive_any_chunking():
    text = b"".join(b"ordinary line %d\n" % i for i in range(1000)) + b"\tAttributeANI\t'5555550142'\n"
    for size in (1, 7, 64, 4096):
        scanner = LeakScanner("m")
        for i in range(0, len(text), size):
            scanner.feed(text[i:i + size])
        scanner.finish()
        assert [(f.line, f.category) for f in scanner.findings] == [(1001, "caller-number")]


def test_feed_is_pass_through():
    scanner = LeakScanner("m")
    assert scanner.feed(b"abc\ndef") == b"abc\ndef"
    assert scanner.finish() == b""


def test_luhn():
    assert luhn_ok(b"4111111111111111")
    assert not luhn_ok(b"4111111111111112")


@pytest.mark.parametrize("line, category", [
    (b"db password=\xe9t\xe9-s3cret\n", "password"),          # Latin-1 bytes in the value
    (b"password\x0b=\x0bhunter22\n", "password"),              # \v is whitespace for Python
    (b"AttributeANI\x0b[str] = \"4155550123\"\n", "caller-number"),
])
def test_found_where_python_finds_it_whatever_the_bytes(line, category):
    """RE2 only proposes where a hit may start; what Python's pattern finds is what counts."""
    scanner = LeakScanner("x")
    scanner.feed(line)
    scanner.finish()
    assert [f.category for f in scanner.findings] == [category]


def test_the_scanner_pattern_for_re2_captures_nothing_and_reads_bytes():
    import re2

    from collector import scanner

    assert scanner._NET_RE2._regexp.NumberOfCapturingGroups() == 0
    assert scanner._NET_RE2.options.encoding == re2.Options.Encoding.LATIN1


@pytest.mark.parametrize("size", [1, 5, 4096])
def test_yaml_block_scalar_password_is_judged_by_its_next_line(size):
    """password: !vault | (or |, >-) has its value on the next lines: REDACTED there is no finding
    (probeI finding 10: a fully redacted Ansible-vault value stopped the upload), a value there is."""
    def findings(text: bytes) -> list[tuple[int, str]]:
        scanner = LeakScanner("m")
        for i in range(0, len(text), size):
            scanner.feed(text[i:i + size])
        scanner.finish()
        return [(f.line, f.category) for f in scanner.findings]

    assert findings(b"gws:\n    password: !vault |\n      REDACTED\n      REDACTED\nnext: 1\n") == []
    assert findings(b"password: >-\n  REDACTED\n") == []
    assert findings(b"gws:\n    password: !vault |\n      $ANSIBLE_VAULT;1.1;AES256\n      6162\n") == [(2, "password")]
    assert findings(b"password: |\n  RealBlockPw_1\n") == [(1, "password")]


def test_an_option_message_after_a_long_run_of_word_bytes_is_judged_in_linear_time():
    """The key's head was searched for in the whole line before the word, twice, with patterns
    anchored at its end: quadratic in a long run of word bytes (40 KB took 15 s)."""
    scanner = LeakScanner("m")
    scanner.feed(b"first\ndata=" + b"A" * 400_000 + b" Option 'password' changed to 'xQ9pw2'\nlast\n")
    scanner.finish()
    assert [(f.line, f.category) for f in scanner.findings] == [(2, "password")]
