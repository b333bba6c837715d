"""The "$type" representation: the project's format exactly, and bounded on anything else."""

from __future__ import annotations

import enum
import importlib.util
import json
import os
import unittest
import uuid
from collections import OrderedDict, namedtuple
from datetime import date, datetime, timedelta, timezone, tzinfo

import support  # noqa: F401  (puts flask_session_lens on the path when needed)
from markupsafe import Markup

from flask_session_lens.typed_repr import MAX_DEPTH, Secrets, SnapshotTooLarge, to_typed

DEMO_TYPED_REPR = os.path.join(os.path.dirname(__file__), "..", "..", "demo", "typed_repr.py")


def dumps(value: object) -> str:
    return json.dumps(to_typed(value), ensure_ascii=False, allow_nan=False)


class RepresentationTest(unittest.TestCase):
    def test_json_values_stay_as_they_are(self) -> None:
        value = {"s": "café ☃", "i": 42, "neg": -(2**53 - 1), "f": 1.0, "z": -0.0, "b": True, "n": None, "l": [1, [2]], "d": {"k": {}}}
        self.assertEqual(dumps(value), json.dumps(value, ensure_ascii=False))
        self.assertEqual(dumps(1.0), "1.0")
        self.assertEqual(dumps(-0.0), "-0.0")

    def test_each_typed_form(self) -> None:
        cases = [
            (("a", 1), {"$type": "tuple", "items": ["a", 1]}),
            (b"\x00\xffhi", {"$type": "bytes", "base64": "AP9oaQ==", "hex": "00ff6869"}),
            (Markup("<b>x</b>"), {"$type": "markup", "value": "<b>x</b>"}),
            (
                uuid.UUID("12345678-1234-5678-1234-567812345678"),
                {"$type": "uuid", "value": "12345678-1234-5678-1234-567812345678", "hex": "12345678123456781234567812345678"},
            ),
            (
                datetime(2024, 2, 29, 12, 34, 56, tzinfo=timezone.utc),
                {"$type": "datetime", "iso": "2024-02-29T12:34:56+00:00", "unix": 1709210096, "tz_aware": True},
            ),
            (
                datetime(2024, 2, 29, 12, 34, 56, 789, tzinfo=timezone(timedelta(hours=2))),
                {"$type": "datetime", "iso": "2024-02-29T12:34:56.000789+02:00", "unix": 1709202896, "tz_aware": True},
            ),
            (datetime(2024, 1, 2, 3, 4, 5), {"$type": "datetime", "iso": "2024-01-02T03:04:05", "unix": 1704164645, "tz_aware": False}),
            (2**53, {"$type": "int", "value": "9007199254740992"}),
            (-(2**70), {"$type": "int", "value": "-1180591620717411303424"}),
            (float("nan"), {"$type": "float", "value": "NaN"}),
            (float("-inf"), {"$type": "float", "value": "-Infinity"}),
            ({"$type": "x", "a": 1}, {"$type": "dict", "entries": {"$type": "x", "a": 1}}),
        ]
        for value, expected in cases:
            with self.subTest(value=repr(value)):
                self.assertEqual(to_typed(value), expected)
                # "$type" first, as typed-repr.ts writes it
                if isinstance(expected, dict):
                    self.assertEqual(next(iter(to_typed(value))), "$type")

    def test_subclasses_that_demo_accepts(self) -> None:
        point = namedtuple("point", "x y")
        self.assertEqual(to_typed(point(1, 2)), {"$type": "tuple", "items": [1, 2]})
        self.assertEqual(to_typed(OrderedDict(b=1, a=2)), {"b": 1, "a": 2})

    @unittest.skipUnless(os.path.exists(DEMO_TYPED_REPR), "demo/typed_repr.py is not next to the companion")
    def test_same_json_as_the_demo_module(self) -> None:
        spec = importlib.util.spec_from_file_location("demo_typed_repr", DEMO_TYPED_REPR)
        demo = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(demo)
        payload = {
            "tuple": ("admin", "dev", 3),
            "bytes": b"\x00\x01binary\xff",
            "markup": Markup("<b>bold</b> &amp; safe"),
            "uuid": uuid.UUID("12345678-1234-5678-1234-567812345678"),
            "when": datetime(2024, 2, 29, 12, 34, 56, tzinfo=timezone.utc),
            "naive": datetime(1999, 12, 31, 23, 59, 59, 123456),
            "big_int": 2**70,
            "edge_ints": [2**53 - 1, -(2**53 - 1), 2**53, -(2**53)],
            "floats": [1.0, -0.0, 1e16, 2.5e-308, float("inf"), float("-inf")],
            "nested": {"level1": {"level2": {"list": [1, 2.5, None, True], "empty": {}}}},
            "tag_lookalike": {" t": "a one-key dict whose key looks like a tag"},
            "escaped": {"$type": "tuple", "items": [1]},
            "unicode": "caf\u00e9 \u2603 \U0001f40d \U0001d11e",
            "empty": ["", (), b"", {}],
        }
        ours = json.dumps(to_typed(payload), ensure_ascii=False, allow_nan=False)
        self.assertEqual(ours, json.dumps(demo.to_typed(payload), ensure_ascii=False, allow_nan=False))
        nan_theirs = json.dumps(demo.to_typed({"nan": float("nan")}))
        self.assertEqual(json.dumps(to_typed({"nan": float("nan")})), nan_theirs)


