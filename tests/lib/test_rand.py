"""rand.*: types, ranges, determinism with a seeded generator, loose distribution checks."""

from __future__ import annotations

import math
import random
import re
from collections import Counter
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

from pfa.avro.types import (
    BYTES,
    DOUBLE,
    FLOAT,
    INT,
    LONG,
    STRING,
    AvroArray,
    parse_type,
)
from tests.lib.helpers import fn, raises

PROB_RECORD = parse_type({"type": "record", "name": "Item", "fields": [
    {"name": "prob", "type": "double"}, {"name": "label", "type": "string"}]})


def ctx(seed: int = 0) -> SimpleNamespace:
    return SimpleNamespace(rng=random.Random(seed))


def bound(name: str, *types: Any, seed: int = 0) -> Any:
    return fn(name, *types, context=ctx(seed))


def draws(name: str, types: tuple, args: tuple, n: int = 2000, seed: int = 0) -> list:
    f = bound(name, *types, seed=seed)
    return [f(*args) for _ in range(n)]


@pytest.mark.parametrize(("name", "types", "args"), [
    ("rand.int", (), ()), ("rand.int", (INT, INT), (-5, 5)), ("rand.long", (), ()),
    ("rand.long", (LONG, LONG), (10**12, 10**12 + 7)), ("rand.float", (FLOAT, FLOAT), (1.0, 2.0)),
    ("rand.double", (DOUBLE, DOUBLE), (-1.0, 1.0)), ("rand.gaussian", (DOUBLE, DOUBLE), (0.0, 1.0)),
    ("rand.choice", (AvroArray(STRING),), (["a", "b", "c"],)),
    ("rand.choices", (INT, AvroArray(INT)), (5, [1, 2, 3])),
    ("rand.sample", (INT, AvroArray(INT)), (3, [1, 2, 3, 4, 5])),
    ("rand.histogram", (AvroArray(DOUBLE),), ([1.0, 2.0, 3.0],)),
    ("rand.string", (INT,), (8,)), ("rand.bytes", (INT,), (8,)), ("rand.uuid4", (), ()),
    ("rand.uuid", (), ())])
def test_seeded_generator_is_deterministic(name: str, types: tuple, args: tuple) -> None:
    assert draws(name, types, args, 50, seed=7) == draws(name, types, args, 50, seed=7)
    assert draws(name, types, args, 50, seed=7) != draws(name, types, args, 50, seed=8)


def test_generator_is_the_engine_context_one() -> None:
    context = ctx(3)
    f = fn("rand.double", DOUBLE, DOUBLE, context=context)
    first = f(0.0, 1.0)
    context.rng = random.Random(3)  # e.g. an engine restored from a snapshot
    assert f(0.0, 1.0) == first


def test_integers() -> None:
    full = draws("rand.int", (), ())
    assert all(isinstance(v, int) and -2**31 <= v < 2**31 for v in full)
    assert min(full) < -2**30 and max(full) > 2**30
    small = draws("rand.int", (INT, INT), (-3, 4))
    assert set(small) == set(range(-3, 4))
    longs = draws("rand.long", (), ())
    assert all(-2**63 <= v < 2**63 for v in longs) and max(map(abs, longs)) > 2**62
    assert set(draws("rand.long", (LONG, LONG), (2**40, 2**40 + 3))) == {2**40, 2**40 + 1,
                                                                          2**40 + 2}
    raises(34000, bound("rand.int", INT, INT), 3, 3)
    raises(34010, bound("rand.long", LONG, LONG), 5, -5)


def test_uniform_numbers() -> None:
    doubles = draws("rand.double", (DOUBLE, DOUBLE), (2.0, 5.0), 5000)
    assert all(isinstance(v, float) and 2.0 <= v < 5.0 for v in doubles)
    assert abs(sum(doubles) / len(doubles) - 3.5) < 0.1
    floats = draws("rand.float", (FLOAT, FLOAT), (0.0, 1e-30), 500)
    assert all(0.0 <= v < 1e-30 for v in floats)
    assert all(v == float(np.float32(v)) for v in floats)  # float32 values
    raises(34020, bound("rand.float", FLOAT, FLOAT), 1.0, 1.0)
    raises(34030, bound("rand.double", DOUBLE, DOUBLE), 2.0, 1.0)
    raises(34030, bound("rand.double", DOUBLE, DOUBLE), math.nan, 1.0)


