"""Differential check: pyfunc predictions of exported sklearn pipelines equal ``Engine.action``
row by row, on the generated pipelines and tables of the exporter fuzzer. ``PFA_MLFLOW_EXAMPLES``
cases (default 16), each around a converter of the registry picked by ``PFA_FUZZ_SEED`` (spread
evenly, so successive seeds cover the whole registry); one in three also goes through a saved
model and ``mlflow.pyfunc.load_model``."""

from __future__ import annotations

import math
import os
import warnings
from pathlib import Path
from typing import Any

import mlflow
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, Phase, given, seed, settings
from mlflow.exceptions import MlflowException

from pfa.engine.engine import Engine
from pfa.errors import PfaError, UnsupportedModelError
from pfa.exporters.sklearn import export
from pfa.mlflow.pyfunc_model import SMALL_BATCH, PfaPyfuncModel
from tests.exporters.fuzz import budget
from tests.exporters.fuzz import spec as S
from tests.exporters.fuzz.pipelines import cases, training_data

from .conftest import saved_model

TARGETS = [c.estimator for c in S.converters()]
EXAMPLES = int(os.environ.get("PFA_MLFLOW_EXAMPLES", "16"))
STRIDE = max(1, len(TARGETS) // max(1, EXAMPLES))


def _plain(v: Any) -> Any:
    if isinstance(v, dict):
        return {k: _plain(x) for k, x in v.items()}
    if isinstance(v, (list, tuple, np.ndarray)):
        return [_plain(x) for x in v]
    if isinstance(v, (np.generic,)):
        return v.item()
    return v


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return a == b and type(a) is type(b)


def _values(out: pd.DataFrame | pd.Series) -> list[Any]:
    rows = out.to_dict("records") if isinstance(out, pd.DataFrame) else list(out)
    return [_plain(r) for r in rows]


def check_frame(model: Any, engine: Engine, X: pd.DataFrame) -> str:
    """``model.predict(X)`` equals ``engine.action`` on every row, or raises an
    ``MlflowException`` naming the first row the engine refuses."""
    expected, failed = [], None
    for i in range(len(X)):
        try:
            expected.append(_plain(engine.action(X.iloc[i])))
        except PfaError:
            failed = i if failed is None else failed
    if failed is not None:
        with pytest.raises(MlflowException, match=f"row {failed}"):
            model.predict(X)
        return "refused"
    got = _values(model.predict(X))
    assert len(got) == len(expected)
    for i, (g, e) in enumerate(zip(got, expected, strict=True)):
        assert _same(g, e), f"row {i}: pyfunc {g!r} != engine {e!r}"
    return "equal"


def _case_model(case: Any) -> tuple[Any, dict[str, Any]] | None:
    X, y, _ = training_data(case)
    model = S.build(case.model)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model.fit(X, y)
        return X, export(model, sample=X, timestamp=False)
    except (UnsupportedModelError, ValueError, TypeError):
        return None


@pytest.mark.parametrize("example", range(EXAMPLES))
def test_pyfunc_equals_engine(example: int, tmp_path_factory: pytest.TempPathFactory) -> None:
    target = TARGETS[(example * STRIDE + budget.SEED * 7) % len(TARGETS)]

    @seed(budget.SEED + example)
    @settings(max_examples=1, deadline=None, database=None,
              suppress_health_check=list(HealthCheck), phases=[Phase.generate])
    @given(case=cases(target))
    def check(case: Any) -> None:
        built = _case_model(case)
        if built is None:  # sklearn or the exporter refuses this draw: not a pyfunc case
            return
        X, doc = built
        engine = Engine.from_json(doc)
        wrapper = PfaPyfuncModel(Engine.from_json(doc))
        check_frame(wrapper, engine, X)                   # the batch path
        check_frame(wrapper, engine, X.head(SMALL_BATCH))  # record by record
        if example % 3 == 0:  # through MLflow, whose schema check accepts the example's table
            path = saved_model(doc, tmp_path_factory.mktemp("m") / "model",
                               input_example=X.head(5))
            check_frame(mlflow.pyfunc.load_model(str(path)), engine, X)

    check()


def test_shrunk_regressions(tmp_path: Path) -> None:
    """Table kinds that once broke a path: category and pandas-3 string columns, nullable Int64
    columns with pd.NA, object columns holding None."""
    from sklearn.compose import make_column_transformer
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OrdinalEncoder

    rng = np.random.default_rng(3)
    n = 40
    X = pd.DataFrame({
        "cat": pd.Categorical(rng.choice(["a", "b", "c"], n)),
        "s": pd.Series(rng.choice(["x", "y"], n), dtype="str"),
        "o": pd.Series([None if i % 5 == 0 else "p" for i in range(n)], dtype=object),
        "k": pd.array([None if i % 7 == 0 else int(i) for i in range(n)], dtype="Int64"),
    })
    y = rng.integers(0, 2, n)
    pipe = make_pipeline(make_column_transformer(
        (OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1,
                        encoded_missing_value=-2), ["cat", "s", "o"]),
        (SimpleImputer(), ["k"])), HistGradientBoostingClassifier(max_iter=5)).fit(X, y)
    doc = export(pipe, sample=X, timestamp=False)
    engine = Engine.from_json(doc)
    wrapper = PfaPyfuncModel(Engine.from_json(doc))
    assert check_frame(wrapper, engine, X) == "equal"
    assert check_frame(wrapper, engine, X.head(4)) == "equal"
