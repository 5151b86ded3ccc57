"""An independent check of what is about to leave the host.

Different code from the redactor on purpose (its own patterns, no rule sets): it reads the bytes
exactly as they are stored in the bundle and reports what must never be there: Luhn-valid card
numbers, PEM private keys, JWTs, AWS keys, GitHub and Slack tokens, password assignments with a value, phone numbers in
caller attributes and SIP identities, e-mail addresses, a caller's PIN after its label or in its
XML element (also escaped as entities, on the next line, URL-encoded). A finding names the member, the line and the category, never the value. Any finding blocks the upload and sets exit code 30 unless the
admin reviewed the bundle and passed ``--accept-findings``.

Used as a pass-through stage in the worker (``LeakScanner.feed`` returns its input), so it sees
every stored byte without a second read of the bundle.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from collector.re2search import latin1_options, re2_scan_text, span_search

MAX_FINDINGS_PER_FILE = 50

# A wide, cheap net (one linear-time RE2 pass over the chunk); each hit is checked precisely.
# RE2 has no look-around: boundaries are checked in Python on the (rare) hits.
# The password keys, also in the site languages (probe Z 1); UTF-8 bytes for the accented letters,
# also as a Java/JSON escape (db.l\u00f6senord=, native2ascii), in ISO-8859-1 (the .properties
# default: contrase\xf1a; ISO-8859-2 has\xb3o) and with escaped blanks (Mot\ de\ passe: probe AC 1),
# URL-encoded in a query string (contrase%C3%B1a=, mot+de+passe=), as an XML character reference
# (contrase&#241;a: an ASCII XML writer) and in more site languages (heslo, parola, jelszó, şifre,
# пароль, lozinka, contrasenya, kodeord, 密码, パスワード, 비밀번호: probe AD 2)
_PW_KEYS = (rb"password|passwd|pwd|secret|passwort|kennwort|senha|wachtwoord"
            rb"|contrase(?:\xc3\xb1|\xc3\x91|n|\\u00[fFdD]1|[\xf1\xd1]|%[cC]3%(?:[bB]1|91)|&#(?:241|209|[xX]0*[fFdD]1);)a"
            rb"|mot(?:[_.-]|\\ |%20|\+)?de(?:[_.-]|\\ |%20|\+)?passe"
            rb"|palavra(?:[_.-]|\\ |%20|\+)?passe|l(?:\xc3\xb6|\xc3\x96|o|\\u00[fFdD]6|[\xf6\xd6]|%[cC]3%(?:[bB]6|96)|&#(?:246|214|[xX]0*[fFdD]6);)senord"
            rb"|has(?:\xc5\x82|\xc5\x81|l|\\u014[12]|[\xb3\xa3]|%[cC]5%8[12]|&#(?:32[12]|[xX]0*14[12]);)o|salasana"
            rb"|adgangskode|passord|heslo|parola|jelszo|sifre|lozinka|contrasenya|kodeord")


# a password word that ends a camelCase key (dbPassword, adminKennwort)
_PW_CAMEL = rb"Password|Passwd|Pwd|Secret|Passwort|Kennwort|Senha|Wachtwoord|Salasana|Passord|Heslo|Parola"


def _utf8_pattern(word: str) -> bytes:
    """A word as pattern text in ASCII (the RE2 form is made from it): its UTF-8 bytes outside
    ASCII written as \\xNN."""
    return b"".join(b"\\x%02x" % byte if byte > 0x7f else bytes((byte,)) for byte in word.encode())


# the words that start or end with a letter outside ASCII, where \b (ASCII in a bytes pattern) does
# not mark the word's edge: Hungarian, Turkish, Russian, Chinese, Japanese, Korean
_PW_KEYS_WIDE = b"|".join(_utf8_pattern(word) for word in (
    "jelszó", "JELSZÓ", "şifre", "Şifre", "ŞİFRE", "пароль", "Пароль", "ПАРОЛЬ", "密码", "密碼", "パスワード", "비밀번호"))
_SECTION_NAME = rb"""(?:'[^'\n]*'|"[^"\n]*"|\[[^\]\n]*\]|[\w.-]+)"""
_OPTION_VALUE = rb"""'[^'\n]*'|"[^"\n]*"|\[[^\]\n]*\]|[^\s'"\[\],;=<>][^\s'"\[\],;]*"""
_OPTION_PASSWORD_PATTERN = (
    rb"(?P<opwkey>(?i:passphrase|mot[\t ]de[\t ]passe|palavra[\t ]passe|" + _PW_KEYS + rb")|" + _PW_KEYS_WIDE + rb")(?P<opwclose>['\"\]]?)"
    rb"(?P<opwsect>[\t ]+(?i:in[\t ]+)?(?i:section)[\t ]+" + _SECTION_NAME + rb"|[\t ]*\([\t ]*(?i:section)[\t ]+[^)\n]*\)"
    rb"|[\t ]+(?i:of)[\t ]+(?:(?i:section|application|app|object)[\t ]+)?" + _SECTION_NAME + rb")?"
    rb"[\t ]*(?P<opwconn>[:=][=>]?|(?i:(?:(?:is|was|has[\t ]+been)[\t ]+)?(?:changed|set|reset|updated?)(?:[\t ]+(?:to|from)|[\t ]*:)"
    rb"|(?:(?:old|new|has|with)[\t ]+)?value(?:[\t ]*[:=]|[\t ]+(?:is|to))?|(?:is|was)[\t ]))[\t ]*"
    rb"(?P<opwvalue>" + _OPTION_VALUE + rb")"
    rb"(?:[\t ]*[,;]?[\t ]*(?i:new[\t ]+value|to)(?:[\t ]*[:=])?[\t ]*(?P<opwvalue2>" + _OPTION_VALUE + rb"))?")
_OPTION_PASSWORD = re.compile(_OPTION_PASSWORD_PATTERN)
# what marks the word as an option's name (the text before it, after the rest of the name: sip-auth-):
# an opening quote or bracket, also before a section path ('password', [TServer/password],
# [confserv\dbserver\password], [dbserver].[password]), a bare path (dbserver/password) or "option"
_OPTION_KEY_HEAD = re.compile(rb"""(?:['"\[](?:[\w.-]+(?:[/\\]|\]\.\[))*|(?:[\w.-]+[/\\])+|(?i:\boption)(?:[\t ]*=[\t ]*|[\t ]+))$""")
_NAME_TAIL = re.compile(rb"[\w.-]*$")
# a bare value counts after = : to from only, and not when it is a word of the message
# ('password' value changed, Option password set to expire); the redaction rule option-password-value
# keeps the same words
_BARE_CONNECTOR = re.compile(rb"(?i)(?:[:=]|\bto|\bfrom)$")
_PLAIN_SEPARATOR = re.compile(rb"[:=][=>]?")
_OPTION_PROSE = re.compile(rb"(?i)empty|blank|changed|updated|set|reset|cleared|removed|deleted|expired|required|missing"
                           rb"|invalid|not|is|was|to|from|successfully")


