"""Failures the differential fuzzer found, shrunk to plain deterministic tests (one per cause,
named after it). Each compares the exported document with sklearn on the rows that broke it,
through ``action`` and ``action_batch``."""

from __future__ import annotations

import json

import numpy as np
import pytest
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.linear_model import LogisticRegression, RidgeClassifier
from sklearn.svm import SVC, OneClassSVM

from pfa import Engine
from pfa.errors import UnsupportedModelError
from pfa.exporters.sklearn import export
from tests.engine.batch_helpers import same


def _blas_adds_in_order() -> bool:
    """Whether this machine's BLAS ``ddot`` (numpy's 1-D dot, libsvm's dense kernels) adds
    short vectors left to right without fused multiply-add, the order the documents follow.
    OpenBLAS's AVX-512 kernels use FMA at every width: sklearn's own numbers then differ
    from the in-order ones by an ulp here and there (README, "Not promised")."""
    rng = np.random.default_rng(0)
    for n in range(2, 16):
        for _ in range(20):
            a, b = rng.normal(size=n), rng.normal(size=n)
            total = 0.0
            for x, y in zip(a.tolist(), b.tolist()):
                total += x * y
            if float(np.dot(a, b)) != total:
                return False
    return True


BLAS_IN_ORDER = _blas_adds_in_order()
needs_in_order_blas = pytest.mark.skipif(
    not BLAS_IN_ORDER, reason="this machine's BLAS ddot uses FMA: sklearn's numbers are not "
    "the in-order sums the document follows (README, Not promised)")


def assert_sklearn_numbers(got: list, want: np.ndarray) -> None:
    """Bit-equal where BLAS adds in order; within 1e-12 relative where it uses FMA."""
    if BLAS_IN_ORDER:
        np.testing.assert_array_equal(got, want)
    else:
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-300)


def _engine(model) -> tuple[dict, Engine]:
    doc = json.loads(json.dumps(export(model, timestamp=False)))
    return doc, Engine.from_json(doc)  # loading type-checks the document (as `pfa check`)


def _rows(X: np.ndarray) -> list[dict]:
    return [{f"x{j}": float(v) for j, v in enumerate(r)} for r in X]


def _both_paths(engine: Engine, rows: list[dict]) -> list:
    single = [engine.action(r) for r in rows]
    batch = engine.action_batch(rows)
    assert all(same(a, b) for a, b in zip(single, batch))
    return single


def test_binary_ridge_classifier_with_1d_coef():
    """sklearn >= 1.8 stores a binary RidgeClassifier's coef_ as 1-D: the document was typed
    as multiclass (a.argmax of a double) and failed the checker."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 3))
    y = np.where(X[:, 0] - X[:, 2] > 0, "yes", "no")
    model = RidgeClassifier(alpha=0.5).fit(X, y)
    doc, engine = _engine(model)
    out = _both_paths(engine, _rows(X))
    assert [o["label"] for o in out] == list(model.predict(X))
    np.testing.assert_allclose([o["scores"][0] for o in out], model.decision_function(X),
                               rtol=1e-9, atol=1e-12)


def test_hist_gradient_boosting_present_infinity_is_not_missing():
    """A split that sends only missing values right (threshold +inf) routed a present +inf
    like a missing value."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 2))
    X[rng.random(200) < 0.2, 0] = np.nan
    y = np.where(np.isnan(X[:, 0]), 5.0, X[:, 0])
    model = HistGradientBoostingRegressor(max_iter=5).fit(X, y)
    _, engine = _engine(model)
    Xs = np.array([[np.inf, 0.0], [-np.inf, 0.0], [np.nan, 0.0], [1e300, 0.0], [3.0, 0.0]])
    rows = [{"x0": a, "x1": b} for a, b in Xs.tolist()]
    assert _both_paths(engine, rows) == model.predict(Xs).tolist()


