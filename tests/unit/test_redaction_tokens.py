"""Site key, tokens and the local token map."""

from __future__ import annotations

import multiprocessing
import os
import re
import stat
from pathlib import Path

import pytest

from collector.errors import DiskFull, ExitCode, PreflightFailed
from collector.redaction import Tokenizer, TokenStore, load_or_create_site_key

KEY = b"k" * 32


def test_site_key_created_private_and_reused(tmp_path) -> None:
    state = tmp_path / "state"
    key = load_or_create_site_key(state)
    assert len(key) == 32
    assert stat.S_IMODE(os.stat(state).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(state / "site.key").st_mode) == 0o600
    assert load_or_create_site_key(state) == key
    assert [p.name for p in state.iterdir()] == ["site.key"]


def test_site_key_of_wrong_size_is_refused(tmp_path) -> None:
    tmp_path.joinpath("site.key").write_bytes(b"short")
    with pytest.raises(PreflightFailed):
        load_or_create_site_key(tmp_path)


def _make_key(state: str, queue) -> None:  # type: ignore[no-untyped-def]
    queue.put(load_or_create_site_key(Path(state)))


def test_concurrent_key_creation_agrees(tmp_path) -> None:
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    procs = [ctx.Process(target=_make_key, args=(str(tmp_path / "s"), queue)) for _ in range(4)]
    for p in procs:
        p.start()
    keys = {queue.get(timeout=60) for _ in procs}
    for p in procs:
        p.join()
    assert len(keys) == 1


TOKENS = [
    # (category, value, token regex)
    ("phone", b"5555550142", rb"PHONE_[a-z]{10}"),
    ("phone", b"+15555550142", rb"\+PHONE_[a-z]{10}"),
    ("email", b"jane@example.com", rb"EMAIL_[a-z]{10}"),
    ("national-id", b"123-45-6789", rb"NATIONAL_ID_[a-z]{10}"),
]


@pytest.mark.parametrize("category,value,shape", TOKENS)
def test_token_shape_has_no_digits(category, value, shape) -> None:
    token = Tokenizer(KEY, None).token(category, value)
    assert re.fullmatch(shape, token)
    assert not re.search(rb"\d", token)


def test_tokens_are_deterministic_per_key_and_category() -> None:
    a, b = Tokenizer(KEY, None), Tokenizer(KEY, None)
    assert a.token("phone", b"5555550142") == b.token("phone", b"5555550142")
    assert a.token("phone", b"5555550142") != a.token("phone", b"5555550143")
    assert Tokenizer(b"x" * 32, None).token("phone", b"5555550142") != a.token("phone", b"5555550142")


def test_token_letters_never_spell_a_password_key_word() -> None:
    """USERDATA_fzjeootpwd followed by ': 1' read as a pwd key when a redacted file was redacted
    again (the property test found it): letters that spell such a word are derived again, the
    same way for the same value, whatever the category."""
    t = Tokenizer(KEY, None)
    letters = [t.token("userdata", b"value %d" % n)[9:] for n in range(20000)]
    assert not [x for x in letters if re.search(rb"pwd|pass|secret|token|cred|key|otp|psk", x)]
    assert len(set(letters)) == len(letters)
    assert all(re.fullmatch(rb"[a-z]{10}", x) for x in letters)
    assert [Tokenizer(KEY, None).token("name", b"value %d" % n)[5:] for n in range(2000)] == letters[:2000]


def test_one_value_gets_the_same_letters_whichever_rule_found_it() -> None:
    """The same secret, the same token everywhere: a caller's number found by a SIP rule
    (phone), in attached data (userdata) or in a URS strategy line must correlate; so must a
    name or an e-mail. The category prefix only says which rule found it."""
    t = Tokenizer(KEY, None)
    phone = t.token("phone", b"+1 555-555-0142")
    assert phone.startswith(b"+PHONE_")
    assert t.token("userdata", b"15555550142") == b"USERDATA_" + phone[7:]
    assert t.token("userdata", b"(555) 555-0142")[9:] == t.token("phone", b"5555550142")[6:]
    assert t.token("name", b"Jane Roe")[5:] == t.token("userdata", b"Jane Roe")[9:]
    assert t.token("email", b"jane@example.com")[6:] == t.token("user", b"jane@example.com")[5:]
    assert t.token("name", b"Jane Roe") != t.token("name", b"Jane Roe2")
    assert t.token("userdata", b"1.2.3a")[9:] != t.token("userdata", b"123a")[9:]


