"""Random but valid hyper-parameters per estimator class, keyed by the registry's class name.

A class missing from :data:`PARAMS` is fuzzed with its defaults (so a new converter is fuzzed
without editing this file); an entry keeps fits small and fast and covers the options the
converter's notes promise. Nested estimators are drawn through ``ctx``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from hypothesis import strategies as st

from tests.exporters.fuzz.spec import Fn, Spec


@dataclass
class Ctx:
    """What a parameter strategy may depend on."""

    draw: Callable[[Any], Any]
    task: str  # "class" or "reg": the labels the pipeline is fitted with
    n_classes: int
    n_train: int
    middle: Callable[[int], Spec]  # draws a middle transformer (depth-limited)
    depth: int = 0

    def one(self, *values: Any) -> Any:
        return self.draw(st.sampled_from(values))

    def flt(self, lo: float, hi: float, log: bool = False) -> float:
        if log:
            return float(round(10 ** self.draw(st.floats(np.log10(lo), np.log10(hi))), 6))
        return float(round(self.draw(st.floats(lo, hi)), 4))

    def int(self, lo: int, hi: int) -> int:
        return self.draw(st.integers(lo, hi))


def _small_model(c: Ctx) -> Spec:
    if c.task == "class":
        return c.one(Spec("LogisticRegression", {"max_iter": 200}),
                     Spec("DecisionTreeClassifier", {"max_depth": 3, "random_state": 0}))
    return c.one(Spec("LinearRegression"), Spec("Ridge", {"alpha": 1.0}),
                 Spec("DecisionTreeRegressor", {"max_depth": 3, "random_state": 0}))


def _tree(c: Ctx) -> dict:
    p = {"max_depth": c.one(None, 1, 2, 3, 5, 8), "min_samples_leaf": c.one(1, 2, 5),
         "random_state": c.int(0, 9)}
    if c.one(False, True):
        p["max_features"] = c.one(0.5, 1.0, "sqrt")
    return p


def _forest(c: Ctx) -> dict:
    p = _tree(c)
    p.update(n_estimators=c.int(1, 8), bootstrap=c.one(True, False), n_jobs=1)
    return p


def _svm(c: Ctx) -> dict:
    kernel = c.one("linear", "poly", "rbf", "sigmoid")
    p: dict[str, Any] = {"kernel": kernel, "gamma": c.one("scale", "auto", 0.1),
                         "max_iter": 20000}  # libsvm may not converge on unscaled data
    if kernel == "poly":
        p.update(degree=c.int(1, 3), coef0=c.one(0.0, 1.0))
    if kernel == "sigmoid":
        p["coef0"] = c.one(0.0, 0.5)
    return p


def _svc(c: Ctx) -> dict:
    p = _svm(c)
    p.update(decision_function_shape=c.one("ovr", "ovo"), probability=c.one(False, True),
             random_state=0)
    if p["decision_function_shape"] == "ovr" and c.n_classes > 2:
        p["break_ties"] = c.one(False, True)
    return p


def _knn(c: Ctx) -> dict:
    return {"n_neighbors": c.int(1, 7), "weights": c.one("uniform", "distance"),
            "metric": c.one("minkowski", "euclidean", "manhattan"), "p": c.one(1, 2),
            "algorithm": c.one("auto", "brute", "kd_tree", "ball_tree")}


def _gb(c: Ctx, classifier: bool) -> dict:
    p = {"n_estimators": c.int(1, 10), "max_depth": c.int(1, 3),
         "learning_rate": c.one(0.1, 0.5, 1.0), "subsample": c.one(1.0, 0.7),
         "random_state": c.int(0, 9)}
    if classifier and c.n_classes == 2:
        p["loss"] = c.one("log_loss", "exponential")
    if not classifier:
        p["loss"] = c.one("squared_error", "absolute_error", "huber", "quantile")
    return p


def _hgb(c: Ctx, classifier: bool) -> dict:
    p = {"max_iter": c.int(1, 15), "max_depth": c.one(None, 2, 4),
         "learning_rate": c.one(0.1, 0.3), "min_samples_leaf": c.one(2, 5, 20),
         "max_bins": c.one(255, 16)}
    if not classifier:
        p["loss"] = c.one("squared_error", "absolute_error", "poisson", "gamma", "quantile")
    return p


def _ohe(c: Ctx) -> dict:
    unknown = c.one("ignore", "infrequent_if_exist", "error", "warn")
    p: dict[str, Any] = {"handle_unknown": unknown, "sparse_output": c.one(False, True),
                         "drop": c.one(None, None, "first", "if_binary")}
    if unknown == "infrequent_if_exist" or c.one(False, True):
        p["min_frequency"] = c.one(None, 3, 0.1)
        p["max_categories"] = c.one(None, 3)
    if p["drop"] is not None and unknown == "warn":
        p["handle_unknown"] = "ignore"
    return p


def _ordinal(c: Ctx) -> dict:
    p: dict[str, Any] = {"handle_unknown": c.one("use_encoded_value", "error")}
    if p["handle_unknown"] == "use_encoded_value":
        p["unknown_value"] = c.one(-1, np.nan, 99)
    if c.one(False, True):
        p["min_frequency"] = c.one(None, 3)
    return p


def _imputer(c: Ctx) -> dict:
    strategy = c.one("mean", "median", "most_frequent", "constant")
    p: dict[str, Any] = {"strategy": strategy, "add_indicator": c.one(False, False, True)}
    if strategy == "constant":
        p["fill_value"] = c.one(None, -1.0, 0.5)
    if c.one(False, False, True):
        p["keep_empty_features"] = True
    return p


PARAMS: dict[str, Callable[[Ctx], dict]] = {
    # transformers
    "PCA": lambda c: {"n_components": c.one(None, 1, 2, 0.8), "whiten": c.one(False, True),
                      "random_state": 0},
    "TruncatedSVD": lambda c: {"n_components": c.one(1, 2), "algorithm": c.one(
        "randomized", "arpack"), "random_state": 0},
    "GenericUnivariateSelect": lambda c: {"mode": c.one("percentile", "k_best"),
                                          "param": c.one(1, 50)},
    "SelectKBest": lambda c: {"k": c.one(1, 2, "all")},
    "SelectPercentile": lambda c: {"percentile": c.one(10, 50, 100)},
    "SelectFdr": lambda c: {"alpha": c.one(0.2, 0.5)},
    "SelectFpr": lambda c: {"alpha": c.one(0.2, 0.5)},
    "SelectFwe": lambda c: {"alpha": c.one(0.2, 0.5)},
    "RFE": lambda c: {"estimator": _small_model(c), "n_features_to_select": c.one(None, 1, 0.5),
                      "step": c.one(1, 2)},
    "RFECV": lambda c: {"estimator": _small_model(c), "cv": 2, "min_features_to_select": 1},
    "SelectFromModel": lambda c: {"estimator": _small_model(c),
                                  "threshold": c.one(None, "mean", "median", -np.inf),
                                  "max_features": c.one(None, 1, 2)},
    "SequentialFeatureSelector": lambda c: {"estimator": _small_model(c), "cv": 2,
                                            "n_features_to_select": c.one(1, 2)},
    "VarianceThreshold": lambda c: {"threshold": c.one(0.0, 0.1)},
    "MissingIndicator": lambda c: {"features": c.one("missing-only", "all"),
                                   "error_on_new": False},
    "SimpleImputer": _imputer,
    "Binarizer": lambda c: {"threshold": c.one(0.0, 0.5, -1.0)},
    "FunctionTransformer": lambda c: {"func": c.one(None, *(Fn(f) for f in (
        "log1p", "sqrt", "abs", "tanh", "exp")))},
    "KBinsDiscretizer": lambda c: {"n_bins": c.int(2, 5), "encode": c.one(
        "ordinal", "onehot", "onehot-dense"), "strategy": c.one("uniform", "quantile", "kmeans"),
        "quantile_method": "averaged_inverted_cdf"},
    "MaxAbsScaler": lambda c: {},
    "MinMaxScaler": lambda c: {"feature_range": c.one((0, 1), (-1, 2)), "clip": c.one(False,
                                                                                       True)},
    "Normalizer": lambda c: {"norm": c.one("l1", "l2", "max")},
    "OneHotEncoder": _ohe,
    "OrdinalEncoder": _ordinal,
    "PolynomialFeatures": lambda c: {"degree": c.one(1, 2), "interaction_only": c.one(False,
                                                                                      True),
                                     "include_bias": c.one(False, True)},
    "RobustScaler": lambda c: {"with_centering": c.one(True, False),
                               "with_scaling": c.one(True, False),
                               "quantile_range": c.one((25.0, 75.0), (10.0, 90.0))},
    "StandardScaler": lambda c: {"with_mean": c.one(True, False), "with_std": c.one(True,
                                                                                    False)},
    "FeatureUnion": lambda c: {"transformer_list": [
        (f"part{i}", c.middle(c.depth + 1)) for i in range(c.int(1, 2))]},
    "Pipeline": lambda c: {"steps": [(f"step{i}", c.middle(c.depth + 1))
                                     for i in range(c.int(1, 2))]},
    # regressors
    "LinearRegression": lambda c: {"fit_intercept": c.one(True, False)},
    "Ridge": lambda c: {"alpha": c.flt(1e-3, 1e2, log=True), "fit_intercept": c.one(True,
                                                                                   False)},
    "RidgeCV": lambda c: {"alphas": (0.1, 1.0, 10.0)},
    "Lasso": lambda c: {"alpha": c.flt(1e-3, 1.0, log=True), "max_iter": 500},
    "ElasticNet": lambda c: {"alpha": c.flt(1e-3, 1.0, log=True), "l1_ratio": c.one(0.2, 0.8),
                             "max_iter": 500},
    "LassoCV": lambda c: {"cv": 2, "alphas": 5, "max_iter": 300},
    "ElasticNetCV": lambda c: {"cv": 2, "alphas": 5, "max_iter": 300},
    "Lars": lambda c: {"n_nonzero_coefs": c.one(1, 500)},
    "LassoLars": lambda c: {"alpha": c.one(0.01, 0.1)},
    "SGDRegressor": lambda c: {"loss": c.one("squared_error", "huber", "epsilon_insensitive"),
                               "max_iter": 50, "tol": None, "random_state": 0},
    "HuberRegressor": lambda c: {"epsilon": c.one(1.35, 2.0), "max_iter": 200},
    "TheilSenRegressor": lambda c: {"max_subpopulation": 200, "random_state": 0},
    "ARDRegression": lambda c: {"max_iter": 50},
    "BayesianRidge": lambda c: {"max_iter": 50},
    "KNeighborsRegressor": _knn,
    "MLPRegressor": lambda c: {"hidden_layer_sizes": c.one((3,), (5, 3)), "activation": c.one(
        "relu", "tanh", "logistic", "identity"), "max_iter": 40, "random_state": 0},
    "LinearSVR": lambda c: {"C": c.one(0.1, 1.0), "max_iter": 500, "random_state": 0},
    "SVR": lambda c: {**_svm(c), "C": c.one(0.5, 5.0)},
    "NuSVR": lambda c: {**_svm(c), "nu": c.one(0.3, 0.6)},
    "DecisionTreeRegressor": _tree,
    "ExtraTreeRegressor": _tree,
    "RandomForestRegressor": _forest,
    "ExtraTreesRegressor": _forest,
    "AdaBoostRegressor": lambda c: {"n_estimators": c.int(1, 8), "loss": c.one(
        "linear", "square", "exponential"), "random_state": 0},
    "GradientBoostingRegressor": lambda c: _gb(c, False),
    "HistGradientBoostingRegressor": lambda c: _hgb(c, False),
    "XGBRegressor": lambda c: {"n_estimators": c.int(1, 8), "max_depth": c.int(1, 4),
                               "learning_rate": c.one(0.3, 1.0), "n_jobs": 1},
    "LGBMRegressor": lambda c: {"n_estimators": c.int(1, 8), "num_leaves": c.int(2, 8),
                                "min_child_samples": c.one(2, 5, 10), "verbose": -1,
                                "n_jobs": 1},
    # classifiers
    "LogisticRegression": lambda c: {"C": c.flt(1e-2, 1e2, log=True), "max_iter": 300,
                                     "fit_intercept": c.one(True, False)},
    "SGDClassifier": lambda c: {"loss": c.one("hinge", "log_loss", "modified_huber",
                                              "perceptron"), "max_iter": 50, "tol": None,
                                "random_state": c.int(0, 9)},
    "RidgeClassifier": lambda c: {"alpha": c.flt(1e-2, 10.0, log=True),
                                  "fit_intercept": c.one(True, False)},
    "Perceptron": lambda c: {"max_iter": 50, "random_state": 0},
    "PassiveAggressiveClassifier": lambda c: {"max_iter": 50, "random_state": 0},
    "LinearSVC": lambda c: {"C": c.one(0.1, 1.0), "max_iter": 500, "random_state": 0},
    "SVC": lambda c: {**_svc(c), "C": c.one(0.5, 5.0)},
    "NuSVC": lambda c: {**_svc(c), "nu": c.one(0.05, 0.1)},
    "KNeighborsClassifier": _knn,
    "MLPClassifier": lambda c: {"hidden_layer_sizes": c.one((3,), (5, 3)), "activation": c.one(
        "relu", "tanh", "logistic", "identity"), "max_iter": 40, "random_state": 0},
    "GaussianNB": lambda c: {"var_smoothing": c.one(1e-9, 1e-3)},
    "MultinomialNB": lambda c: {"alpha": c.one(1.0, 0.1), "fit_prior": c.one(True, False)},
    "ComplementNB": lambda c: {"alpha": c.one(1.0, 0.1), "norm": c.one(False, True)},
    "BernoulliNB": lambda c: {"alpha": c.one(1.0, 0.1), "binarize": c.one(0.0, None, 0.5)},
    "DecisionTreeClassifier": lambda c: {**_tree(c), "criterion": c.one("gini", "entropy")},
    "ExtraTreeClassifier": _tree,
    "RandomForestClassifier": _forest,
    "ExtraTreesClassifier": _forest,
    "AdaBoostClassifier": lambda c: {"n_estimators": c.int(1, 8), "learning_rate": c.one(
        0.5, 1.0), "random_state": 0},
    "GradientBoostingClassifier": lambda c: _gb(c, True),
    "HistGradientBoostingClassifier": lambda c: _hgb(c, True),
    "XGBClassifier": lambda c: {"n_estimators": c.int(1, 8), "max_depth": c.int(1, 4),
                                "learning_rate": c.one(0.3, 1.0), "n_jobs": 1},
    "LGBMClassifier": lambda c: {"n_estimators": c.int(1, 8), "num_leaves": c.int(2, 8),
                                 "min_child_samples": c.one(2, 5, 10), "verbose": -1,
                                 "n_jobs": 1},
    # clusterers, outlier detectors
    "KMeans": lambda c: {"n_clusters": c.int(2, 5), "n_init": 1, "random_state": c.int(0, 9)},
    "MiniBatchKMeans": lambda c: {"n_clusters": c.int(2, 5), "n_init": 1, "batch_size": 32,
                                  "random_state": c.int(0, 9)},
    "IsolationForest": lambda c: {"n_estimators": c.int(1, 10), "max_samples": c.one(
        "auto", 16), "contamination": c.one("auto", 0.1), "max_features": c.one(1.0, 0.5),
        "random_state": c.int(0, 9)},
    "OneClassSVM": lambda c: {**_svm(c), "nu": c.one(0.1, 0.5)},
}

#: where a target goes in a pipeline (default: "final" for estimators that end a pipeline,
#: "middle" for transformers on numbers)
SLOT = {"OneHotEncoder": "encoder", "OrdinalEncoder": "encoder", "SimpleImputer": "imputer",
        "MissingIndicator": "indicator", "ColumnTransformer": "ct"}

#: estimators that read pandas ``category`` columns themselves (no encoder needed)
NATIVE_CATEGORICAL = {"HistGradientBoostingClassifier", "HistGradientBoostingRegressor"}


def params(name: str, ctx: Ctx) -> dict:
    """Drawn parameters of estimator class ``name`` (its defaults when not in the table)."""
    fn = PARAMS.get(name)
    return fn(ctx) if fn else {}
