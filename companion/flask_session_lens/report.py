"""What one request did to the session, encoded as the X-Session-Lens header.

Observation happens at three moments: right after open_session (the opened
snapshot), right before the wrapped save_session (flags, the saved snapshot,
the Set-Cookie headers already on the response) and right after it (the
Set-Cookie it added, the store TTL). Everything here reads the session without
its own accessors, so observing never changes `accessed`, `modified` or Vary.
"""

from __future__ import annotations

import base64
import json
import re
import struct
import time
from dataclasses import dataclass, field
from typing import Any, Optional

from flask.sessions import SessionInterface

from .typed_repr import TYPE_KEY, Secrets, SnapshotTooLarge, mapping_to_typed

HEADER_NAME = "X-Session-Lens"
FORMAT_VERSION = 1
DEFAULT_MAX_HEADER_BYTES = 16_384
MIN_MAX_HEADER_BYTES = 1_024
MAX_CHANGED_KEYS = 100
_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass
class Snapshot:
    typed: Any  # the "$type" form; None when it was over the budget
    canonical: dict  # top-level key -> sorted JSON text, or {None: text} when not a plain dict

    @property
    def too_large(self) -> bool:
        return self.typed is None


def _canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


class _FlagsKept:
    """Restores `accessed` / `modified` if reading the session flipped them."""

    def __init__(self, session: Any):
        self._session = session

    def __enter__(self) -> "_FlagsKept":
        self.accessed = getattr(self._session, "accessed", None)
        self.modified = getattr(self._session, "modified", None)
        return self

    def __exit__(self, *exc: Any) -> None:
        for name in ("accessed", "modified"):
            if getattr(self._session, name, None) != getattr(self, name):
                setattr(self._session, name, getattr(self, name))


def take_snapshot(session: Any, secrets: Secrets) -> Snapshot:
    """The session's contents in the "$type" form: a deep copy, later in-place changes do not reach it."""
    with _FlagsKept(session):
        mapping = session if isinstance(session, dict) else dict(session.items())
        try:
            typed = mapping_to_typed(mapping, secrets)
        except SnapshotTooLarge:
            return Snapshot(None, {})
    entries = typed.get("entries") if typed.get(TYPE_KEY) == "dict" else typed
    if TYPE_KEY in entries:  # a marker standing for the whole session
        return Snapshot(typed, {None: _canonical_json(typed)})
    return Snapshot(typed, {key: _canonical_json(value) for key, value in entries.items()})


def compare(opened: Optional[Snapshot], saved: Optional[Snapshot]) -> tuple:
    """(changed, changed top-level keys) between the snapshots; None where unknown."""
    if opened is None or saved is None or opened.too_large or saved.too_large:
        return None, None
    if None in opened.canonical or None in saved.canonical:  # no per-key view of a marker
        return opened.canonical != saved.canonical, None
    keys = list(saved.canonical) + [k for k in opened.canonical if k not in saved.canonical]
    changed = [k for k in keys if opened.canonical.get(k) != saved.canonical.get(k)]
    return bool(changed), changed


# ------------------------------------------------------------------ the session interface's view


def cookie_name(interface: Any, app: Any) -> str:
    getter = getattr(interface, "get_cookie_name", None)
    return getter(app) if callable(getter) else app.config["SESSION_COOKIE_NAME"]


def session_set_cookies(response: Any, name: str) -> list:
    """The response's Set-Cookie headers for the cookie `name`."""
    return [h for h in response.headers.getlist("Set-Cookie") if h.split("=", 1)[0].strip() == name]


def is_deletion(set_cookie: str) -> bool:
    attributes = [a.strip().lower() for a in set_cookie.split(";")[1:]]
    return any(a == "max-age=0" or (a.startswith("expires=") and "1970" in a) for a in attributes)


def _is_flask_session(interface: Any) -> bool:
    return type(interface).__module__.split(".")[0] == "flask_session"


def _should_set_cookie_overridden(interface: Any) -> bool:
    return getattr(type(interface), "should_set_cookie", None) is not SessionInterface.should_set_cookie


@dataclass
class OpenedSession:
    """What open_session returned, recorded in the request's environ."""

    session: Any  # None when open_session gave no session (a null session follows)
    snapshot: Optional[Snapshot]
    sid: Optional[str]
    request_had_cookie: bool


def observe_open(interface: Any, app: Any, request: Any, session: Any, secrets: Secrets) -> OpenedSession:
    snapshot = take_snapshot(session, secrets) if session is not None else None
    sid = getattr(session, "sid", None)
    return OpenedSession(session, snapshot, sid if isinstance(sid, str) else None, cookie_name(interface, app) in request.cookies)