def test_xgboost_multi_output_regressor():
    """A two-target XGBRegressor crashed the converter (one group of trees per target)."""
    xgb = pytest.importorskip("xgboost")
    rng = np.random.default_rng(0)
    X = rng.normal(size=(80, 3))
    Y = np.column_stack([X[:, 0] * 2, X[:, 1] - X[:, 2]])
    model = xgb.XGBRegressor(n_estimators=4, max_depth=2, n_jobs=1).fit(X, Y)
    doc, engine = _engine(model)
    assert doc["metadata"]["outputs"] == "2"
    np.testing.assert_allclose(_both_paths(engine, _rows(X)), model.predict(X), rtol=1e-6)


def _cancelling_rows(n: int) -> np.ndarray:
    # huge equal features: w0*x0 + w1*x1 overflows to +inf and -inf, whose sum is NaN
    return np.array([[1.7e308, 1.7e308]] * n)


@needs_in_order_blas
def test_nan_decision_votes_like_numpy_linear():
    """PFA orders NaN above every number, so ``decision > 0`` was true for a NaN decision:
    sklearn's ``scores > 0`` is false (label classes_[0])."""
    rng = np.random.default_rng(1)
    X = rng.normal(size=(80, 2)) * 0.01
    y = (X[:, 0] - X[:, 1] > 0).astype(int)
    model = LogisticRegression(C=1e4).fit(X, y)
    assert np.all(np.abs(model.coef_) > 2)
    Xs = _cancelling_rows(1)
    assert np.isnan(model.decision_function(Xs)).all()
    _, engine = _engine(model)
    assert [o["label"] for o in _both_paths(engine, _rows(Xs))] == model.predict(Xs).tolist()


def test_nan_decision_votes_like_libsvm():
    """libsvm votes for the second class of a pair when the decision is NaN (``dec > 0`` is
    false); an overflowing polynomial kernel gives NaN decisions."""
    rng = np.random.default_rng(2)
    X = rng.normal(size=(60, 2))
    y = np.where(X[:, 0] + X[:, 1] > 0, 100, 1)
    model = SVC(kernel="poly", degree=2, coef0=0.0).fit(X, y)
    Xs = np.array([[1e300, -1e-3], [1e300, 1e300]])
    assert np.isnan(model.decision_function(Xs)).all()
    _, engine = _engine(model)
    assert [o["label"] for o in _both_paths(engine, _rows(Xs))] == model.predict(Xs).tolist()
    one_class = OneClassSVM(kernel="poly", degree=2, nu=0.3).fit(X)
    if np.isnan(one_class.decision_function(Xs)).all():
        _, engine = _engine(one_class)
        labels = [o["label"] for o in _both_paths(engine, _rows(Xs))]
        assert labels == one_class.predict(Xs).tolist()


@pytest.mark.parametrize("make", [
    lambda X, y: LogisticRegression().fit(X, y > 0),
    lambda X, y: SVC().fit(X, y > 0),  # libsvm works in double: exported
], ids=["logistic_regression", "svc"])
def test_model_fitted_on_float32_data_is_refused(make):
    """sklearn keeps float32 parameters and computes in float32 when fitted on float32 data;
    without a data sample the converter sees it in the fitted parameters and refuses."""
    rng = np.random.default_rng(4)
    X = rng.normal(size=(60, 3)).astype(np.float32)
    model = make(X, X[:, 0] - X[:, 1])
    if type(model).__name__ == "SVC":
        _, engine = _engine(model)
        assert [o["label"] for o in _both_paths(engine, _rows(X))] == model.predict(X).tolist()
        return
    with pytest.raises(UnsupportedModelError, match="float32"):
        export(model)


def test_lightgbm_infinite_threshold_keeps_present_infinity_left():
    """LightGBM writes the threshold of a "missing values vs the rest" split (+inf) as 1e300;
    read literally, a present +inf went right with the missing values."""
    lgb = pytest.importorskip("lightgbm")
    rng = np.random.default_rng(5)
    X = rng.normal(size=(300, 2)) * 10
    X[rng.random(300) < 0.3, 0] = np.nan
    y = np.where(np.isnan(X[:, 0]), 3.0, 0.0) + (X[:, 1] > 0)
    model = lgb.LGBMRegressor(n_estimators=5, num_leaves=4, min_child_samples=5, verbose=-1,
                              n_jobs=1).fit(X, y)
    thresholds = model.booster_.trees_to_dataframe()["threshold"].dropna()
    assert (thresholds >= 1e300).any()  # the split this test is about
    Xs = np.array([[np.inf, 1.0], [1e300, 1.0], [np.nan, 1.0], [-np.inf, -1.0], [2.0, 1.0]])
    _, engine = _engine(model)
    np.testing.assert_allclose(_both_paths(engine, _rows(Xs)), model.predict(Xs), rtol=1e-6)


