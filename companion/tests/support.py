"""Shared helpers for the companion's tests: header decoding, a small app, a real redis-server."""

from __future__ import annotations

import base64
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import warnings
from contextlib import contextmanager
from importlib import metadata
from typing import Any, Iterator, Optional

try:
    import flask_session_lens  # noqa: F401  (installed, or PYTHONPATH=companion)
except ImportError:  # run from a checkout without either: use the source next to the tests
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from flask import Flask, session

from flask_session_lens import HEADER_NAME, SessionLens

SECRET = "companion-test-secret-7f3a9c"


def version_tuple(dist: str) -> tuple:
    try:
        text = metadata.version(dist)
    except metadata.PackageNotFoundError:
        return ()
    parts = []
    for piece in text.split("."):
        digits = "".join(ch for ch in piece if ch.isdigit())
        if not digits:
            break
        parts.append(int(digits))
    return tuple(parts)


FLASK_SESSION = version_tuple("Flask-Session")


def decode(value: str) -> Any:
    return json.loads(base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode("utf-8"))


def lens_header(response: Any) -> Optional[dict]:
    """The decoded X-Session-Lens header of a test-client response, or None."""
    values = response.headers.getlist(HEADER_NAME)
    if len(values) > 1:
        raise AssertionError(f"{len(values)} {HEADER_NAME} headers")
    return decode(values[0]) if values else None


def session_set_cookies(response: Any, name: str = "session") -> list:
    return [h for h in response.headers.getlist("Set-Cookie") if h.split("=", 1)[0] == name]


@contextmanager
def quiet_flask_session() -> Iterator[None]:
    """Flask-Session's own DeprecationWarnings (0.3.2 reads app.session_cookie_name, 0.8
    deprecates the filesystem backend) are not what these tests are about."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=DeprecationWarning)
        yield


def ignore_big_cookie_warnings(test: Any) -> None:
    """Werkzeug warns about cookies over 4 KB, which some tests make on purpose."""
    catcher = warnings.catch_warnings()
    catcher.__enter__()
    test.addCleanup(catcher.__exit__, None, None, None)
    warnings.filterwarnings("ignore", "The '.*' cookie is too large", UserWarning)


def add_routes(app: Flask) -> Flask:
    """Views that each do one thing to the session (as demo/app.py's do)."""

    @app.route("/nothing")
    def nothing() -> str:
        return "ok"

    @app.route("/read")
    def read() -> str:
        return str(session.get("user"))

    @app.route("/login")
    def login() -> str:
        session["user"] = "alice"
        return "ok"

    @app.route("/login-permanent")
    def login_permanent() -> str:
        session.permanent = True
        session["user"] = "alice"
        return "ok"

    @app.route("/cart-init")
    def cart_init() -> str:
        session["cart"] = []
        return "ok"

    @app.route("/mutate-nested")
    def mutate_nested() -> str:
        session["cart"].append("y")  # in place: session.modified stays False
        return "ok"

    @app.route("/mutate-nested-flagged")
    def mutate_nested_flagged() -> str:
        session["cart"].append("y")
        session.modified = True
        return "ok"

    @app.route("/clear")
    def clear() -> str:
        session.clear()
        return "ok"

    @app.route("/big/<int:size>")
    def big(size: int) -> str:
        session["big"] = "x" * size
        return "ok"

    @app.route("/store-secret")
    def store_secret() -> str:
        session["leak"] = app.config["SECRET_KEY"]
        session["leak_inside"] = f"key={app.config['SECRET_KEY']};"
        return "ok"

    @app.route("/view-sets-cookie")
    def view_sets_cookie() -> Any:
        response = app.make_response("ok")
        response.set_cookie(app.config.get("SESSION_COOKIE_NAME", "session"), "set-by-the-view")
        return response

    return app


def make_app(lens: bool = True, **config: Any) -> Flask:
    """An app with the test views; `lens` calls SessionLens(app) last."""
    app = Flask("companion_test")
    app.config.update(SECRET_KEY=SECRET, SESSION_LENS_ENABLED=True, DEBUG=True)
    app.config.update(config)
    add_routes(app)
    if lens:
        SessionLens(app)
    return app


# ------------------------------------------------------------------ redis


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RedisServer:
    """A throwaway redis-server on a free loopback port (no persistence)."""

    def __init__(self) -> None:
        self.port = free_port()
        self.dir = tempfile.mkdtemp(prefix="session-lens-companion-redis-")
        command = ["redis-server", "--bind", "127.0.0.1", "--port", str(self.port), "--save", "", "--appendonly", "no", "--dir", self.dir]
        # setpriv makes the kernel kill redis when this test process dies, even by SIGKILL.
        setpriv = shutil.which("setpriv")
        if setpriv:
            command = [setpriv, "--pdeathsig", "KILL", "--", *command]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 10
        while not self._answers_ping():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"redis-server on port {self.port} did not start")
            time.sleep(0.05)

    def _answers_ping(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.dir, ignore_errors=True)
