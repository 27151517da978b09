"""JSON from outside (API bodies, carrier webhooks), parsed with the limits a database can store.

Two things in valid JSON still break a request further down: nesting thousands of levels deep
(Python's decoder recurses and gives up with RecursionError) and the NUL character, which
PostgreSQL refuses in every text column. Both are refused here, before anything reads the data,
with a ValidationFailed that names where the problem is.
"""
from __future__ import annotations

import json
from typing import Any

from scm.services.kernel.errors import ValidationFailed

#: Deepest nesting of objects and arrays accepted; real documents here are 3-4 levels deep.
MAX_DEPTH = 32


def nesting_depth(text: str) -> int:
    """The deepest nesting of `[`/`{` in a JSON text, ignoring brackets inside strings (one linear pass)."""
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def _nul_path(value: Any, path: str) -> str | None:
    """The first place (a dotted path, `body` for the top) where a string holds a NUL character."""
    if isinstance(value, str):
        return path if "\x00" in value else None
    if isinstance(value, dict):
        for key, item in value.items():
            where = path + "." + key if path != "body" else key
            if "\x00" in key:
                return where
            found = _nul_path(item, where)
            if found:
                return found
    if isinstance(value, list):
        for index, item in enumerate(value):
            found = _nul_path(item, f"{path}[{index}]")
            if found:
                return found
    return None


def loads(data: str | bytes, *, max_depth: int = MAX_DEPTH) -> Any:
    """Parse JSON; ValidationFailed (key `body`, or the field holding a NUL) when it is not JSON, is
    nested deeper than `max_depth`, or contains a NUL character."""
    try:
        text = data.decode("utf-8") if isinstance(data, (bytes, bytearray)) else data
    except UnicodeDecodeError:
        raise ValidationFailed({"body": ["not UTF-8 text"]}) from None
    if nesting_depth(text) > max_depth:
        raise ValidationFailed({"body": [f"nested more than {max_depth} levels deep"]})
    try:
        value = json.loads(text)
    except ValueError as error:
        raise ValidationFailed({"body": [f"not valid JSON ({error})"]}) from None
    where = _nul_path(value, "body")
    if where:
        raise ValidationFailed({where: ["must not contain the NUL character (\\u0000)"]})
    return value