@dataclass
class BeforeSave:
    null_session: bool
    new: bool
    accessed: bool
    modified: bool
    permanent: bool
    empty: bool
    snapshot: Optional[Snapshot]
    sid: Optional[str]
    should_set_cookie: Optional[bool]
    flask_rule_says_set: bool  # Flask's own should_set_cookie rule
    store_write: Optional[str]
    set_cookie_before: list = field(default_factory=list)


def observe_before_save(interface: Any, app: Any, session: Any, response: Any, null_session: bool, secrets: Secrets) -> BeforeSave:
    # Flags first: reading permanent, bool() or the contents may flip `accessed` (Flask-Session >= 0.7).
    accessed = bool(getattr(session, "accessed", False))
    modified = bool(getattr(session, "modified", False))
    new = bool(getattr(session, "new", False))
    with _FlagsKept(session):
        permanent = bool(dict.get(session, "_permanent", False) if isinstance(session, dict) else session.permanent)
        empty = not session
        snapshot = None if null_session else take_snapshot(session, secrets)
        refresh = bool(app.config.get("SESSION_REFRESH_EACH_REQUEST", True))
        flask_rule_says_set = modified or (permanent and refresh)
        should_set = None if null_session else bool(interface.should_set_cookie(app, session))
        store_write = None
        if _is_flask_session(interface) and not null_session:
            if empty:
                store_write = "deleted" if modified else "skipped"
            elif hasattr(interface, "should_set_storage"):  # Flask-Session >= 0.7
                store_write = "written" if interface.should_set_storage(app, session) else "skipped"
            elif not hasattr(interface, "sid_length"):  # before 0.6: every non-empty session
                store_write = "written"
            # 0.6 (sid_length, no should_set_storage) is not one this companion knows the rule of
    sid = getattr(session, "sid", None)
    return BeforeSave(
        null_session=null_session,
        new=new,
        accessed=accessed,
        modified=modified,
        permanent=permanent,
        empty=empty,
        snapshot=snapshot,
        sid=sid if isinstance(sid, str) else None,
        should_set_cookie=should_set,
        flask_rule_says_set=flask_rule_says_set,
        store_write=store_write,
        set_cookie_before=session_set_cookies(response, cookie_name(interface, app)),
    )


def cookie_outcome(before: BeforeSave, added: list, refresh: bool) -> tuple:
    """(action, reason) for the session cookie, from the Set-Cookie save_session added."""
    if added:
        if is_deletion(added[-1]):
            return "deleted", "emptied" if before.empty and before.modified else "deleted_by_interface"
        if before.modified:
            return "written", "modified"
        if before.should_set_cookie and not before.flask_rule_says_set:
            return "written", "should_set_cookie_override"
        if before.flask_rule_says_set:
            return "written", "refresh_each_request"
        return "written", "interface_ignores_should_set_cookie"
    if before.null_session:
        return "left_alone", "null_session"
    if before.empty:
        return "left_alone", "empty_session"
    if before.should_set_cookie is False and before.flask_rule_says_set:
        return "left_alone", "should_set_cookie_override"
    if not before.modified and not before.permanent:
        return "left_alone", "not_modified_not_permanent"
    if not before.modified and not refresh:
        return "left_alone", "not_modified_refresh_off"
    return "left_alone", "interface_skipped"


def store_ttl(interface: Any, store_key: str, logger: Any) -> Optional[int]:
    """Seconds the stored session has left, where the backend says: redis TTL, cachelib file expiry."""
    try:
        client = getattr(interface, "client", None)
        if client is None:
            client = getattr(interface, "redis", None)  # Flask-Session < 0.7
        if client is not None and type(client).__module__.split(".")[0] == "redis":
            ttl = client.ttl(store_key)
            return ttl if isinstance(ttl, int) and ttl >= 0 else None
        cache = getattr(interface, "cache", None)
        filename_of = getattr(cache, "_get_filename", None)  # cachelib.FileSystemCache
        if callable(filename_of):
            with open(filename_of(store_key), "rb") as stored:
                (expires,) = struct.unpack("I", stored.read(4))  # cachelib's native-endian expiry
            return max(0, expires - int(time.time())) if expires else None
    except FileNotFoundError:
        return None
    except Exception:
        logger.warning("Session Lens: could not read the store TTL of the session", exc_info=True)
    return None


# ------------------------------------------------------------------ the header


