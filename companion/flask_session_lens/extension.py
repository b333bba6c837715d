"""The Flask extension: wraps the app's session interface and adds the header."""

from __future__ import annotations

from typing import Any, Optional, Union

import flask

from . import report

EXTENSION_KEY = "session_lens"
# Where open_session leaves its record for save_session: the request's environ
# is the one object both calls can reach for the same request.
ENVIRON_KEY = "flask_session_lens.opened"


class SessionLens:
    """Adds an X-Session-Lens header to each response of a Flask app in debug mode.

    ``SessionLens(app)`` or ``ext = SessionLens(); ext.init_app(app)``. Nothing
    happens unless ``app.config["SESSION_LENS_ENABLED"]`` is true when
    ``init_app`` runs; outside debug mode the header is refused (with one
    warning in the log) unless ``SESSION_LENS_ALLOW_OUTSIDE_DEBUG`` is true too.
    """

    def __init__(self, app: Optional[flask.Flask] = None):
        if app is not None:
            self.init_app(app)

    def init_app(self, app: flask.Flask) -> None:
        if not app.config.get("SESSION_LENS_ENABLED", False) or EXTENSION_KEY in app.extensions:
            return
        lens = _AppLens(app)
        app.extensions[EXTENSION_KEY] = lens
        lens.wrap_session_interface()
        # Session(app) may run after us and replace the interface: wrap again before each
        # request, ahead of the request context that opens the session.
        app.wsgi_app = _WrapBeforeEachRequest(app.wsgi_app, lens)  # type: ignore[method-assign]


class _AppLens:
    """Per-app state: whether the header may be sent, and the one refusal warning."""

    def __init__(self, app: flask.Flask):
        self.app = app
        self._refusal_logged = False

    def wrap_session_interface(self) -> None:
        current = self.app.session_interface
        if not isinstance(current, SessionLensInterface):
            self.app.session_interface = SessionLensInterface(current, self)  # type: ignore[assignment]

    def active(self) -> bool:
        config = self.app.config
        if not config.get("SESSION_LENS_ENABLED", False):
            return False
        # Checked per request: app.run(debug=True) sets debug after the extension is set up.
        if self.app.debug or config.get("SESSION_LENS_ALLOW_OUTSIDE_DEBUG", False):
            return True
        if not self._refusal_logged:
            self._refusal_logged = True
            self.app.logger.warning(
                "Session Lens: SESSION_LENS_ENABLED is set but the app is not in debug mode, so no "
                "%s header is sent. The header shows session contents: it is meant for development. "
                "Set SESSION_LENS_ALLOW_OUTSIDE_DEBUG as well to send it anyway.",
                report.HEADER_NAME,
            )
        return False


class _WrapBeforeEachRequest:
    """WSGI middleware that re-wraps the session interface if it was replaced."""

    def __init__(self, wsgi_app: Any, lens: _AppLens):
        self.wsgi_app = wsgi_app
        self.lens = lens

    def __call__(self, environ: dict, start_response: Any) -> Any:
        self.lens.wrap_session_interface()
        return self.wsgi_app(environ, start_response)


def _opened_record() -> Union[report.OpenedSession, Exception, None]:
    """This request's record from open_session (an exception if observing it failed), or None."""
    if not flask.has_request_context():
        return None
    return flask.request.environ.get(ENVIRON_KEY)


class SessionLensInterface:
    """A proxy for the app's session interface that observes open_session and save_session.

    Everything else (cookie helpers, Flask-Session's regenerate(), ...) is the
    wrapped interface's own, so the app behaves as without the proxy.
    """

    def __init__(self, wrapped: Any, lens: _AppLens):
        self.wrapped = wrapped
        self._lens = lens

    def __getattr__(self, name: str) -> Any:
        if name == "wrapped":  # not set yet (copy, pickle): no recursion
            raise AttributeError(name)
        return getattr(self.wrapped, name)

    def open_session(self, app: flask.Flask, request: flask.Request) -> Any:
        session = self.wrapped.open_session(app, request)
        if self._lens.active():
            try:
                request.environ[ENVIRON_KEY] = report.observe_open(self.wrapped, app, request, session, report.app_secrets(app))
            except Exception as exc:
                app.logger.exception("Session Lens: could not record the opened session")
                request.environ[ENVIRON_KEY] = exc
        return session

    def is_null_session(self, obj: Any) -> bool:
        # A recorded request still reaches save_session, which reports the null session.
        if _opened_record() is not None:
            return False
        return self.wrapped.is_null_session(obj)

    def save_session(self, app: flask.Flask, session: Any, response: flask.Response) -> None:
        opened = _opened_record()
        if opened is None:
            self.wrapped.save_session(app, session, response)
            return
        null_session = self.wrapped.is_null_session(session)
        before: Any = opened  # a failure at open_session carries through to the error marker
        if not isinstance(opened, Exception):
            try:
                before = report.observe_before_save(self.wrapped, app, session, response, null_session, report.app_secrets(app))
            except Exception as exc:
                app.logger.exception("Session Lens: could not observe the session before saving it")
                before = exc
        if not null_session:
            self.wrapped.save_session(app, session, response)
        response.headers[report.HEADER_NAME] = self._header(app, session, opened, before, response)

    def _header(self, app: flask.Flask, session: Any, opened: Any, before: Any, response: flask.Response) -> str:
        if isinstance(before, Exception):
            return report.error_header(before)
        try:
            built = report.build_report(self.wrapped, app, session, opened, before, response, app.logger)
            return report.encode_header(built, report.max_header_bytes(app))
        except Exception as exc:  # the header must never break the response
            app.logger.exception("Session Lens: could not build the %s header", report.HEADER_NAME)
            return report.error_header(exc)