@pytest.mark.parametrize("dtype", ["Int64", "Float64", "boolean"])
def test_pandas_na_in_a_passthrough_column_is_refused(dtype):
    """F13: a ColumnTransformer refuses pd.NA in a column a transformer returns as a DataFrame
    (passthrough) of a nullable pandas dtype, though it passes NaN to a tree that takes it; the
    probe scored float64 columns only, so the document accepted the missing value. With the sample the probe sees
    the dtype; an imputed column of the same dtype still accepts null."""
    import pandas as pd
    from sklearn.compose import make_column_transformer
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import make_pipeline
    from sklearn.tree import DecisionTreeRegressor

    from pfa.errors import PfaUserError

    rng = np.random.default_rng(0)
    raw = rng.integers(0, 2, 40) if dtype == "boolean" else rng.integers(0, 9, 40)
    df = pd.DataFrame({"a": pd.array(raw.astype(bool) if dtype == "boolean" else raw,
                                     dtype=dtype),
                       "b": pd.array(rng.integers(0, 9, 40), dtype="Int64"),
                       "x": rng.normal(size=40)})
    m = make_pipeline(make_column_transformer(("passthrough", ["a", "x"]),
                                              (SimpleImputer(), ["b"])),
                      DecisionTreeRegressor(random_state=0)).fit(df, df.x)
    engine = Engine.from_json(json.loads(json.dumps(export(m, timestamp=False, sample=df))))
    row = df.iloc[[3]].copy()
    assert engine.action(row.to_dict("records")[0]) == pytest.approx(m.predict(row)[0],
                                                                       rel=1e-9)
    row_b = row.copy()
    row_b["b"] = pd.array([pd.NA], dtype="Int64")
    assert engine.action({"a": row.a.iloc[0], "b": None, "x": row.x.iloc[0]}) == \
        pytest.approx(m.predict(row_b)[0], rel=1e-9)
    row_a = row.copy()
    row_a["a"] = pd.array([pd.NA], dtype=dtype)
    with pytest.raises(ValueError, match="pandas.NA"):
        m.predict(row_a)
    with pytest.raises(PfaUserError, match="'a'"):
        engine.action({"a": None, "b": row.b.iloc[0], "x": row.x.iloc[0]})


def test_missing_object_string_without_a_sample_is_nan_and_with_one_none():
    """F12: sklearn's NaN imputer leaves None in an object column alone (an encoder then sees
    an unknown category) but fills NaN. Without a sample the exporter cannot see which marker
    the user's column holds and takes a missing string as NaN (README "Missing values"); with
    a sample of an object column it keeps None apart."""
    import pandas as pd
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder

    df = pd.DataFrame({"c": pd.Series(list("abbcb") * 6, dtype=object)})
    m = make_pipeline(SimpleImputer(strategy="most_frequent"),
                      OneHotEncoder(handle_unknown="ignore", sparse_output=False)).fit(df)
    as_nan = m.transform(pd.DataFrame({"c": pd.Series([np.nan], dtype=object)}))[0]
    as_none = m.transform(pd.DataFrame({"c": pd.Series([None], dtype=object)}))[0]
    assert list(as_nan) != list(as_none)  # the two markers differ in sklearn
    for sample, want in ((None, as_nan), (df, as_none)):
        doc = json.loads(json.dumps(export(m, timestamp=False, sample=sample)))
        engine = Engine.from_json(doc)
        assert _both_paths(engine, [{"c": None}]) == [list(want)]


