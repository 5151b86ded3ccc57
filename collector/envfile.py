"""Settings files in the form systemd's ``EnvironmentFile=`` reads (``/etc/default/gcollect``),
parsed without a shell: ``KEY=VALUE`` lines, ``#``/``;`` comments, values optionally in single or
double quotes, a backslash at the end of a line continuing it, and no expansion of any kind
(``$``, backticks and ``;`` are plain characters). Sourcing such a file with ``sh`` splits
unquoted values at spaces and runs the pieces as commands; this never runs anything.

The rules are those of systemd's ``parse_env_file`` (src/basic/env-file.c): whitespace around
keys and before a value is skipped, an unquoted value loses its trailing whitespace, inside
double quotes a backslash escapes only ``"``, ``\\``, `````, ``$`` and a newline; a line without
``=`` or with a key that is not a valid variable name is ignored.
"""

from __future__ import annotations

import re
from pathlib import Path

_NEWLINE = "\n\r"
_WHITESPACE = " \t\n\r"
_DOUBLE_QUOTE_ESCAPES = '"\\`$'
_VALID_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def parse_env_text(text: str) -> dict[str, str]:
    """``KEY -> VALUE`` of an environment file's text, later lines overriding earlier ones."""
    found: dict[str, str] = {}
    state = "pre_key"
    key: list[str] = []
    value: list[str] = []
    unquoted_end = 0                   # len(value) after its last character that is not whitespace

    def finish() -> None:
        name = "".join(key).rstrip()
        if _VALID_NAME.fullmatch(name):
            found[name] = "".join(value[:unquoted_end]) if unquoted_end >= 0 else "".join(value)

    for c in text + "\n":
        if state == "pre_key":
            if c in "#;":
                state = "comment"
            elif c not in _WHITESPACE:
                key, value, unquoted_end = [c], [], 0
                state = "key"
        elif state == "key":
            if c in _NEWLINE:
                state = "pre_key"                       # no "=": not a setting
            elif c == "=":
                state = "pre_value"
            else:
                key.append(c)
        elif state == "pre_value":                      # also after a closing quote
            if c in _NEWLINE:
                finish()
                state = "pre_key"
            elif c == "'":
                state = "single"
            elif c == '"':
                state = "double"
            elif c == "\\":
                state = "value_escape"
            elif c not in _WHITESPACE:
                value.append(c)
                unquoted_end = len(value)
                state = "value"
        elif state == "value":
            if c in _NEWLINE:
                finish()
                state = "pre_key"
            elif c == "\\":
                state = "value_escape"
            else:
                value.append(c)
                if c not in _WHITESPACE:
                    unquoted_end = len(value)
        elif state == "value_escape":                   # a backslash-newline continues the line
            state = "value"
            if c not in _NEWLINE:
                value.append(c)
                unquoted_end = len(value)
        elif state == "single":
            if c == "'":
                unquoted_end = len(value)
                state = "pre_value"
            else:
                value.append(c)
        elif state == "double":
            if c == '"':
                unquoted_end = len(value)
                state = "pre_value"
            elif c == "\\":
                state = "double_escape"
            else:
                value.append(c)
        elif state == "double_escape":
            state = "double"
            if c in _DOUBLE_QUOTE_ESCAPES:
                value.append(c)
            elif c != "\n":
                value += ["\\", c]
        elif state == "comment":
            if c == "\\":
                state = "comment_escape"
            elif c in _NEWLINE:
                state = "pre_key"
        elif state == "comment_escape":
            state = "comment"
    return found


def read_env_file(path: Path) -> dict[str, str]:
    """The settings of an environment file (UTF-8). OSError when it cannot be read."""
    return parse_env_text(Path(path).read_bytes().decode("utf-8", "surrogateescape"))
