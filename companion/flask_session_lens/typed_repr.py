"""Session values in Session Lens' "$type" JSON representation.

The same representation as the project's src/core/python/typed-repr.ts and
demo/typed_repr.py: JSON null/bool/str/list/dict and JS-safe numbers stay as
they are, every other value becomes an object whose first key is "$type":

    tuple     {"$type": "tuple", "items": [...]}
    bytes     {"$type": "bytes", "base64": <standard base64, padded>, "hex": ...}
    Markup    {"$type": "markup", "value": <str>}
    UUID      {"$type": "uuid", "value": <8-4-4-4-12 lowercase>, "hex": <32 hex>}
    datetime  {"$type": "datetime", "iso": <isoformat()>, "unix": <int>, "tz_aware": <bool>}
    int       {"$type": "int", "value": <decimal str>}    only outside +-(2**53 - 1)
    float     {"$type": "float", "value": "NaN" | "Infinity" | "-Infinity"}
    dict      {"$type": "dict", "entries": {...}}         only for a dict that has a "$type" key

Server-side sessions (pickle) can hold anything, so unlike demo/typed_repr.py
this converter never refuses a value. Two markers exist only here:

    {"$type": "unrepresentable", "python_type": "builtins.set",
     "repr": "{1, 2}", "reason": "no $type form"}
    {"$type": "redacted", "reason": "contains the app's SECRET_KEY"}

Conversion is bounded: nesting deeper than MAX_DEPTH becomes an
"unrepresentable" node (that also ends reference cycles), and past a character
budget SnapshotTooLarge is raised so a huge session costs little.
"""

from __future__ import annotations

import base64
import math
import reprlib
import uuid
from datetime import datetime, timezone
from typing import Any, Iterable

from markupsafe import Markup

TYPE_KEY = "$type"
JS_SAFE_MAX = 2**53 - 1
MAX_DEPTH = 100
DEFAULT_BUDGET_CHARS = 1_000_000
# Shorter secrets are only redacted where a value equals them: "dev" inside
# "device" is a coincidence, not a leak.
MIN_CONTAINED_SECRET = 8

_bounded_repr = reprlib.Repr()
_bounded_repr.maxstring = 160
_bounded_repr.maxother = 160
_bounded_repr.maxlevel = 3


class SnapshotTooLarge(Exception):
    """The value's representation would exceed the character budget."""


class Secrets:
    """The app's signing keys, to be kept out of every snapshot."""

    def __init__(self, keys: Iterable[Any]):
        texts = set()
        for key in keys:
            if isinstance(key, bytes):
                texts.add(key)
                try:
                    texts.add(key.decode("utf-8"))
                except UnicodeDecodeError:
                    pass
            elif isinstance(key, str):
                texts.add(key)
                texts.add(key.encode("utf-8", "surrogatepass"))
        self._exact = frozenset(t for t in texts if t)
        self._contained = tuple(t for t in self._exact if len(t) >= MIN_CONTAINED_SECRET)

    def found_in(self, value: str | bytes) -> bool:
        if value in self._exact:
            return True
        same_kind = str if isinstance(value, str) else bytes
        return any(isinstance(s, same_kind) and s in value for s in self._contained)


NO_SECRETS = Secrets(())
_REDACTED = {TYPE_KEY: "redacted", "reason": "contains the app's SECRET_KEY"}


def _type_name(value: Any) -> str:
    kind = type(value)
    return f"{kind.__module__}.{kind.__qualname__}"


def _unrepresentable(value: Any, reason: str) -> dict:
    try:
        text: str | None = _bounded_repr.repr(value)
    except Exception:  # a hostile __repr__ must not stop the snapshot
        text = None
    return {TYPE_KEY: "unrepresentable", "python_type": _type_name(value), "repr": text, "reason": reason}