def test_phone_normalisation() -> None:
    t = Tokenizer(KEY, None)
    plain = t.token("phone", b"15555550142")
    assert t.token("phone", b"+1 555-555-0142") == b"+" + plain
    assert t.token("phone", b"+1 (555) 555.0142") == b"+" + plain
    assert t.token("phone", b"5555550142") == plain          # a NANP-shaped ten digits is the +1 number
    assert t.token("phone", b"5550550142") != plain          # not NANP-shaped (exchange 0): no country code guessing


def test_store_round_trip_batches_and_is_private(tmp_path) -> None:
    path = tmp_path / "tokens.sqlite"
    store = TokenStore(path)
    tokenizer = Tokenizer(KEY, store)
    token = tokenizer.token("phone", b"5555550142")
    assert store.lookup(token.decode()) == ("phone", "5555550142")     # pending entries are visible
    for i in range(TokenStore.FLUSH_EVERY + 5):
        tokenizer.token("email", f"u{i}@example.com".encode())
    store.close()
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    again = TokenStore(path)
    assert again.lookup(token.decode()) == ("phone", "5555550142")
    assert again.lookup("PHONE_nosuchtoken") is None
    count = again._db.execute("SELECT count(*) FROM tokens").fetchone()[0]
    again.close()
    assert count == TokenStore.FLUSH_EVERY + 6


def _writer(path: str, worker: int) -> None:
    store = TokenStore(Path(path))
    tokenizer = Tokenizer(KEY, store)
    for i in range(1500):
        tokenizer.token("phone", f"{worker}{i:07d}".encode())
        tokenizer.token("phone", b"5555550142")                   # shared by all workers
    store.close()


def test_several_processes_write_at_once(tmp_path) -> None:
    path = tmp_path / "tokens.sqlite"
    TokenStore(path).close()
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_writer, args=(str(path), w)) for w in range(1, 5)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=120)
        assert p.exitcode == 0
    store = TokenStore(path)
    count = store._db.execute("SELECT count(*) FROM tokens").fetchone()[0]
    store.close()
    assert count == 4 * 1500 + 1


def _fill_up(store: TokenStore) -> None:
    """Let the token map's file grow by two pages at most: sqlite's own "database or disk is
    full" (SQLITE_FULL), as on a full file system."""
    pages = store._db.execute("PRAGMA page_count").fetchone()[0]
    store._db.execute(f"PRAGMA max_page_count = {pages + 2}")


def test_a_full_token_map_is_a_full_disk_naming_its_folder_and_closes_once(tmp_path) -> None:
    """Was: the ROLLBACK after sqlite had ended the transaction itself raised "cannot rollback",
    hiding the full disk, and a second close raised "Cannot operate on a closed database"."""
    store = TokenStore(tmp_path / "tokens.db")
    _fill_up(store)
    tokenizer = Tokenizer(KEY, store)
    with pytest.raises(DiskFull) as caught:
        for i in range(20 * TokenStore.FLUSH_EVERY):
            tokenizer.token("phone", f"555{i:07d}".encode())
    assert caught.value.fields["where"] == str(tmp_path)
    assert caught.value.exit_code == ExitCode.DISK_FULL
    with pytest.raises(DiskFull):          # what is pending cannot be written: said again, then closed
        store.close()
    store.close()                          # closed: nothing more to do, no error
    assert TokenStore(tmp_path / "tokens.db").lookup("PHONE_nosuchtoken") is None   # the map is fine


def test_a_token_map_on_a_full_file_system_says_the_folder_is_full(tmp_path) -> None:
    """Was: "token map ... cannot be used (database or disk is full)" or "(disk I/O error); move
    it aside", advice for a broken map, exit 20."""
    from tests.hostfs import fill, small_tmpfs

    with small_tmpfs(tmp_path / "small", "256k") as mnt:
        with TokenStore(mnt / "existing.db") as existing:          # made while there was room
            Tokenizer(KEY, existing).token("phone", b"5555550142")
        fill(mnt)
        for name in ("tokens.db", "existing.db"):     # sqlite: "database or disk is full"; "disk I/O error"
            with pytest.raises(DiskFull) as caught:       # (its -shm file cannot grow)
                TokenStore(mnt / name)
            assert caught.value.fields["where"] == str(mnt)


