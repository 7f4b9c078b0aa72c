"""Spark's decision trees and tree ensembles (DecisionTree, RandomForest, GBT; classifiers and
regressors) as ``model.tree.simpleTree`` walks over the shared tree structures
(:mod:`pfa.exporters.trees`).

Spark sends a row left when ``x[feature] <= threshold`` (continuous split; NaN goes right) or
when ``x[feature]`` is one of the split's left categories (categorical split; any other
value goes right), so every node is encoded with missing values on the right. Outputs follow
Spark: a single classification tree's raw vector is its leaf's class counts; a random
forest's is the sum over trees of each leaf's normalized counts (probabilities averaged, not
votes counted); probabilities normalize the raw vector; a random forest regressor averages
its trees; GBT sums ``weight × tree`` and its classifier's probability is
``1 / (1 + exp(-2 m))``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from pfa.exporters import trees as tm
from pfa.exporters.builder import ARRAY_DOUBLE, Vector, nums
from pfa.exporters.registry import converter
from pfa.exporters.spark.converters.models_common import (
    CLASSIFICATION,
    REGRESSION,
    RawParts,
    binary_raw,
    features,
    raw_parts,
    regression_column,
    write_classifier,
)
from pfa.exporters.spark.exprs import fcn
from pfa.exporters.spark.flow import Flow
from pfa.exporters.spark.saved import SavedStage

Nodes = dict[int, dict[str, Any]]


def tree_tables(stage: SavedStage, ensemble: bool) -> tuple[list[Nodes], list[float]]:
    """Every tree's nodes by id, and the trees' weights (ensembles: ``treesMetadata``)."""
    rows = stage.data().to_pylist()
    if not ensemble:
        return [{int(r["id"]): r for r in rows}], [1.0]
    trees: dict[int, Nodes] = {}
    for r in rows:
        node = r["nodeData"]
        trees.setdefault(int(r["treeID"]), {})[int(node["id"])] = node
    meta = stage.data("treesMetadata").to_pylist()
    weights = {}
    for m in meta:  # Spark 4: _1/_2/_3; Spark 3.5: treeID/metadata/weights
        tid = m.get("treeID", m.get("_1"))
        weights[int(tid)] = float(m.get("weights", m.get("_3")))
    ids = sorted(trees)
    if sorted(weights) != ids:
        raise ValueError("treesMetadata does not list the same trees as the tree data")
    return [trees[i] for i in ids], [weights[i] for i in ids]


def split_of(nodes: Nodes) -> Any:
    def split(i: int) -> tm.Split | None:
        n = nodes[i]
        if n["leftChild"] < 0:
            return None
        s = n["split"]
        values = [float(v) for v in s["leftCategoriesOrThreshold"]]
        if s["numCategories"] < 0:
            return tm.Split(int(s["featureIndex"]), int(n["leftChild"]), int(n["rightChild"]),
                            False, threshold=values[0])
        return tm.Split(int(s["featureIndex"]), int(n["leftChild"]), int(n["rightChild"]),
                        False, left_categories=values,
                        known_categories=[float(c) for c in range(int(s["numCategories"]))])
    return split


def is_categorical(trees: list[Nodes]) -> bool:
    return any(n["leftChild"] >= 0 and n["split"]["numCategories"] >= 0
               for nodes in trees for n in nodes.values())


def n_features_used(trees: list[Nodes]) -> int:
    used = [n["split"]["featureIndex"] for nodes in trees for n in nodes.values()
            if n["leftChild"] >= 0]
    return max(used) + 1 if used else 1


def walk(flow: Flow, stage: SavedStage, trees: list[Nodes], leaf: Any, leaf_of: Any) -> str:
    """Bind the array of every tree's leaf value for the row's features."""
    b = flow.builder
    n_model = stage.meta.get("numFeatures")
    x, size = features(stage, flow, int(n_model) if n_model is not None else None)
    size = size if size is not None else n_features_used(trees)
    if size < n_features_used(trees):
        flow.refuse(f"the trees read feature {n_features_used(trees) - 1}, the features "
                    f"vector has {size} elements")
    categorical = is_categorical(trees)
    schema = tm.node_schema(b, size, leaf, categorical)
    inits = [tm.encode_tree(0, split_of(nodes), lambda i, nodes=nodes: leaf_of(nodes[i]),
                            schema["name"], tm.leaf_branch_name(leaf), categorical)
             for nodes in trees]
    cell = tm.forest_cell(b, "trees", inits, schema)
    d, dtype = tm.datum(b, Vector(b.let("tree_features", x), size), "double")
    body = tm.walk_expr(d, dtype, schema["name"], "tree", leaf)
    return b.let("tree_outputs", {"a.map": [cell, fcn({"tree": schema["name"]}, leaf, body)]})


def normalize(raw: Any) -> dict[str, Any]:
    """Spark's ``normalizeToProbabilitiesInPlace``: divide by the sum unless it is 0."""
    return {"do": [{"let": {"raw_sum": {"a.sum": raw}}},
                   {"if": {"==": ["raw_sum", 0.0]}, "then": raw,
                    "else": {"a.map": [raw, fcn({"v": "double"}, "double",
                                                {"/": ["v", "raw_sum"]})]}}]}


