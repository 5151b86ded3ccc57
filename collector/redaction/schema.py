"""JSON schema of a redaction rule set file (``schema: gcollect/rules/v1``)."""

from __future__ import annotations

from typing import Any

KIND_NAMES = ["log", "config", "text"]

_APPLIES_TO: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "kinds": {"type": "array", "minItems": 1, "uniqueItems": True,
                  "items": {"enum": KIND_NAMES}},
    },
}

_STRINGS: dict[str, Any] = {"type": "array", "items": {"type": "string", "minLength": 1}}

_EXAMPLE: dict[str, Any] = {
    "type": "object",
    "required": ["line"],
    "additionalProperties": False,
    "properties": {
        "line": {"type": "string", "minLength": 1},
        "must_not_contain": _STRINGS,
        "must_contain": _STRINGS,
        "unchanged": {"type": "boolean"},
        "kind": {"enum": KIND_NAMES},
    },
}

_RULE: dict[str, Any] = {
    "type": "object",
    "required": ["id", "category", "action"],
    "additionalProperties": False,
    "properties": {
        "id": {"type": "string", "pattern": "^[a-z][a-z0-9-]*$"},
        "category": {"type": "string", "pattern": "^[a-z][a-z-]*$"},
        "action": {"enum": ["token", "mask", "drop-file"]},
        "description": {"type": "string"},
        "regex": {"type": "string", "minLength": 1},
        "inner": {"type": "string", "minLength": 1},
        "scan": {"type": "string", "minLength": 1},
        "unless": {"type": "string", "minLength": 1},
        "yields_to": {"type": "array", "items": {"type": "string", "pattern": "^[a-z][a-z0-9-]*$"}},
        "block": {
            "type": "object",
            "required": ["begin"],
            "additionalProperties": False,
            "properties": {"begin": {"type": "string", "minLength": 1},
                           "end": {"type": "string", "minLength": 1},
                           "keep": {"type": "string", "minLength": 1},
                           "until": {"enum": ["dedent"]}},
            "oneOf": [{"required": ["end"], "not": {"required": ["until"]}},
                      {"required": ["until"], "not": {"required": ["end"]}}],
        },
        "mask": {"type": "string", "minLength": 1, "pattern": "^[^\\r\\n0-9]+$"},
        "validate": {"enum": ["luhn", "iban"]},
        "applies_to": _APPLIES_TO,
        "examples": {"type": "array", "items": _EXAMPLE},
    },
    "oneOf": [
        {"required": ["regex"], "not": {"required": ["block"]}},
        {"required": ["block"], "not": {"anyOf": [{"required": ["regex"]}, {"required": ["inner"]}]}},
    ],
}

RULE_SET_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["schema", "name", "rules"],
    "additionalProperties": False,
    "properties": {
        "schema": {"const": "gcollect/rules/v1"},
        "name": {"type": "string", "pattern": "^[a-z0-9][a-z0-9-]*$"},
        "description": {"type": "string"},
        "applies_to": _APPLIES_TO,
        "rules": {"type": "array", "minItems": 1, "items": _RULE},
        "examples": {"type": "array", "items": _EXAMPLE},
    },
}
