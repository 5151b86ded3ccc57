"""Free text the admin types, redacted before it is written anywhere in a bundle.

The case fields (``--describe``, ``--step``, ``--site`` and the same fields of a case file:
summary, steps, site, product, what was done) go through the same redaction engine and rule
sets as the logs (kind ``text``), plus ``case-text`` for a number standing alone, with the
run's tokenizer (site key, token map): a caller's number typed into a summary becomes the
``PHONE_`` token support sees in the logs, a card number or ``password=...`` is masked.
Anything that goes wrong ends the run (a GcollectError: BadRuleSet, DiskFull,
``CaseTextNotRedacted``); the raw text is never written instead. The contact is the
customer's own admin and is kept as typed (docs).

``recorded_command_line`` is the command line as manifest.json / index.json record it: the
values of the free-text options replaced by ``<redacted>`` (case.json holds them, redacted),
and URLs without password, query string or fragment (``https://host/path?<redacted>``).
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from urllib.parse import urlsplit

from collector.errors import ExitCode, GcollectError, RedactionFailed, full_disk_of

# The log profiles' rule sets (every packaged profile redacts with all of them), and the set for
# numbers that stand alone in typed text (profiles/redaction/case-text.yaml).
TEXT_RULE_SETS = ("common-secrets", "config-secrets", "tlib", "sip", "pii", "case-text")
TEXT_OPTIONS = ("--describe", "--step", "--site", "--product", "--actions")
URL_OPTIONS = ("--upload", "--to")
PLACEHOLDER = "<redacted>"
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")

RedactText = Callable[[str], str]


class CaseTextNotRedacted(GcollectError):
    """cannot redact the case text: {problem}; no bundle written"""

    exit_code = ExitCode.BUNDLE_WRITE


@contextlib.contextmanager
def text_redactor(state_dir: Path, rule_dirs: Sequence[Path] = (),
                  rule_sets: Iterable[str] = ()) -> Iterator[RedactText]:
    """``redact(text) -> text`` with the log rule sets (``TEXT_RULE_SETS``, the site's own sets
    and ``rule_sets``), kind ``text``, and the site's tokenizer; the token map is flushed and
    closed on exit. A rule set or token map that cannot be used raises its own GcollectError
    (BadRuleSet, DiskFull...), anything else CaseTextNotRedacted: the text is never passed on raw."""
    from collector.redaction.engine import Redactor
    from collector.redaction.rules import load_rule_sets, site_rule_sets
    from collector.redaction.tokens import Tokenizer, TokenStore, load_or_create_site_key

    names = tuple(dict.fromkeys((*TEXT_RULE_SETS, *site_rule_sets(rule_dirs), *rule_sets)))
    with _failing_closed():
        key = load_or_create_site_key(Path(state_dir))
        loaded = load_rule_sets(names, tuple(rule_dirs), checked_in=state_dir)
        store = TokenStore(Path(state_dir) / "tokens.db")
    try:
        tokenizer = Tokenizer(key, store)

        def redact(text: str) -> str:
            with _failing_closed():
                redactor = Redactor(loaded, tokenizer, "text", "case.json")
                out = redactor.feed(text.encode("utf-8", "surrogateescape") + b"\n") + redactor.finish()
                return out.removesuffix(b"\n").decode("utf-8", "surrogateescape")

        yield redact
        with _failing_closed():
            store.flush()
    finally:
        store.close()


@contextlib.contextmanager
def _failing_closed() -> Iterator[None]:
    try:
        yield
    except RedactionFailed as exc:             # e.g. a private key pasted in: a drop-file rule
        raise CaseTextNotRedacted(problem=str(exc.fields.get("problem") or exc.message)) from None
    except GcollectError:
        raise
    except OSError as exc:
        full = full_disk_of(exc)
        if full is not None:
            raise full from None
        raise CaseTextNotRedacted(problem=f"{exc.filename or 'token map'}: {exc.strerror or exc}") from None
    except Exception as exc:  # noqa: BLE001 - fail closed: no raw text is written
        raise CaseTextNotRedacted(problem=str(exc) or type(exc).__name__) from None


def safe_url(url: str) -> str:
    """A URL to record: scheme://[user@]host[:port]/path, and ``?<redacted>`` when it had a
    query string, fragment or password (a pre-signed URL's signature and credential)."""
    from collector.upload.urls import redact_url

    if not _URL.match(url):
        return url
    shown = redact_url(url)
    try:
        parts = urlsplit(url)
        secret = bool(parts.query or parts.fragment or parts.password)
    except ValueError:
        return shown
    return shown + "?" + PLACEHOLDER if secret else shown


def recorded_command_line(argv: Sequence[str]) -> str:
    """``argv`` joined by spaces, every free-text option's value replaced by ``<redacted>``
    (case.json holds it, redacted) and every URL through ``safe_url``."""
    def text(_value: str) -> str:
        return PLACEHOLDER

    out: list[str] = []
    pending: Callable[[str], str] | None = None
    for arg in argv:
        if pending is not None:
            out.append(pending(arg))
            pending = None
            continue
        name, eq, value = arg.partition("=")
        if name in TEXT_OPTIONS:
            if eq:
                out.append(f"{name}={text(value)}")
            else:
                out.append(arg)
                pending = text
        elif name in URL_OPTIONS and not eq:
            out.append(arg)
            pending = safe_url
        elif _URL.match(value if eq and name.startswith("--") else arg):
            out.append(f"{name}={safe_url(value)}" if eq and name.startswith("--") else safe_url(arg))
        else:
            out.append(arg)
    return " ".join(out)