_NET_PATTERN = (
    rb"(?P<card>\d{13,22}|\d{4}(?:(?:[ -]|%(?:25){0,2}(?:20|2[Dd]))\d{3,6}){2,4})"   # contiguous, or 4-4-4-4 / 4-6-5
    # style groups, also joined by URL-encoded spaces or dashes (a GVP fetch URL: pay?c=4111%201111%20...),
    # encoded once, twice or three times (%2520: probe Z 2)
    rb"|(?P<pem>-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----)"
    # JWTs, AWS key ids and vendor tokens start a word or follow a URL-encoded character
    # (id_token%3DeyJ..., t%3Dghp_...): the start is checked in Python (_token_start)
    rb"|(?P<jwt>eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,})"
    rb"|(?P<aws>(?:AKIA|ASIA)[A-Z0-9]{16}\b|(?i:aws_secret_access_key)\s*[=:]\s*[\"']?[A-Za-z0-9/+=]{40})"
    # GitHub, Slack, GitLab (also runner glrt-), Stripe (also webhook whsec_), Google (API key,
    # client secret GOCSPX-, OAuth ya29.), OpenAI, SendGrid, Vault and npm tokens carry their
    # vendor's prefix (redaction keeps it: ghp_REDACTED, AIzaREDACTED)
    rb"|(?P<vendortoken>(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,}"
    rb"|xox[abposre]-[0-9]+-[A-Za-z0-9-]{10,}|xapp-[0-9]-[A-Za-z0-9-]{10,}"
    rb"|glpat-[A-Za-z0-9_-]{20,}|[sr]k_live_[A-Za-z0-9]{20,}|AIza[A-Za-z0-9_-]{30,}"
    rb"|glrt-[A-Za-z0-9_-]{20,}|GOCSPX-[A-Za-z0-9_-]{24,}|ya29\.[A-Za-z0-9_-]{30,}"
    rb"|sk-proj-[A-Za-z0-9_-]{30,}|SG\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{24,}|hvs\.[A-Za-z0-9_-]{24,}"
    rb"|npm_[A-Za-z0-9]{36,}|whsec_[A-Za-z0-9+/=]{24,}))"
    # a password key also in the site languages (probe Z 1: Passwort=, senha=, CONTRASEÑA:, hasło=),
    # also as attached data ('senha'<TAB>'X', 'hasło' [str] = "X": probe AA 2), also with a space
    # mid-line (UserData: 'senha' 'X': probe AC 3), also with the key in double quotes (UserData: "senha" "X":
    # probe AD 5), where the value must be quoted (checked in Python)
    # The word may end a longer key: after an underscore (db_password, DB_PASSWORD) or a lower-case
    # letter or digit in camelCase (dbPassword); the match then starts one byte early (see check)
    rb"|(?P<password>(?:(?i:(?:\b|_)(?:" + _PW_KEYS + rb")\b)|" + _PW_KEYS_WIDE
    + rb"|(?-i:[a-z0-9](?:" + _PW_CAMEL + rb"))\b)(?:[\"']?[\t\x0b\x0c ]*(?:[=:][=>]?|\s=>"
    rb"|\[(?:str|bstr|string)\][\t\x0b\x0c ]*=)|'\t+|(?P<pwspace>' +|\"[\t ]+))[\t\x0b\x0c ]*"
    rb"(?P<pwvalue>[^\s,;&]+))"   # on its own line: an empty value is not the next line's text
    # the text of a password element (<password>X</password>, <ns:Passwort type="x"><![CDATA[X,
    # <db_kennwort>X; probe AA 2); the tag's prefix is checked in Python (_key_prefix_ok)
    rb"|(?P<xmlpw><(?P<xmlpwtag>[\w.:-]*?)(?P<xmlpwkey>(?i:" + _PW_KEYS + b"|" + _PW_KEYS_WIDE + rb"))(?:[\t ](?:[^<>\n]*[^<>\n/])?)?>"
    rb"(?:<!\[CDATA\[)?(?P<xmlpwvalue>[^<\n]*))"
    # a password key's name/value attribute pair (<param name="password" value="X"/>, also with the key
    # in Latin-1, escaped or URL-encoded: name="contrase\xf1a", key="db.l\u00f6senord": probe AD 7);
    # the key ends in the word, its prefix is checked in Python (_key_prefix_ok)
    rb"|(?P<xmlnamed>\b(?i:name|key)[\t ]*=[\t ]*[\"'](?P<xnprefix>[^\"'<>\n]*?)(?P<xnkey>(?i:" + _PW_KEYS + b"|" + _PW_KEYS_WIDE + rb"))[\"']"
    rb"(?:[\t ]+[\w:.-]+[\t ]*=[\t ]*(?:\"[^\"\n]*\"|'[^'\n]*'))*?[\t ]+(?i:value)[\t ]*=[\t ]*"
    rb"(?:\"(?P<xnvalue>[^\"\n]*)\"|'(?P<xnvalue2>[^'\n]*)'))"
    # an API key, a private key or a signature in attached data ('api_key'<TAB>'X', UserData: 'x-api-key'
    # 'X', 'Signature' [str] = "X": probe AD 6); after a blank only a quoted value (checked in Python)
    rb"|(?P<apikey>['\"][\w.-]*(?i:api[_.-]?key|private[_.-]?key|signature)['\"]"
    rb"(?P<apisep>\t+|[\t ]+(?:\[(?:str|bstr|string)\][\t ]*=[\t ]*)?)(?P<apivalue>[^\s,;&]+))"
    rb"|(?P<caller>\bAttribute(?:ANI|DNIS|OtherDN|CallingNumber|CalledNumber|CollectedDigits)"
    rb"(?:\s+\[str\]\s*=\s*|[\t ]*[=:]?[\t ]*)[\"']?(?P<callervalue>\+?[0-9][0-9 ()*#,-]{3,}))"
    # a caller under a free-text label (ICON, Stat Server: ANI [..], OtherDN '..', CLI=..)
    rb"|(?P<label>(?:ANI|DNIS|OtherDN|CallingNumber|DialedNumber|CLI)[\t ]*[\['\"=:][\t ]*[\['\"]?"
    rb"(?P<labelvalue>\+?\(?[0-9](?:(?:\) ?|[ (.,-])?[0-9])*))"
    rb"|(?P<sipid>\b(?:sips?|tel):(?P<sipuser>\+?[0-9][0-9.()-]{3,})(?:[@;>\s]|$))"
    # a caller's PIN (4 to 12 digits): in its XML element, with attributes or CDATA (<pin
    # type="digits">, <pin><![CDATA[, <passcode>), also escaped as entities once or twice
    # (&lt;pin&gt;, &amp;lt;pin&amp;gt;) or with the digits on the next line; in an element
    # named for it (<param name="pin">, a VoiceXML <field name="pin"><filled>); or after the
    # word PIN or passcode, a label word (also glued on: PinEntered) and = : # -> => or a
    # URL-encoded = (pin=, PIN: , Pin Entered: , pass code: , PIN -> , pin%3D); the digits also
    # in groups (4829-21, 48 29 21); the start of a label, the end of the digits, a date and a
    # longer run are checked in Python (pin-value, pin-word-text, xml-pin-value,
    # pin-value-next-line, pin-config-value)
    rb"|(?P<pin>(?:(?:<|&(?:amp;)?lt;)(?:[\w.-]+:)?(?i:pin|pass[_.-]?code|nip|geheimzahl)(?:[_.-]?(?i:code|number|num|no))?"
    rb"(?:[\t ](?:[^<>\n]*[^<>\n/])?)?(?:>|&(?:amp;)?gt;)(?:<!\[CDATA\[)?[\t ]*(?:\r?\n[\t ]*)?"
    rb"|(?i:name|key)[\t ]*=[\t ]*[\"'](?i:pin|pass[_.-]?code|nip|geheimzahl)(?:[_.-]?(?i:code|number|num|no))?[\"']"
    rb"(?:[^<>\n]*[^<>\n/])?>[\t ]*(?:<filled>|<!\[CDATA\[)?[\t ]*"
    rb"|(?i:pin|pass(?:[ _-]|%(?:25)?20|\+)?code|nip|geheimzahl)(?:(?:[ _-]|%(?:25)?20|\+)?(?i:code|number))?(?:(?:[\t ]*|[_-]|%(?:25)?20|\+)"
    rb"(?i:entered|collected|input|received|captured|typed|provided|given|value|code|number|no))?"
    rb"[\"']?[\t ]*(?:[=:#]|->|=>|%(?:25)?3[DdAa]|[\"'][\t ]+[\"'])(?:[\t ]|\+|%(?:25)?(?:20|2[Bb]))*[\"']?)"
    rb"(?P<pinvalue>[0-9]{2,6}(?:(?:[ -]|\+|%(?:25)?(?:20|2[BbDd]))[0-9]{2,6}){1,3}|[0-9]{4,12}))"
    # an address's local part with its accented letters (probe R 4: jos\xc3\xa9.m\xc3\xbcller@): UTF-8
    # letters and cp1252/Latin-1 C0-FF (a UTF-8 quote or space before it, C2 xx / E2 xx xx, is cut
    # off the local part before it is judged: _UTF8_PUNCTUATION); an IDN domain in UTF-8 too
    # (probe T 12: jose@ex\xc3\xa4mple.de)
    rb"|(?P<email>[A-Za-z0-9\xc0-\xff]"
    rb"[A-Za-z0-9._%+\x80-\x9f\xa1-\xff-]*@[A-Za-z0-9\x80-\xff-]+(?:\.[A-Za-z0-9\x80-\xff-]+)*\.[A-Za-z][A-Za-z]+\b)"
    # an option whose name ends in a password word, printed with its value in an option message
    # (probe AE: Option 'password' changed to 'X', Option [TServer/password] = X, option 'senha' in
    # section 'db': 'X', password changed: [X], Option changed: [db].[password] old value: [A] new
    # value: [B]); what stands before the word (a quote, a bracket, a section path, "option") and
    # whether the value counts are checked in Python (_option_password)
    rb"|(?P<optpw>" + _OPTION_PASSWORD_PATTERN + rb")"
)
# RE2 finds where a hit may start (linear time); Python re decides at that start and reads the
# groups. The RE2 form matches wherever Python does (re2_scan_text: bytes as Latin-1, Python's
# \s, no named groups, which RE2 would capture even with never_capture, ~5 us a hit); a start
# where Python finds nothing is passed over by one byte, so no hit can hide behind it.
_NET_GROUPS = re.compile(_NET_PATTERN, re.MULTILINE)
try:
    import re2 as _re2

    # max_mem: room for the DFA on hostile input (random base64), no NFA fallback; leftmost-longest:
    # only the start of a hit is used, and it is the same start (re2search.latin1_options)
    _NET_RE2 = _re2.compile(b"(?m)" + re2_scan_text(_NET_PATTERN.decode("ascii"), chunk_level=False).encode(),
                            latin1_options(max_mem=64 << 20, longest_match=True))
    _NET_SEARCH = span_search(_NET_RE2)
