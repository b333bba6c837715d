"""SessionLens on Flask's built-in signed-cookie session (SecureCookieSessionInterface)."""

from __future__ import annotations

import json
import re
import unittest
import uuid
from datetime import datetime, timezone
from unittest import mock

from support import SECRET, decode, ignore_big_cookie_warnings, lens_header, make_app, session_set_cookies

from flask import Flask, session
from flask.sessions import SecureCookieSessionInterface
from markupsafe import Markup

from flask_session_lens import HEADER_NAME, SessionLens, SessionLensInterface, report

TOP_LEVEL_FIELDS = {
    "v", "interface", "session_type", "cookie_name", "key_prefix", "refresh_each_request",
    "request_had_cookie", "null_session", "new", "accessed", "modified", "permanent",
    "opened", "saved", "changed", "changed_keys", "changed_without_modified",
    "cookie", "store", "truncated", "truncated_fields",
}  # fmt: skip
COOKIE_FIELDS = {"action", "reason", "should_set_cookie", "should_set_cookie_overridden", "set_by_view"}


class EnablingTest(unittest.TestCase):
    def test_nothing_happens_unless_enabled(self) -> None:
        for config in ({}, {"SESSION_LENS_ENABLED": False}):
            with self.subTest(config=config):
                app = Flask("plain")
                app.config.update(SECRET_KEY=SECRET, DEBUG=True, **config)
                app.add_url_rule("/login", view_func=lambda: session.update(user="alice") or "ok")
                SessionLens(app)
                self.assertIs(type(app.session_interface), SecureCookieSessionInterface)
                self.assertIs(app.wsgi_app.__func__, Flask.wsgi_app)
                response = app.test_client().get("/login")
                self.assertEqual(len(session_set_cookies(response)), 1)
                self.assertNotIn(HEADER_NAME, response.headers)

    def test_refused_outside_debug_with_one_warning(self) -> None:
        app = make_app(DEBUG=False)
        client = app.test_client()
        with self.assertLogs(app.logger, "WARNING") as logs:
            response = client.get("/login")
        self.assertEqual(len(logs.records), 1)
        self.assertIn("not in debug mode", logs.output[0])
        self.assertIn("SESSION_LENS_ALLOW_OUTSIDE_DEBUG", logs.output[0])
        self.assertIsNone(lens_header(response))
        self.assertEqual(len(session_set_cookies(response)), 1)  # the session itself works as before
        with self.assertNoLogs(app.logger, "WARNING"):
            self.assertIsNone(lens_header(client.get("/read")))

    def test_allowed_outside_debug_with_the_flag(self) -> None:
        app = make_app(DEBUG=False, SESSION_LENS_ALLOW_OUTSIDE_DEBUG=True)
        with self.assertNoLogs(app.logger, "WARNING"):
            header = lens_header(app.test_client().get("/login"))
        self.assertEqual(header["saved"], {"user": "alice"})

    def test_debug_is_checked_per_request(self) -> None:
        app = make_app(DEBUG=False)  # as before app.run(debug=True)
        app.debug = True
        self.assertIsNotNone(lens_header(app.test_client().get("/login")))

    def test_init_app_and_one_wrapper_per_app(self) -> None:
        lens = SessionLens()
        apps = [make_app(lens=False), make_app(lens=False)]
        for app in apps:
            lens.init_app(app)
            lens.init_app(app)
            SessionLens(app)
            self.assertIsInstance(app.session_interface, SessionLensInterface)
            self.assertIs(type(app.session_interface.wrapped), SecureCookieSessionInterface)
            self.assertEqual(lens_header(app.test_client().get("/login"))["saved"], {"user": "alice"})

    def test_an_interface_set_later_is_wrapped_at_the_next_request(self) -> None:
        class AppInterface(SecureCookieSessionInterface):
            pass

        app = make_app()
        app.session_interface = AppInterface()
        header = lens_header(app.test_client().get("/login"))
        self.assertEqual(header["interface"], "AppInterface")


