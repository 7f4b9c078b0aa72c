"""Equivalence of the core converters (composition, preprocessing, linear models, trees,
ensembles, encoders, imputers) with sklearn on bundled datasets and drawn data."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn import datasets
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import (
    ExtraTreesClassifier,
    GradientBoostingClassifier,
    GradientBoostingRegressor,
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
    RandomForestClassifier,
    RandomForestRegressor,
)
from sklearn.impute import MissingIndicator, SimpleImputer
from sklearn.linear_model import (
    ElasticNet,
    Lasso,
    LinearRegression,
    LogisticRegression,
    Ridge,
    SGDClassifier,
    SGDRegressor,
)
from sklearn.model_selection import train_test_split
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.preprocessing import (
    Binarizer,
    KBinsDiscretizer,
    MaxAbsScaler,
    MinMaxScaler,
    Normalizer,
    OneHotEncoder,
    OrdinalEncoder,
    PolynomialFeatures,
    RobustScaler,
    StandardScaler,
)
from sklearn.svm import LinearSVC, LinearSVR
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from pfa.errors import UnsupportedModelError
from pfa.exporters.sklearn import export
from tests.exporters.helpers import assert_matches_sklearn, export_engine, rows


def split(loader, frac=0.3):
    X, y = loader(return_X_y=True)
    return train_test_split(X, y, test_size=frac, random_state=0)


IRIS = split(datasets.load_iris)
WINE = split(datasets.load_wine)
CANCER = split(datasets.load_breast_cancer)
DIABETES = split(datasets.load_diabetes)


@pytest.mark.parametrize("scaler", [
    StandardScaler(), StandardScaler(with_mean=False), MinMaxScaler(),
    MinMaxScaler(feature_range=(-1, 2), clip=True), MaxAbsScaler(), RobustScaler(),
    Normalizer(), Normalizer(norm="l1"), Normalizer(norm="max"), Binarizer(threshold=2.0),
    PolynomialFeatures(degree=2), KBinsDiscretizer(n_bins=4, encode="ordinal"),
    KBinsDiscretizer(n_bins=3, encode="onehot-dense"),
], ids=lambda e: repr(e))
def test_preprocessing_matches_sklearn(scaler):
    X_train, X_test, _, _ = WINE
    scaler.fit(X_train)
    assert_matches_sklearn(scaler, X_test)


@pytest.mark.parametrize("model,data", [
    (LinearRegression(), DIABETES), (Ridge(alpha=0.5), DIABETES), (Lasso(alpha=0.1), DIABETES),
    (ElasticNet(alpha=0.1), DIABETES), (SGDRegressor(random_state=0), DIABETES),
    (LinearSVR(random_state=0, max_iter=5000), DIABETES),
], ids=lambda p: type(p).__name__ if not isinstance(p, list) else "data")
def test_linear_regressors(model, data):
    X_train, X_test, y_train, _ = data
    pipe = Pipeline([("scale", StandardScaler()), ("model", model)]).fit(X_train, y_train)
    assert_matches_sklearn(pipe, X_test)


def test_multi_output_linear_regression():
    X_train, X_test, y_train, _ = DIABETES
    Y = np.column_stack([y_train, np.sqrt(y_train)])
    model = LinearRegression().fit(X_train, Y)
    assert_matches_sklearn(model, X_test)


@pytest.mark.parametrize("model,data", [
    (LogisticRegression(max_iter=2000), IRIS),
    (LogisticRegression(max_iter=5000), CANCER),
    (SGDClassifier(loss="log_loss", random_state=0), WINE),
    (SGDClassifier(loss="modified_huber", random_state=0), IRIS),
    (SGDClassifier(random_state=0), CANCER),
    (LinearSVC(random_state=0), WINE),
], ids=["logreg-multinomial", "logreg-binary", "sgd-log", "sgd-huber", "sgd-hinge", "linsvc"])
def test_linear_classifiers(model, data):
    X_train, X_test, y_train, _ = data
    pipe = Pipeline([("scale", StandardScaler()), ("model", model)]).fit(X_train, y_train)
    assert_matches_sklearn(pipe, X_test)


def test_string_class_labels():
    X_train, X_test, y_train, _ = IRIS
    names = np.array(["setosa", "versicolor", "virginica"])[y_train]
    model = LogisticRegression(max_iter=2000).fit(X_train, names)
    doc = assert_matches_sklearn(model, X_test)
    assert doc["output"]["fields"][0]["type"] == "string"


@pytest.mark.parametrize("model,data", [
    (DecisionTreeClassifier(random_state=0), WINE),
    (DecisionTreeRegressor(max_depth=6, random_state=0), DIABETES),
    (RandomForestClassifier(n_estimators=15, max_depth=6, random_state=0), CANCER),
    (RandomForestRegressor(n_estimators=10, max_depth=5, random_state=0), DIABETES),
    (ExtraTreesClassifier(n_estimators=10, random_state=0), IRIS),
    (GradientBoostingClassifier(n_estimators=20, random_state=0), CANCER),
    (GradientBoostingClassifier(n_estimators=10, random_state=0), IRIS),
    (GradientBoostingRegressor(n_estimators=20, random_state=0), DIABETES),
    (HistGradientBoostingClassifier(max_iter=20, random_state=0), WINE),
    (HistGradientBoostingClassifier(max_iter=20, random_state=0), CANCER),
    (HistGradientBoostingRegressor(max_iter=20, random_state=0), DIABETES),
], ids=lambda p: type(p).__name__ if not isinstance(p, list) else "data")
def test_tree_models(model, data):
    X_train, X_test, y_train, _ = data
    model.fit(X_train, y_train)
    assert_matches_sklearn(model, X_test)


def _boundary_rows(tree, n_features: int, base: np.ndarray) -> np.ndarray:
    """Rows whose split feature sits exactly on, just above, or between a threshold and its
    float32 rounding: the cases where float32 and float64 comparisons disagree."""
    out = []
    for f, t in zip(tree.feature, tree.threshold):
        if f < 0:
            continue
        t32 = float(np.float32(t))
        for v in (t, np.nextafter(t, np.inf), np.nextafter(t, -np.inf), t32,
                  np.nextafter(t32, np.inf), np.nextafter(t32, -np.inf), (t + t32) / 2):
            row = base.copy()
            row[f] = v
            out.append(row)
    return np.array(out)


def test_trees_route_float32_boundaries_like_sklearn():
    X_train, _, y_train, _ = DIABETES
    model = DecisionTreeRegressor(max_depth=8, random_state=0).fit(X_train, y_train)
    X = _boundary_rows(model.tree_, X_train.shape[1], X_train.mean(axis=0))
    assert len(X) > 100
    assert_matches_sklearn(model, X)


def test_trees_with_missing_values():
    X_train, X_test, y_train, _ = CANCER
    rng = np.random.default_rng(0)
    X_train = X_train.copy()
    X_train[rng.random(X_train.shape) < 0.1] = np.nan
    X_test = X_test.copy()
    X_test[rng.random(X_test.shape) < 0.1] = np.nan
    for model in (DecisionTreeClassifier(random_state=0),
                  RandomForestClassifier(n_estimators=5, random_state=0),
                  HistGradientBoostingClassifier(max_iter=15, random_state=0)):
        model.fit(X_train, y_train)
        assert_matches_sklearn(model, X_test)


def _mixed_frame(n: int, seed: int) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({
        "color": rng.choice(["red", "green", "blue", "black"], n).astype(object),
        "size": rng.choice(["S", "M", "L"], n).astype(object),
        "weight": rng.normal(10, 3, n),
        "height": rng.normal(170, 10, n),
    })
    df.loc[rng.random(n) < 0.08, "weight"] = np.nan
    df.loc[rng.random(n) < 0.05, "color"] = None
    y = (df["height"] + (df["color"] == "red") * 5 + rng.normal(0, 5, n) > 172).astype(int)
    return df, y.to_numpy()


@pytest.mark.parametrize("handle_unknown,drop", [
    ("ignore", None), ("infrequent_if_exist", None), ("ignore", "if_binary"),
    ("error", "first"),
])
def test_column_transformer_with_encoders(handle_unknown, drop):
    df, y = _mixed_frame(400, 1)
    encoder = OneHotEncoder(handle_unknown=handle_unknown, drop=drop,
                            min_frequency=20 if handle_unknown == "infrequent_if_exist" else None)
    pre = ColumnTransformer([
        ("cat", Pipeline([("fill", SimpleImputer(strategy="constant", fill_value="none")),
                          ("onehot", encoder)]), ["color", "size"]),
        ("num", Pipeline([("fill", SimpleImputer(strategy="median")),
                          ("scale", StandardScaler())]), ["weight", "height"]),
    ])
    pipe = Pipeline([("pre", pre), ("model", LogisticRegression(max_iter=1000))]).fit(df, y)
    test, _ = _mixed_frame(100, 2)
    if handle_unknown != "error":
        test.loc[:5, "size"] = "XXL"  # unseen categories
    assert_matches_sklearn(pipe, test, sample=df)


def test_unknown_category_raises_where_sklearn_does():
    df, y = _mixed_frame(200, 3)
    pipe = Pipeline([("pre", ColumnTransformer([("cat", OrdinalEncoder(), ["size"])])),
                     ("model", DecisionTreeClassifier(random_state=0))]).fit(df, y)
    doc, engine = export_engine(pipe, sample=df)
    record = rows(doc, df.head(1))[0]
    record["size"] = "XXL"
    from pfa.errors import PfaRuntimeError

    with pytest.raises(PfaRuntimeError) as err:
        engine.action(record)
    assert err.value.code is not None and err.value.code < 0


def test_ordinal_encoder_unknown_and_missing_values():
    df, y = _mixed_frame(300, 4)
    enc = OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1,
                         encoded_missing_value=-2)
    pipe = Pipeline([("pre", ColumnTransformer([("cat", enc, ["color", "size"]),
                                                ("num", "passthrough", ["height"])])),
                     ("model", HistGradientBoostingClassifier(max_iter=10, random_state=0))])
    pipe.fit(df, y)
    test, _ = _mixed_frame(80, 5)
    test.loc[:4, "color"] = "purple"
    assert_matches_sklearn(pipe, test, sample=df)


def test_hgb_native_categorical_from_dtype():
    df, y = _mixed_frame(300, 6)
    X = df.copy()
    for c in ("color", "size"):
        X[c] = X[c].astype("category")
    model = HistGradientBoostingClassifier(max_iter=15, categorical_features="from_dtype",
                                           random_state=0).fit(X, y)
    test, _ = _mixed_frame(80, 7)
    assert_matches_sklearn(model, test, sample=df)


def test_feature_union_and_imputer_indicator():
    X_train, X_test, y_train, _ = DIABETES
    X_train = X_train.copy()
    X_train[::7, 2] = np.nan
    X_test = X_test.copy()
    X_test[::5, 2] = np.nan
    union = FeatureUnion([("imp", SimpleImputer(add_indicator=True)),
                          ("ind", MissingIndicator())],
                         transformer_weights={"ind": 2.0})
    pipe = Pipeline([("u", union), ("m", Ridge())]).fit(X_train, y_train)
    assert_matches_sklearn(pipe, X_test)


def test_array_input_option():
    X_train, X_test, y_train, _ = IRIS
    model = LogisticRegression(max_iter=2000).fit(X_train, y_train)
    doc = assert_matches_sklearn(model, X_test, array_input=True)
    assert doc["input"] == {"type": "array", "items": "double"}


def test_export_is_deterministic():
    X_train, _, y_train, _ = WINE
    model = RandomForestClassifier(n_estimators=3, random_state=0).fit(X_train, y_train)
    a = json.dumps(export(model, timestamp=False), separators=(",", ":"))
    b = json.dumps(export(model, timestamp=False), separators=(",", ":"))
    assert a == b
    assert "exported.at" in export(model)["metadata"]


def test_metadata_names_source_and_features():
    df, y = _mixed_frame(100, 8)
    pipe = Pipeline([("pre", ColumnTransformer([("cat", OneHotEncoder(), ["color"])])),
                     ("m", LogisticRegression())]).fit(df.astype({"color": object}).fillna({"color": "none"}), y)
    meta = export(pipe, timestamp=False)["metadata"]
    assert meta["source.library"] == "scikit-learn"
    assert meta["source.estimator"] == "Pipeline(ColumnTransformer, LogisticRegression)"
    assert json.loads(meta["features"]) == ["color", "size", "weight", "height"]


def test_unsupported_estimator_is_refused_with_its_place():
    from sklearn.cross_decomposition import PLSRegression

    X_train, _, y_train, _ = DIABETES
    pipe = Pipeline([("scale", StandardScaler()), ("pls", PLSRegression())]).fit(X_train,
                                                                                y_train)
    with pytest.raises(UnsupportedModelError) as err:
        export(pipe)
    assert "PLSRegression" in str(err.value)
    assert "steps[1]:pls" in str(err.value)
    assert "StandardScaler" in err.value.supported


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(depth=st.integers(1, 8), n=st.integers(30, 120), seed=st.integers(0, 10_000),
       classes=st.integers(2, 4))
def test_drawn_trees_match_sklearn(depth, n, seed, classes):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 4)) * rng.choice([1e-3, 1.0, 1e3], size=4)
    y = rng.integers(0, classes, n)
    model = DecisionTreeClassifier(max_depth=depth, random_state=seed).fit(X, y)
    assert_matches_sklearn(model, rng.normal(size=(20, 4)) * X.std(axis=0))


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(alpha=st.floats(1e-4, 10), n=st.integers(20, 80), seed=st.integers(0, 10_000))
def test_drawn_ridge_matches_sklearn(alpha, n, seed):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 5))
    y = X @ rng.normal(size=5) + rng.normal(size=n)
    model = Pipeline([("s", StandardScaler()), ("r", Ridge(alpha=alpha))]).fit(X, y)
    assert_matches_sklearn(model, rng.normal(size=(10, 5)))