@pytest.mark.parametrize("dtype", ["str", "object", "category"])
@pytest.mark.parametrize("encoder", ["onehot", "ordinal"])
def test_imputer_with_indicator_before_an_encoder_on_strings(dtype, encoder):
    """SimpleImputer(add_indicator=True) on string columns hands the encoder an object array
    of the imputed strings and the indicators (bools); the converter made one numeric vector
    of them and refused the export ("string columns ... reach a step that needs numbers")."""
    import pandas as pd
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder

    rng = np.random.default_rng(1)
    c = list(rng.choice(["a", "b", "c"], 40))
    c[3] = c[7] = None
    df = pd.DataFrame({"c": pd.Series(c, dtype=dtype),
                       "d": pd.Series(list(rng.choice(["x", "y"], 40)), dtype=dtype)})
    enc = OneHotEncoder(handle_unknown="ignore", sparse_output=False) \
        if encoder == "onehot" else OrdinalEncoder()
    m = make_pipeline(SimpleImputer(strategy="most_frequent", add_indicator=True),
                      enc).fit(df)
    rows = df.iloc[[0, 1, 3, 7]]
    engine = Engine.from_json(json.loads(json.dumps(export(m, timestamp=False, sample=df))))
    got = _both_paths(engine, [{k: (None if pd.isna(v) else v) for k, v in r.items()}
                               for r in rows.to_dict("records")])
    assert got == [list(r) for r in m.transform(rows)]


@pytest.mark.parametrize("n_features", [7, 8, 9, 17, 130])
def test_gaussian_nb_near_zero_variance_sums_in_numpy_order(n_features):
    """A constant training column gets sklearn's tiny smoothing variance, so one squared term
    is ~1e8 and the class log-likelihoods ~-1e8: the probabilities then depend on the last bit
    of each likelihood. The document summed per-feature log densities (model.naive.gaussian);
    it now uses sklearn's two sums, the squared terms in numpy's pairwise order."""
    from sklearn.naive_bayes import GaussianNB

    rng = np.random.default_rng(n_features)
    X = rng.normal(size=(120, n_features)) * rng.uniform(0.01, 100, n_features)
    X[:, 0] = 1769.0  # constant: variance = var_smoothing * max variance
    y = rng.integers(0, 4, 120)
    model = GaussianNB().fit(X, y)
    _, engine = _engine(model)
    Xs = X[:40].copy()
    Xs[:, 0] = 0.0  # far from the constant: log-likelihoods around -1e8 and below
    expected = model.predict_proba(Xs)
    got = _both_paths(engine, _rows(Xs))
    for e, g in zip(expected, got):
        np.testing.assert_allclose(g["probabilities"], e, rtol=1e-12, atol=0)


def test_numpy_row_sum_matches_numpy():
    """The summation order the GaussianNB converter writes is numpy's, bit for bit."""
    from pfa.exporters.sklearn.converters.naive_bayes import numpy_row_sum

    def evaluate(tree, xs):
        if isinstance(tree, dict):
            a, b = tree["+"]
            return evaluate(a, xs) + evaluate(b, xs)
        return xs[tree]

    rng = np.random.default_rng(0)
    for d in [1, 2, 7, 8, 9, 16, 17, 128, 129, 300, 1000]:
        A = np.abs(rng.normal(size=(20, d)) * np.exp(rng.uniform(-20, 20, (20, d))))
        tree = numpy_row_sum(list(range(d)))
        assert [evaluate(tree, list(r)) for r in A] == list(A.sum(axis=1)), d


@pytest.mark.parametrize("handle_unknown", ["ignore", "infrequent_if_exist"])
def test_encoder_that_learned_none_exported_with_a_file_sample(handle_unknown):
    """Trained on an object column holding None (the encoder learned None as a category),
    exported with the sample as read back from a file (a ``str`` column: None became NaN).
    The user's data then holds NaN, which sklearn takes as an unknown category; the document
    took a null for the None category."""
    import io

    import pandas as pd
    from sklearn.preprocessing import OneHotEncoder

    city = np.array(["paris", "rome", None, "paris", None, "rome"] * 5, dtype=object)
    X = pd.DataFrame({"city": pd.Series(city, dtype=object)})
    model = OneHotEncoder(handle_unknown=handle_unknown).fit(X)
    assert any(c is None for c in model.categories_[0])
    buffer = io.BytesIO()
    X.to_parquet(buffer)
    sample = pd.read_parquet(io.BytesIO(buffer.getvalue()))
    assert str(sample["city"].dtype) == "str"
    doc = json.loads(json.dumps(export(model, timestamp=False, sample=sample)))
    engine = Engine.from_json(doc)
    rows = sample.iloc[:6]
    expected = model.transform(rows).toarray()
    single = [engine.action(r) for r in [{"city": None if v != v else v}
                                         for v in rows["city"]]]
    batch = engine.action_batch(rows)
    assert all(same(a, b) for a, b in zip(single, batch))
    np.testing.assert_array_equal(np.asarray(single, dtype=float), expected)


