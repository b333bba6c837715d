"""Session Lens demo app: one small Flask app for trying the extension and the CLI.

It runs unchanged on both stacks the project tests against:

  * Debian 12:  /usr/bin/python3 demo/app.py
                (Flask 2.2.2, Flask-Session 0.3.2, redis-py 4.3)
  * modern:     .venv-modern/bin/python demo/app.py
                (Flask 3.1.3, Flask-Session 0.8.0, redis-py 8; see
                scripts/setup-python.sh)

Configuration (environment variables; booleans are 0/1):

  SESSION_LENS_HOST                  address to listen on (default 127.0.0.1)
  SESSION_LENS_PORT                  TCP port (default 5000; 0 picks a free port,
                                     reported in the ready line)
  SESSION_LENS_SECRET_KEY            Flask SECRET_KEY (default "dev-secret-change-me")
  SESSION_LENS_SECRET_KEY_FALLBACKS  comma-separated old keys -> SECRET_KEY_FALLBACKS.
                                     Only Flask >= 3.1 uses them (cookie backend
                                     only; Flask-Session ignores them).
  SESSION_LENS_BACKEND               "cookie" (Flask's signed cookie, default), or a
                                     Flask-Session backend (server-side): "redis",
                                     "memcached", "filesystem", "mongodb" or
                                     "sqlalchemy"
  SESSION_LENS_REDIS_URL             redis URL for the redis backend
                                     (default redis://127.0.0.1:6379/0)
  SESSION_LENS_MEMCACHED             host:port of memcached for the memcached backend
                                     (default 127.0.0.1:11211; client: python-memcached)
  SESSION_LENS_FILE_DIR              SESSION_FILE_DIR for the filesystem backend
                                     (default: a temporary directory, removed at exit)
  SESSION_LENS_SQLALCHEMY_URI        SQLALCHEMY_DATABASE_URI for the sqlalchemy backend
                                     (default: SQLite in a temporary file, removed at exit)
  The mongodb backend runs Flask-Session's real MongoDB interface against an
  in-process mongomock client (no MongoDB server is needed or used).
  SESSION_LENS_USE_SIGNER            Flask-Session SESSION_USE_SIGNER (default 0)
  SESSION_LENS_SESSION_PERMANENT     Flask-Session SESSION_PERMANENT (default 1)
  SESSION_LENS_REFRESH_EACH_REQUEST  SESSION_REFRESH_EACH_REQUEST (default 1)
  SESSION_LENS_LIFETIME              PERMANENT_SESSION_LIFETIME in seconds
                                     (default: Flask's 31 days)
  SESSION_LENS_COMPANION             1 = load the companion (companion/, flask_session_lens),
                                     so each response carries its X-Session-Lens report
                                     of what the session interface did (default 0)
  SESSION_LENS_EXIT_ON_STDIN_EOF     1 = exit when stdin reaches end of file. Test
                                     harnesses set it and keep a pipe open, so the
                                     app cannot outlive them.

Once the socket listens, one JSON line is printed to stdout, e.g.
  {"ready": true, "port": 5000, "url": "http://127.0.0.1:5000", "flask": "3.1.3",
   "flask_session": "0.8.0", "backend": "cookie", ...}
("flask_session" is the installed Flask-Session version, or null.)
Request logs and warnings go to stderr.

Routes (GET and POST both work): see ACTIONS below, plus the test hooks
  POST /_typed/set   JSON body in the "$type" form (demo/typed_repr.py); it
                     REPLACES the whole session with the converted values.
                     "_permanent" is an ordinary key here: include
                     {"_permanent": true} to keep a session permanent.
  GET  /_typed/get   {"payload": <session in "$type" form>, "repr": <Python repr>}
  GET  /_info        versions and configuration
  GET  /_store?sid=X  the raw stored value of (unsigned) session id X, read from
                     the backend itself (redis, memcached, the cache file, the SQL
                     table, the mongomock collection); Flask-Session backends only
This is a local demo: the hooks let anyone replace the session. Do not expose it.
"""

from __future__ import annotations

import atexit
import base64
import html
import json
import os
import shutil
import sys
import tempfile
import threading
import uuid
import warnings
from datetime import datetime, timedelta, timezone
from importlib import metadata
from typing import Any