def add_vectors(leaves: str) -> dict[str, Any]:
    """The element-wise sum of an array of vectors, tree after tree."""
    return {"a.reduce": [leaves, fcn({"acc": ARRAY_DOUBLE, "v": ARRAY_DOUBLE}, ARRAY_DOUBLE,
                                     {"a.zipmap": ["acc", "v", fcn(
                                         {"a": "double", "b": "double"}, "double",
                                         {"+": ["a", "b"]})]})]}


def counts(node: dict[str, Any]) -> np.ndarray:
    return np.asarray(node["impurityStats"], dtype=np.float64)


def per_tree_probability(node: dict[str, Any]) -> list[Any]:
    c = counts(node)
    total = sum(float(v) for v in c)
    return nums(c / total) if total != 0 else nums(np.zeros_like(c))


def n_classes(stage: SavedStage, trees: list[Nodes]) -> int:
    n = stage.meta.get("numClasses")
    return int(n) if n is not None else len(next(iter(trees[0].values()))["impurityStats"])


@converter("spark", CLASSIFICATION, "DecisionTreeClassificationModel", "classifier",
           "continuous and categorical splits; thresholds")
def decision_tree_classifier(stage: SavedStage, flow: Flow) -> None:
    write_classifier(stage, flow)


@raw_parts("DecisionTreeClassificationModel")
def decision_tree_parts(stage: SavedStage, flow: Flow) -> RawParts:
    trees, _ = tree_tables(stage, ensemble=False)
    refuse_leaf_col(stage, flow)
    out = walk(flow, stage, trees, ARRAY_DOUBLE, lambda n: nums(counts(n)))
    return RawParts({"attr": out, "path": [0]}, n_classes(stage, trees), normalize)


@converter("spark", REGRESSION, "DecisionTreeRegressionModel", "regressor",
           "continuous and categorical splits")
def decision_tree_regressor(stage: SavedStage, flow: Flow) -> None:
    trees, _ = tree_tables(stage, ensemble=False)
    refuse_variance(stage, flow)
    out = walk(flow, stage, trees, "double", lambda n: float(n["prediction"]))
    regression_column(stage, flow, {"attr": out, "path": [0]})


@converter("spark", CLASSIFICATION, "RandomForestClassificationModel", "classifier",
           "averaged tree probabilities (as Spark, not votes); thresholds")
def random_forest_classifier(stage: SavedStage, flow: Flow) -> None:
    write_classifier(stage, flow)


@raw_parts("RandomForestClassificationModel")
def random_forest_parts(stage: SavedStage, flow: Flow) -> RawParts:
    trees, _ = tree_tables(stage, ensemble=True)
    refuse_leaf_col(stage, flow)
    out = walk(flow, stage, trees, ARRAY_DOUBLE, per_tree_probability)
    return RawParts(add_vectors(out), n_classes(stage, trees), normalize)


@converter("spark", REGRESSION, "RandomForestRegressionModel", "regressor",
           "mean of the trees")
def random_forest_regressor(stage: SavedStage, flow: Flow) -> None:
    trees, _ = tree_tables(stage, ensemble=True)
    refuse_variance(stage, flow)
    out = walk(flow, stage, trees, "double", lambda n: float(n["prediction"]))
    regression_column(stage, flow, {"/": [{"a.sum": out}, float(len(trees))]})


def gbt_margin(flow: Flow, stage: SavedStage) -> str:
    trees, weights = tree_tables(stage, ensemble=True)
    refuse_leaf_col(stage, flow)
    out = walk(flow, stage, trees, "double", lambda n: float(n["prediction"]))
    w = flow.builder.cell("tree_weights", ARRAY_DOUBLE, nums(weights))
    return flow.builder.let("margin", {"a.sum": {"a.zipmap": [out, w, fcn(
        {"p": "double", "w": "double"}, "double", {"*": ["p", "w"]})]}})


def gbt_probability(raw: Any) -> dict[str, Any]:
    """Spark's logistic-loss probability of the raw vector ``[-m, m]``."""
    p0 = {"/": [1.0, {"+": [1.0, {"m.exp": {"*": [-2.0, {"attr": raw, "path": [0]}]}}]}]}
    return {"do": [{"let": {"p0": p0}},
                   {"new": ["p0", {"-": [1.0, "p0"]}], "type": ARRAY_DOUBLE}]}


@converter("spark", CLASSIFICATION, "GBTClassificationModel", "classifier",
           "binary (logistic loss); probability 1/(1+exp(-2m)); thresholds")
def gbt_classifier(stage: SavedStage, flow: Flow) -> None:
    write_classifier(stage, flow)


@raw_parts("GBTClassificationModel")
def gbt_parts(stage: SavedStage, flow: Flow) -> RawParts:
    return RawParts(binary_raw(gbt_margin(flow, stage)), 2, gbt_probability)


@converter("spark", REGRESSION, "GBTRegressionModel", "regressor",
           "weighted sum of the trees")
def gbt_regressor(stage: SavedStage, flow: Flow) -> None:
    regression_column(stage, flow, gbt_margin(flow, stage))


def refuse_variance(stage: SavedStage, flow: Flow) -> None:
    """A regression tree's ``varianceCol`` (the leaf's impurity) and any ``leafCol`` (leaf
    indices) are not exported."""
    if stage.param("varianceCol"):
        flow.refuse(f"varianceCol={stage.param('varianceCol')!r} is not supported")
    refuse_leaf_col(stage, flow)


def refuse_leaf_col(stage: SavedStage, flow: Flow) -> None:
    if stage.param("leafCol"):
        flow.refuse(f"leafCol={stage.param('leafCol')!r} (leaf indices) is not supported")


