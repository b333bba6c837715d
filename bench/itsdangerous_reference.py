"""Reference timings for `npm run bench`, with the real Flask / itsdangerous of the interpreter.

  gen KIND COUNT SECRET        prints COUNT distinct Flask session cookies (KIND: small | compressed)
  loads FILE SECRET SECONDS    Flask's session serializer .loads(cookie, max_age) over the file's
                               cookies; prints {"per_second", "versions"}
  audit WORDLIST COOKIE        flask-unsign's per-candidate loop (a Signer per secret) and a raw
                               hmac loop over the list; prints both rates
"""

import hashlib
import hmac
import json
import random
import sys
import time
from importlib import metadata

from flask import Flask
from flask.sessions import SecureCookieSessionInterface


def serializer(secret):
    app = Flask("bench")
    app.secret_key = secret
    return SecureCookieSessionInterface().get_signing_serializer(app)


def payload(kind, i, rng):
    if kind == "small":
        return {"user_id": i, "csrf_token": "%040x" % rng.getrandbits(160), "_fresh": True}
    cart = [{"sku": "SKU-%06d" % rng.randrange(10**6), "qty": rng.randrange(1, 5), "price": round(rng.random() * 100, 2)} for _ in range(140)]
    return {"user_id": i, "cart": cart, "_flashes": [("message", "Added to cart")], "csrf_token": "%040x" % rng.getrandbits(160)}


def versions():
    return {name: metadata.version(name) for name in ("Flask", "itsdangerous")}


def main():
    op = sys.argv[1]
    if op == "gen":
        kind, count, secret = sys.argv[2], int(sys.argv[3]), sys.argv[4]
        s = serializer(secret)
        rng = random.Random(kind)
        for i in range(count):
            print(s.dumps(payload(kind, i, rng)))
    elif op == "loads":
        path, secret, seconds = sys.argv[2], sys.argv[3], float(sys.argv[4])
        cookies = [line for line in open(path).read().split("\n") if line]
        s = serializer(secret)
        for c in cookies:
            s.loads(c, max_age=2678400)
        done, start = 0, time.perf_counter()
        while time.perf_counter() - start < seconds:
            for c in cookies:
                s.loads(c, max_age=2678400)
            done += len(cookies)
        print(json.dumps({"per_second": done / (time.perf_counter() - start), "versions": versions()}))
    elif op == "audit":
        from itsdangerous import BadSignature, URLSafeTimedSerializer
        from flask.json.tag import TaggedJSONSerializer

        path, cookie = sys.argv[2], sys.argv[3]
        words = [w.strip().strip("'\"") for w in open(path, encoding="utf-8", errors="surrogateescape").read().split("\n")]
        words = [w for w in words if w]
        # flask-unsign: a serializer per candidate, loads() until one verifies.
        start = time.perf_counter()
        for w in words:
            try:
                URLSafeTimedSerializer(w, salt="cookie-session", serializer=TaggedJSONSerializer(),
                                       signer_kwargs={"key_derivation": "hmac", "digest_method": hashlib.sha1}).loads(cookie)
                break
            except BadSignature:
                pass
        unsign = len(words) / (time.perf_counter() - start)
        value, _, sig = cookie.rpartition(".")
        message, salt = value.encode(), b"cookie-session"
        raw = [w.encode("utf-8", "surrogateescape") for w in words]
        start = time.perf_counter()
        for w in raw:
            key = hmac.new(w, salt, hashlib.sha1).digest()
            hmac.new(key, message, hashlib.sha1).digest()
        raw_rate = len(raw) / (time.perf_counter() - start)
        print(json.dumps({"flask_unsign_loop_per_second": unsign, "raw_hmac_loop_per_second": raw_rate, "candidates": len(words), "versions": versions()}))


main()
