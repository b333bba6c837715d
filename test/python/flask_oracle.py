"""Answers codec questions with the real Flask and itsdangerous, one JSON request per line.

Used by the differential tests: whatever Session Lens' TypeScript codec says
about a cookie must match what this process, running the real libraries,
says about it. Requests (stdin) and answers (stdout) are single-line JSON.

  {"op": "versions"}
  {"op": "sign", "payload": <$type>, "secret": S, "salt", "digest", "key_derivation",
   "timestamp": int, "sort_keys": bool, "ensure_ascii": bool}          -> {"cookie"}
  {"op": "sign_text", "text": <JSON text signed as-is>, "secret": S, ...}  -> {"cookie"}
  {"op": "loads", "cookie", "secrets": [S, ...] (SECRET_KEY first), "salt", "digest",
   "key_derivation", "max_age": int|null, "now": int|null}
      -> {"verdict", "payload_json": <$type JSON text>|null, "exception": "Name: message"|null}

A secret S is {"text": str} or {"hex": str}.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from importlib import metadata

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "demo"))

import flask  # noqa: E402
from flask.json.tag import TaggedJSONSerializer  # noqa: E402
from itsdangerous import BadPayload, BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer  # noqa: E402

import typed_repr  # noqa: E402

app = flask.Flask("oracle")


class FixedClockSigner(TimestampSigner):
    """A TimestampSigner whose clock the request sets (signing time, or 'now' for age checks)."""

    clock: int | None = None

    def get_timestamp(self) -> int:
        return FixedClockSigner.clock if FixedClockSigner.clock is not None else int(time.time())


class TextSerializer:
    """Signs JSON text exactly as given, to craft payloads Flask would never write."""

    @staticmethod
    def dumps(value) -> str:
        # itsdangerous probes dumps({}) to learn that this serializer produces text.
        return value if isinstance(value, str) else json.dumps(value)

    @staticmethod
    def loads(value: str) -> str:
        return value


def secret_bytes(secret: dict) -> bytes:
    return bytes.fromhex(secret["hex"]) if "hex" in secret else secret["text"].encode("utf-8")


def serializer(req: dict, secret_keys, json_serializer) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(
        secret_keys,
        salt=req.get("salt", "cookie-session").encode("utf-8"),
        serializer=json_serializer,
        signer=FixedClockSigner,
        signer_kwargs={
            "key_derivation": req.get("key_derivation", "hmac"),
            "digest_method": getattr(hashlib, req.get("digest", "sha1")),
        },
    )


def handle(req: dict) -> dict:
    op = req["op"]
    if op == "versions":
        return {"flask": metadata.version("flask"), "itsdangerous": metadata.version("itsdangerous"), "python": sys.version.split()[0]}
    if op in ("sign", "sign_text"):
        FixedClockSigner.clock = req["timestamp"]
        if op == "sign":
            app.json.sort_keys = req.get("sort_keys", True)
            app.json.ensure_ascii = req.get("ensure_ascii", True)
            s = serializer(req, secret_bytes(req["secret"]), TaggedJSONSerializer())
            with app.app_context():
                return {"cookie": s.dumps(typed_repr.from_typed(req["payload"]))}
        return {"cookie": serializer(req, secret_bytes(req["secret"]), TextSerializer()).dumps(req["text"])}
    if op == "loads":
        FixedClockSigner.clock = req.get("now")
        # itsdangerous lists keys oldest first and signs with the last; Flask ≥ 3.1 passes [*fallbacks, SECRET_KEY].
        keys = [secret_bytes(s) for s in req["secrets"]]
        s = serializer(req, list(reversed(keys)), TaggedJSONSerializer())
        app.json.sort_keys = True
        app.json.ensure_ascii = True
        with app.app_context():
            try:
                data = s.loads(req["cookie"], max_age=req.get("max_age"))
            except SignatureExpired as e:
                return {"verdict": "future_timestamp" if "< 0" in str(e) else "expired", "payload_json": None, "exception": f"SignatureExpired: {e}"}
            except BadPayload as e:
                return {"verdict": "bad_payload", "payload_json": None, "exception": f"BadPayload: {e}"}
            except BadSignature as e:
                return {"verdict": "bad_signature", "payload_json": None, "exception": f"{type(e).__name__}: {e}"}
            except Exception as e:  # what Flask does not catch: the request fails with HTTP 500
                return {"verdict": "malformed", "payload_json": None, "exception": f"{type(e).__name__}: {e}"}
        # As text, so the reader on the other side keeps 1.0 a float and big integers exact.
        return {"verdict": "valid", "payload_json": json.dumps(typed_repr.to_typed(data)), "exception": None}
    raise ValueError(f"unknown op {op!r}")


def main() -> None:
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            answer = {"ok": True, **handle(json.loads(line))}
        except Exception as e:  # report, keep serving
            answer = {"ok": False, "error": f"{type(e).__name__}: {e}"}
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