class HeaderFormatTest(unittest.TestCase):
    def setUp(self) -> None:
        self.app = make_app()
        self.client = self.app.test_client()

    def test_documented_structure(self) -> None:
        response = self.client.get("/login")
        value = response.headers[HEADER_NAME]
        self.assertRegex(value, r"^[A-Za-z0-9_-]+$")  # base64url, no padding
        header = decode(value)
        self.assertEqual(set(header), TOP_LEVEL_FIELDS)
        self.assertEqual(set(header["cookie"]), COOKIE_FIELDS)
        self.assertEqual(
            {k: header[k] for k in TOP_LEVEL_FIELDS - {"opened", "saved", "cookie"}},
            {
                "v": 1,
                "interface": "SecureCookieSessionInterface",
                "session_type": None,
                "cookie_name": "session",
                "key_prefix": None,
                "refresh_each_request": True,
                "request_had_cookie": False,
                "null_session": False,
                "new": False,
                "accessed": True,
                "modified": True,
                "permanent": False,
                "changed": True,
                "changed_keys": ["user"],
                "changed_without_modified": False,
                "store": None,
                "truncated": False,
                "truncated_fields": [],
            },
        )
        self.assertEqual((header["opened"], header["saved"]), ({}, {"user": "alice"}))
        self.assertEqual(
            header["cookie"],
            {"action": "written", "reason": "modified", "should_set_cookie": True, "should_set_cookie_overridden": False, "set_by_view": False},
        )
        second = lens_header(self.client.get("/nothing"))
        self.assertTrue(second["request_had_cookie"])
        self.assertFalse(second["accessed"])

    def test_snapshots_in_the_typed_representation(self) -> None:
        @self.app.route("/rich")
        def rich() -> str:
            session.update(
                roles=("admin", 3),
                raw=b"\x00\xff",
                bold=Markup("<b>x</b>"),
                id=uuid.UUID(int=1),
                when=datetime(2024, 2, 29, 12, 34, 56, tzinfo=timezone.utc),
                big=2**70,
                odd={"$type": "x"},
            )
            return "ok"

        self.client.get("/rich")
        header = lens_header(self.client.get("/read"))
        expected = {
            "roles": {"$type": "tuple", "items": ["admin", 3]},
            "raw": {"$type": "bytes", "base64": "AP8=", "hex": "00ff"},
            "bold": {"$type": "markup", "value": "<b>x</b>"},
            "id": {"$type": "uuid", "value": "00000000-0000-0000-0000-000000000001", "hex": "00000000000000000000000000000001"},
            "when": {"$type": "datetime", "iso": "2024-02-29T12:34:56+00:00", "unix": 1709210096, "tz_aware": True},
            "big": {"$type": "int", "value": "1180591620717411303424"},
            "odd": {"$type": "dict", "entries": {"$type": "x"}},
        }
        self.assertEqual(header["opened"], expected)  # as Flask loaded it back from the cookie
        self.assertEqual(header["saved"], expected)
        self.assertEqual((header["changed"], header["changed_keys"]), (False, []))

    def test_nested_mutation_without_modified_is_reported_and_lost(self) -> None:
        self.client.get("/cart-init")
        header = lens_header(self.client.get("/mutate-nested"))
        self.assertEqual(header["opened"], {"cart": []})
        self.assertEqual(header["saved"], {"cart": ["y"]})
        self.assertEqual((header["changed"], header["changed_keys"], header["modified"]), (True, ["cart"], False))
        self.assertTrue(header["changed_without_modified"])
        self.assertEqual((header["cookie"]["action"], header["cookie"]["reason"]), ("left_alone", "not_modified_not_permanent"))
        # Flask never wrote it: the next request opens the old cart
        self.assertEqual(lens_header(self.client.get("/read"))["opened"], {"cart": []})

    def test_nested_mutation_flagged(self) -> None:
        self.client.get("/cart-init")
        header = lens_header(self.client.get("/mutate-nested-flagged"))
        self.assertEqual((header["changed"], header["changed_without_modified"]), (True, False))
        self.assertEqual(header["cookie"]["reason"], "modified")
        self.assertEqual(lens_header(self.client.get("/read"))["opened"], {"cart": ["y"]})

    def test_nested_mutation_in_a_refreshed_permanent_session_is_saved_anyway(self) -> None:
        self.client.get("/login-permanent")
        self.client.get("/cart-init")
        header = lens_header(self.client.get("/mutate-nested"))
        self.assertTrue(header["changed_without_modified"])
        self.assertEqual((header["cookie"]["action"], header["cookie"]["reason"]), ("written", "refresh_each_request"))
        self.assertEqual(lens_header(self.client.get("/read"))["opened"]["cart"], ["y"])