import flask
from flask import Flask, Response, request, session
from markupsafe import Markup
from werkzeug.serving import make_server

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import typed_repr  # noqa: E402  (sibling module, importable once the path is set)


# ------------------------------------------------------------------ configuration


def _env_str(name: str, default: str) -> str:
    value = os.environ.get(name)
    return default if value is None or value == "" else value


def _env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in ("1", "true", "yes", "on"):
        return True
    if raw.lower() in ("0", "false", "no", "off"):
        return False
    sys.exit(f"demo/app.py: {name} must be 0 or 1, got {raw!r}")


def _env_int(name: str, default: int | None) -> int | None:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw, 10)
    except ValueError:
        sys.exit(f"demo/app.py: {name} must be an integer, got {raw!r}")


def _dist_version(*names: str) -> str | None:
    for name in names:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return None


def _version_tuple(text: str | None) -> tuple[int, ...]:
    parts = []
    for piece in (text or "0").split("."):
        digits = "".join(ch for ch in piece if ch.isdigit())
        if not digits:
            break
        parts.append(int(digits))
    return tuple(parts)


HOST = _env_str("SESSION_LENS_HOST", "127.0.0.1")
PORT = _env_int("SESSION_LENS_PORT", 5000)
SECRET_KEY = _env_str("SESSION_LENS_SECRET_KEY", "dev-secret-change-me")
FALLBACKS = [k for k in os.environ.get("SESSION_LENS_SECRET_KEY_FALLBACKS", "").split(",") if k]
BACKEND = _env_str("SESSION_LENS_BACKEND", "cookie")
REDIS_URL = _env_str("SESSION_LENS_REDIS_URL", "redis://127.0.0.1:6379/0")
MEMCACHED = _env_str("SESSION_LENS_MEMCACHED", "127.0.0.1:11211")
FILE_DIR = os.environ.get("SESSION_LENS_FILE_DIR") or None
SQLALCHEMY_URI = os.environ.get("SESSION_LENS_SQLALCHEMY_URI") or None
USE_SIGNER = _env_bool("SESSION_LENS_USE_SIGNER", False)
SESSION_PERMANENT = _env_bool("SESSION_LENS_SESSION_PERMANENT", True)
REFRESH_EACH_REQUEST = _env_bool("SESSION_LENS_REFRESH_EACH_REQUEST", True)
LIFETIME = _env_int("SESSION_LENS_LIFETIME", None)
EXIT_ON_STDIN_EOF = _env_bool("SESSION_LENS_EXIT_ON_STDIN_EOF", False)
COMPANION = _env_bool("SESSION_LENS_COMPANION", False)

# Python hides DeprecationWarnings raised inside libraries. Flask-Session's
# are part of what this demo shows (0.3.2 reads app.session_cookie_name, which
# Flask 2.2 deprecates; 0.8.0 deprecates SESSION_USE_SIGNER), so print each
# one once on stderr.
warnings.filterwarnings("default", category=DeprecationWarning, module=r"flask_session(\.|$)")

SERVER_BACKENDS = ("redis", "memcached", "filesystem", "mongodb", "sqlalchemy")
if BACKEND not in ("cookie",) + SERVER_BACKENDS:
    sys.exit(
        "demo/app.py: SESSION_LENS_BACKEND must be 'cookie' or one of "
        f"{', '.join(repr(b) for b in SERVER_BACKENDS)}, got {BACKEND!r}"
    )

FLASK_VERSION = _dist_version("Flask", "flask")
FLASK_SESSION_VERSION = _dist_version("Flask-Session", "flask-session", "Flask_Session")
FALLBACKS_SUPPORTED = _version_tuple(FLASK_VERSION) >= (3, 1)

