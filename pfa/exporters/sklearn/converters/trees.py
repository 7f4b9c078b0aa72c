"""Single decision trees (DecisionTree*, ExtraTree*)."""

from __future__ import annotations

from typing import Any

import numpy as np

from pfa.exporters import trees as tm
from pfa.exporters.builder import ARRAY_DOUBLE, DocumentBuilder, Output, nums
from pfa.exporters.refusals import Refusal
from pfa.exporters.registry import converter
from pfa.exporters.sklearn.converters.outputs import classifier_output, regressor_output
from pfa.exporters.sklearn.core import fitted_attr
from pfa.exporters.table import Data, as_vector
from pfa.exporters.trees import Split


def regression_leaf(tree: Any) -> tuple[Any, Any]:
    """(leaf schema, leaf_of) of a regression tree (one or several outputs)."""
    value = np.asarray(tree.value)[:, :, 0]
    if value.shape[1] == 1:
        return "double", lambda i: float(value[i, 0])
    return ARRAY_DOUBLE, lambda i: nums(value[i])


def tree_cell(b: DocumentBuilder, what: str, trees: list[Any], n_features: int, leaf: Any,
              leaf_of_tree: Any) -> tuple[Any, str]:
    """A cell with an array of sklearn trees; returns (cell expression, node type name)."""
    schema = tm.node_schema(b, n_features, leaf, categorical=False)
    inits = []
    for tree in trees:
        split_of, _ = sklearn_splits(tree)
        inits.append(tm.encode_tree(0, split_of, leaf_of_tree(tree), schema["name"],
                                    tm.leaf_branch_name(leaf), categorical=False))
    return tm.forest_cell(b, what, inits, schema), schema["name"]


def walk_all(b: DocumentBuilder, x: Any, cell: Any, node_name: str, leaf: Any,
             precision: str = "float") -> str:
    """Bind the array of every tree's leaf for this datum."""
    d, dtype = tm.datum(b, x, precision)
    walk = tm.walk_expr(d, dtype, node_name, "tree", leaf)
    return b.let("tree_outputs", {"a.map": [cell, {"params": [{"tree": node_name}],
                                                   "ret": leaf, "do": walk}]})


@converter("sklearn", "sklearn.tree", ["DecisionTreeRegressor", "ExtraTreeRegressor"],
           "regressor", "float32 splits, missing values")
def tree_regressor(est: Any, b: DocumentBuilder, data: Data) -> Output:
    x = as_vector(b, data)
    tree = fitted_attr(est, "tree_")
    leaf, leaf_of = regression_leaf(tree)
    cell, node = tree_cell(b, "tree", [tree], x.size, leaf, lambda t: leaf_of)
    out = walk_all(b, x, cell, node, leaf)
    return regressor_output({"attr": out, "path": [0]}, tree.value.shape[1])


@converter("sklearn", "sklearn.tree", ["DecisionTreeClassifier", "ExtraTreeClassifier"],
           "classifier", "float32 splits, missing values; single output")
def tree_classifier(est: Any, b: DocumentBuilder, data: Data) -> Output:
    x = as_vector(b, data)
    tree = fitted_attr(est, "tree_")
    if est.n_outputs_ != 1:
        raise Refusal("multi-output classifier",
                      "multi-output classification trees are not supported")
    cell, node = tree_cell(b, "tree", [tree], x.size, ARRAY_DOUBLE, classifier_leaf_of)
    out = walk_all(b, x, cell, node, ARRAY_DOUBLE)
    proba = b.let("proba", {"attr": out, "path": [0]})
    return classifier_output(b, est.classes_, {"a.argmax": proba}, proba)


def sklearn_splits(tree: Any) -> tuple[Any, Any]:
    """(split_of, n_nodes) for a fitted ``sklearn.tree._tree.Tree``."""
    left, right = tree.children_left, tree.children_right
    feature, threshold = tree.feature, tree.threshold
    missing = getattr(tree, "missing_go_to_left", None)

    def split_of(i: int) -> Split | None:
        if left[i] == -1:
            return None
        return Split(int(feature[i]), int(left[i]), int(right[i]),
                     bool(missing[i]) if missing is not None else True, float(threshold[i]))

    return split_of, tree.node_count


def classifier_leaf(tree: Any) -> Any:
    """Leaf values of a classification tree normalised as sklearn's predict_proba does."""
    value = np.asarray(tree.value)[:, 0, :]
    totals = value.sum(axis=1, keepdims=True)
    totals[totals == 0] = 1.0
    return value / totals


def classifier_leaf_of(tree: Any) -> Any:
    """``leaf_of`` for a classification tree: node index → JSON probability array."""
    probs = classifier_leaf(tree)
    return lambda i: nums(probs[i])