class _Converter:
    def __init__(self, secrets: Secrets, budget_chars: int):
        self._secrets = secrets
        self._budget = budget_chars

    def _spend(self, chars: int) -> None:
        self._budget -= chars
        if self._budget < 0:
            raise SnapshotTooLarge()

    def convert(self, value: Any, depth: int = 0) -> Any:
        self._spend(8)
        if depth > MAX_DEPTH:
            return _unrepresentable(value, f"nested deeper than {MAX_DEPTH} levels")
        try:
            return self._convert(value, depth)
        except SnapshotTooLarge:
            raise
        except Exception as exc:  # e.g. a tzinfo whose utcoffset() raises
            return _unrepresentable(value, f"conversion failed: {type(exc).__name__}")

    def _convert(self, value: Any, depth: int) -> Any:
        # The order of the checks is demo/typed_repr.py's, so the output is the same.
        if value is None or isinstance(value, bool):
            return value
        # Markup is a str subclass, so it must be tested before str.
        if isinstance(value, Markup):
            text = str(value)
            self._spend(len(text))
            return _REDACTED if self._secrets.found_in(text) else {TYPE_KEY: "markup", "value": text}
        if isinstance(value, str):
            if type(value) is not str:
                return _unrepresentable(value, "str subclass has no $type form")
            self._spend(len(value))
            return _REDACTED if self._secrets.found_in(value) else value
        if isinstance(value, int):
            if type(value) is not int:  # IntEnum and friends would lose their type silently
                return _unrepresentable(value, "int subclass has no $type form")
            if -JS_SAFE_MAX <= value <= JS_SAFE_MAX:
                return value
            # str() of a huge int is quadratic (and refused past 4,300 digits): check the size first.
            self._spend(value.bit_length() // 3)
            return {TYPE_KEY: "int", "value": str(value)}
        if isinstance(value, float):
            if math.isnan(value):
                return {TYPE_KEY: "float", "value": "NaN"}
            if math.isinf(value):
                return {TYPE_KEY: "float", "value": "Infinity" if value > 0 else "-Infinity"}
            return float(value)
        if isinstance(value, tuple):
            return {TYPE_KEY: "tuple", "items": [self.convert(v, depth + 1) for v in tuple.__iter__(value)]}
        if isinstance(value, list):
            return [self.convert(v, depth + 1) for v in list.__iter__(value)]
        if isinstance(value, bytes):
            self._spend(len(value) * 4)
            if self._secrets.found_in(value):
                return _REDACTED
            return {TYPE_KEY: "bytes", "base64": base64.b64encode(value).decode("ascii"), "hex": value.hex()}
        if isinstance(value, uuid.UUID):
            return {TYPE_KEY: "uuid", "value": str(value), "hex": value.hex}
        if isinstance(value, datetime):
            aware = value.tzinfo is not None and value.utcoffset() is not None
            instant = value if aware else value.replace(tzinfo=timezone.utc)
            return {TYPE_KEY: "datetime", "iso": value.isoformat(), "unix": int(instant.timestamp()), "tz_aware": aware}
        if isinstance(value, dict):
            return self.convert_dict(value, depth)
        return _unrepresentable(value, "no $type form")

    def convert_dict(self, value: dict, depth: int) -> Any:
        # dict.items, not value.items(): a session's own accessors flag it as accessed.
        entries = {}
        for key, item in dict.items(value):
            if type(key) is not str:
                return _unrepresentable(value, "a dict key is not a str")
            self._spend(len(key))
            if self._secrets.found_in(key):
                return _REDACTED
            entries[key] = self.convert(item, depth + 1)
        if TYPE_KEY in entries:
            return {TYPE_KEY: "dict", "entries": entries}
        return entries


def to_typed(value: Any, secrets: Secrets = NO_SECRETS, budget_chars: int = DEFAULT_BUDGET_CHARS) -> Any:
    """The "$type" form of `value`; raises SnapshotTooLarge past `budget_chars`."""
    return _Converter(secrets, budget_chars).convert(value)


def mapping_to_typed(mapping: dict, secrets: Secrets = NO_SECRETS, budget_chars: int = DEFAULT_BUDGET_CHARS) -> Any:
    """The "$type" form of a session's dict, read without the session's own accessors."""
    return _Converter(secrets, budget_chars).convert_dict(mapping, 0)