except ImportError:  # pragma: no cover - google-re2 is a dependency
    _NET_RE2 = None
    _NET_SEARCH = span_search(_NET_GROUPS)
_GROUP = {(k.decode() if isinstance(k, bytes) else k): v for k, v in _NET_GROUPS.groupindex.items()}
_G_card, _G_pem, _G_jwt, _G_aws, _G_vendortoken, _G_password, _G_pwspace, _G_pwvalue, _G_xmlpw, _G_xmlpwtag, \
    _G_xmlpwkey, _G_xmlpwvalue, _G_xmlnamed, _G_xnprefix, _G_xnkey, _G_xnvalue, _G_xnvalue2, _G_apikey, _G_apisep, \
    _G_apivalue, _G_caller, _G_callervalue, _G_label, _G_labelvalue, _G_sipid, _G_sipuser, _G_pin, \
    _G_pinvalue, _G_email, _G_optpw = (_GROUP[n] - 1 for n in (
        "card", "pem", "jwt", "aws", "vendortoken", "password", "pwspace", "pwvalue", "xmlpw", "xmlpwtag", "xmlpwkey",
        "xmlpwvalue", "xmlnamed", "xnprefix", "xnkey", "xnvalue", "xnvalue2", "apikey", "apisep", "apivalue",
        "caller", "callervalue", "label", "labelvalue", "sipid", "sipuser", "pin", "pinvalue", "email", "optpw"))
# A .properties line whose key ends in a password word and whose separator is blanks (Kennwort X,
# db.mot_de_passe<TAB>X, Mot de passe X: probe AA 2), checked in .properties files only: in a log
# the same words start prose (Kennwort abgelaufen)
# PWD=/opt/genesys/gax in an environment dump is the working directory, not an ODBC password
# (PWD=Secret1, PWD=/x;): a path up to the line's end or a blank (probe AC 10; the rules spare it too),
# under a usual top-level directory, on a line with no connection-string pair (Driver=..;UID=sa;PWD=/x,
# probe AD 1: the rule pwd-path-password masks the same)
_WORKING_DIRECTORY = re.compile(
    rb"(?i)pwd=(?:/(?:opt|home|root|tmp|var|usr|srv|etc|data|apps?|mnt|media|export|u\d\d|run|proc|sys|dev|boot"
    rb"|lib(?:64)?|s?bin|nfs|net|shared?|backups?|logs?|genesys|gcti|local|work(?:space)?|code|scratch|users"
    rb"|cygdrive)(?:/[\w.@+~-]*)*|/)")
