"""Strict reading of untrusted JSON values (scenario files, the saved session): each reader
checks one value's type and range and raises :class:`ScenarioError` naming the value's path,
e.g. ``runs[2].hyper.learning_rate: must be in [1e-06, 10], got 50``.

:class:`Fields` reads one object (only the given keys, the required ones present, a close
match suggested for a typo); :func:`object_hook` makes ``json.loads`` remember duplicate
keys, and :class:`NonFinite` stands in for the ``NaN``/``Infinity`` literals Python's json
accepts, so that they can be refused by name.
"""

from __future__ import annotations

import difflib
import json
import math
from typing import Any

from .limits import text_problem


class ScenarioError(ValueError):
    """A scenario that cannot be loaded or saved.

    Attributes:
        field: JSON path of the offending field, e.g. ``runs[2].hyper.learning_rate``, or
            None for problems with the whole file (size, encoding, JSON syntax).
        reason: what is wrong with it.
        source: where the text came from (a file path, or ``"<string>"``).
        line, column: 1-based position of a JSON syntax error, else None.

    ``str(err)`` is ``"<field>: <reason>"`` (just the reason without a field).
    """

    def __init__(self, reason: str, field: str | None = None, *, source: str = "<string>",
                 line: int | None = None, column: int | None = None) -> None:
        self.reason = reason
        self.field = field
        self.source = source
        self.line = line
        self.column = column
        super().__init__(f"{field}: {reason}" if field else reason)



class NonFinite:
    """Stands in for the NaN/Infinity literals Python's json accepts, so the field can be named."""

    def __init__(self, name: str) -> None:
        self.name = name


class JsonObject(dict):
    """A JSON object that remembers keys it saw twice."""

    duplicates: tuple[str, ...] = ()


def object_hook(pairs: list[tuple[str, Any]]) -> JsonObject:
    obj = JsonObject()
    seen = []
    for key, value in pairs:
        if key in obj:
            seen.append(key)
        obj[key] = value
    obj.duplicates = tuple(seen)
    return obj


def describe(value: Any) -> str:
    """A JSON value for a message: ``true``, ``null``, ``"abc"``, ``NaN``, ``1.5``, ``a list``."""
    if isinstance(value, NonFinite):
        return value.name
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value) if isinstance(value, float) else str(value)
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return json.dumps(shown, ensure_ascii=False)
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def join_path(parent: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{parent}[{key}]"
    return f"{parent}.{key}" if parent else key


def fail(path: str, reason: str):
    raise ScenarioError(reason, path)


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def number(value: Any, path: str, low: float = -math.inf, high: float = math.inf) -> float | int:
    if isinstance(value, NonFinite):
        fail(path, f"must be a finite number, got {value.name}")
    if not is_number(value):
        fail(path, f"must be a number, got {describe(value)}")
    if not math.isfinite(value):
        fail(path, f"must be a finite number, got {describe(value)}")
    if not low <= value <= high:
        fail(path, f"must be in [{low:g}, {high:g}], got {describe(value)}")
    return value


def integer(value: Any, path: str, low: int, high: int) -> int:
    if isinstance(value, NonFinite) or (is_number(value) and not isinstance(value, int)):
        fail(path, f"must be a whole number, got {describe(value)}")
    if not isinstance(value, int) or isinstance(value, bool):
        fail(path, f"must be a whole number, got {describe(value)}")
    if not low <= value <= high:
        fail(path, f"must be in [{low}, {high}], got {value}")
    return value


def boolean(value: Any, path: str) -> bool:
    if not isinstance(value, bool):
        fail(path, f"must be true or false, got {describe(value)}")
    return value


def string(value: Any, path: str, max_length: int, *, empty: bool = True, multiline: bool = False,
            shown: bool = True) -> str:
    """A string; ``shown`` text must be savable and showable (:func:`optviz.core.limits.text_problem`).
    An expression is not ``shown`` as typed: its parser has stricter rules of its own."""
    if not isinstance(value, str):
        fail(path, f"must be a string, got {describe(value)}")
    if not empty and not value.strip():
        fail(path, "must not be empty")
    if len(value) > max_length:
        fail(path, f"is too long ({len(value)} characters, at most {max_length})")
    problem = text_problem(value, multiline=multiline) if shown else None
    if problem:
        fail(path, problem)
    return value


def choice(value: Any, path: str, choices, what: str) -> str:
    if not isinstance(value, str):
        fail(path, f"must be a string, got {describe(value)}")
    if value not in choices:
        fail(path, f"unknown {what} {describe(value)}; choose from: {', '.join(choices)}")
    return value


class Fields:
    """Reads one JSON object strictly: only the given keys, required ones present."""

    def __init__(self, value: Any, path: str, required: tuple[str, ...], optional: tuple[str, ...],
                 kind: str = "key") -> None:
        if not isinstance(value, dict):
            fail(path or "scenario", f"must be an object {{...}}, got {describe(value)}")
        for key in getattr(value, "duplicates", ()):
            fail(join_path(path, key), "duplicate key")
        allowed = (*required, *optional)
        for key in value:
            if key not in allowed:
                close = difflib.get_close_matches(str(key), allowed, n=1)
                if close:
                    hint = f"did you mean {close[0]!r}?"
                else:
                    hint = f"expected one of: {', '.join(allowed)}" if allowed else "none are allowed here"
                fail(join_path(path, key), f"unknown {kind}; {hint}")
        for key in required:
            if key not in value:
                fail(join_path(path, key), "required field is missing")
        self.value = value
        self.path = path

    def get(self, key: str, default: Any = None) -> Any:
        return self.value.get(key, default)

    def at(self, key: str | int) -> str:
        return join_path(self.path, key)