def test_nu_svc_sums_decision_terms_in_libsvm_order():
    """An infeasible NuSVC (random labels, small nu) ends with dual coefficients near 1e14
    whose terms cancel: the decision value depends on the order of the sum. libsvm adds class
    i's terms, then class j's; the document added them the other way round (4 of 18 labels
    differed on an ``Int64`` column in the fuzzer)."""
    from sklearn.svm import NuSVC

    rng = np.random.default_rng(0)
    X = np.column_stack([np.zeros(98), rng.integers(-20, 30, 98)]).astype(float)
    y = rng.choice([0, 100], 98)
    model = NuSVC(kernel="linear", nu=0.05, max_iter=20000).fit(X, y)
    assert np.abs(model.dual_coef_).max() > 1e12  # the cancelling regime this test is about
    _, engine = _engine(model)
    Xs = np.vstack([X, [[0.0, v] for v in (-30, 5, 100, -1000, -2.0**62, 2.0**62)]])
    out = _both_paths(engine, _rows(Xs))
    assert [o["label"] for o in out] == model.predict(Xs).tolist()
    np.testing.assert_allclose([o["scores"][0] for o in out], model.decision_function(Xs),
                               rtol=1e-9, atol=0)


_LGB_ZERO = float(np.float32(1e-35))  # LightGBM's kZeroThreshold (the float 1e-35f)


def _near_zero_values() -> list[float]:
    z = _LGB_ZERO
    return [0.0, -0.0, z, -z, np.nextafter(z, 1), np.nextafter(-z, -1), np.nextafter(z, 0),
            1e-36, -1e-36, 1e-300, np.nan, 1.0, -1.0]


def test_lightgbm_reads_values_within_its_zero_threshold_as_zero():
    """LightGBM's predictor drops a value with ``|x| <= kZeroThreshold`` from the row (reads
    it as 0.0): at a split whose threshold is ``-kZeroThreshold``, -1.0000000180025095e-35
    went left in the document and right in LightGBM (probabilities off by 0.066)."""
    lgb = pytest.importorskip("lightgbm")
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 2)) * 1e-35
    X[:50, 0] = 0.0
    y = (X[:, 0] < -1e-36).astype(int)
    model = lgb.LGBMClassifier(n_estimators=2, num_leaves=3, min_child_samples=5, verbose=-1,
                               n_jobs=1).fit(X, y)
    thresholds = model.booster_.trees_to_dataframe()["threshold"].dropna()
    assert (thresholds.abs() == _LGB_ZERO).any()  # the split this test is about
    Xs = np.array([[v, w] for v in _near_zero_values() for w in (0.0, -_LGB_ZERO)])
    _, engine = _engine(model)
    out = _both_paths(engine, _rows(Xs))
    np.testing.assert_allclose([o["probabilities"] for o in out], model.predict_proba(Xs),
                               rtol=1e-6)


@pytest.mark.parametrize("use_missing", [True, False])
def test_lightgbm_zero_as_missing(use_missing):
    """``zero_as_missing`` (missing_type Zero): zero, ``|x| <= kZeroThreshold`` and a missing
    value go to the node's default side; it was refused."""
    lgb = pytest.importorskip("lightgbm")
    rng = np.random.default_rng(1)
    X = rng.normal(size=(300, 2))
    X[rng.random(300) < 0.3, 0] = 0.0
    X[rng.random(300) < 0.1, 1] = np.nan
    y = np.where(X[:, 0] == 0.0, 2.0, X[:, 0]) + np.nan_to_num(X[:, 1], nan=-1.0)
    model = lgb.LGBMRegressor(n_estimators=4, num_leaves=4, min_child_samples=5, verbose=-1,
                              zero_as_missing=True, use_missing=use_missing,
                              n_jobs=1).fit(X, y)
    kinds = set(model.booster_.trees_to_dataframe()["missing_type"].dropna())
    assert "Zero" in kinds or not use_missing
    Xs = np.array([[v, w] for v in _near_zero_values() for w in (0.0, np.nan, 0.5)])
    _, engine = _engine(model)
    np.testing.assert_allclose(_both_paths(engine, _rows(Xs)), model.predict(Xs), rtol=1e-6)