def build_report(interface: Any, app: Any, session: Any, opened: OpenedSession, before: BeforeSave, response: Any, logger: Any) -> dict:
    refresh = bool(app.config.get("SESSION_REFRESH_EACH_REQUEST", True))
    name = cookie_name(interface, app)
    after = session_set_cookies(response, name)
    known = list(before.set_cookie_before)
    added = []
    for header in after:
        if header in known:
            known.remove(header)
        else:
            added.append(header)
    action, reason = cookie_outcome(before, added, refresh)

    # The record belongs to this session unless something replaced the session object since.
    opened_snapshot = opened.snapshot if opened.session is session else None
    changed, keys = compare(opened_snapshot, before.snapshot)

    key_prefix = getattr(interface, "key_prefix", None)
    store = None
    if isinstance(key_prefix, str) and before.sid is not None:
        store_key = key_prefix + before.sid
        store = {
            "key": store_key,
            "key_changed": opened.sid is not None and opened.sid != before.sid,
            "write": before.store_write,
            "ttl": store_ttl(interface, store_key, logger) if before.store_write != "deleted" else None,
        }

    truncated_fields = []
    if opened_snapshot is not None and opened_snapshot.too_large:
        truncated_fields.append("opened")
    if before.snapshot is not None and before.snapshot.too_large:
        truncated_fields.append("saved")
    session_type = app.config.get("SESSION_TYPE")
    return {
        "v": FORMAT_VERSION,
        "interface": type(interface).__name__,
        "session_type": session_type if isinstance(session_type, str) else None,
        "cookie_name": name,
        "key_prefix": key_prefix if isinstance(key_prefix, str) else None,
        "refresh_each_request": refresh,
        "request_had_cookie": opened.request_had_cookie,
        "null_session": before.null_session,
        "new": before.new,
        "accessed": before.accessed,
        "modified": before.modified,
        "permanent": before.permanent,
        "opened": opened_snapshot.typed if opened_snapshot is not None else None,
        "saved": before.snapshot.typed if before.snapshot is not None else None,
        "changed": changed,
        "changed_keys": keys[:MAX_CHANGED_KEYS] if keys is not None else None,
        "changed_without_modified": None if changed is None else changed and not before.modified,
        "cookie": {
            "action": action,
            "reason": reason,
            "should_set_cookie": before.should_set_cookie,
            "should_set_cookie_overridden": _should_set_cookie_overridden(interface),
            "set_by_view": bool(before.set_cookie_before),
        },
        "store": store,
        "truncated": bool(truncated_fields),
        "truncated_fields": truncated_fields,
    }


def _encode(report: dict) -> str:
    text = json.dumps(report, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    # Python strings can hold lone surrogates, which UTF-8 cannot: write them as \u escapes (as typed-repr.ts does).
    text = _SURROGATE.sub(lambda m: "\\u%04x" % ord(m.group()), text)
    return base64.urlsafe_b64encode(text.encode("utf-8")).rstrip(b"=").decode("ascii")


def encode_header(report: dict, max_bytes: int) -> str:
    """base64url (unpadded) JSON, at most `max_bytes` long: big parts are dropped until it fits."""
    value = _encode(report)
    if len(value) <= max_bytes:
        return value
    snapshots_by_size = sorted(("opened", "saved"), key=lambda part: len(json.dumps(report[part])), reverse=True)
    for part in (*snapshots_by_size, "changed_keys", "store_key"):
        if part == "store_key":
            if report["store"] is None or report["store"]["key"] is None:
                continue
            report["store"]["key"] = None
        elif report[part] is None:
            continue
        else:
            report[part] = None
        report["truncated"] = True
        report["truncated_fields"].append(part)
        value = _encode(report)
        if len(value) <= max_bytes:
            return value
    return _encode({"v": FORMAT_VERSION, "error": "HeaderTooLarge", "truncated": True})


def error_header(exc: BaseException) -> str:
    """The marker sent when observing failed; the details are in the server log."""
    return _encode({"v": FORMAT_VERSION, "error": type(exc).__name__})


def max_header_bytes(app: Any) -> int:
    configured = app.config.get("SESSION_LENS_MAX_HEADER_BYTES", DEFAULT_MAX_HEADER_BYTES)
    if not isinstance(configured, int) or isinstance(configured, bool):
        return DEFAULT_MAX_HEADER_BYTES
    return max(MIN_MAX_HEADER_BYTES, configured)


def app_secrets(app: Any) -> Secrets:
    fallbacks = app.config.get("SECRET_KEY_FALLBACKS") or []
    return Secrets([app.config.get("SECRET_KEY"), *(fallbacks if isinstance(fallbacks, (list, tuple)) else [])])