class HostileValueTest(unittest.TestCase):
    def assertUnrepresentable(self, typed: object, python_type: str) -> dict:
        self.assertIsInstance(typed, dict)
        self.assertEqual(typed["$type"], "unrepresentable")
        self.assertEqual(typed["python_type"], python_type)
        return typed

    def test_values_without_a_typed_form(self) -> None:
        class Color(enum.IntEnum):
            RED = 1

        class Name(str):
            pass

        self.assertEqual(self.assertUnrepresentable(to_typed({1, 2}), "builtins.set")["repr"], "{1, 2}")
        self.assertUnrepresentable(to_typed(Color.RED), f"{Color.__module__}.{Color.__qualname__}")
        self.assertUnrepresentable(to_typed(Name("x")), f"{Name.__module__}.{Name.__qualname__}")
        self.assertUnrepresentable(to_typed(date(2024, 1, 1)), "datetime.date")
        self.assertUnrepresentable(to_typed(bytearray(b"x")), "builtins.bytearray")
        self.assertEqual(self.assertUnrepresentable(to_typed({1: "one"}), "builtins.dict")["reason"], "a dict key is not a str")
        # a value the representation cannot hold does not spoil its neighbours
        self.assertEqual(to_typed({"ok": 1, "bad": {3}})["ok"], 1)

    def test_a_repr_that_raises_or_is_huge(self) -> None:
        class Hostile:
            def __repr__(self) -> str:
                raise RuntimeError("no")

        class Long:
            def __repr__(self) -> str:
                return "L" * 100_000

        typed = self.assertUnrepresentable(to_typed(Hostile()), f"{__name__}.{Hostile.__qualname__}")
        self.assertTrue(typed["repr"].startswith("<Hostile instance at "))  # reprlib's stand-in
        self.assertLessEqual(len(to_typed(Long())["repr"]), 200)
        self.assertLessEqual(len(to_typed(set(range(100_000)))["repr"]), 200)

    def test_a_broken_tzinfo(self) -> None:
        class Broken(tzinfo):
            def utcoffset(self, dt: object) -> timedelta:
                raise ValueError("broken")

        typed = to_typed(datetime(2024, 1, 1, tzinfo=Broken()))
        self.assertEqual(typed["reason"], "conversion failed: ValueError")

    def test_deep_nesting_and_cycles_end(self) -> None:
        deep: list = []
        node = deep
        for _ in range(MAX_DEPTH + 50):
            node.append([])
            node = node[0]
        typed = to_typed(deep)
        for _ in range(MAX_DEPTH):
            typed = typed[0]
        self.assertEqual(typed[0]["$type"], "unrepresentable")

        cycle: list = []
        cycle.append(cycle)
        json.dumps(to_typed(cycle))  # finite

    def test_the_budget(self) -> None:
        with self.assertRaises(SnapshotTooLarge):
            to_typed({"big": "x" * 2_000_000})
        with self.assertRaises(SnapshotTooLarge):
            to_typed(["x" * 600] * 1000, budget_chars=500_000)
        with self.assertRaises(SnapshotTooLarge):
            to_typed(10 ** 4000, budget_chars=1000)
        self.assertEqual(to_typed(10**5000)["reason"], "conversion failed: ValueError")  # Python refuses str() of it


class SecretTest(unittest.TestCase):
    def test_values_holding_a_secret_are_redacted(self) -> None:
        secrets = Secrets(["a-long-secret-key", b"\x01\x02short", "dev"])
        # a key holding the secret redacts its whole dict
        self.assertEqual(to_typed({"ok": 1, "a-long-secret-key in a key": 1}, secrets)["$type"], "redacted")
        values = ["a-long-secret-key", "prefix a-long-secret-key", b"a-long-secret-key", "dev", "device", b"\x01\x02short", Markup("<i>a-long-secret-key</i>")]
        typed = to_typed(values, secrets)
        self.assertEqual(
            [t if isinstance(t, str) else t["$type"] for t in typed],
            ["redacted", "redacted", "redacted", "redacted", "device", "redacted", "redacted"],
        )


if __name__ == "__main__":
    unittest.main()
