"""Prints the X-Session-Lens headers of a tiny Flask app with the real companion, as JSON lines.

Run with the repo root as the working directory: the companion is imported from ./companion.
Each line: {"backend": ..., "step": ..., "header": ..., "set_cookie": [...]}.
Backends: the built-in cookie session, and Flask-Session's filesystem backend in a temp dir.
"""

import json
import os
import sys
import tempfile

sys.path.insert(0, os.path.join(os.getcwd(), "companion"))

from flask import Flask, session  # noqa: E402
from flask_session_lens import SessionLens  # noqa: E402


def make_app(backend, tmp):
    app = Flask(__name__)
    app.config.update(SECRET_KEY="test-secret-key-for-session-lens", SESSION_LENS_ENABLED=True, TESTING=True)
    app.debug = True
    if backend == "filesystem":
        from flask_session import Session

        app.config.update(SESSION_TYPE="filesystem", SESSION_FILE_DIR=tmp, SESSION_PERMANENT=True)
        Session(app)
    SessionLens(app)

    @app.route("/login")
    def login():
        session["user"] = "alice"
        session["visits"] = 1
        session["cart"] = []
        return "ok"

    @app.route("/visit")
    def visit():
        session["visits"] = session.get("visits", 0) + 1
        return "ok"

    @app.route("/nested")
    def nested():
        session["cart"].append("apple")  # no session.modified
        return "ok"

    @app.route("/read")
    def read():
        return str(session.get("user"))

    @app.route("/set")
    def odd():
        session["tags"] = {"a"}  # a set: unrepresentable
        session["secret"] = app.config["SECRET_KEY"]  # redacted
        return "ok"

    @app.route("/logout")
    def logout():
        session.clear()
        return "ok"

    return app


def main():
    steps = ["login", "visit", "nested", "read", "logout"]
    for backend in ("cookie", "filesystem"):
        with tempfile.TemporaryDirectory() as tmp:
            app = make_app(backend, tmp)
            client = app.test_client()
            for step in steps:
                response = client.get("/" + step)
                print(json.dumps({
                    "backend": backend,
                    "step": step,
                    "status": response.status_code,
                    "header": response.headers.get("X-Session-Lens"),
                    "set_cookie": response.headers.getlist("Set-Cookie"),
                }))
            if backend == "filesystem":  # pickled: a set and the secret are storable
                response = client.get("/set")
                print(json.dumps({"backend": backend, "step": "set", "status": response.status_code,
                                  "header": response.headers.get("X-Session-Lens"),
                                  "set_cookie": response.headers.getlist("Set-Cookie")}))


if __name__ == "__main__":
    main()