_CONNECTION_PAIR = re.compile(rb";[\t ]*[\w.-]+[\t ]*=")


def _on_a_connection_string(text: bytes, start: int, end: int) -> bool:
    """The line of text[start:end] has a ;KEY= pair (also ;PWD= itself): an ODBC/JDBC string."""
    stop = text.find(b"\n", end)
    return _CONNECTION_PAIR.search(text, text.rfind(b"\n", 0, start) + 1, len(text) if stop < 0 else stop) is not None


# A flag element named for what it does to a password (<resetPassword>enabled, <useSecret>yes: probe
# AC 9); xml-password-element spares the same verbs (yes, no, true, false are hidden values anyway)
_FLAG_TAG = re.compile(rb"(?i)(?:[\w.-]+:)?(?:use|reset|require|enable|allow|change|remember|show|hide|force|expire"
                       rb"|verify|check|send|store|save|generate|rotate|encrypt)[\w.-]*")
_FLAG_VALUE = re.compile(rb"(?i)enabled|disabled|on|off")
_PROPERTIES_PASSWORD = re.compile(
    rb"^[\t ]*(?P<prefix>(?:[\w.-]|\\ )*?)(?P<key>(?i:" + _PW_KEYS.replace(b"[_.-]|", b"[_. -]|") + b"|" + _PW_KEYS_WIDE + rb"))[\t ]+"
    rb"(?P<value>[^\s=:][^\r\n]*)", re.MULTILINE)
# A one-line JSON object under a password key ({"password": {"policy": "strong"}}, {"senha":
# {"valor": "X"}}: probe AD 4, 17): each member is judged; a member named for a setting (policy,
# minLength, expiryDays, politica, Laenge ...: json-password-container keeps the same) is no secret,
# any other member's value must be hidden. An object that is not flat and closed on its line, or
# not JSON, is judged as one value (a finding unless hidden)
_SETTING_WORD = (
    "policy|policies|length|len|age|expiry|expires|expiration|expire|ttl|lifetime|timeout|history|complexity"
    "|strength|rules?|required|enabled|mode|format|encoding|algorithm|rotation|days|count|attempts|retries"
    "|interval|lockout|threshold|duration|digits|(?:upper|lower)case|upper|lower|symbols|numeric|special|letters"
    "|chars|characters|richtlinien?|politi(?:ca|que|k)|pol\u00edtica|beleid|polityka|laenge|l\u00e4nge|longitud"
    "|comprimento|tamanho|longueur|lengte|l(?:\u00e4|a)ngd|d(?:\u0142|l)ugo(?:\u015b|s)(?:\u0107|c)|pituus"
    "|l(?:\u00e6|ae)ngde|lengde|regeln|regras|reglas|r(?:\u00e8|e)gles|regels|regler|zasady|ablauf"
    "|g(?:\u00fc|ue|u)ltigkeit|expira(?:cao|\u00e7\u00e3o|cion|ci\u00f3n)|validade|validez|validit(?:\u00e9|e)"
    "|caducidad|vencimiento|verloop|geldigheid|giltighet|tage|d(?:\u00ed|i)as|jours|dagen|dagar|historie"
    "|hist(?:\u00f3|o)rico|historial|historique|geschiedenis|historik|historia|versuche|tentativas|intentos"
    "|tentatives|pogingen|komplexit(?:\u00e4|ae|a)t|complexidade|complejidad|complexit(?:\u00e9|e)|complexiteit"
    "|komplexitet|st(?:\u00e4|ae|a)rke|for(?:\u00e7|c)a|fuerza|robustesse|sterkte|styrka|styrke")
_MIN_MAX = "(?:min|max|m(?:\u00ed|i)n|m(?:\u00e1|a)x)(?:imum|imo|imal|ima)?"
_SETTING_NAME = re.compile(
    ("(?i)(?:" + _MIN_MAX + "[_.-]?)?(?:(?:" + _SETTING_WORD + ")[_.-]?){1,3}"
     "(?:[_.-]?(?:in[_.-])?(?:s|secs?|seconds|ms|minutes|mins|hours|days))?|" + _MIN_MAX).encode("utf-8"))
_JSON_MEMBER = rb'"(?:[^"\\\n]|\\.)*"[\t ]*:[\t ]*(?:"(?:[^"\\\n]|\\.)*"|[^\s,{}\[\]"]+)'
_FLAT_OBJECT = re.compile(rb"\{[\t ]*(?:" + _JSON_MEMBER + rb"(?:[\t ]*,[\t ]*" + _JSON_MEMBER + rb")*)?[\t ]*\}(?=[\s,}\]]|$)")
_JSON_MEMBERS = re.compile(rb'"((?:[^"\\\n]|\\.)*)"[\t ]*:[\t ]*("(?:[^"\\\n]|\\.)*"|[^\s,{}\[\]"]+)')
_JSON_KEY_SEPARATOR = re.compile(rb"[\"'][\t ]*:[\t ]*$")


def _object_secret(text: bytes, start: int, at: int) -> bool | None:
    """For a JSON object at text[at] after a quoted password key: True when a member that is no
    setting holds a value that is not hidden, False when none does, None when it is no flat
    one-line JSON object (judged as one value then)."""
    if not _JSON_KEY_SEPARATOR.search(text, start, at):
        return None
    found = _FLAT_OBJECT.match(text, at)
    if found is None:
        return None
    for member in _JSON_MEMBERS.finditer(text, at, found.end()):
        if _SETTING_NAME.fullmatch(member.group(1)):
            continue
        value = member.group(2).strip(b'"')
        if value and not _HIDDEN_VALUE.match(value) and len(value) >= 3:
            return True
    return False

# ... and the same object or list pretty-printed over the next lines ("senha": { / "valor": "X" / }):
# its lines up to the first one indented no deeper than the key's line
_JSON_BLOCK_LINE = re.compile(rb'[\t ]*(?:"((?:[^"\\\n]|\\.)*)"[\t ]*:[\t ]*)?("(?:[^"\\\n]|\\.)*"|[^\s,{}\[\]"]+)[\t ]*,?[\t ]*$')
_JSON_OPEN_REST = re.compile(rb"[\t ]*\r?(?:\n|$)")


