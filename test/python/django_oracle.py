"""Django's own signing code as an oracle for the Django format: reads a JSON list of requests on
stdin, prints a JSON list of answers. Sessions are made and read the way the signed_cookies
backend does (signing.dumps / loads with its salt, compress=True, the JSON serializer).

  {"op": "dumps", "payload_json": "...", "secret": "...", "now": 123, "algorithm": "sha256"} -> {"cookie": "..."}
  {"op": "loads", "cookie": "...", "secrets": ["...", ...], "now": 123, "max_age": 1209600, "algorithm": "sha256"}
      -> {"valid": bool, "payload": {...} | null, "error": str | null}
"""
import json
import sys
from unittest import mock

import django
from django.conf import settings

settings.configure(SECRET_KEY="unused", DEFAULT_HASHING_ALGORITHM="sha256", USE_TZ=True)
django.setup()

from django.contrib.sessions.serializers import JSONSerializer  # noqa: E402
from django.core import signing  # noqa: E402

SALT = "django.contrib.sessions.backends.signed_cookies"


def with_settings(request):
    """SECRET_KEY (and its fallbacks on Django ≥ 4.1) and the hashing algorithm of this request."""
    secrets = request.get("secrets") or [request["secret"]]
    overrides = {"SECRET_KEY": secrets[0], "DEFAULT_HASHING_ALGORITHM": request.get("algorithm", "sha256")}
    if django.VERSION >= (4, 1):
        overrides["SECRET_KEY_FALLBACKS"] = secrets[1:]
    return overrides


def answer(request):
    if request["op"] == "versions":
        return {"django": django.get_version()}
    with mock.patch("time.time", return_value=request["now"]):
        for name, value in with_settings(request).items():
            setattr(settings, name, value)
        if request["op"] == "dumps":
            return {"cookie": signing.dumps(json.loads(request["payload_json"]), salt=SALT, serializer=JSONSerializer, compress=True)}
        if request["op"] == "dumps_pickle":
            import datetime

            from django.contrib.sessions.serializers import PickleSerializer

            session = json.loads(request["payload_json"])
            if request.get("objects"):
                # What pickled sessions hold besides JSON: tuples, bytes, sets, a datetime.
                session.update({"t": (1, "a"), "b": b"\x00\xff", "s": {3}, "when": datetime.datetime(2026, 12, 8, 1, 2, 3)})
            return {"cookie": signing.dumps(session, salt=SALT, serializer=PickleSerializer, compress=True)}
        if request["op"] == "loads":
            try:
                payload = signing.loads(request["cookie"], salt=SALT, serializer=JSONSerializer, max_age=request["max_age"])
                return {"valid": True, "payload": payload, "error": None}
            except Exception as error:  # the backend turns every failure into a new session: an answer, not a crash
                return {"valid": False, "payload": None, "error": f"{type(error).__name__}: {error}"}
        if request["op"] == "set_signed_cookie":
            from django.http import HttpResponse

            response = HttpResponse()
            response.set_signed_cookie(request["name"], request["value"], salt=request["salt"])
            return {"cookie": response.cookies[request["name"]].value}
        if request["op"] == "get_signed_cookie":
            from django.test import RequestFactory

            factory_request = RequestFactory().get("/")
            factory_request.COOKIES[request["name"]] = request["cookie"]
            value = factory_request.get_signed_cookie(request["name"], default=None, salt=request["salt"])
            return {"value": value}
    raise ValueError(f"unknown op {request['op']!r}")


print(json.dumps([answer(r) for r in json.load(sys.stdin)]))