def _scored_or_refused(engine: Engine, method, Xs: np.ndarray) -> tuple[list, list]:
    """Per row: (sklearn's result or None where it raises, the document's result or None
    where it raises), through ``action`` and ``action_batch`` (which must agree)."""
    from pfa.errors import PfaError

    expected = []
    for x in Xs:
        try:
            expected.append(method(x[None, :])[0])
        except ValueError:
            expected.append(None)
    got = []
    for r in _rows(Xs):
        try:
            got.append(engine.action(r))
        except PfaError:
            got.append(None)
    res = engine.action_batch(_rows(Xs), on_error="null")
    failed = {row for row, _, _ in res.errors}
    assert failed == {i for i, g in enumerate(got) if g is None}
    return expected, got


def _refusal_edges(bound: float) -> list[float]:
    return [bound, np.nextafter(bound, 0), np.nextafter(bound, np.inf * bound), bound / 2,
            bound * 2, 3.5e38, -3.5e38, 1e300, -1e300]


@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")
@pytest.mark.parametrize("forest", ["RandomForestRegressor", "ExtraTreesRegressor"])
def test_tree_after_a_projection_refuses_what_overflows_its_own_input(forest):
    """A tree refuses a value that overflows float32 in its own input; after a TruncatedSVD
    that value is not the raw one. The guard refused a raw 3.5e38 (above float32) that the
    projection shrinks below it, which sklearn scores."""
    from sklearn import ensemble
    from sklearn.decomposition import TruncatedSVD
    from sklearn.pipeline import make_pipeline

    from pfa.exporters.sklearn.probe import FLOAT32_OVERFLOW

    rng = np.random.default_rng(7)
    X = rng.normal(size=(110, 3))
    y = X[:, 0] - X[:, 1]
    model = make_pipeline(TruncatedSVD(n_components=1, random_state=0),
                          getattr(ensemble, forest)(n_estimators=2, random_state=0)).fit(X, y)
    scale = np.abs(model[0].components_[0])
    assert scale.max() < 1  # the projection shrinks every column: 3.5e38 reaches the tree
    _, engine = _engine(model)
    raw = [e for c in range(3) for e in _refusal_edges(FLOAT32_OVERFLOW / scale[c])]
    Xs = np.array([[v if j == c else 0.5 for j in range(3)] for c in range(3) for v in raw])
    expected, got = _scored_or_refused(engine, model.predict, Xs)
    assert [e is None for e in expected] == [g is None for g in got]
    assert any(e is None for e in expected) and any(e is not None for e in expected)
    np.testing.assert_allclose([g for g in got if g is not None],
                               [e for e in expected if e is not None], rtol=1e-9)


@pytest.mark.parametrize("weights", ["distance", "uniform"])
def test_knn_refuses_where_its_distance_overflows_not_at_float32(weights):
    """k-NN computes in double: sklearn scores 3.5e38 and starts refusing (distance weights:
    every neighbour at an infinite distance gets weight 0) where the squared distance
    overflows, near 1.34e154. The guard refused anything above float32."""
    from sklearn.neighbors import KNeighborsClassifier

    rng = np.random.default_rng(8)
    X = rng.normal(size=(60, 2)) * 1e4
    y = (X[:, 0] > 0).astype(int)
    model = KNeighborsClassifier(n_neighbors=2, weights=weights, algorithm="ball_tree")
    model.fit(X, y)
    _, engine = _engine(model)
    overflow = np.sqrt(np.finfo(np.float64).max)
    raw = _refusal_edges(overflow) + [overflow * (1 - 1e-12), overflow * (1 + 1e-12)]
    Xs = np.array([[v, 1.0] for v in raw] + [[1.0, v] for v in raw]
                  + [[overflow * 0.8, overflow * 0.8]])
    expected, got = _scored_or_refused(engine, model.predict_proba, Xs)
    assert [e is None for e in expected] == [g is None for g in got]
    assert expected[raw.index(3.5e38)] is not None
    np.testing.assert_allclose([g["probabilities"] for g in got if g is not None],
                               [e for e in expected if e is not None], rtol=1e-9)