def test_gaussian() -> None:
    values = draws("rand.gaussian", (DOUBLE, DOUBLE), (10.0, 2.0), 5000)
    mean = sum(values) / len(values)
    sd = math.sqrt(sum((v - mean) ** 2 for v in values) / len(values))
    assert abs(mean - 10.0) < 0.15 and abs(sd - 2.0) < 0.15


def test_choice_choices_sample() -> None:
    population = ["a", "b", "c", "d"]
    counts = Counter(draws("rand.choice", (AvroArray(STRING),), (population,), 4000))
    assert set(counts) == set(population) and min(counts.values()) > 800
    raises(34040, bound("rand.choice", AvroArray(STRING)), [])

    picks = bound("rand.choices", INT, AvroArray(STRING))(50, population)
    assert len(picks) == 50 and set(picks) <= set(population)
    raises(34050, bound("rand.choices", INT, AvroArray(STRING)), 3, [])

    sample = bound("rand.sample", INT, AvroArray(STRING))
    for size in range(5):
        out = sample(size, population)
        assert len(out) == size == len(set(out)) and set(out) <= set(population)
    raises(34060, sample, 1, [])
    raises(34061, sample, 5, population)


def test_histogram() -> None:
    counts = Counter(draws("rand.histogram", (AvroArray(DOUBLE),), ([1.0, 0.0, 3.0],), 4000))
    assert set(counts) == {0, 2} and 0.2 < counts[0] / 4000 < 0.3
    f = bound("rand.histogram", AvroArray(PROB_RECORD))
    items = [{"prob": 0.5, "label": "x"}, {"prob": 1.5, "label": "y"}]
    labels = Counter(f(items)["label"] for _ in range(4000))
    assert 0.2 < labels["x"] / 4000 < 0.3
    assert f(items) in items
    g = bound("rand.histogram", AvroArray(DOUBLE))
    raises(34070, g, [])
    raises(34070, g, [0.0, 0.0])
    raises(34071, g, [1.0, math.inf])
    raises(34071, g, [math.nan])
    raises(34072, g, [1.0, -0.5])
    raises(34072, f, [{"prob": -1.0, "label": "z"}])


def test_strings() -> None:
    plain = draws("rand.string", (INT,), (20,), 200)
    assert all(len(s) == 20 and all(1 <= ord(c) < 0xD800 for c in s) for s in plain)
    assert all(s.encode("utf-8") for s in plain)  # no surrogates
    picked = bound("rand.string", INT, STRING)(300, "ab")
    assert set(picked) == {"a", "b"}
    ranged = bound("rand.string", INT, INT, INT)(3000, 33, 127)
    assert set(ranged) == {chr(c) for c in range(33, 127)}
    f = bound("rand.string", INT, INT, INT)
    raises(34080, bound("rand.string", INT), 0)
    raises(34080, f, -1, 33, 127)
    raises(34081, f, 5, 50, 50)
    raises(34082, f, 5, 0, 50)
    raises(34082, f, 5, 10, 0xD801)
    raises(34083, bound("rand.string", INT, STRING), 3, "")


def test_bytes() -> None:
    plain = draws("rand.bytes", (INT,), (16,), 200)
    assert all(isinstance(b, bytes) and len(b) == 16 for b in plain)
    assert len(set(b"".join(plain))) > 200
    assert set(bound("rand.bytes", INT, BYTES)(300, b"\x00\xff")) == {0, 255}
    assert set(bound("rand.bytes", INT, INT, INT)(500, 250, 256)) == set(range(250, 256))
    f = bound("rand.bytes", INT, INT, INT)
    raises(34090, bound("rand.bytes", INT), 0)
    raises(34091, f, 5, 7, 7)
    raises(34092, f, 5, -1, 7)
    raises(34092, f, 5, 0, 257)
    raises(34093, bound("rand.bytes", INT, BYTES), 3, b"")


@pytest.mark.parametrize("name", ["rand.uuid", "rand.uuid4"])
def test_uuid(name: str) -> None:
    pattern = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-8[0-9a-f]{3}-[0-9a-f]{12}$")
    values = draws(name, (), (), 300)
    assert all(pattern.match(v) for v in values)
    assert len(set(values)) == 300
