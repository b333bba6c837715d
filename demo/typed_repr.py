"""Convert between Python session values and Session Lens' "$type" JSON form.

JSON null/bool/str/list/dict and JS-safe numbers stay as they are. Every
other value becomes an object whose first key is "$type":

    tuple     {"$type": "tuple", "items": [...]}
    bytes     {"$type": "bytes", "base64": <standard base64, padded>, "hex": ...}
    Markup    {"$type": "markup", "value": <str>}
    UUID      {"$type": "uuid", "value": <8-4-4-4-12 lowercase>, "hex": <32 hex>}
    datetime  {"$type": "datetime", "iso": <isoformat()>, "unix": <int>, "tz_aware": <bool>}
    int       {"$type": "int", "value": <decimal str>}    only outside +-(2**53 - 1)
    float     {"$type": "float", "value": "NaN" | "Infinity" | "-Infinity"}
    dict      {"$type": "dict", "entries": {...}}         only for a dict that has a "$type" key

Finite floats are plain JSON numbers (Python writes the shortest repr that
round-trips). This matches the `representation` block of the reference
vectors in /work/shared/vectors.

`unix` is int(datetime.timestamp()). A naive datetime has no defined instant;
it is read as UTC here (Flask's TaggedJSON does the same when it tags one), so
the result never depends on the machine's time zone.

Only standard-library modules and markupsafe (a Flask dependency) are used,
so the module imports on Debian's Python and in any Flask virtualenv.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
import uuid
from datetime import datetime, timezone
from typing import Any

from markupsafe import Markup

__all__ = [
    "TypedReprError",
    "JS_SAFE_MAX",
    "from_typed",
    "to_typed",
    "loads",
    "dumps",
]

TYPE_KEY = "$type"
JS_SAFE_MAX = 2**53 - 1


class TypedReprError(ValueError):
    """A value cannot be converted in the requested direction."""


# --------------------------------------------------------------------- Python -> JSON


def to_typed(value: Any, _path: str = "$") -> Any:
    """Return a JSON-compatible structure representing `value` exactly.

    Raises TypedReprError for values the representation has no form for
    (sets, bytearray, date without time, non-str dict keys, ...).
    """
    if value is None or isinstance(value, bool):
        return value
    # Markup is a str subclass, so it must be tested before str.
    if isinstance(value, Markup):
        return {TYPE_KEY: "markup", "value": str(value)}
    if isinstance(value, str):
        if type(value) is not str:
            raise TypedReprError(f"{_path}: str subclass {type(value).__name__} has no $type form")
        return value
    if isinstance(value, int):
        if type(value) is not int:  # IntEnum and friends would lose their type silently
            raise TypedReprError(f"{_path}: int subclass {type(value).__name__} has no $type form")
        if -JS_SAFE_MAX <= value <= JS_SAFE_MAX:
            return value
        return {TYPE_KEY: "int", "value": str(value)}
    if isinstance(value, float):
        if math.isnan(value):
            return {TYPE_KEY: "float", "value": "NaN"}
        if math.isinf(value):
            return {TYPE_KEY: "float", "value": "Infinity" if value > 0 else "-Infinity"}
        return value
    if isinstance(value, tuple):
        return {TYPE_KEY: "tuple", "items": [to_typed(v, f"{_path}[{i}]") for i, v in enumerate(value)]}
    if isinstance(value, list):
        return [to_typed(v, f"{_path}[{i}]") for i, v in enumerate(value)]
    if isinstance(value, bytes):
        return {
            TYPE_KEY: "bytes",
            "base64": base64.b64encode(value).decode("ascii"),
            "hex": value.hex(),
        }
    if isinstance(value, uuid.UUID):
        return {TYPE_KEY: "uuid", "value": str(value), "hex": value.hex}
    if isinstance(value, datetime):
        aware = value.tzinfo is not None and value.utcoffset() is not None
        instant = value if aware else value.replace(tzinfo=timezone.utc)
        return {
            TYPE_KEY: "datetime",
            "iso": value.isoformat(),
            "unix": int(instant.timestamp()),
            "tz_aware": aware,
        }
    if isinstance(value, dict):
        entries = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypedReprError(f"{_path}: dict key {key!r} is not a str")
            entries[key] = to_typed(item, f"{_path}.{key}")
        if TYPE_KEY in entries:
            return {TYPE_KEY: "dict", "entries": entries}
        return entries
    raise TypedReprError(f"{_path}: {type(value).__module__}.{type(value).__qualname__} has no $type form")


# --------------------------------------------------------------------- JSON -> Python


def _require(obj: dict, key: str, kind: type, path: str) -> Any:
    if key not in obj:
        raise TypedReprError(f"{path}: missing {key!r}")
    val = obj[key]
    if not isinstance(val, kind) or (kind is int and isinstance(val, bool)):
        raise TypedReprError(f"{path}.{key}: expected {kind.__name__}, got {type(val).__name__}")
    return val


def _check_keys(obj: dict, allowed: set, path: str) -> None:
    extra = set(obj) - allowed - {TYPE_KEY}
    if extra:
        raise TypedReprError(f"{path}: unexpected keys {sorted(extra)}")


def _bytes_from(obj: dict, path: str) -> bytes:
    _check_keys(obj, {"base64", "hex"}, path)
    if "base64" not in obj and "hex" not in obj:
        raise TypedReprError(f"{path}: bytes needs 'base64' or 'hex'")
    raw = None
    if "base64" in obj:
        text = _require(obj, "base64", str, path)
        try:
            raw = base64.b64decode(text, validate=True)
        except binascii.Error as exc:
            raise TypedReprError(f"{path}.base64: {exc}") from None
    if "hex" in obj:
        text = _require(obj, "hex", str, path)
        try:
            from_hex = bytes.fromhex(text)
        except ValueError as exc:
            raise TypedReprError(f"{path}.hex: {exc}") from None
        if raw is not None and raw != from_hex:
            raise TypedReprError(f"{path}: 'base64' and 'hex' disagree")
        raw = from_hex
    assert raw is not None
    return raw


def _uuid_from(obj: dict, path: str) -> uuid.UUID:
    _check_keys(obj, {"value", "hex"}, path)
    result = None
    for key in ("value", "hex"):
        if key in obj:
            text = _require(obj, key, str, path)
            try:
                parsed = uuid.UUID(text)
            except ValueError as exc:
                raise TypedReprError(f"{path}.{key}: {exc}") from None
            if result is not None and parsed != result:
                raise TypedReprError(f"{path}: 'value' and 'hex' disagree")
            result = parsed
    if result is None:
        raise TypedReprError(f"{path}: uuid needs 'value' or 'hex'")
    return result


def _datetime_from(obj: dict, path: str) -> datetime:
    _check_keys(obj, {"iso", "unix", "tz_aware"}, path)
    text = _require(obj, "iso", str, path)
    try:
        value = datetime.fromisoformat(text)
    except ValueError as exc:
        raise TypedReprError(f"{path}.iso: {exc}") from None
    aware = value.tzinfo is not None and value.utcoffset() is not None
    if "tz_aware" in obj and _require(obj, "tz_aware", bool, path) != aware:
        raise TypedReprError(f"{path}: tz_aware={obj['tz_aware']} but iso {text!r} says {aware}")
    if "unix" in obj:
        unix = _require(obj, "unix", int, path)
        instant = value if aware else value.replace(tzinfo=timezone.utc)
        if int(instant.timestamp()) != unix:
            raise TypedReprError(f"{path}: unix={unix} does not match iso {text!r}")
    return value


_DECIMAL = re.compile(r"-?[0-9]+")
_FLOATS = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}


def from_typed(value: Any, _path: str = "$") -> Any:
    """Build the Python value described by a "$type" JSON structure.

    Redundant fields (bytes hex, uuid hex, datetime unix/tz_aware) are
    optional on input but must agree with the primary field when present.
    """
    if value is None or isinstance(value, (bool, str, int)):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise TypedReprError(f"{_path}: non-finite float must be written as $type float")
        return value
    if isinstance(value, list):
        return [from_typed(v, f"{_path}[{i}]") for i, v in enumerate(value)]
    if not isinstance(value, dict):
        raise TypedReprError(f"{_path}: unexpected JSON value of type {type(value).__name__}")
    if TYPE_KEY not in value:
        return {k: from_typed(v, f"{_path}.{k}") for k, v in value.items()}

    kind = value[TYPE_KEY]
    if kind == "tuple":
        _check_keys(value, {"items"}, _path)
        items = _require(value, "items", list, _path)
        return tuple(from_typed(v, f"{_path}[{i}]") for i, v in enumerate(items))
    if kind == "bytes":
        return _bytes_from(value, _path)
    if kind == "markup":
        _check_keys(value, {"value"}, _path)
        return Markup(_require(value, "value", str, _path))
    if kind == "uuid":
        return _uuid_from(value, _path)
    if kind == "datetime":
        return _datetime_from(value, _path)
    if kind == "int":
        _check_keys(value, {"value"}, _path)
        text = _require(value, "value", str, _path)
        # int() alone would also take "+1", " 1" and "1_000".
        if not _DECIMAL.fullmatch(text):
            raise TypedReprError(f"{_path}.value: {text!r} is not a decimal integer")
        return int(text, 10)
    if kind == "float":
        _check_keys(value, {"value"}, _path)
        text = _require(value, "value", str, _path)
        if text not in _FLOATS:
            raise TypedReprError(f"{_path}.value: expected one of {sorted(_FLOATS)}, got {text!r}")
        return _FLOATS[text]
    if kind == "dict":
        _check_keys(value, {"entries"}, _path)
        entries = _require(value, "entries", dict, _path)
        return {k: from_typed(v, f"{_path}.{k}") for k, v in entries.items()}
    raise TypedReprError(f"{_path}: unknown $type {kind!r}")


# --------------------------------------------------------------------- text helpers


def _reject_constant(name: str) -> Any:
    raise TypedReprError(f"bare {name} is not JSON; use {{\"$type\": \"float\", \"value\": \"{name}\"}}")


def loads(text: str | bytes) -> Any:
    """Parse "$type" JSON text (strict RFC 8259: no bare NaN/Infinity)."""
    return from_typed(json.loads(text, parse_constant=_reject_constant))


def dumps(value: Any, **kwargs: Any) -> str:
    """Serialize a Python value as "$type" JSON text (keys keep their order)."""
    kwargs.setdefault("ensure_ascii", False)
    return json.dumps(to_typed(value), allow_nan=False, **kwargs)
