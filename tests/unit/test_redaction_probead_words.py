"""Probe AD 2 and 8: password keys in more site languages (Czech/Slovak heslo, Italian/Romanian
parola, Hungarian jelszó, Russian пароль, Turkish şifre, Croatian/Serbian lozinka, Catalan
contrasenya, Danish kodeord, Chinese 密码/密碼, Japanese パスワード, Korean 비밀번호) and keys whose
accented letter is an XML character reference (contrase&#241;a, l&#xF6;senord, has&#322;o: an
ASCII XML writer) shipped raw in every kind of file, with no scanner finding. Every password-key
list of the rules and the scanner now has them."""

from __future__ import annotations

import pytest

from tests.redacting import assert_redacted, finding_categories, rule_sets  # noqa: F401 - rule_sets is a fixture

STAMP = "10:00:00.000 Std 04541 "
LOG = "var/log/genesys/GAX/gax.20240305.log"
R = "REDACTED"

WORDS = ["heslo", "parola", "jelszó", "пароль", "ПАРОЛЬ", "şifre", "lozinka", "contrasenya", "kodeord", "密码",
         "パスワード", "비밀번호", "contrase&#241;a", "l&#xF6;senord", "has&#322;o", "l&#246;senord"]

# (kind, path, text with {k} for the key, the masked form)
SHAPES = [
    ("config", "opt/genesys/GAX/conf/db.properties", "db.{k}=Hemligt1\n", "db.{k}=" + R + "\n"),
    ("config", "opt/genesys/GAX/conf/app.ini", "[db]\n{k} = Hemligt1\n", "{k} = " + R + "\n"),
    ("config", "opt/genesys/GAX/conf/app.yaml", "db:\n  {k}: Hemligt1\n", "  {k}: " + R + "\n"),
    ("config", "opt/genesys/GAX/conf/app.json", '{{"db": {{"{k}": "Hemligt1"}}}}\n', '"{k}": "' + R + '"'),
    ("config", "opt/genesys/GAX/conf/app.xml", "<db><{k}>Hemligt1</{k}></db>\n", "<{k}>" + R + "</{k}>"),
    ("log", LOG, STAMP + 'body {{"user":"a","{k}":"Hemligt1"}}\n', '"{k}":"' + R + '"'),
    ("log", LOG, STAMP + "GET /login?user=a&{k}=Hemligt1&x=1\n", "&{k}=" + R + "&x=1"),
    ("log", LOG, STAMP + "started: java -jar gax.jar --{k} Hemligt1 --port 8080\n", None),
    ("log", "var/log/genesys/SIPS_P/SIPS_P.20240305.log",
     STAMP + "AttributeUserData [111] 00000003...\n\t'{k}'\t'Hemligt1'\n\t'x'\t'y'\n", "\t'{k}'\t'" + R + "'\n"),
]



@pytest.mark.parametrize("word", WORDS)
@pytest.mark.parametrize("shape", SHAPES, ids=[s[2].split()[-1][:12] if s[0] == "log" else s[1].rsplit(".", 1)[1]
                                               for s in SHAPES])
@pytest.mark.parametrize("fast", [True, False], ids=["prefilter", "every-line"])
def test_password_key_in_more_languages_is_masked(rule_sets, word, shape, fast) -> None:
    kind, path, text, masked = shape
    text = text.format(k=word)
    kept = [masked.format(k=word)] if masked else []
    out = assert_redacted(rule_sets, text, ["Hemligt1"], kept, kind=kind, path=path, fast=fast)
    assert finding_categories(path, out) == []


@pytest.mark.parametrize("word", WORDS)
@pytest.mark.parametrize("text", ["db.{k}=Hemligt1\n", '{{"{k}": "Hemligt1"}}\n', "<{k}>Hemligt1</{k}>\n",
                                  "GET /p?{k}=Hemligt1&x=1\n"])
def test_scanner_flags_a_raw_password_under_the_key(word, text) -> None:
    assert finding_categories("opt/genesys/GAX/conf/app.cfg", text.format(k=word)) == ["password"]


KEPT = (STAMP + "la parola chiave è errata, heslo nebylo zadáno, пароль неверный, şifre hatalı\n"
        + STAMP + "config: parola-length=8 heslo.policy=strong kodeord_expiry_days=90 jelszó_length: 8\n")


@pytest.mark.parametrize("fast", [True, False], ids=["prefilter", "every-line"])
def test_prose_and_settings_in_those_languages_stay(rule_sets, fast) -> None:
    assert_redacted(rule_sets, KEPT, [], [KEPT], kind="log", path=LOG, fast=fast)
    assert finding_categories(LOG, KEPT) == []