def _offset_table(rng: np.random.Generator, n: int) -> np.ndarray:
    # a constant column of -6726 and a column of multiples of 1e4 (the fuzzer's int64 columns
    # at scale 1e4): |x|² is near 1e9 while neighbours sit a few units apart
    return np.column_stack([np.full(n, -6726.0), rng.integers(-3, 4, n) * 1e4,
                            rng.normal(size=n) * 10, rng.normal(size=n)])


@pytest.mark.parametrize("make", ["KNeighborsRegressor", "KNeighborsClassifier"])
def test_knn_brute_euclidean_distance_weights_is_refused(make):
    """sklearn's brute search computes euclidean distances as sqrt(|x|² - 2x·y + |y|²) with
    BLAS (ArgKmin), whose rounding cancels on large or offset columns and depends on the
    BLAS kernel; the document sums (x - y)² (as the trees do), and the 1/d weights differed
    by up to 8e-6 (a KNeighborsRegressor on columns scaled by 1e4). It is refused, with
    'auto' where sklearn resolves it to brute; the trees and metric 'l2' stay exact."""
    from sklearn import neighbors

    rng = np.random.default_rng(3)
    X, Xs = _offset_table(rng, 60), _offset_table(rng, 40)
    y = (X[:, 2] > 0).astype(int) if make.endswith("Classifier") else rng.normal(size=60)
    Model = getattr(neighbors, make)
    brute = Model(n_neighbors=2, weights="distance", algorithm="brute").fit(X, y)
    tree = Model(n_neighbors=2, weights="distance", algorithm="kd_tree").fit(X, y)
    method = "predict_proba" if make.endswith("Classifier") else "predict"
    gap = np.abs(getattr(brute, method)(Xs) - getattr(tree, method)(Xs)).max()
    assert gap > 1e-9  # sklearn's brute search rounds differently from its own trees
    wide = Model(n_neighbors=2, weights="distance").fit(np.tile(X, 4), y)  # 16 features
    half = Model(n_neighbors=30, weights="distance").fit(X, y)  # k >= n // 2
    for model in (brute, wide, half):
        assert model._fit_method == "brute"
        with pytest.raises(UnsupportedModelError) as info:
            export(model)
        assert info.value.reason == "brute-force euclidean distance weights"
    l2 = Model(n_neighbors=2, weights="distance", algorithm="brute", metric="l2").fit(X, y)
    for model in (tree, l2, Model(n_neighbors=2, weights="distance").fit(X, y)):
        assert model._fit_method != "brute" or model.effective_metric_ == "l2"
        _, engine = _engine(model)
        out = _both_paths(engine, _rows(Xs))
        got = [o["probabilities"] for o in out] if method == "predict_proba" else out
        np.testing.assert_allclose(got, getattr(model, method)(Xs), rtol=1e-9, atol=0)


def _wide_rows(rng: np.random.Generator, n_rows: int, n_features: int) -> np.ndarray:
    # magnitudes spread over many binades, so that the order of a sum shows in its last bit
    return rng.normal(size=(n_rows, n_features)) * np.exp(rng.normal(size=(n_rows, n_features))
                                                          * 3)


