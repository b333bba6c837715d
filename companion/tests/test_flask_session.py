"""SessionLens on Flask-Session's server-side sessions: filesystem (a temp dir) and a real redis-server.

Runs against whatever Flask-Session the interpreter has: 0.3.2 (Debian 12, Flask 2.2) and 0.8.0
(.venv-modern, Flask 3.1) behave differently, and the tests pin both behaviours.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import unittest
from typing import Any, Optional

from support import FLASK_SESSION, RedisServer, add_routes, lens_header, quiet_flask_session, session_set_cookies

from flask import Flask, session

from flask_session_lens import SessionLens

try:
    from flask_session import Session
except ImportError:  # pragma: no cover - both supported stacks have it
    Session = None

try:
    import redis
except ImportError:  # pragma: no cover
    redis = None

LIFETIME = 600
PREFIX = "lens:"
MODERN = FLASK_SESSION >= (0, 7)

_redis_server: Optional[RedisServer] = None


def setUpModule() -> None:
    global _redis_server
    if Session is not None and redis is not None and shutil.which("redis-server"):
        _redis_server = RedisServer()


def tearDownModule() -> None:
    if _redis_server is not None:
        _redis_server.stop()


class BackendTests:
    """The same journeys on each backend; subclasses say how to configure the store."""

    session_type = ""
    interface = ""

    def backend_config(self) -> dict:
        raise NotImplementedError

    def make_app(self, lens_first: bool = False, **config: Any) -> Flask:
        app = Flask("companion_flask_session_test")
        app.config.update(
            SECRET_KEY="companion-flask-session-secret",
            DEBUG=True,
            SESSION_LENS_ENABLED=True,
            SESSION_TYPE=self.session_type,
            SESSION_KEY_PREFIX=PREFIX,
            PERMANENT_SESSION_LIFETIME=LIFETIME,
        )
        app.config.update(self.backend_config())
        app.config.update(config)
        add_routes(app)

        @app.route("/store-tuple")
        def store_tuple() -> str:
            session["roles"] = ("admin", 1)
            return "ok"

        @app.route("/regenerate")
        def regenerate() -> str:
            app.session_interface.regenerate(session)  # Flask-Session >= 0.7, through the lens' proxy
            return "ok"

        with quiet_flask_session():
            if lens_first:
                SessionLens(app)
                Session(app)
            else:
                Session(app)
                SessionLens(app)
        return app

    def get(self, client: Any, path: str, **kwargs: Any) -> tuple:
        with quiet_flask_session():
            response = client.get(path, **kwargs)
        self.assertEqual(response.status_code, 200)
        return response, lens_header(response)

    def sid_of(self, response: Any) -> str:
        (cookie,) = session_set_cookies(response)
        return cookie.split("=", 1)[1].split(";", 1)[0].split(".", 1)[0]  # a signed id is "<sid>.<signature>"

    def assertOutcome(self, header: dict, action: str, reason: str) -> None:
        self.assertEqual((header["cookie"]["action"], header["cookie"]["reason"]), (action, reason), header)

    # -------------------------------------------------------------- tests

    def test_store_key_and_ttl_whichever_init_comes_first(self) -> None:
        for lens_first in (True, False):
            with self.subTest(lens_first=lens_first):
                response, header = self.get(self.make_app(lens_first=lens_first).test_client(), "/login")
                self.assertEqual(
                    {k: header[k] for k in ("interface", "session_type", "key_prefix", "permanent", "modified")},
                    {"interface": self.interface, "session_type": self.session_type, "key_prefix": PREFIX, "permanent": True, "modified": True},
                )
                self.assertEqual(header["store"]["key"], PREFIX + self.sid_of(response))
                self.assertEqual((header["store"]["write"], header["store"]["key_changed"]), ("written", False))
                self.assertTrue(LIFETIME - 5 <= header["store"]["ttl"] <= LIFETIME, header["store"])
                self.assertEqual(header["saved"], {"_permanent": True, "user": "alice"})
                self.assertOutcome(header, "written", "modified")

    def test_signed_ids_are_stored_unsigned(self) -> None:
        response, header = self.get(self.make_app(SESSION_USE_SIGNER=True).test_client(), "/login")
        (cookie,) = session_set_cookies(response)
        self.assertIn(".", cookie.split(";")[0])
        self.assertEqual(header["store"]["key"], PREFIX + self.sid_of(response))

    def test_no_secret_in_the_header(self) -> None:
        app = self.make_app(SESSION_USE_SIGNER=True)
        client = app.test_client()
        login, _ = self.get(client, "/login")
        signature = session_set_cookies(login)[0].split(";")[0].rsplit(".", 1)[1]
        for path in ("/store-secret", "/read"):
            response, header = self.get(client, path)
            text = json.dumps(header)
            self.assertNotIn(app.config["SECRET_KEY"], text)
            self.assertNotIn(signature, text)  # the signed cookie value is not repeated
            for setting in ("SESSION_FILE_DIR", "SESSION_REDIS"):  # where the store is: not in the header
                if setting in app.config:
                    self.assertNotIn(str(app.config[setting]), text)
        self.assertEqual(header["opened"]["leak"]["$type"], "redacted")

    def test_opened_and_saved_from_the_store(self) -> None:
        client = self.make_app().test_client()
        self.get(client, "/login")
        _, header = self.get(client, "/read")
        self.assertEqual(header["opened"], {"_permanent": True, "user": "alice"})
        self.assertEqual((header["changed"], header["changed_keys"]), (False, []))

    def test_nested_mutation_without_modified(self) -> None:
        client = self.make_app().test_client()
        self.get(client, "/cart-init")
        _, header = self.get(client, "/mutate-nested")
        self.assertEqual((header["opened"]["cart"], header["saved"]["cart"]), ([], ["y"]))
        self.assertTrue(header["changed_without_modified"])
        # Saved anyway: 0.3.2 writes every non-empty session; 0.8 refreshes the store and the cookie
        # of a permanent session (SESSION_PERMANENT defaults to True).
        self.assertEqual(header["store"]["write"], "written")
        self.assertOutcome(header, "written", "refresh_each_request")
        _, header = self.get(client, "/read")
        self.assertEqual(header["opened"]["cart"], ["y"])

    def test_nested_mutation_with_refresh_off(self) -> None:
        client = self.make_app(SESSION_REFRESH_EACH_REQUEST=False).test_client()
        self.get(client, "/cart-init")
        _, header = self.get(client, "/mutate-nested")
        self.assertTrue(header["changed_without_modified"])
        _, after = self.get(client, "/read")
        if MODERN:  # lost: neither the store nor the cookie is written
            self.assertEqual(header["store"]["write"], "skipped")
            self.assertOutcome(header, "left_alone", "not_modified_refresh_off")
            self.assertEqual(after["opened"]["cart"], [])
        else:  # 0.3.2 ignores should_set_cookie and writes both
            self.assertEqual(header["store"]["write"], "written")
            self.assertOutcome(header, "written", "interface_ignores_should_set_cookie")
            self.assertEqual(header["cookie"]["should_set_cookie"], False)
            self.assertEqual(after["opened"]["cart"], ["y"])

    def test_clear_deletes_cookie_and_store(self) -> None:
        client = self.make_app().test_client()
        self.get(client, "/login")
        response, header = self.get(client, "/clear")
        self.assertOutcome(header, "deleted", "emptied")
        self.assertEqual((header["store"]["write"], header["store"]["ttl"]), ("deleted", None))
        # 0.8's clear() keeps _permanent (and a session holding only it counts as empty)
        self.assertEqual(header["saved"], {"_permanent": True} if MODERN else {})
        self.assertIn("Max-Age=0", session_set_cookies(response)[0])

    def test_a_visitor_who_never_touches_the_session(self) -> None:
        response, header = self.get(self.make_app().test_client(), "/nothing")
        self.assertEqual(header["opened"], {"_permanent": True})
        if MODERN:
            self.assertOutcome(header, "left_alone", "empty_session")
            self.assertEqual(header["store"]["write"], "skipped")
        else:  # 0.3.2 stores and sets a cookie for every visitor: {"_permanent": True} is not empty
            self.assertOutcome(header, "written", "refresh_each_request")
            self.assertEqual(header["store"]["write"], "written")
            self.assertEqual(len(session_set_cookies(response)), 1)
        # 0.3.2 (Flask 2.2) has no accessed tracking on server-side sessions: always True
        self.assertEqual(header["accessed"], not MODERN)

    def test_an_unknown_session_id_from_the_client(self) -> None:
        client = self.make_app().test_client(use_cookies=False)  # the jar would replace our Cookie header
        response, header = self.get(client, "/nothing", headers={"Cookie": "session=attacker-chosen-id"})
        self.assertTrue(header["request_had_cookie"])
        if MODERN:  # a store miss gets a fresh id, and nothing is written
            self.assertNotEqual(header["store"]["key"], PREFIX + "attacker-chosen-id")
            self.assertEqual(session_set_cookies(response), [])
        else:  # 0.3.2 adopts the id and stores it (session fixation)
            self.assertEqual(header["store"]["key"], PREFIX + "attacker-chosen-id")
            self.assertEqual(header["store"]["write"], "written")
            self.assertEqual(self.sid_of(response), "attacker-chosen-id")

    def test_a_long_hostile_session_id(self) -> None:
        client = self.make_app(SESSION_LENS_MAX_HEADER_BYTES=2000).test_client(use_cookies=False)
        response, header = self.get(client, "/nothing", headers={"Cookie": "session=" + "A" * 3000})
        self.assertLessEqual(len(response.headers["X-Session-Lens"]), 2000)
        if not MODERN:  # adopted, so the store key is 3 KB: dropped from the header
            self.assertEqual(header["store"]["key"], None)
            self.assertIn("store_key", header["truncated_fields"])

    def test_tuples_in_the_store(self) -> None:
        client = self.make_app().test_client()
        _, header = self.get(client, "/store-tuple")
        self.assertEqual(header["saved"]["roles"], {"$type": "tuple", "items": ["admin", 1]})
        _, header = self.get(client, "/read")
        self.assertEqual(header["opened"]["roles"], self.tuple_read_back)

    def test_the_app_behaves_as_without_the_lens(self) -> None:
        journey = ["/nothing", "/read", "/login", "/read", "/cart-init", "/mutate-nested", "/clear", "/clear"]

        def run(lens: bool) -> list:
            client = self.make_app(SESSION_LENS_ENABLED=lens).test_client()
            steps = []
            for path in journey:
                with quiet_flask_session():
                    response = client.get(path)
                # session ids are random: compare what kind of Set-Cookie each step sent
                cookies = ["Max-Age=0" in c for c in session_set_cookies(response)]
                steps.append((path, response.status_code, response.headers.get("Vary"), cookies, response.get_data()))
            return steps

        self.assertEqual(run(lens=True), run(lens=False))

    @unittest.skipUnless(MODERN, "regenerate() is Flask-Session >= 0.7")
    def test_regenerate_changes_the_store_key(self) -> None:
        client = self.make_app().test_client()
        self.get(client, "/login")
        response, header = self.get(client, "/regenerate")
        self.assertTrue(header["store"]["key_changed"])
        self.assertEqual(header["store"]["key"], PREFIX + self.sid_of(response))


@unittest.skipIf(Session is None, "Flask-Session is not installed")
class FileSystemTest(BackendTests, unittest.TestCase):
    session_type = "filesystem"
    interface = "FileSystemSessionInterface"
    tuple_read_back = {"$type": "tuple", "items": ["admin", 1]}  # pickled: tuples survive

    def setUp(self) -> None:
        self.directory = tempfile.mkdtemp(prefix="session-lens-companion-fs-")
        self.addCleanup(shutil.rmtree, self.directory, True)

    def backend_config(self) -> dict:
        return {"SESSION_FILE_DIR": self.directory}

    def test_a_session_over_the_snapshot_budget(self) -> None:
        client = self.make_app().test_client()
        response, header = self.get(client, "/big/1100000")  # over the 1,000,000-character budget
        self.assertEqual((header["saved"], header["changed"], header["changed_without_modified"]), (None, None, None))
        self.assertEqual((header["truncated"], header["truncated_fields"]), (True, ["saved"]))
        self.assertOutcome(header, "written", "modified")
        self.assertLessEqual(len(response.headers["X-Session-Lens"]), 16384)

    def test_values_without_a_typed_form(self) -> None:
        app = self.make_app()

        @app.route("/store-set")
        def store_set() -> str:
            session["tags"] = {"a"}
            return "ok"

        client = app.test_client()
        self.get(client, "/store-set")
        _, header = self.get(client, "/read")
        self.assertEqual(
            header["opened"]["tags"],
            {"$type": "unrepresentable", "python_type": "builtins.set", "repr": "{'a'}", "reason": "no $type form"},
        )


@unittest.skipIf(Session is None or redis is None, "Flask-Session or redis-py is not installed")
@unittest.skipUnless(shutil.which("redis-server"), "redis-server is not installed (Debian: apt-get install redis-server)")
class RedisTest(BackendTests, unittest.TestCase):
    session_type = "redis"
    interface = "RedisSessionInterface"
    # 0.3.2 pickles; 0.8 writes msgpack, which has no tuple
    tuple_read_back = ["admin", 1] if MODERN else {"$type": "tuple", "items": ["admin", 1]}

    def setUp(self) -> None:
        self.client = redis.Redis(host="127.0.0.1", port=_redis_server.port)
        self.client.flushdb()
        self.addCleanup(self.client.close)

    def backend_config(self) -> dict:
        return {"SESSION_REDIS": self.client}

    def test_the_store_matches_the_header(self) -> None:
        client = self.make_app().test_client()
        _, header = self.get(client, "/login")
        key = header["store"]["key"]
        self.assertEqual(self.client.ttl(key), header["store"]["ttl"])
        self.get(client, "/clear")
        self.assertEqual(self.client.exists(key), 0)


if __name__ == "__main__":
    unittest.main()