class CookieOutcomeTest(unittest.TestCase):
    def outcome(self, app: Flask, *paths: str) -> dict:
        client = app.test_client()
        for path in paths[:-1]:
            client.get(path)
        response = client.get(paths[-1])
        header = lens_header(response)
        cookies = session_set_cookies(response)
        if header["cookie"]["action"] == "left_alone":
            self.assertEqual(cookies, [], header)
        else:
            self.assertEqual(len(cookies), 1, header)
            self.assertEqual("Max-Age=0" in cookies[0], header["cookie"]["action"] == "deleted")
        return header

    def assertOutcome(self, header: dict, action: str, reason: str) -> None:
        self.assertEqual((header["cookie"]["action"], header["cookie"]["reason"]), (action, reason))

    def test_written(self) -> None:
        self.assertOutcome(self.outcome(make_app(), "/login"), "written", "modified")
        header = self.outcome(make_app(), "/login-permanent", "/nothing")
        self.assertOutcome(header, "written", "refresh_each_request")
        self.assertEqual((header["permanent"], header["modified"]), (True, False))

    def test_deleted(self) -> None:
        header = self.outcome(make_app(), "/login", "/clear")
        self.assertOutcome(header, "deleted", "emptied")
        self.assertEqual((header["opened"], header["saved"]), ({"user": "alice"}, {}))
        # clear() on a session that was already empty still counts as a modification
        header = self.outcome(make_app(), "/clear")
        self.assertOutcome(header, "deleted", "emptied")
        self.assertFalse(header["request_had_cookie"])

    def test_left_alone(self) -> None:
        self.assertOutcome(self.outcome(make_app(), "/nothing"), "left_alone", "empty_session")
        self.assertOutcome(self.outcome(make_app(), "/login", "/read"), "left_alone", "not_modified_not_permanent")
        header = self.outcome(make_app(SESSION_REFRESH_EACH_REQUEST=False), "/login-permanent", "/read")
        self.assertOutcome(header, "left_alone", "not_modified_refresh_off")
        self.assertFalse(header["refresh_each_request"])

    def test_null_session_without_secret_key(self) -> None:
        header = self.outcome(make_app(SECRET_KEY=None), "/nothing")
        self.assertOutcome(header, "left_alone", "null_session")
        self.assertTrue(header["null_session"])
        self.assertEqual((header["opened"], header["saved"], header["cookie"]["should_set_cookie"]), (None, None, None))

    def test_should_set_cookie_overrides(self) -> None:
        class NeverSet(SecureCookieSessionInterface):
            def should_set_cookie(self, app: Flask, session: object) -> bool:
                return False

        class AlwaysSet(SecureCookieSessionInterface):
            def should_set_cookie(self, app: Flask, session: object) -> bool:
                return True

        app = make_app(lens=False)
        app.session_interface = NeverSet()
        SessionLens(app)
        header = self.outcome(app, "/login")
        self.assertOutcome(header, "left_alone", "should_set_cookie_override")
        self.assertEqual((header["cookie"]["should_set_cookie"], header["cookie"]["should_set_cookie_overridden"]), (False, True))

        app = make_app(lens=False)
        app.session_interface = AlwaysSet()
        SessionLens(app)
        self.assertOutcome(self.outcome(app, "/login", "/read"), "written", "should_set_cookie_override")

    def test_a_cookie_set_by_the_view(self) -> None:
        response = make_app().test_client().get("/view-sets-cookie")
        header = lens_header(response)
        self.assertEqual(len(session_set_cookies(response)), 1)
        self.assertTrue(header["cookie"]["set_by_view"])
        self.assertOutcome(header, "left_alone", "empty_session")


class SizeCapTest(unittest.TestCase):
    def setUp(self) -> None:
        ignore_big_cookie_warnings(self)

    def test_big_sessions_are_truncated_not_broken(self) -> None:
        client = make_app().test_client()
        response = client.get("/big/30000")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(len(session_set_cookies(response)), 1)
        self.assertLessEqual(len(response.headers[HEADER_NAME]), 16384)
        header = lens_header(response)
        self.assertEqual((header["truncated"], header["truncated_fields"], header["saved"]), (True, ["saved"], None))
        self.assertEqual(header["opened"], {})  # the small part stays
        self.assertEqual(header["cookie"]["reason"], "modified")
        header = lens_header(client.get("/read"))
        self.assertEqual((header["truncated_fields"], header["opened"], header["saved"]), (["opened", "saved"], None, None))
        self.assertEqual(header["changed"], False)  # still compared, before truncation

    def test_configured_cap(self) -> None:
        response = make_app(SESSION_LENS_MAX_HEADER_BYTES=2000).test_client().get("/big/1500")
        self.assertLessEqual(len(response.headers[HEADER_NAME]), 2000)
        self.assertTrue(lens_header(response)["truncated"])
        # below the minimum the cap is 1 KB, which the fixed fields fit in
        response = make_app(SESSION_LENS_MAX_HEADER_BYTES=10).test_client().get("/login")
        self.assertLessEqual(len(response.headers[HEADER_NAME]), 1024)
        self.assertEqual(lens_header(response)["cookie"]["reason"], "modified")