@pytest.mark.parametrize("norm", ["l2", "l1"])
@pytest.mark.parametrize("n_features", [2, 3, 7, 8, 12, 17, 40])
def test_normalizer_sums_a_row_in_numpy_order(norm, n_features):
    """sklearn's Normalizer takes the l2 norm from ``einsum("ij,ij->i")`` (two SIMD lanes,
    blocks of eight, last pair first) and the l1 norm from ``sum(axis=1)`` (pairwise); the
    document summed left to right, one bit off, which a NuSVC with cancelling dual
    coefficients after it turned into 1.1e-9 (12 features at scale 1e4 in the fuzzer). The
    document now equals sklearn bit for bit on each row alone and on a C-ordered batch."""
    from sklearn.preprocessing import Normalizer

    rng = np.random.default_rng(n_features)
    X = _wide_rows(rng, 300, n_features)
    model = Normalizer(norm=norm).fit(X)
    _, engine = _engine(model)
    out = np.array(_both_paths(engine, _rows(X)), dtype=float)
    np.testing.assert_array_equal(out, model.transform(X))
    np.testing.assert_array_equal(out[:20], [model.transform(x[None, :])[0] for x in X[:20]])


def test_einsum_lanes_are_numpy_einsum_order():
    """The lane order the l2 Normalizer follows is numpy's (checked on this machine's numpy:
    a platform whose einsum adds in another order fails here, not silently)."""
    from pfa.exporters.sklearn.converters.numeric import einsum_lanes

    rng = np.random.default_rng(1)
    for n in range(1, 41):
        X = _wide_rows(rng, 50, n)
        sums = []
        for x in X:
            parts = [sum((x[j] * x[j] for j in lane), 0.0) for lane in einsum_lanes(n) if lane]
            sums.append(parts[0] if len(parts) == 1 else parts[0] + parts[1])
        np.testing.assert_array_equal(sums, np.einsum("ij,ij->i", X, X))


@pytest.mark.parametrize("degree", [3, 4, 5])
def test_poly_kernel_is_libsvm_powi(degree):
    """libsvm raises the poly kernel's base with ``powi`` (square and multiply); the document
    used ``pow``, which rounds differently from degree 3 (a third of the rows off by an ulp)."""
    from sklearn.svm import SVR

    rng = np.random.default_rng(degree)
    X, Xs = rng.normal(size=(120, 6)), rng.normal(size=(200, 6))
    model = SVR(kernel="poly", degree=degree, coef0=1.0, C=10.0).fit(X, X @ rng.normal(size=6))
    _, engine = _engine(model)
    assert_sklearn_numbers(_both_paths(engine, _rows(Xs)), model.predict(Xs))


def _nu_svc_table(rng: np.random.Generator, n: int) -> np.ndarray:
    # the fuzzer's table: a constant -3034, multiples of 1e4, tiny and small integer columns
    return np.column_stack([rng.integers(-1, 2, n), np.full(n, -3034.0),
                            rng.integers(-3, 4, n) * 1e4, rng.normal(size=n) * 1e-3,
                            rng.normal(size=n) * 10, rng.integers(-20, 21, n) * 1.0,
                            rng.integers(0, 2, n) * 1.0, rng.integers(-20, 20, n) * 1.0])


@needs_in_order_blas
def test_nu_svc_after_a_normalizer_is_exact():
    """The shrunk fuzz failure (seed 3): an infeasible NuSVC (random labels, nu=0.05, dual
    coefficients near 1e8 that cancel) after StandardScaler and Normalizer; its decision
    values differed by up to 1.1e-9 relative (here 3.7e-7), because the Normalizer's norm was
    summed left to right instead of in numpy's einsum order. Exact on every row (alone, and
    in a C-ordered batch) now."""
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import Normalizer, StandardScaler
    from sklearn.svm import NuSVC

    rng = np.random.default_rng(5)
    X, Xs = _nu_svc_table(rng, 78), _nu_svc_table(rng, 40)
    y = rng.integers(0, 2, 78).astype(bool)
    model = make_pipeline(StandardScaler(with_mean=False), Normalizer(),
                          NuSVC(kernel="poly", degree=2, gamma="auto", nu=0.05,
                                max_iter=20000)).fit(X, y)
    assert np.abs(model[-1].dual_coef_).max() > 1e7  # the cancelling regime
    _, engine = _engine(model)
    out = _both_paths(engine, _rows(Xs))
    scores = [o["scores"][0] for o in out]
    np.testing.assert_array_equal(scores, model.decision_function(Xs))
    np.testing.assert_array_equal(scores[:10], [model.decision_function(x[None, :])[0]
                                                for x in Xs[:10]])
    assert [o["label"] for o in out] == model.predict(Xs).tolist()