_NOT_DIGITS = bytes(b for b in range(256) if not 48 <= b <= 57)    # bytes.translate deletes them
_CARD_SEPARATORS = re.compile(rb"[ -]|%(?:25){0,2}(?:20|2[Dd])")
_EMAIL_GLUE = frozenset(b"._%+-:0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
_UTF8_PUNCTUATION = re.compile(rb"^(?:\xc2[\x80-\xbf]|\xe2[\x80-\xbf]{2})+")   # no-break space, curly quotes
# A digit run glued to these is part of a longer word, id or number (not a card); a URL path's
# slashes are not glue (probe V 3: /contacts/+4111111111111111/history)
_WORDISH = frozenset(b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_.:-")
_WORD = frozenset(b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_")
_LOWER_OR_DIGIT = frozenset(b"0123456789abcdefghijklmnopqrstuvwxyz")
# ... and neither is a plus written URL-encoded or as a JSON escape (/pay/%2B00<card>, \u002B<card>:
# a card after it, or after it and 00 / 011, as after '+', probe X 1), also encoded twice or three
# times (?num=%252B<card>, %25252B: probe Z 2) ...
_ENCODED_PLUS = re.compile(rb"(?:%(?:25){0,2}2[Bb]|\\u002[Bb])$")
# ... nor a URL-encoded space, colon or equals sign (?q=num%253D<card>), after which only a card
# itself counts, not one after 00 / 011 (card-number masks those after a plus only)
_ENCODED_SEPARATOR = re.compile(rb"%(?:25){0,2}(?:20|3[AaDd])$")
_URL_ESCAPE = re.compile(rb"%[0-9A-Fa-f]{2}")
_UNICODE_ESCAPE = re.compile(rb"\\u[0-9A-Fa-f]{4}")
# Escapes a Java or JSON string prints as text after a value (Password = REDACTED\r\n)
_ESCAPED_LINE_END = re.compile(rb"(?:\\[rnt])+$")
_PEM_BODY = re.compile(rb"^[A-Za-z0-9+/=]{32,}\r?$")
# Values that mean "already hidden": masks, our tokens, placeholders, empty-ish values.
_HIDDEN_VALUE = re.compile(
    rb"^(?:[\"'<(\[{]*)(?:\*+|x{3,}|#+|\.{3}|redacted|<?redacted>?|removed|hidden|none|null|true|false|yes|no"
    rb"|changeit|\$\{[^}]*\}?|%[A-Za-z_]+%|[a-z]{2,8}[-_][a-z]{6,}|<#.*#>"
    rb"|copy|hide|skip|custom-filter|(?:un)?hide-(?:first|last)|tag(?:\(.*\))?)(?:[\"'>)\]}]*/?>?)$",
    re.IGNORECASE,
)
# A YAML value written on the next lines: an optional tag (!vault), then | or > (password: !vault |);
# what the scanner checks is then the first of those lines (REDACTED when redacted)
_BLOCK_SCALAR_REST = re.compile(rb"(?:[ \t]+[|>][-+0-9]*)?[ \t]*\r?$", re.MULTILINE)
_BLOCK_INDICATOR = re.compile(rb"[|>][-+0-9]*")
_YAML_TAG = re.compile(rb"![\w!/.:-]*")
# (also a Call-ID after SIP Server's CID:CUUID> and in Referred-By's ;cid="<...>": the email rule keeps them)
_SIP_PREFIX_FOR_EMAIL = re.compile(rb"(?:sips?:|tel:|Call-?ID[:=]?\s*|\bi:\s*|CUUID>|\bcid=\"?<|@)[^\s]*$", re.IGNORECASE)

# What the redaction rules keep on purpose must not count as a finding here either (the rule
# sets say why, next to each rule):
# - a Luhn-valid T-Lib call or event identifier, an SDP origin's session id (card-number);
#   and a numeric SIP Call-ID (Call-ID: 4539578763621486@192.0.2.20, compact i:);
_NOT_A_CARD_LINE = re.compile(
    rb"\s*(?:Attribute(?:\w*CallID|\w*ConnID|\w*ReferenceID|\w*SequenceNumber|NetworkNodeID|Timein\w*)\b|o=|(?i:call-id|i)\s*:)")
# - a Genesys Info Mart row's key column (INTERACTION_ID=2024030500012344, START_DATE_TIME_KEY=);
_ID_COLUMN = re.compile(rb"[A-Z]_(?:ID|KEY)=$")
# - a party DN or *Number of fewer than 7 digits: an agent extension, a route point, an ISCC
#   access number (tlib-caller-number), a DNIS that is a route point or DN (AttributeDNIS '7001');
#   ANI stays a finding from 4 digits; the same short DNs as SIP URI user parts
#   (sip-request-uri, sip-identity-header);
_PARTY_ATTRIBUTE = re.compile(rb"Attribute(?:OtherDN|DNIS|\w*Number)")
PARTY_DIGITS = 7
# - under a free-text label (party-number-label, kv-phone, phone-number-text), a number of fewer
#   than 7 digits (an agent DN: OtherDN '7102'), and a label inside a longer word (ThisDN, the
#   -ani of prefix-for-ani, AttributeOtherDN: the caller check above);
_LABEL_GLUE = frozenset(b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_.-")
# - a PIN word inside a longer one (spin=, X-Genesys-PIN:, customer_pin=: the rules mask those,
#   the scanner need not judge them), a date or time after it (pin: 2024-03-05), and a run of
#   more than 12 digits (pin-value, pin-word-text); a full stop or a colon after the digits ends
#   the PIN unless a digit follows (PIN: 4829. yes, pin: 0930.5 no);
_PIN_GLUE = frozenset(b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_-")
#   digits in groups that are a date (Pin Entered: 2024-03-05) or longer than 12 digits (a card
#   in groups after PIN: is judged as a card)
_DATE = re.compile(rb"\d{4}-\d\d-\d\d")
#   (a URL-encoded join between the groups, %20, %2D, %2B or twice encoded %2520, counts as a dash:
#   its digits are no PIN digits, probe AD 13)
_PIN_ENCODED_JOIN = re.compile(rb"\+|%(?:25)?(?:20|2[BbDd])")
#   but a URL-encoded &, ? or ; before the PIN word is not a longer word (q=a%26pin%3D482921, probe AC 4;
#   an escaped &amp; encoded: %26amp%3Bpin%3D482911)
_URL_ENCODED_SEPARATOR = (b"%26", b"%3f", b"%3b", b"%2526", b"%253f", b"%253b")
# - a SIP URI without a user part: its host (REGISTER sip:192.0.2.20, <sip:192.0.2.20;lr>);
_IPV4 = re.compile(rb"\d{1,3}(?:\.\d{1,3}){3}")
# - URS targets (AG_Sales@StatServer.GA, 7101@SIPSwitch.DN) (email); a JVM's [pid@host] is
#   checked where it is used;
_URS_TARGET_DOMAIN = re.compile(rb"[A-Za-z0-9-]+\.(?:DN|RP|VQ|RG|SO|GC)|[A-Za-z0-9-]*[A-Z][a-z][A-Za-z0-9-]*\.(?:GA|GP|GQ|AG|PG|PL)")
# - git before @host (git@github.com:org/repo.git): no person's address (email);
# - the sources of the passwd database in nsswitch.conf (passwd: files sss) (ini-password-line);
_NSS_SOURCES = frozenset((b"files", b"compat", b"sss", b"ldap", b"nis", b"nisplus", b"systemd", b"db",
                          b"winbind", b"altfiles", b"cache", b"hesiod"))
# - a masked password before @host (jdbc:oracle:thin:gim/REDACTED@db01.example.net), a token;
_MASK_OR_TOKEN = re.compile(rb"REDACTED(?:-[A-Z]+)?|\+?[A-Z][A-Z_]*_[a-z]{10}")
# - the headers whose ids only look like addresses (the email rule's unless: Call-ID, Via);
_ID_HEADER = re.compile(rb"(?i)\s*(?:call-id|i|via|v)\s*:")
# - a Message-ID, the id a mail is followed by across systems (the email rule's first two
#   alternatives): <local@host> with = or $ in the local part (<CAF4x9=abc123@mail.example.org>),
#   or one whose local part holds a digit under a Message-ID / In-Reply-To / References key
#   (Message-ID also without : or =: Message-ID <2024...@mail.example.net>), also PSDK
#   'Header_Message-ID' [str] = "<...>", and after other ids in a References list.
_MESSAGE_ID_KEY = re.compile(
    rb"(?i)(?:message-id['\"]?\s*(?:\[\w+\]\s*)?[:=]?|(?:in-reply-to|references)['\"]?\s*(?:\[\w+\]\s*)?[:=])\s*\"?"
    rb"(?:<[^<>\s@\"']*\d[^<>\s@\"']*@[^<>\s\"']+>[\s,]*)*$")
_NOT_IN_MESSAGE_ID = re.compile(rb"[<>\s@\"']")
_MESSAGE_ID_REACH = 4096           # how far back a References list is read for its key


def _message_id(text: bytes, line_start: int, start: int, end: int, local: bytes) -> bool:
    """True when the address found at text[start:end] is the inside of a Message-ID."""
    opening = text.rfind(b"<", line_start, start)
    closing = text.find(b">", end, end + 256)
    if opening < 0 or closing < 0:
        return False
    head = text[opening + 1:start]
    if _NOT_IN_MESSAGE_ID.search(head) or _NOT_IN_MESSAGE_ID.search(text, end, closing):
        return False
    local = head + local
    if b"=" in local or b"$" in local:
        return True
    return (any(48 <= c <= 57 for c in local)
            and _MESSAGE_ID_KEY.search(text, max(line_start, opening - _MESSAGE_ID_REACH), opening) is not None)


@dataclass(frozen=True)
class Finding:
    member: str
    line: int          # 1-based line number in the stored file
    category: str


def _token_start(text: bytes, start: int) -> bool:
    """A token starts a word (what \\b said) or follows a URL-encoded character (%3D, %22) or a
    JSON/Java escape (\\u003d)."""
    return (start == 0 or text[start - 1] not in _WORD or bool(_URL_ESCAPE.fullmatch(text, max(0, start - 3), start))
            or bool(_UNICODE_ESCAPE.fullmatch(text, max(0, start - 6), start)))


def _key_prefix_ok(prefix: bytes, key: bytes) -> bool:
    """A password word ends a key (db_password, ns:Passwort, adminPasswort), not a longer word
    (resenha, dbpassword)."""
    last = prefix[-1:]
    return (not last or last in b"_.:-" or (last.islower() and key[:1].isupper())
            or prefix[-2:] == b"\\ ")                       # a .properties key's escaped blank (my\ db\ password)


def _option_password(text: bytes, start: int) -> int | None:
    """Where an option message that still shows a password starts at text[start] (the password
    word) ends, or None. A quoted or bracketed value counts whatever the key; a bare one only
    after = : to from and a key marked as an option's name (_OPTION_KEY_HEAD, or a closing ]).
    key=value itself (password=X, "password": X) is the password check's, not this one's."""
    found = _OPTION_PASSWORD.match(text, start)
    if found is None:
        return None
    # the key's head is near the word: 256 bytes of the line before it are enough, and bound the
    # two searches ending at the word (a long run of word bytes made them quadratic)
    before = text[max(text.rfind(b"\n", 0, start) + 1, start - 256):start]
    prefix = _NAME_TAIL.search(before).group()                 # type: ignore[union-attr]
    close, connector = found.group("opwclose"), found.group("opwconn")
    if not _key_prefix_ok(prefix, found.group("opwkey")) or (
            _PLAIN_SEPARATOR.fullmatch(connector) and close != b"]" and found.group("opwsect") is None):
        return None
    marked = close == b"]" or _OPTION_KEY_HEAD.search(before, 0, len(before) - len(prefix)) is not None
    for value in (found.group("opwvalue"), found.group("opwvalue2")):
        if value is None:
            continue
        if value[:1] in (b"'", b'"', b"["):
            value = value[1:-1].strip()
        elif not (marked and _BARE_CONNECTOR.search(connector)):
            continue
        else:
            value = value.rstrip(b".,;:)")
            if _OPTION_PROSE.fullmatch(value):
                continue
        if value and not _HIDDEN_VALUE.match(value) and not _FLAG_VALUE.fullmatch(value) and len(value) >= 3:
            return found.end()
    return None


def luhn_ok(digits: bytes) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = char - 48
        if index % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def _plausible_card(digits: bytes) -> bool:
    # Issuer ranges start 2-6 (Mastercard 2-series, Amex/Diners 3, Visa 4, MC 5, Discover 6);
    # zero-padded counters such as AttributeEventSequenceNumber 0000000000000067 do not.
    return 13 <= len(digits) <= 19 and digits[:1] in b"23456" and len(set(digits)) > 1 and luhn_ok(digits)


def _card_inside(run: bytes) -> bool:
    """A card number in a run of digits and single separators, e.g. '4111 1111 1111 1111 2024',
    also after an international dialling prefix (00 or 011: 004111111111111111, probe V 3)."""
    groups = [g for g in _CARD_SEPARATORS.split(run) if g]
    if len(groups) == 1:
        digits = groups[0]
        # after a prefix only with 17 digits or more in all: never a 16-digit ConnID (0067025123456789)
        return (_plausible_card(digits) or len(digits) >= 17 and (
            digits[:2] == b"00" and _plausible_card(digits[2:]) or digits[:3] == b"011" and _plausible_card(digits[3:])))
    for first in range(len(groups)):
        digits = b""
        for group in groups[first:]:
            digits += group
            if len(digits) > 19:
                break
            if _plausible_card(digits):
                return True
    return False


class LeakScanner:
    """Pass-through stage that records findings in the bytes it sees."""

    def __init__(self, member: str) -> None:
        self.member = member
        self.findings: list[Finding] = []
        self._carry = b""
        self._line = 1           # line number of the first byte of the carry
        self._after_pem = False
        self._block_value_at = 0   # line of a password: | (or !vault |) whose value starts the next chunk
        self._properties = member.lower().endswith(".properties")
        self._continues = False    # .properties: the last line seen ends in a line continuation
        self._json_block = -1      # the indentation of a "password": { line whose members go on in the next chunk

    def feed(self, data: bytes) -> bytes:
        if not data:
            return data
        buffer = self._carry + data
        cut = buffer.rfind(b"\n")
        if cut < 0:
            if len(buffer) > 8 << 20:   # no newline in 8 MiB: scan what we have, keep memory bounded
                self._scan(buffer)
                self._line += buffer.count(b"\n")
                self._carry = b""
            else:
                self._carry = buffer
            return data
        complete, self._carry = buffer[: cut + 1], buffer[cut + 1:]
        self._scan(complete)
        self._line += complete.count(b"\n")
        return data

    def finish(self) -> bytes:
        if self._carry:
            self._scan(self._carry)
            self._carry = b""
        return b""

    # ------------------------------------------------------------------ checks
    def _add(self, text: bytes, position: int, category: str) -> None:
        if len(self.findings) >= MAX_FINDINGS_PER_FILE:
            return
        self.findings.append(Finding(self.member, self._line + text.count(b"\n", 0, position), category))

    def _block_scalar(self, text: bytes, match: re.Match[bytes], value: bytes) -> bool:
        """True when the value is a YAML block scalar (``password: |``, ``password: !vault |``):
        the value is on the next line, which is checked instead (a finding unless hidden)."""
        raw = match.group(_G_pwvalue + 1)
        rest = _BLOCK_SCALAR_REST.match(text, match.end())
        if rest is None or not (_BLOCK_INDICATOR.fullmatch(raw) or (_YAML_TAG.fullmatch(raw) and rest.group().strip())):
            return False
        line_end = text.find(b"\n", match.end())
        line = self._line + text.count(b"\n", 0, match.start())
        if line_end < 0 or line_end + 1 >= len(text):
            self._block_value_at = line                    # the next line comes with the next chunk
        else:
            self._check_block_value(text, line_end + 1, line)
        return True

    def _check_block_value(self, text: bytes, start: int, line: int) -> None:
        stop = text.find(b"\n", start)
        value = text[start:stop if stop >= 0 else len(text)].strip().lstrip(b"-").strip()
        if value and not _HIDDEN_VALUE.match(value) and len(value) >= 3 and len(self.findings) < MAX_FINDINGS_PER_FILE:
            self.findings.append(Finding(self.member, line, "password"))

    def _check_json_block(self, text: bytes, pos: int, indent: int) -> None:
        """Judge the lines of a JSON object or list under a password key written on the lines
        after the key (``"senha": {``): a member named for a setting is none, any other member's or
        item's value must be hidden. Ends at a line indented no deeper than the key's line."""
        end = len(text)
        while pos < end:
            stop = text.find(b"\n", pos)
            if stop < 0:                                   # a chunk ends in a line only at the file's end
                stop = end
            line = text[pos:stop].rstrip(b"\r")
            body = line.lstrip(b" \t")
            if body and len(line) - len(body) <= indent:
                self._json_block = -1
                return
            found = _JSON_BLOCK_LINE.match(line) if body[:1] not in (b"{", b"}", b"[", b"]") else None
            if found is not None and found.group(2) is not None and not (
                    found.group(1) is not None and _SETTING_NAME.fullmatch(found.group(1))):
                value = found.group(2).strip(b'"')
                if value and not _HIDDEN_VALUE.match(value) and len(value) >= 3:
                    self._add(text, pos, "password")
            pos = stop + 1
        self._json_block = indent

    def _continuation_lines(self, text: bytes) -> set[int]:
        """Where the lines of a .properties text start that go on with the value of the line
        before: that line ends in an odd number of backslashes and is no comment line (a comment
        is not continued; a continuation line that starts with # is value text). Their words are
        no key ('login.help=Wenn Sie Ihr \\' / '    Passwort vergessen haben': probe AC 7)."""
        starts: set[int] = set()
        continues = self._continues
        pos, end = 0, len(text)
        while pos < end:
            stop = text.find(b"\n", pos)
            stop = end if stop < 0 else stop
            line = text[pos:stop].rstrip(b"\r")
            if continues:
                starts.add(pos)
            odd = (len(line) - len(line.rstrip(b"\\"))) % 2 == 1
            continues = odd and (continues or line.lstrip(b" \t\x0c")[:1] not in (b"#", b"!"))
            pos = stop + 1
        self._continues = continues
        return starts

    def _scan(self, text: bytes) -> None:
        if self._after_pem:
            first_line = text.split(b"\n", 1)[0]
            if _PEM_BODY.match(first_line):
                self._add(text, 0, "private-key")
            self._after_pem = False
        if self._block_value_at:
            self._check_block_value(text, 0, self._block_value_at)
            self._block_value_at = 0
        if self._json_block >= 0:
            self._check_json_block(text, 0, self._json_block)
        pos = 0
        while True:
            hit = _NET_SEARCH(text, pos)
            if hit is None:
                break
            start = hit[0]
            match = _NET_GROUPS.match(text, start)       # Python's answer at that start, with groups
            if match is None:
                pos = start + 1
                continue
            end = match.end()
            pos = end if end > start else start + 1
            g = match.groups()
            if g[_G_card]:
                card = g[_G_card]
                if end < len(text) and text[end] in _WORDISH:
                    continue
                if (start and text[start - 1] in _WORDISH and not _ENCODED_PLUS.search(text, max(0, start - 8), start)
                        and not (card[:1] in b"23456" and _ENCODED_SEPARATOR.search(text, max(0, start - 7), start))):
                    continue
                if (_card_inside(card) and not _NOT_A_CARD_LINE.match(text, text.rfind(b"\n", 0, start) + 1)
                        and not _ID_COLUMN.search(text, max(0, start - 6), start)):
                    self._add(text, start, "card-number")
            elif g[_G_pem]:
                end_of_line = text.find(b"\n", match.end())
                if end_of_line < 0:
                    self._after_pem = True
                    continue
                next_line = text[end_of_line + 1:].split(b"\n", 1)[0]
                if _PEM_BODY.match(next_line):
                    self._add(text, start, "private-key")
            elif g[_G_jwt]:
                if _token_start(text, start):
                    self._add(text, start, "jwt")
            elif g[_G_aws]:
                if g[_G_aws][:4] not in (b"AKIA", b"ASIA") or _token_start(text, start):
                    self._add(text, start, "aws-key")
            elif g[_G_vendortoken]:
                if _token_start(text, start):
                    self._add(text, start, "vendor-token")
            elif g[_G_password]:
                if text[start] == 0x5f or (text[start] in _LOWER_OR_DIGIT and 0x41 <= text[start + 1] <= 0x5a):
                    start += 1                                     # db_password, dbPassword: the key's end
                value = g[_G_pwvalue]
                if value[:1] == b"{":
                    at = match.start(_G_pwvalue + 1)
                    verdict = _object_secret(text, start, at)
                    if verdict is not None:
                        if verdict:
                            self._add(text, start, "password")
                        continue
                if value in (b"{", b"[") and _JSON_OPEN_REST.match(text, end) and _JSON_KEY_SEPARATOR.search(
                        text, start, match.start(_G_pwvalue + 1)):
                    line_start = text.rfind(b"\n", 0, start) + 1
                    indent = len(text[line_start:start]) - len(text[line_start:start].lstrip(b" \t"))
                    line_end = text.find(b"\n", end)
                    if line_end >= 0:
                        self._check_json_block(text, line_end + 1, indent)
                    continue
                if g[_G_pwspace] and value[:1] not in (b'"', b"'"):
                    option_end = _option_password(text, start)     # Option 'password' changed to 'X'
                    if option_end is not None:
                        self._add(text, start, "password")
                        pos = option_end
                    else:
                        pos = match.start(_G_pwvalue + 1)          # prose: Field 'password' is required
                    continue
                if (_WORKING_DIRECTORY.fullmatch(text, start, end) and text[start - 1:start] not in (b".", b"-")
                        and text[end:end + 1] in (b"", b" ", b"\t", b"\r", b"\n")
                        and not _on_a_connection_string(text, start, end)):
                    continue
                if value[:2] in (b'\\"', b"\\'"):                 # quotes escaped inside a JSON/Java string
                    value = value[1:].replace(value[:2], value[1:2])
                if value[:1] in (b'"', b"'") and value.find(value[:1], 1) > 0:
                    value = value[1:value.find(value[:1], 1)]      # a quoted value ends at its quote
                else:
                    value = value.split(b"</", 1)[0]               # a bare value ends at a closing tag
                value = _ESCAPED_LINE_END.sub(b"", value).strip(b"\"'")
                if value.lower() in _NSS_SOURCES and g[_G_password][:6].lower() == b"passwd":
                    continue                                       # nsswitch.conf: passwd: files sss
                if self._block_scalar(text, match, value):
                    continue
                if value and not _HIDDEN_VALUE.match(value) and len(value) >= 3:
                    self._add(text, start, "password")
            elif g[_G_xmlpw]:
                value = g[_G_xmlpwvalue].split(b"]]>", 1)[0].strip()
                if (_key_prefix_ok(g[_G_xmlpwtag], g[_G_xmlpwkey]) and value and not _HIDDEN_VALUE.match(value)
                        and len(value) >= 3 and not (_FLAG_VALUE.fullmatch(value) and _FLAG_TAG.fullmatch(g[_G_xmlpwtag]))):
                    self._add(text, start, "password")
                else:
                    pos = match.start(_G_xmlpwvalue + 1)           # the text is judged on its own
            elif g[_G_xmlnamed] is not None:
                value = (g[_G_xnvalue] if g[_G_xnvalue] is not None else g[_G_xnvalue2]).strip()
                if (_key_prefix_ok(g[_G_xnprefix], g[_G_xnkey]) and value and not _HIDDEN_VALUE.match(value)
                        and len(value) >= 3):
                    self._add(text, start, "password")
                else:
                    pos = start + 1                                # the key is judged on its own
            elif g[_G_apikey]:
                value = g[_G_apivalue]
                if (start and text[start - 1] in _WORD) or (b" " in g[_G_apisep] and value[:1] not in (b'"', b"'")):
                    pos = match.start(_G_apivalue + 1)             # prose: Field 'api_key' is required
                    continue
                if value[:1] in (b'"', b"'") and value.find(value[:1], 1) > 0:
                    value = value[1:value.find(value[:1], 1)]      # a quoted value ends at its quote
                value = value.strip(b"\"'")
                if value and not _HIDDEN_VALUE.match(value) and len(value) >= 3:
                    self._add(text, start, "api-key")
            elif g[_G_caller]:
                digits = g[_G_callervalue].translate(None, _NOT_DIGITS)
                least = PARTY_DIGITS if _PARTY_ATTRIBUTE.match(g[_G_caller]) else 4
                if len(digits) >= least and b"*" not in g[_G_callervalue]:
                    self._add(text, start, "caller-number")
            elif g[_G_label]:
                digits = g[_G_labelvalue].translate(None, _NOT_DIGITS)
                if len(digits) >= PARTY_DIGITS and not (start and text[start - 1] in _LABEL_GLUE):
                    self._add(text, start, "caller-number")
            elif g[_G_sipid]:
                digits = g[_G_sipuser].translate(None, _NOT_DIGITS)
                if len(digits) >= PARTY_DIGITS and not _IPV4.fullmatch(g[_G_sipuser]):
                    self._add(text, start, "sip-identity")
            elif g[_G_pin]:
                after = text[end:end + 2] + b"\0\0"
                value = _PIN_ENCODED_JOIN.sub(b"-", g[_G_pinvalue])
                if (text[start:start + 1] not in (b"<", b"&") and start and text[start - 1] in _LABEL_GLUE
                        and not text[max(0, start - 5):start].lower().endswith(_URL_ENCODED_SEPARATOR)) or (
                        after[0] in _PIN_GLUE or after[0] in b".:/" and after[1] in _PIN_GLUE) or (
                        len(value.translate(None, _NOT_DIGITS)) > 12 or _DATE.fullmatch(value)):
                    pos = match.start(_G_pinvalue + 1)             # a longer run is judged as a card
                    continue
                self._add(text, start, "pin")
            elif g[_G_email]:
                if start and text[start - 1] in _EMAIL_GLUE:
                    continue
                local, _, domain = g[_G_email].partition(b"@")
                local = _UTF8_PUNCTUATION.sub(b"", local)
                if (_URS_TARGET_DOMAIN.fullmatch(domain) or (local.isdigit() and text[end:end + 1] == b"]")
                        or _MASK_OR_TOKEN.fullmatch(local) or local == b"git"):
                    continue
                line_start = text.rfind(b"\n", 0, start) + 1
                before = text[line_start:start]
                if (not _SIP_PREFIX_FOR_EMAIL.search(before) and not _ID_HEADER.match(text, line_start)
                        and not _message_id(text, line_start, start, end, local)):
                    self._add(text, start, "email")
            elif g[_G_optpw]:
                option_end = _option_password(text, start)
                if option_end is not None:
                    self._add(text, start, "password")
                    pos = option_end
                else:
                    pos = start + 1                                # the value is judged on its own
        if self._properties:
            continuation = self._continuation_lines(text)
            for found in _PROPERTIES_PASSWORD.finditer(text):
                if found.start() in continuation:
                    continue                                   # value text of the key before (probe AC 7)
                value = found.group("value").strip()
                if (_key_prefix_ok(found.group("prefix"), found.group("key")) and not _HIDDEN_VALUE.match(value)
                        and len(value) >= 3):
                    self._add(text, found.start(), "password")