class SecretTest(unittest.TestCase):
    def test_no_secret_or_config_value_in_the_header(self) -> None:
        credentials = {
            "SECRET_KEY_FALLBACKS": ["an-old-fallback-secret"],
            "SQLALCHEMY_DATABASE_URI": "postgresql://app:db-password-123@db/app",
            "MAIL_PASSWORD": "mail-password-456",
            "SESSION_COOKIE_NAME": "app_session",
        }
        app = make_app(**credentials)

        @app.route("/store-fallback")
        def store_fallback() -> str:
            session["old"] = "an-old-fallback-secret"
            return "ok"

        client = app.test_client()
        responses = [client.get(path) for path in ("/store-secret", "/store-fallback", "/read")]
        for response in responses:
            header = lens_header(response)
            text = json.dumps(header)
            for secret in (SECRET, "an-old-fallback-secret", "db-password-123", "mail-password-456", "postgresql"):
                self.assertNotIn(secret, text)
            self.assertEqual(header["cookie_name"], "app_session")
        saved = lens_header(responses[1])["saved"]
        self.assertEqual(saved["leak"], {"$type": "redacted", "reason": "contains the app's SECRET_KEY"})
        self.assertEqual(saved["leak_inside"]["$type"], "redacted")
        self.assertEqual(saved["old"]["$type"], "redacted")


class RobustnessTest(unittest.TestCase):
    def test_a_failure_while_building_is_an_error_marker(self) -> None:
        app = make_app()
        with mock.patch.object(report, "build_report", side_effect=RuntimeError("boom")):
            with self.assertLogs(app.logger, "ERROR") as logs:
                response = app.test_client().get("/login")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(len(session_set_cookies(response)), 1)
        self.assertEqual(lens_header(response), {"v": 1, "error": "RuntimeError"})
        self.assertIn("boom", "\n".join(logs.output))

    def test_a_failure_while_opening_is_an_error_marker(self) -> None:
        app = make_app()
        with mock.patch.object(report, "observe_open", side_effect=ValueError("bad")), self.assertLogs(app.logger, "ERROR"):
            response = app.test_client().get("/login")
        self.assertEqual((response.status_code, lens_header(response)), (200, {"v": 1, "error": "ValueError"}))
        self.assertEqual(len(session_set_cookies(response)), 1)

    def test_session_transaction_in_the_app_tests(self) -> None:
        client = make_app().test_client()
        with client.session_transaction() as transaction:
            transaction["user"] = "bob"
        response = client.get("/read")
        self.assertEqual((response.get_data(), lens_header(response)["opened"]), (b"bob", {"user": "bob"}))

    def test_deep_and_wide_sessions(self) -> None:
        ignore_big_cookie_warnings(self)
        app = make_app()

        @app.route("/deep")
        def deep() -> str:
            node: list = []
            session["deep"] = node
            for _ in range(300):
                node.append([])
                node = node[0]
            session.update({f"k{i}": i for i in range(3000)})
            return "ok"

        client = app.test_client()
        client.get("/deep")
        response = client.get("/read")
        self.assertEqual(response.status_code, 200)
        header = lens_header(response)
        self.assertEqual(header["truncated_fields"], ["opened", "saved"])
        self.assertFalse(header["changed"])

    def test_the_app_behaves_as_without_the_lens(self) -> None:
        journey = ["/nothing", "/read", "/login", "/read", "/cart-init", "/mutate-nested", "/login-permanent", "/nothing", "/clear", "/clear"]

        def run(lens: bool) -> list:
            client = make_app(lens=lens, SESSION_LENS_ENABLED=lens).test_client()
            steps = []
            for path in journey:
                response = client.get(path)
                # the value's payload segment (timestamps and signatures differ from second to second)
                cookies = [re.sub(r"^([^=]*=[^.;]*)[^;]*", r"\1", c) for c in session_set_cookies(response)]
                cookies = [re.sub(r"Expires=[^;]*", "Expires", c) for c in cookies]
                steps.append((path, response.status_code, response.headers.get("Vary"), cookies, response.get_data()))
            return steps

        self.assertEqual(run(lens=True), run(lens=False))


if __name__ == "__main__":
    unittest.main()