app = Flask(__name__)
app.config["SECRET_KEY"] = SECRET_KEY
app.config["SESSION_REFRESH_EACH_REQUEST"] = REFRESH_EACH_REQUEST
if LIFETIME is not None:
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(seconds=LIFETIME)
if FALLBACKS:
    app.config["SECRET_KEY_FALLBACKS"] = FALLBACKS
    if not FALLBACKS_SUPPORTED:
        print(
            f"demo/app.py: warning: Flask {FLASK_VERSION} ignores SECRET_KEY_FALLBACKS "
            "(added in Flask 3.1); only SECRET_KEY verifies cookies",
            file=sys.stderr,
        )
    if BACKEND != "cookie":
        print(
            "demo/app.py: warning: Flask-Session signs session ids with SECRET_KEY only; "
            f"SECRET_KEY_FALLBACKS has no effect on the {BACKEND} backend",
            file=sys.stderr,
        )

def _need(what: str, exc: ImportError, debian: str) -> None:
    sys.exit(
        f"demo/app.py: the {BACKEND} backend needs {what} ({exc}). "
        f"Debian: apt-get install {debian}; otherwise: scripts/setup-python.sh"
    )


def _temp_dir(kind: str) -> str:
    path = tempfile.mkdtemp(prefix=f"session-lens-demo-{kind}-")
    atexit.register(shutil.rmtree, path, ignore_errors=True)
    return path


# What /_store reads the stored value with: (store key) -> dict.
_store_reader: Any = None

if BACKEND != "cookie":
    try:
        from flask_session import Session
    except ImportError as exc:
        _need("Flask-Session", exc, "python3-flask-session")
    app.config["SESSION_TYPE"] = BACKEND
    app.config["SESSION_USE_SIGNER"] = USE_SIGNER
    app.config["SESSION_PERMANENT"] = SESSION_PERMANENT

if BACKEND == "redis":
    try:
        import redis
    except ImportError as exc:
        _need("redis-py", exc, "python3-redis")
    redis_client = redis.Redis.from_url(REDIS_URL)
    try:
        redis_client.ping()
    except redis.exceptions.RedisError as exc:
        sys.exit(f"demo/app.py: cannot reach redis at {REDIS_URL}: {exc}")
    app.config["SESSION_REDIS"] = redis_client
    Session(app)

    def _store_reader(key: str) -> dict:
        value = redis_client.get(key)
        ttl = redis_client.ttl(key)
        return {"value": value, "ttl": ttl if value is not None else None}

elif BACKEND == "memcached":
    try:
        import memcache  # python-memcached: the client Flask-Session 0.3 and 0.8 both look for
    except ImportError as exc:
        _need("python-memcached", exc, "python3-memcache")
    memcached_client = memcache.Client([MEMCACHED])
    if not memcached_client.get_stats():
        sys.exit(f"demo/app.py: cannot reach memcached at {MEMCACHED}")
    app.config["SESSION_MEMCACHED"] = memcached_client
    Session(app)

    def _store_reader(key: str) -> dict:
        return {"value": memcache.Client([MEMCACHED]).get(key)}

elif BACKEND == "filesystem":
    FILE_DIR = FILE_DIR or _temp_dir("files")
    app.config["SESSION_FILE_DIR"] = FILE_DIR
    Session(app)

    def _store_reader(key: str) -> dict:
        cache = app.session_interface.cache  # cachelib FileSystemCache
        path = cache._get_filename(key)
        if not os.path.exists(path):
            return {"value": None, "file": path}
        with open(path, "rb") as fh:
            return {"value": fh.read(), "file": path, "cached": repr(cache.get(key))}

elif BACKEND == "mongodb":
    # No MongoDB server here: Flask-Session's real MongoDB interface runs against
    # mongomock's in-process client. Flask-Session >= 0.6 replaces any client that
    # is not a pymongo.MongoClient with MongoClient() on localhost:27017 (and then
    # hangs), so its module-level MongoClient name is pointed at mongomock's class
    # while the interface is built. A demo/test workaround only.
    try:
        import mongomock
    except ImportError as exc:
        _need("mongomock", exc, "python3-mongomock")
    mongo_client = mongomock.MongoClient()
    app.config["SESSION_MONGODB"] = mongo_client
    try:
        import flask_session.mongodb.mongodb as _fs_mongodb  # Flask-Session >= 0.6
    except ImportError:
        _fs_mongodb = None
    if _fs_mongodb is not None and hasattr(_fs_mongodb, "MongoClient"):
        _real_mongo_client = _fs_mongodb.MongoClient
        _fs_mongodb.MongoClient = mongomock.MongoClient
        try:
            Session(app)
        finally:
            _fs_mongodb.MongoClient = _real_mongo_client
    else:
        Session(app)

    def _store_reader(key: str) -> dict:
        store = app.session_interface.store
        doc = store.find_one({"id": key})
        if doc is None:
            return {"value": None, "collection": store.full_name}
        return {
            "value": bytes(doc["val"]),
            "collection": store.full_name,
            "expiration": doc["expiration"].isoformat() if doc.get("expiration") else None,
        }