@pytest.mark.parametrize("plain, escaped", [
    (b"+15551234567", b"%2B15551234567"),                 # a GWS request log, a GVP fetch URL
    (b"+15551234567", b"\\u002B15551234567"),             # a JSON body
    (b"+15551234567", b"&#43;15551234567"),               # an XML body
    (b"+15551234567", b"&#x2B;15551234567"),
    (b"marguerite.f@example.org", b"marguerite.f%40example.org"),
    (b"Marguerite Fennimore", b"Marguerite%20Fennimore"),
    (b"caf\xc3\xa9", b"caf%C3%A9"),
])
def test_an_escaped_copy_of_a_value_gets_the_plain_values_letters(plain, escaped) -> None:
    """Support follows a caller from the SIP trace to the request log and the JSON body: one
    token, whatever escape the value went through (probe I, finding 8)."""
    tokenizer = Tokenizer(KEY, None)
    for category in ("phone", "userdata", "email"):
        if category == "phone" and not plain[:1].isdigit() and plain[:1] != b"+":
            continue
        letters = tokenizer.token(category, plain).rsplit(b"_", 1)[1]
        assert tokenizer.token("userdata", escaped).rsplit(b"_", 1)[1] == letters
        assert tokenizer.token(category, escaped).rsplit(b"_", 1)[1] == letters


def test_values_without_a_whole_escape_hash_as_written() -> None:
    tokenizer = Tokenizer(KEY, None)
    assert tokenizer.token("userdata", b"100%") != tokenizer.token("userdata", b"100")
    assert tokenizer.token("userdata", b"a%2") != tokenizer.token("userdata", b"a")
    assert tokenizer.token("userdata", b"&#99999999;").startswith(b"USERDATA_")   # beyond Unicode: as written
    assert tokenizer.token("phone", b"%2B15551234567") == b"%2B" + tokenizer.token("phone", b"+15551234567")[1:]   # the + stays, encoded


def test_an_e_mail_address_gets_one_token_whatever_its_letter_case() -> None:
    """A customer types Harriet.Ostrowski@Example.ORG in From:, UCS holds it lower-cased (probe L 7)."""
    tokenizer = Tokenizer(KEY, None)
    token = tokenizer.token("email", b"harriet.ostrowski@example.org")
    assert tokenizer.token("email", b"Harriet.Ostrowski@Example.ORG") == token
    assert tokenizer.token("userdata", b"HARRIET.OSTROWSKI%40EXAMPLE.ORG")[-10:] == token[-10:]
    assert tokenizer.token("userdata", b"Harriet Ostrowski") != tokenizer.token("userdata", b"harriet ostrowski")


def test_an_international_prefix_is_the_plus() -> None:
    """0015550100123 (00) and 01115550100123 (011, dialled from North America) are the caller
    +15550100123 of the SIP headers: one token (probe O 11). A national number that begins with
    011 (UK Leeds, 11 digits) and short ids that begin with 00 keep their own."""
    t = Tokenizer(KEY, None)
    letters = t.token("phone", b"+15550100123")[-10:]
    assert t.token("phone", b"0015550100123") == b"PHONE_" + letters
    assert t.token("phone", b"01115550100123") == b"PHONE_" + letters
    assert t.token("userdata", b"0015550100123") == b"USERDATA_" + letters
    assert t.token("phone", b"00 1 555 010 0123") == b"PHONE_" + letters
    assert t.token("phone", b"011495550100654")[-10:] == t.token("phone", b"+495550100654")[-10:]
    assert t.token("phone", b"01134960000")[-10:] != t.token("phone", b"34960000")[-10:]
    assert t.token("userdata", b"0012345678")[-10:] != t.token("userdata", b"12345678")[-10:]
    assert t.token("phone", b"05550100321")[-10:] != t.token("phone", b"5550100321")[-10:]   # national 0: kept
