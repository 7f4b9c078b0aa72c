"""Exports of pipelines trained on the tables users have (issue 9): pandas 3 dtypes, missing
values where sklearn learned them, values sklearn refuses, non-identifier column names."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.compose import make_column_transformer
from sklearn.ensemble import GradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler, Normalizer, OneHotEncoder, StandardScaler
from sklearn.tree import DecisionTreeRegressor

from pfa import Engine
from pfa.errors import PfaInputError, PfaRuntimeError, UnsupportedModelError
from pfa.exporters.records import to_records
from pfa.exporters.sklearn import export
from pfa.exporters.table import field_names
from tests.exporters.helpers import assert_close, assert_matches_sklearn, export_engine


def _people(n: int, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({"age": rng.normal(40, 10, n), "income": rng.normal(5e4, 1e4, n),
                       "city": rng.choice(["paris", "berlin", "rome", None], n),
                       "plan": rng.choice(["a", "b"], n)})
    df.loc[rng.random(n) < 0.1, "age"] = np.nan
    y = ((df["city"].isna() | (df["age"] > 40)).to_numpy() ^ (rng.random(n) < 0.2)).astype(int)
    return df, y


def test_issue_example_missing_city_is_a_learned_category():
    """pandas 3 stores the missing city as NaN in its ``str`` dtype and sklearn learns NaN as a
    category; the document must give those rows what sklearn gives them."""
    df, y = _people(400)
    assert str(df["city"].dtype) == "str"
    pipe = make_pipeline(
        make_column_transformer((make_pipeline(SimpleImputer(), StandardScaler()),
                                 ["age", "income"]),
                                (OneHotEncoder(handle_unknown="ignore"), ["city", "plan"])),
        GradientBoostingClassifier(n_estimators=20, random_state=0)).fit(df, y)
    assert any(isinstance(c, float) for c in pipe[0].named_transformers_["onehotencoder"]
               .categories_[0])
    assert_matches_sklearn(pipe, df)


@pytest.mark.parametrize("marker", [None, np.nan])
def test_encoder_probes_the_missing_value_it_stored(marker):
    df = pd.DataFrame({"c": pd.Series(["a", marker, "b", "a"] * 5, dtype=object)})
    enc = OneHotEncoder(handle_unknown="ignore").fit(df)
    doc, engine = export_engine(enc)
    assert engine.action({"c": None}) == enc.transform(
        pd.DataFrame({"c": pd.Series([marker], dtype=object)})).toarray()[0].tolist()
    assert engine.action({"c": None})[-1] == 1.0


def test_encoder_that_learned_none_and_nan_apart_is_refused():
    df = pd.DataFrame({"c": pd.Series(["a", None, np.nan, "b"], dtype=object)})
    with pytest.raises(UnsupportedModelError, match="None and NaN"):
        export(OneHotEncoder(handle_unknown="ignore").fit(df))


def _frame_xy(n=60, seed=0):
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({"a": rng.normal(size=n), "b": rng.normal(size=n),
                       "c": rng.normal(size=n)})
    return df, (df["a"] + df["b"] > 0).to_numpy().astype(int)


def test_nan_refused_by_the_estimator_is_refused_naming_the_field():
    df, y = _frame_xy()
    model = LogisticRegression().fit(df, y)
    doc, engine = export_engine(model)
    assert [f["type"] for f in doc["input"]["fields"]] == ["double"] * 3
    row = {"a": 0.1, "b": math.nan, "c": 0.3}
    with pytest.raises(ValueError):
        model.predict(pd.DataFrame([row]))
    with pytest.raises(PfaRuntimeError, match="'b'.*missing value"):
        engine.action(row)
    with pytest.raises(PfaRuntimeError, match="'c'.*infinite"):
        engine.action({"a": 0.1, "b": 0.2, "c": -math.inf})
    with pytest.raises((PfaInputError, PfaRuntimeError), match="'?b'?"):
        engine.action({"a": 0.1, "b": None, "c": 0.3})  # null: refused either way


def test_columns_dropped_or_imputed_later_accept_null():
    df, y = _frame_xy()
    pipe = make_pipeline(
        make_column_transformer((StandardScaler(), ["a", "b"]), remainder="drop"),
        SimpleImputer(), LogisticRegression()).fit(df, y)
    doc, engine = export_engine(pipe)
    types = {f["name"]: f["type"] for f in doc["input"]["fields"]}
    assert types == {"a": ["null", "double"], "b": ["null", "double"], "c": ["null", "double"]}
    test = df.head(10).copy()
    test.loc[test.index[::2], "a"] = np.nan
    test.loc[test.index[1::3], "c"] = np.nan
    assert_matches_sklearn(pipe, test)
    # an infinity is still refused by the imputer, in sklearn and in the document
    with pytest.raises(ValueError):
        pipe.predict(pd.DataFrame([{"a": math.inf, "b": 0.0, "c": 0.0}]))
    with pytest.raises(PfaRuntimeError, match="'a'.*infinite"):
        engine.action({"a": math.inf, "b": 0.0, "c": 0.0})


def test_float32_trees_refuse_values_too_large_for_float32():
    df, y = _frame_xy()
    tree = DecisionTreeRegressor(max_depth=3, random_state=0).fit(df, y.astype(float))
    _, engine = export_engine(tree)
    big = {"a": 1e39, "b": 0.0, "c": 0.0}
    with pytest.raises(ValueError):
        tree.predict(pd.DataFrame([big]))
    with pytest.raises(PfaRuntimeError, match="too large for float32"):
        engine.action(big)
    # the largest double that still rounds to a finite float32 is scored like sklearn
    edge = {"a": float(np.nextafter(2.0**128 - 2.0**103, 0)), "b": 0.0, "c": math.nan}
    assert engine.action(edge) == tree.predict(pd.DataFrame([edge]))[0]


_PIPELINES = {
    "logistic": lambda: LogisticRegression(),
    "imputed": lambda: make_pipeline(StandardScaler(), SimpleImputer(), LogisticRegression()),
    "tree": lambda: DecisionTreeRegressor(max_depth=4, random_state=0),
    "hgb": lambda: HistGradientBoostingRegressor(max_iter=5, random_state=0),
    "dropped": lambda: make_pipeline(make_column_transformer(
        (MinMaxScaler(clip=True), ["a"]), remainder="drop"), SimpleImputer(),
        LinearRegression()),
}
_SPECIAL = st.sampled_from([math.nan, math.inf, -math.inf, 1e300, -1e39, 3.0e38, 0.5, -7.0])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(which=st.sampled_from(sorted(_PIPELINES)),
       row=st.lists(st.one_of(st.floats(-3, 3), _SPECIAL), min_size=3, max_size=3))
def test_a_row_sklearn_refuses_is_refused_and_a_row_it_scores_is_scored_alike(which, row):
    df, y = _frame_xy(80)
    key = which
    model = _MODELS.get(key)
    if model is None:
        target = y if which == "logistic" or which == "imputed" else df["a"] * 2 + y
        model = _MODELS[key] = _PIPELINES[which]().fit(df, target)
    doc, engine = _DOCS.get(key) or _DOCS.setdefault(key, export_engine(model))
    frame = pd.DataFrame([row], columns=["a", "b", "c"])
    try:
        expected = model.predict(frame)[0]
    except ValueError:
        with pytest.raises(PfaRuntimeError):
            engine.action(to_records(doc, frame)[0] | _nan_kept(doc, row))
        return
    out = engine.action(to_records(doc, frame)[0])
    got = out["label"] if isinstance(out, dict) else out
    assert_close([got], [expected], f"{which} on {row}")


_MODELS: dict = {}
_DOCS: dict = {}


def _nan_kept(doc: dict, row: list[float]) -> dict:
    """A NaN in a non-nullable double field is passed as NaN (a valid double)."""
    return {f["name"]: v for f, v in zip(doc["input"]["fields"], row)
            if f["type"] == "double" and isinstance(v, float) and math.isnan(v)}


def test_minmax_clip_keeps_nan():
    df, _ = _frame_xy()
    df.loc[::7, "b"] = np.nan
    scaler = MinMaxScaler(clip=True, feature_range=(-1, 2)).fit(df)
    test = df.head(14).copy()
    test.loc[test.index[::3], "a"] = np.nan
    test.loc[test.index[1], "c"] = 1e6
    assert_matches_sklearn(scaler, test)


@pytest.mark.parametrize("norm", ["l1", "l2", "max"])
def test_normalizer_near_zero_rows(norm):
    X = np.array([[1e-17, -2e-17, 0.0], [1e-16, 1e-16, 1e-16], [0.0, 0.0, 0.0],
                  [3.0, -4.0, 1e-20], [1e-15, 0.0, 0.0], [2.2e-15, 0.0, 0.0],
                  [5e-324, 0.0, -5e-324], [1e-160, 1e-160, 0.0]])
    assert_matches_sklearn(Normalizer(norm=norm).fit(X), X)


@pytest.mark.parametrize("strategy,keep", [("constant", False), ("constant", True),
                                           ("mean", False), ("mean", True),
                                           ("median", True), ("most_frequent", False)])
def test_simple_imputer_empty_features(strategy, keep):
    X = np.array([[1.0, np.nan, 3.0], [np.nan, np.nan, 5.0], [2.0, np.nan, np.nan],
                  [4.0, np.nan, 1.0]])
    imp = SimpleImputer(strategy=strategy, keep_empty_features=keep, fill_value=-1.5,
                        add_indicator=True).fit(X)
    test = np.array([[np.nan, 7.0, np.nan], [1.0, np.nan, 2.0], [3.0, 4.0, 5.0]])
    assert_matches_sklearn(imp, test)
    pipe = make_pipeline(SimpleImputer(strategy=strategy, keep_empty_features=keep,
                                       fill_value=-1.5), SimpleImputer(),
                         LinearRegression()).fit(X, [1.0, 2.0, 3.0, 4.0])
    assert_matches_sklearn(pipe, test)


def test_classes_with_commas_are_json_in_the_metadata():
    df, y = _frame_xy()
    labels = np.array(["a,b", 'say "hi"'])[y]
    model = LogisticRegression().fit(df, labels)
    meta = export(model, timestamp=False)["metadata"]
    assert json.loads(meta["classes"]) == ["a,b", 'say "hi"']
    assert json.loads(meta["features"]) == ["a", "b", "c"]
    assert json.loads(meta["input.columns"]) == ["a", "b", "c"]


def test_non_identifier_column_names():
    rng = np.random.default_rng(3)
    n = 80
    df = pd.DataFrame({"price ($)": rng.normal(size=n) * 100, "a b": rng.normal(size=n),
                       "a_b": rng.normal(size=n) * 1000, "1st": rng.normal(size=n)})
    y = df["a b"] * 3 - df["a_b"] / 100 + df["price ($)"] / 50
    # different transformers on "a b" and "a_b": selecting the wrong one changes the result
    pipe = make_pipeline(make_column_transformer((StandardScaler(), ["a b"]),
                                                 (MinMaxScaler(), ["a_b", "price ($)"]),
                                                 remainder="passthrough"),
                         LinearRegression()).fit(df, y)
    doc = assert_matches_sklearn(pipe, df.head(20))
    names = [f["name"] for f in doc["input"]["fields"]]
    assert names == ["price____", "a_b_1", "a_b", "x_1st"]
    assert json.loads(doc["metadata"]["input.columns"]) == list(df.columns)
    assert len(set(names)) == len(names)
    assert not set(names) & (set(df.columns) - {"a_b"})
    # a frame keyed and ordered differently still finds its columns by their original names
    shuffled = df.head(5)[["a_b", "1st", "a b", "price ($)"]]
    engine = Engine.from_json(doc)
    got = [engine.action(r) for r in to_records(doc, shuffled)]
    assert_close(got, pipe.predict(shuffled), "shuffled columns")


@given(st.lists(st.text(alphabet="ab _$1(", min_size=1, max_size=4), min_size=1, max_size=6,
                unique=True))
def test_field_names_are_safe_unique_and_never_another_columns_name(raw):
    names = field_names(raw)
    assert len(set(names)) == len(names)
    for name, orig in zip(names, raw):
        assert name.replace("_", "a").isalnum() and not name[0].isdigit()
        assert name == orig or name not in raw


def test_to_records_accepts_nullable_dtypes():
    df = pd.DataFrame({"i": pd.array([1, None, 3], dtype="Int64"),
                       "f": pd.array([0.5, 1.5, None], dtype="Float64"),
                       "b": pd.array([True, None, False], dtype="boolean"),
                       "s": pd.Series(["x", None, "y"], dtype="str")})
    doc = {"input": {"type": "record", "name": "Input", "fields": [
        {"name": "i", "type": ["null", "double"]}, {"name": "f", "type": ["null", "double"]},
        {"name": "b", "type": ["null", "double"]}, {"name": "s", "type": ["null", "string"]}]},
        "metadata": {"input.columns": json.dumps(["i", "f", "b", "s"])}}
    recs = to_records(doc, df)
    assert recs == [{"i": 1.0, "f": 0.5, "b": 1.0, "s": "x"},
                    {"i": None, "f": 1.5, "b": None, "s": None},
                    {"i": 3.0, "f": None, "b": 0.0, "s": "y"}]
    assert all(type(v) in (float, str, type(None)) for r in recs for v in r.values())
    arr_doc = {"input": {"type": "array", "items": "double"}}
    assert to_records(arr_doc, df[["i", "f"]])[1][0] != to_records(arr_doc, df[["i", "f"]])[1][0]


def test_float32_sample_is_refused():
    df, y = _frame_xy()
    model = LogisticRegression().fit(df, y)
    with pytest.raises(UnsupportedModelError, match="float32 input data is refused"):
        export(model, sample=df.astype({"b": "float32"}))
    with pytest.raises(UnsupportedModelError, match="float32 input data is refused"):
        export(model, sample=df.to_numpy(dtype=np.float32))


def test_xgboost_after_sparse_output_is_refused():
    xgb = pytest.importorskip("xgboost")
    rng = np.random.default_rng(0)
    df = pd.DataFrame({"c": rng.choice(list("abcd"), 100)})
    pipe = make_pipeline(OneHotEncoder(sparse_output=True),
                         xgb.XGBRegressor(n_estimators=2, max_depth=2)).fit(df, rng.normal(
                             size=100))
    with pytest.raises(UnsupportedModelError, match="sparse matrix's zeros as missing"):
        export(pipe)


@pytest.mark.parametrize("dtype", ["category", "str", "object"])
def test_imputer_then_encoder_on_string_columns_without_a_sample(dtype):
    values = list("abcab") * 8
    values[3] = None
    df = pd.DataFrame({"c": pd.Series(values, dtype=dtype), "x": np.arange(40.0)})
    pipe = make_pipeline(make_column_transformer(
        (make_pipeline(SimpleImputer(strategy="most_frequent"), OneHotEncoder()), ["c"]),
        ("passthrough", ["x"])), LinearRegression()).fit(df, df["x"] * (df["c"] == "a"))
    doc = assert_matches_sklearn(pipe, df)
    assert doc["input"]["fields"][0] == {"name": "c", "type": ["null", "string"]}


def test_nan_made_inside_the_pipeline_is_refused_where_sklearn_refuses_it():
    from sklearn.preprocessing import FunctionTransformer

    df, y = _frame_xy()
    pipe = make_pipeline(FunctionTransformer(np.exp), FunctionTransformer(np.log),
                         StandardScaler(), LogisticRegression()).fit(df, y)
    doc, engine = export_engine(pipe)
    ok = {"a": 0.5, "b": -1.0, "c": 2.0}
    assert engine.action(ok)["label"] == pipe.predict(pd.DataFrame([ok]))[0]
    bad = {"a": 0.5, "b": 1000.0, "c": 2.0}  # exp overflows: inf reaches the scaler
    with pytest.raises(ValueError):
        pipe.predict(pd.DataFrame([bad]))
    with pytest.raises(PfaRuntimeError, match="from the steps before it"):
        engine.action(bad)


def test_a_selector_passes_the_values_its_transform_passes():
    """RFE has ``predict`` (its estimator refuses 1e300 as float32) but the document is its
    ``transform``, which passes any value: the probe must ask ``transform``."""
    from sklearn.feature_selection import RFE
    from sklearn.tree import DecisionTreeClassifier

    rng = np.random.default_rng(0)
    X = np.column_stack([rng.normal(size=90) * 1e4, rng.integers(0, 3, 90) * 10.0])
    m = RFE(DecisionTreeClassifier(max_depth=3, random_state=0),
            n_features_to_select=0.5).fit(X, X[:, 1] > 5)
    _, engine = export_engine(m)
    for row in ([17041.8, 1e300], [math.inf, -math.inf], [math.nan, 1.0]):
        assert_close([engine.action({"x0": row[0], "x1": row[1]})], m.transform([row]),
                     f"RFE on {row}")


def test_probe_finds_a_valid_row_through_array_fitted_encoders():
    """An encoder after an imputer is fitted on an array: its categories are found by the
    names the imputer gives, so the probe's base row is valid and NaN in the numeric column
    (which LogisticRegression refuses) is refused by the document too."""
    rng = np.random.default_rng(1)
    df = pd.DataFrame({"n": rng.choice([10.0, 20.0, 30.0], 60), "x": rng.normal(size=60)})
    pipe = make_pipeline(make_column_transformer(
        (make_pipeline(SimpleImputer(strategy="mean"), OneHotEncoder()), ["n"]),
        (StandardScaler(), ["x"])), LogisticRegression()).fit(df, df["x"] > 0)
    doc, engine = export_engine(pipe)
    # a missing n is imputed with the mean, an unknown category: sklearn refuses it too
    with pytest.raises(ValueError):
        pipe.predict(pd.DataFrame({"n": [np.nan], "x": [0.5]}))
    assert {f["name"]: f["type"] for f in doc["input"]["fields"]} == {
        "n": "double", "x": "double"}
    with pytest.raises(PfaRuntimeError, match="'x'"):
        engine.action({"n": 10.0, "x": math.nan})
    with pytest.raises(PfaRuntimeError, match="'n'"):
        engine.action({"n": math.nan, "x": 0.5})
    assert engine.action({"n": 30.0, "x": 0.5})["label"] == pipe.predict(
        pd.DataFrame({"n": [30.0], "x": [0.5]}))[0]


def test_refusals_depend_on_the_sign():
    """np.log1p takes 1e300 but makes NaN of -1e300 (and of -5), which PCA refuses."""
    from sklearn.decomposition import PCA
    from sklearn.preprocessing import FunctionTransformer

    rng = np.random.default_rng(2)
    X = np.abs(rng.normal(size=(60, 2)))
    pipe = make_pipeline(FunctionTransformer(np.log1p), PCA(n_components=2),
                         DecisionTreeRegressor(max_depth=3, random_state=0)).fit(X, X[:, 0])
    _, engine = export_engine(pipe)
    assert engine.action({"x0": 1e300, "x1": 0.5}) == pipe.predict([[1e300, 0.5]])[0]
    for row in ([-1e300, 0.5], [0.5, -5.0]):
        with pytest.raises(ValueError):
            pipe.predict([row])
        with pytest.raises(PfaRuntimeError):
            engine.action({"x0": row[0], "x1": row[1]})


def _objects(values):
    return pd.Series(values, dtype=object)


def test_none_in_an_object_column_is_not_imputed_by_a_nan_imputer():
    """sklearn's SimpleImputer(missing_values=NaN) leaves None alone: an object column whose
    missing value is None reaches the encoder as None (unknown here, so refused)."""
    df = pd.DataFrame({"c": _objects(["a", "b", "a", "c"] * 10), "x": np.arange(40.0)})
    pipe = make_pipeline(make_column_transformer(
        (make_pipeline(SimpleImputer(strategy="most_frequent"), OneHotEncoder()), ["c"]),
        remainder="passthrough"), LinearRegression()).fit(df, df["x"])
    _, engine = export_engine(pipe, sample=df)
    with pytest.raises(ValueError):
        pipe.predict(pd.DataFrame({"c": _objects([None]), "x": [1.0]}))
    with pytest.raises(PfaRuntimeError):
        engine.action({"c": None, "x": 1.0})


def test_none_as_the_most_frequent_value_of_an_object_column():
    from sklearn.preprocessing import OrdinalEncoder

    df = pd.DataFrame({"c": _objects([None, None, "a", np.nan, "b"] * 8),
                       "x": np.arange(40.0)})
    pipe = make_pipeline(make_column_transformer(
        (make_pipeline(SimpleImputer(strategy="most_frequent"),
                       OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1,
                                      encoded_missing_value=-1)), ["c"]),
        remainder="passthrough"), LinearRegression()).fit(df, df["x"])
    assert pipe[0].named_transformers_["pipeline"][0].statistics_[0] is None
    doc = assert_matches_sklearn(pipe, df.head(10))
    assert doc["input"]["fields"][0] == {"name": "c", "type": ["null", "string"]}