elif BACKEND == "sqlalchemy":
    try:
        from flask_sqlalchemy import SQLAlchemy
    except ImportError as exc:
        _need("Flask-SQLAlchemy", exc, "python3-flask-sqlalchemy")
    if SQLALCHEMY_URI is None:
        SQLALCHEMY_URI = "sqlite:///" + os.path.join(_temp_dir("sqlite"), "sessions.sqlite3")
    app.config["SQLALCHEMY_DATABASE_URI"] = SQLALCHEMY_URI
    db = SQLAlchemy(app)
    app.config["SESSION_SQLALCHEMY"] = db
    Session(app)
    with app.app_context():
        db.create_all()  # Flask-Session 0.3 leaves the table to the app; 0.8 creates it itself

    def _store_reader(key: str) -> dict:
        import sqlalchemy

        table = app.config.get("SESSION_SQLALCHEMY_TABLE", "sessions")
        with db.engine.connect() as conn:
            row = conn.execute(
                sqlalchemy.text(f"SELECT data, expiry FROM {table} WHERE session_id = :key"),
                {"key": key},
            ).first()
        if row is None:
            return {"value": None, "table": table}
        return {"value": bytes(row[0]), "table": table, "expiry": str(row[1])}


if COMPANION:
    # Loaded from the repository, as `PYTHONPATH=companion` would; after Session(app), although
    # the companion also wraps an interface that is replaced later. The demo runs without debug
    # mode, hence ALLOW_OUTSIDE_DEBUG: a local demo only.
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "companion"))
    from flask_session_lens import SessionLens

    app.config["SESSION_LENS_ENABLED"] = True
    app.config["SESSION_LENS_ALLOW_OUTSIDE_DEBUG"] = True
    SessionLens(app)


def _store_format() -> str:
    """How the session contents are serialized on this stack/backend."""
    if BACKEND == "cookie":
        return "tagged-json-cookie"
    if BACKEND == "filesystem":
        return "pickle"  # cachelib's FileSystemCache pickles the dict on every version
    if _version_tuple(FLASK_SESSION_VERSION) >= (0, 7):
        return "msgspec-" + str(app.config.get("SESSION_SERIALIZATION_FORMAT", "msgpack"))
    return "pickle"


def _check_storable(values: dict) -> None:
    """Raise if the active session interface cannot serialize `values`.

    Flask's cookie serializer (TaggedJSON) and Flask-Session < 0.7 (pickle)
    take every value typed_repr produces; Flask-Session >= 0.7 (msgspec)
    rejects Markup and integers outside the 64-bit range, which would
    otherwise surface as a bare HTTP 500 while the response is saved.
    """
    serializer = getattr(app.session_interface, "serializer", None)
    if BACKEND == "filesystem":
        import pickle

        serializer = pickle
    if hasattr(serializer, "encode"):  # Flask-Session >= 0.7 (msgspec)
        serializer.encode(values)
    elif hasattr(serializer, "dumps"):  # TaggedJSONSerializer, pickle
        serializer.dumps(values)


# ------------------------------------------------------------------ helpers


def _json(data: Any, status: int = 200) -> Response:
    body = json.dumps(data, ensure_ascii=False, allow_nan=False)
    return Response(body + "\n", status=status, mimetype="application/json")


def _typed_session() -> dict:
    data = dict(session)
    return {"payload": typed_repr.to_typed(data), "repr": repr(data)}


BOTH = ["GET", "POST"]

