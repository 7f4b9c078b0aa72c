"""The native tier's batch inputs and guarded branches: string columns of every table kind
become vocabulary codes in one vectorized pass, branches that may raise are lowered (and
skipped in blocks no row takes), and the results stay the scalar engine's, bit for bit."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pfa import Engine
from pfa.engine import native
from tests.engine.batch_helpers import same
from tests.engine.test_native import assert_all_equal, is_native, outcomes, reference

pytestmark = pytest.mark.skipif(native.unavailable() is not None,
                                reason=f"native tier off: {native.unavailable()}")

WORDS = ["red", "green", "blue", "grey"]


@pytest.fixture(scope="module")
def string_doc() -> dict[str, Any]:
    """OneHotEncoder (unknown words ignored) on a string and a nullable string column, with
    an imputed numeric column, before a logistic regression."""
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder

    from pfa.exporters.sklearn import export

    rng = np.random.default_rng(3)
    n = 200
    train = pd.DataFrame({"x": rng.normal(size=n), "c": rng.choice(WORDS, n),
                          "s": rng.choice(["S", "M", "L"], n)})
    train.loc[rng.random(n) < 0.1, "x"] = np.nan
    y = (train["c"] == "red").to_numpy(dtype=int) + (train["s"] == "L").to_numpy(dtype=int)
    est = Pipeline([("pre", ColumnTransformer([
        ("num", SimpleImputer(), ["x"]),
        ("cat", OneHotEncoder(handle_unknown="ignore"), ["c", "s"])])),
        ("lr", LogisticRegression())]).fit(train, y)
    return json.loads(json.dumps(export(est, sample=train, timestamp=False)))


def _frame(draw_words: list[str | None], sizes: list[str | None], xs: list[float]
           ) -> pd.DataFrame:
    return pd.DataFrame({"x": xs, "c": pd.array(draw_words, dtype="str"),
                         "s": pd.array(sizes, dtype="object")})


def _rows_of(frame: pd.DataFrame) -> list[dict[str, Any]]:
    out = []
    for x, c, s in zip(frame["x"].tolist(), frame["c"].tolist(), frame["s"].tolist()):
        out.append({"x": None if x != x else x, "c": None if not isinstance(c, str) else c,
                    "s": s})
    return out


words = st.sampled_from(WORDS + ["purple", "", "Red"])


@settings(max_examples=15, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.lists(st.tuples(words, st.one_of(st.none(), st.sampled_from(
    ["S", "M", "L", "XL"])), st.one_of(st.just(float("nan")), st.floats(-3, 3))),
    min_size=1, max_size=40))
def test_string_columns_of_every_kind(string_doc, data, monkeypatch):
    """A str / object / categorical / Arrow column gives the scalar engine's outputs."""
    frame = _frame([w for w, _, _ in data], [s for _, s, _ in data], [x for _, _, x in data])
    records = _rows_of(frame)
    ref = reference(string_doc, monkeypatch)
    expected = outcomes(ref, records)
    engine = Engine.from_json(json.loads(json.dumps(string_doc)))
    assert is_native(engine), engine.explain_batch()
    kinds = {
        "str/object": frame,
        "categorical": frame.assign(c=frame["c"].astype("category"),
                                    s=frame["s"].astype("category")),
        "arrow": pa.Table.from_pandas(frame, preserve_index=False),
    }
    for name, table in kinds.items():
        got = engine.action_batch(table)
        values = got.to_dict("records") if isinstance(got, pd.DataFrame) else got.to_pylist()
        for i, e in enumerate(expected):
            g = values[i]
            if isinstance(g, dict):
                g = {k: (v.tolist() if isinstance(v, np.ndarray) else v) for k, v in g.items()}
            assert same(g, e), (name, i, g, e, records[i])


# -- branches that may raise ----------------------------------------------------------------

def _checked_doc() -> dict[str, Any]:
    """A value computed after a statement that raises on some rows (the exporters' input
    checks): ``if (x > t) { if (y < 0) error; }`` then ``x * y + 1``."""
    x = {"attr": "input", "path": [{"string": "x"}]}
    y = {"attr": "input", "path": [{"string": "y"}]}
    return {"input": {"type": "record", "name": "R", "fields": [
        {"name": "x", "type": "double"}, {"name": "y", "type": "double"}]},
        "output": "double",
        "action": [
            {"if": {">": [x, 5.0]}, "then": [
                {"cond": [{"if": {"<": [y, 0.0]}, "then": {"error": "negative", "code": -7}},
                          {"if": {"impute.isnan": y}, "then": {"error": "nan", "code": -8}}]},
                {"let": {"z": {"*": [x, 2.0]}}}]},
            {"+": [{"*": [x, y]}, 1.0]}]}


@settings(max_examples=20, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(n=st.integers(1, 700), hot=st.sets(st.integers(0, 699), max_size=8),
       seed=st.integers(0, 2**16))
def test_guarded_error_branches(n, hot, seed, monkeypatch):
    """Rows taking the branch are rare (whole 256-row blocks skip it) or clustered; the
    raising rows fail with their code, the others give the scalar value."""
    rng = np.random.default_rng(seed)
    xs = rng.uniform(-5.0, 5.0, n)
    ys = rng.normal(size=n)
    for j in hot:
        if j < n:
            xs[j] = 6.0 + j % 3
            ys[j] = [-1.0, 2.0, float("nan")][j % 3]
    inputs = [{"x": float(a), "y": float(b)} for a, b in zip(xs, ys)]
    engine = assert_all_equal(_checked_doc(), inputs, monkeypatch)
    assert is_native(engine), engine.explain_batch()


def test_turning_the_tier_off_wins_over_the_cache(monkeypatch):
    """An engine built after ``PFA_NATIVE=0`` runs without the tier, even for a document an
    engine of the same process already lowered."""
    doc = _checked_doc()
    first = Engine.from_json(doc)
    first.action_batch([{"x": 1.0, "y": 2.0}])
    assert is_native(first)
    monkeypatch.setenv(native.DISABLE_ENV, "0")
    second = Engine.from_json(doc)
    assert second.explain_batch()[0].mode != "native"
