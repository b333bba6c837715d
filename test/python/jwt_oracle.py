"""PyJWT as an oracle for the JWT format: reads a JSON list of requests on stdin, prints a JSON list of answers.

  {"op": "sign", "payload_json": "...", "secret": "...", "alg": "HS256"}  -> {"token": "..."}
  {"op": "verify", "token": "...", "secret": "...", "now": 123}           -> {"valid": bool, "payload": {...} | null, "error": str | null}
"""
import json
import sys
from datetime import datetime
from unittest import mock

import jwt


def clock_at(seconds):
    """datetime with now() pinned: PyJWT reads the clock itself."""

    class Pinned(datetime):
        @classmethod
        def now(cls, tz=None):
            return datetime.fromtimestamp(seconds, tz=tz)

    return Pinned


def answer(request):
    if request["op"] == "versions":
        return {"pyjwt": jwt.__version__}
    if request["op"] == "sign":
        return {"token": jwt.encode(json.loads(request["payload_json"]), request["secret"], algorithm=request["alg"])}
    if request["op"] == "verify":
        try:
            with mock.patch("jwt.api_jwt.datetime", clock_at(request["now"])):
                payload = jwt.decode(request["token"], request["secret"], algorithms=["HS256", "HS384", "HS512"], options={"verify_iat": False})
            return {"valid": True, "payload": payload, "error": None}
        except Exception as error:  # every PyJWT rejection is an answer, not a failure
            return {"valid": False, "payload": None, "error": f"{type(error).__name__}: {error}"}
    raise ValueError(f"unknown op {request['op']!r}")


print(json.dumps([answer(r) for r in json.load(sys.stdin)]))