# (method the page uses, path, button label, what it does) -- drives the index
# page. Every route also answers the other method.
ACTIONS: list[tuple[str, str, str, str]] = [
    ("POST", "/login", "Log in", "session['user'] = 'alice'"),
    ("POST", "/login-permanent", "Log in (permanent)", "session.permanent = True; session['user'] = 'alice'"),
    ("GET", "/whoami", "Who am I?", "session.get('user')"),
    ("GET", "/has-user", "Has user?", "'user' in session  (only a membership test)"),
    ("POST", "/modify", "Count +1", "session['count'] += 1"),
    ("POST", "/cart-init", "New cart", "session['cart'] = []"),
    ("POST", "/mutate-nested", "Append to cart (silent)", "session['cart'].append('y')  (modified stays False)"),
    ("POST", "/mutate-nested-flagged", "Append to cart (flagged)", "append, then session.modified = True"),
    ("POST", "/pop", "Pop count", "session.pop('count')"),
    ("POST", "/flash", "Flash a message", "flask.flash('Hello from the demo', 'info')"),
    ("POST", "/rich", "Store rich types", "tuple, bytes, Markup, UUID, datetime, big int, ..."),
    ("POST", "/big", "Store a big value", "a few KB of repetitive data (compressed cookie)"),
    ("POST", "/logout", "Log out", "session.clear()"),
]


# ------------------------------------------------------------------ routes


@app.route("/")
def index() -> Response:
    # Deliberately no session access here: opening the page must not change
    # what the panel shows (no Vary, no Set-Cookie caused by the view).
    return Response(INDEX_HTML, mimetype="text/html")


@app.route("/login", methods=BOTH)
def login() -> Response:
    session["user"] = "alice"
    return _json({"action": "login", "user": "alice", "permanent": session.permanent})


@app.route("/login-permanent", methods=BOTH)
def login_permanent() -> Response:
    session.permanent = True
    session["user"] = "alice"
    return _json({"action": "login-permanent", "user": "alice", "permanent": True})


@app.route("/whoami", methods=BOTH)
def whoami() -> Response:
    return _json({"user": session.get("user")})


@app.route("/has-user", methods=BOTH)
def has_user() -> Response:
    return _json({"has_user": "user" in session})


@app.route("/modify", methods=BOTH)
def modify() -> Response:
    session["count"] = session.get("count", 0) + 1
    return _json({"action": "modify", "count": session["count"]})


@app.route("/cart-init", methods=BOTH)
def cart_init() -> Response:
    session["cart"] = []
    return _json({"action": "cart-init", "cart": []})


@app.route("/mutate-nested", methods=BOTH)
def mutate_nested() -> Response:
    cart = session.get("cart")
    if not isinstance(cart, list):
        return _json({"error": "no cart in the session; call /cart-init first"}, 409)
    cart.append("y")  # in-place: Flask does not notice, session.modified stays False
    return _json({"action": "mutate-nested", "cart": cart, "modified": session.modified})


@app.route("/mutate-nested-flagged", methods=BOTH)
def mutate_nested_flagged() -> Response:
    cart = session.get("cart")
    if not isinstance(cart, list):
        return _json({"error": "no cart in the session; call /cart-init first"}, 409)
    cart.append("y")
    session.modified = True
    return _json({"action": "mutate-nested-flagged", "cart": cart, "modified": True})


@app.route("/pop", methods=BOTH)
def pop() -> Response:
    return _json({"action": "pop", "popped": session.pop("count", None)})


@app.route("/logout", methods=BOTH)
def logout() -> Response:
    session.clear()
    return _json({"action": "logout"})


@app.route("/flash", methods=BOTH)
def flash() -> Response:
    flask.flash("Hello from the demo", "info")
    return _json({"action": "flash", "category": "info", "message": "Hello from the demo"})


def _rich_payload() -> dict[str, Any]:
    return {
        "tuple": ("admin", "dev", 3),
        "bytes": b"\x00\x01binary\xff",
        "markup": Markup("<b>bold</b> &amp; safe"),
        "uuid": uuid.UUID("12345678-1234-5678-1234-567812345678"),
        "when": datetime(2024, 2, 29, 12, 34, 56, tzinfo=timezone.utc),
        "big_int": 2**70,
        "nested": {"level1": {"level2": {"list": [1, 2.5, None, True], "empty": {}}}},
        "tag_lookalike": {" t": "a one-key dict whose key looks like a tag"},
        "unicode": "caf\u00e9 \u2603 \U0001f40d \U0001d11e",
    }


@app.route("/rich", methods=BOTH)
def rich() -> Response:
    stored: list[str] = []
    skipped: dict[str, str] = {}
    for key, value in _rich_payload().items():
        try:
            _check_storable({key: value})
        except Exception as exc:  # report exactly what the store refused
            skipped[key] = f"{_store_format()} cannot store it: {type(exc).__name__}: {exc}"
            continue
        session[key] = value
        stored.append(key)
    return _json({"action": "rich", "stored": stored, "skipped": skipped})


@app.route("/big", methods=BOTH)
def big() -> Response:
    rows = [{"id": i, "name": f"item-{i:03d}", "tags": ["alpha", "beta", "gamma"]} for i in range(60)]
    session["big"] = rows
    size = len(json.dumps(rows, separators=(",", ":")))
    return _json({"action": "big", "rows": len(rows), "json_bytes": size})


@app.route("/_typed/set", methods=["POST", "PUT"])
def typed_set() -> Response:
    try:
        values = typed_repr.loads(request.get_data(cache=False))
    except (typed_repr.TypedReprError, ValueError) as exc:
        return _json({"error": f"bad $type payload: {exc}"}, 400)
    if not isinstance(values, dict):
        return _json({"error": "the payload must be a JSON object (the whole session)"}, 400)
    try:
        _check_storable(values)
    except Exception as exc:
        return _json(
            {"error": f"{_store_format()} cannot store this payload: {type(exc).__name__}: {exc}"},
            422,
        )
    # Replace everything, including "_permanent" (Flask-Session >= 0.7's
    # clear() would keep it), so the stored session is exactly the payload.
    for key in list(session.keys()):
        del session[key]
    session.update(values)
    session.modified = True
    return _json({"ok": True, "keys": list(values.keys())})


@app.route("/_typed/get", methods=BOTH)
def typed_get() -> Response:
    try:
        return _json(_typed_session())
    except typed_repr.TypedReprError as exc:
        return _json({"error": str(exc), "repr": repr(dict(session))}, 500)


@app.route("/_info", methods=BOTH)
def info() -> Response:
    return _json(
        {
            "flask": FLASK_VERSION,
            "flask_session": FLASK_SESSION_VERSION,
            "itsdangerous": _dist_version("itsdangerous"),
            "werkzeug": _dist_version("Werkzeug", "werkzeug"),
            "python": sys.version.split()[0],
            "backend": BACKEND,
            "companion": COMPANION,
            "store_format": _store_format(),
            "use_signer": USE_SIGNER if BACKEND != "cookie" else False,
            "secret_key_fallbacks_supported": FALLBACKS_SUPPORTED,
            "secret_key_fallbacks": len(FALLBACKS),
            "session_permanent": SESSION_PERMANENT if BACKEND != "cookie" else False,
            "refresh_each_request": REFRESH_EACH_REQUEST,
            "lifetime_seconds": int(app.permanent_session_lifetime.total_seconds()),
            "cookie_name": app.config["SESSION_COOKIE_NAME"],
            "redis_url": REDIS_URL if BACKEND == "redis" else None,
            "memcached": MEMCACHED if BACKEND == "memcached" else None,
            "file_dir": FILE_DIR if BACKEND == "filesystem" else None,
            "sqlalchemy_uri": SQLALCHEMY_URI if BACKEND == "sqlalchemy" else None,
            "mongodb": "mongomock" if BACKEND == "mongodb" else None,
            "key_prefix": app.config.get("SESSION_KEY_PREFIX", "session:") if BACKEND != "cookie" else None,
            "session_interface": f"{type(app.session_interface).__module__}.{type(app.session_interface).__name__}",
            "store_client": _store_client_name(),
        }
    )


def _store_client_name() -> str | None:
    """The class of the client object the session interface stores through."""
    iface = app.session_interface
    client = {
        "redis": lambda: iface.redis if hasattr(iface, "redis") else iface.client,
        "memcached": lambda: iface.client,
        "filesystem": lambda: iface.cache,
        "mongodb": lambda: iface.client,
        "sqlalchemy": lambda: iface.db if hasattr(iface, "db") else iface.client,
    }.get(BACKEND)
    if client is None:
        return None
    obj = client()
    return f"{type(obj).__module__}.{type(obj).__name__}"


@app.route("/_store", methods=["GET"])
def store() -> Response:
    if _store_reader is None:
        return _json({"error": "the cookie backend has no server-side store"}, 404)
    sid = request.args.get("sid", "")
    if not sid:
        return _json({"error": "pass ?sid=<unsigned session id>"}, 400)
    key = app.config.get("SESSION_KEY_PREFIX", "session:") + sid
    found = _store_reader(key)
    value = found.pop("value")
    if isinstance(value, str):
        value = value.encode("latin-1")
    return _json(
        {
            "backend": BACKEND,
            "key": key,
            "found": value is not None,
            "raw_base64": base64.b64encode(value).decode("ascii") if value is not None else None,
            **found,
        }
    )


# ------------------------------------------------------------------ index page


def _index_html() -> str:
    stack = f"Flask {FLASK_VERSION}"
    if BACKEND != "cookie":
        stack += f" \u00b7 Flask-Session {FLASK_SESSION_VERSION} \u00b7 {BACKEND}"
        stack += " \u00b7 signed ids" if USE_SIGNER else ""
    else:
        stack += " \u00b7 signed cookie"
    buttons = "\n".join(
        f'      <button type="button" data-method="{method}" data-path="{html.escape(path)}" '
        f'title="{html.escape(doc)}">{html.escape(label)}<small>{method} {html.escape(path)}</small></button>'
        for method, path, label, doc in ACTIONS
    )
    example = "\n".join(
        [
            "{",
            '  "user": "alice",',
            '  "roles": {"$type": "tuple", "items": ["admin", "dev"]},',
            '  "token": {"$type": "bytes", "base64": "c2VjcmV0"},',
            '  "when": {"$type": "datetime", "iso": "2024-02-29T12:34:56+00:00"}',
            "}",
        ]
    )
    return (
        INDEX_TEMPLATE.replace("%STACK%", html.escape(stack))
        .replace("%BUTTONS%", buttons)
        .replace("%EXAMPLE%", html.escape(example))
    )


INDEX_TEMPLATE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Session Lens demo</title>
<link rel="icon" href="data:,">
<style>
  :root { color-scheme: light dark; --fg:#1d2330; --muted:#5f6b7a; --bg:#f6f7f9; --card:#fff;
          --line:#dde1e6; --accent:#2f6fde; --accent-fg:#fff; --code:#f0f2f5; }
  @media (prefers-color-scheme: dark) {
    :root { --fg:#e6e9ee; --muted:#9aa4b2; --bg:#14171c; --card:#1c2027; --line:#2c323b;
            --accent:#5b8ff0; --accent-fg:#0d1117; --code:#232830; }
  }
  * { box-sizing: border-box; }
  body { margin:0; font:15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
         color:var(--fg); background:var(--bg); }
  main { max-width: 980px; margin: 0 auto; padding: 28px 20px 40px; }
  header h1 { margin:0; font-size:22px; }
  header p { margin:4px 0 0; color:var(--muted); }
  .badge { display:inline-block; padding:2px 8px; border:1px solid var(--line); border-radius:999px;
           font-size:12px; color:var(--muted); background:var(--card); }
  section { background:var(--card); border:1px solid var(--line); border-radius:10px;
            padding:16px; margin-top:18px; }
  section h2 { margin:0 0 10px; font-size:15px; }
  .grid { display:grid; grid-template-columns: repeat(auto-fill, minmax(170px, 1fr)); gap:8px; }
  button { font:inherit; text-align:left; padding:8px 10px; border-radius:8px; cursor:pointer;
           border:1px solid var(--line); background:var(--bg); color:var(--fg); }
  button:hover { border-color: var(--accent); }
  button small { display:block; color:var(--muted); font:12px ui-monospace, SFMono-Regular, Menlo, monospace; }
  button.primary { background:var(--accent); color:var(--accent-fg); border-color:var(--accent); }
  button.primary small { color:inherit; opacity:.8; }
  .row { display:flex; gap:8px; flex-wrap:wrap; margin-top:8px; }
  textarea { width:100%; min-height:120px; font:13px ui-monospace, SFMono-Regular, Menlo, monospace;
             border:1px solid var(--line); border-radius:8px; padding:8px; background:var(--code); color:var(--fg); }
  pre { margin:0; min-height:90px; max-height:360px; overflow:auto; padding:12px; border-radius:8px;
        background:var(--code); font:13px/1.4 ui-monospace, SFMono-Regular, Menlo, monospace; white-space:pre-wrap; }
  .status { color:var(--muted); font-size:13px; margin-bottom:6px; }
  footer { margin-top:18px; color:var(--muted); font-size:12px; }
</style>
</head>
<body>
<main>
  <header>
    <h1>Session Lens demo</h1>
    <p>A small Flask app whose session you can inspect in the Session Lens DevTools panel.
       <span class="badge">%STACK%</span></p>
  </header>

  <section>
    <h2>Session actions</h2>
    <div class="grid">
%BUTTONS%
    </div>
  </section>

  <section>
    <h2>Typed session (test hooks)</h2>
    <textarea id="typed" spellcheck="false" aria-label="session payload in $type JSON">%EXAMPLE%</textarea>
    <div class="row">
      <button type="button" class="primary" id="typed-set">Replace session<small>POST /_typed/set</small></button>
      <button type="button" data-method="GET" data-path="/_typed/get">Show session<small>GET /_typed/get</small></button>
      <button type="button" data-method="GET" data-path="/_info">Server info<small>GET /_info</small></button>
    </div>
  </section>

  <section>
    <h2>Result</h2>
    <div class="status" id="status">Click an action. Open DevTools &rarr; Session Lens to watch the cookie change.</div>
    <pre id="out"></pre>
  </section>

  <footer>Local demo only: the /_typed hooks let any caller replace the session.</footer>
</main>
<script>
  const out = document.getElementById('out');
  const status = document.getElementById('status');
  async function run(method, path, init) {
    const label = method + ' ' + path;
    status.textContent = label + ' \u2026';
    try {
      const res = await fetch(path, Object.assign({ method: method, credentials: 'same-origin' }, init));
      const text = await res.text();
      let shown = text;
      try { shown = JSON.stringify(JSON.parse(text), null, 2); } catch (e) { /* not JSON */ }
      status.textContent = label + ' \u2192 ' + res.status + ' ' + res.statusText;
      out.textContent = shown;
    } catch (err) {
      status.textContent = label + ' failed';
      out.textContent = String(err);
    }
  }
  document.querySelectorAll('button[data-path]').forEach((button) => {
    button.addEventListener('click', () => run(button.dataset.method, button.dataset.path));
  });
  document.getElementById('typed-set').addEventListener('click', () => {
    run('POST', '/_typed/set', { headers: { 'Content-Type': 'application/json' },
                         body: document.getElementById('typed').value });
  });
</script>
</body>
</html>
"""

INDEX_HTML = _index_html()


# ------------------------------------------------------------------ server


def _watch_stdin(server: Any) -> None:
    """Stop the server once stdin hits EOF (the parent process went away)."""
    try:
        while sys.stdin.buffer.read(4096):
            pass
    except (OSError, ValueError):
        pass
    server.shutdown()


def main() -> None:
    server = make_server(HOST, PORT if PORT is not None else 5000, app, threaded=True)
    port = server.server_port
    ready = {
        "ready": True,
        "host": HOST,
        "port": port,
        "url": f"http://{HOST}:{port}",
        "flask": FLASK_VERSION,
        "flask_session": FLASK_SESSION_VERSION,
        "backend": BACKEND,
        "python": sys.version.split()[0],
        "pid": os.getpid(),
    }
    print(json.dumps(ready), flush=True)
    print(f"Session Lens demo listening on http://{HOST}:{port}/ ({BACKEND} backend)", file=sys.stderr, flush=True)
    if EXIT_ON_STDIN_EOF:
        threading.Thread(target=_watch_stdin, args=(server,), daemon=True).start()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
