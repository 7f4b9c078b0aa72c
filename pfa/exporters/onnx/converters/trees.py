"""Tree ensembles: ``TreeEnsembleRegressor`` / ``TreeEnsembleClassifier`` (ai.onnx.ml 1–3)
and ``TreeEnsemble`` (ai.onnx.ml 5).

The nodes of every tree go into parallel cells (feature, threshold, comparison, true and
false child, missing-value direction) and one user function walks a tree from its root to
a leaf; the action walks each tree and adds the leaves' weight vectors in tree order.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from pfa.exporters.onnx.context import ImportContext
from pfa.exporters.onnx.converters.ml import class_labels, features_of, label_of, post_transform
from pfa.exporters.onnx.tensors import Tensor, array_of
from pfa.exporters.registry import converter

ML = "ai.onnx.ml"
#: comparison codes in the document: 0 is a leaf
MODES = {"LEAF": 0, "BRANCH_LEQ": 1, "BRANCH_LT": 2, "BRANCH_GTE": 3, "BRANCH_GT": 4,
         "BRANCH_EQ": 5, "BRANCH_NEQ": 6, "BRANCH_MEMBER": 7}
COMPARE = {1: "<=", 2: "<", 3: ">=", 4: ">", 5: "==", 6: "!="}


@dataclass
class Forest:
    """Nodes of all trees, numbered globally; ``weights[g]``: the leaf's vector."""

    feature: list[int]
    threshold: list[float]
    mode: list[int]
    true: list[int]
    false: list[int]
    missing_true: list[bool]
    weights: np.ndarray  # [nodes, targets]
    roots: list[int]
    members: list[list[float]]


def _check_acyclic(ctx: ImportContext, forest: Forest) -> None:
    n = len(forest.mode)
    for root in forest.roots:
        stack, seen = [root], set()
        while stack:
            g = stack.pop()
            if not 0 <= g < n:
                ctx.refuse(f"a tree refers to node {g}, which does not exist")
            if g in seen:
                ctx.refuse("a tree has a cycle or a shared node")
            seen.add(g)
            if forest.mode[g]:
                stack.extend((forest.true[g], forest.false[g]))


def classic_forest(ctx: ImportContext, node: Any, prefix: str, targets: int) -> Forest:
    """The forest of a TreeEnsembleRegressor/Classifier (``prefix``: target or class)."""
    tree_ids = list(ctx.attr(node, "nodes_treeids", []))
    node_ids = list(ctx.attr(node, "nodes_nodeids", []))
    count = len(tree_ids)
    values = ctx.attr(node, "nodes_values", None)
    if values is None:
        values = ctx.attr(node, "nodes_values_as_tensor", None)
    values = list(np.asarray(values if values is not None else [], dtype=np.float64)
                  .reshape(-1))
    modes = list(ctx.attr(node, "nodes_modes", []))
    feats = list(ctx.attr(node, "nodes_featureids", []))
    trues = list(ctx.attr(node, "nodes_truenodeids", []))
    falses = list(ctx.attr(node, "nodes_falsenodeids", []))
    missing = list(ctx.attr(node, "nodes_missing_value_tracks_true", [0] * count))
    if not count or any(len(a) != count for a in (node_ids, values, modes, feats, trues,
                                                  falses, missing)):
        ctx.refuse("the node attributes differ in length")
    index = {(t, i): g for g, (t, i) in enumerate(zip(tree_ids, node_ids, strict=True))}
    if len(index) != count:
        ctx.refuse("two nodes have the same tree and node id")
    roots, seen = [], set()
    for g, t in enumerate(tree_ids):
        if t not in seen:
            seen.add(t)
            roots.append(g)
    mode_codes = []
    for m in modes:
        if m not in MODES or m == "BRANCH_MEMBER":
            ctx.refuse(f"node mode {m!r} is not supported")
        mode_codes.append(MODES[m])

    def child(t: int, i: int, g: int) -> int:
        if mode_codes[g] == 0:
            return 0
        found = index.get((t, i))
        if found is None:
            ctx.refuse(f"tree {t} refers to node {i}, which does not exist")
        return found
    weights = np.zeros((count, targets))
    w_tree = list(ctx.attr(node, f"{prefix}_treeids", []))
    w_node = list(ctx.attr(node, f"{prefix}_nodeids", []))
    w_id = list(ctx.attr(node, f"{prefix}_ids", []))
    w_val = ctx.attr(node, f"{prefix}_weights", None)
    if w_val is None:
        w_val = ctx.attr(node, f"{prefix}_weights_as_tensor", [])
    w_val = list(np.asarray(w_val, dtype=np.float64).reshape(-1))
    if not len(w_tree) == len(w_node) == len(w_id) == len(w_val):
        ctx.refuse("the leaf weight attributes differ in length")
    for t, i, k, w in zip(w_tree, w_node, w_id, w_val, strict=True):
        g = index.get((t, i))
        if g is None or not 0 <= k < targets:
            ctx.refuse(f"a leaf weight refers to node ({t}, {i}) or target {k}, "
                       "which do not exist")
        weights[g, k] += w
    forest = Forest(feature=[int(f) for f in feats], threshold=values, mode=mode_codes,
                    true=[child(t, i, g) for g, (t, i) in enumerate(zip(tree_ids, trues,
                                                                       strict=True))],
                    false=[child(t, i, g) for g, (t, i) in enumerate(zip(tree_ids, falses,
                                                                        strict=True))],
                    missing_true=[bool(m) for m in missing], weights=weights, roots=roots,
                    members=[[] for _ in range(count)])
    _check_acyclic(ctx, forest)
    return forest


def walk_function(ctx: ImportContext, name: str, forest: Forest, features: int) -> str:
    """A user function ``(x, node) -> leaf`` walking one tree of ``forest``."""
    b = ctx.builder
    if any(f < 0 or f >= features for f, m in zip(forest.feature, forest.mode, strict=True)
           if m):
        ctx.refuse(f"a node tests a feature outside the {features} inputs")

    def cell(base: str, values: Any, elem: str) -> Any:
        return ctx.cell(f"{name}_{base}", np.asarray(values), elem)
    feature = cell("feature", forest.feature, "int")
    threshold = cell("threshold", forest.threshold, "double")
    mode = cell("mode", forest.mode, "int")
    true = cell("true", forest.true, "int")
    false = cell("false", forest.false, "int")
    missing = cell("missing_true", forest.missing_true, "boolean")

    def at(ref: Any) -> Any:
        return {"attr": ref, "path": ["node"]}
    compare: Any = {"!=": ["v", "th"]}
    for code in (5, 4, 3, 2, 1):
        compare = {"if": {"==": ["m", code]}, "then": {COMPARE[code]: ["v", "th"]},
                   "else": compare}
    step = [
        {"let": {"m": at(mode)}},
        {"let": {"v": {"attr": "x", "path": [at(feature)]}}},
        {"let": {"th": at(threshold)}},
        {"let": {"go": {"if": {"impute.isnan": ["v"]},
                        "then": {"||": [at(missing), {"==": ["m", 6]}]},
                        "else": compare}}},
        {"set": {"node": {"if": "go", "then": at(true), "else": at(false)}}},
    ]
    body = [{"let": {"node": "root"}},
            {"while": {"!=": [at(mode), 0]}, "do": step},
            "node"]
    return b.fcn(f"{name}_walk", {"params": [{"x": array_of("double")}, {"root": "int"}],
                                  "ret": "int", "do": body})


def forest_scores(ctx: ImportContext, node: Any, name: str, x: Tensor, forest: Forest,
                  base: np.ndarray, aggregate: str) -> Tensor:
    """Row tensor ``[targets]``: base values plus the leaves' weights summed (or averaged)
    over the trees, in tree order."""
    if aggregate not in ("SUM", "AVERAGE"):
        ctx.refuse(f"aggregate_function {aggregate} is not supported")
    walk = walk_function(ctx, name, forest, x.shape[0])
    targets = forest.weights.shape[1]
    roots = ctx.cell(f"{name}_roots", np.asarray(forest.roots), "int")
    leaf_weights = ctx.cell(f"{name}_leaf_weights", forest.weights, "double")
    leaves = ctx.builder.let(f"{name}_leaves", {"a.map": [roots, {
        "params": [{"r": "int"}], "ret": array_of("double"),
        "do": {"attr": leaf_weights, "path": [{walk: [x.symbol, "r"]}]}}]})
    zero = ctx.cell(f"{name}_zero", np.zeros(targets), "double")
    total = {"a.fold": [leaves, zero, {
        "params": [{"acc": array_of("double")}, {"v": array_of("double")}],
        "ret": array_of("double"),
        "do": {"a.zipmap": ["acc", "v", {"params": [{"p0": "double"}, {"p1": "double"}],
                                         "ret": "double", "do": {"+": ["p0", "p1"]}}]}}]}
    if aggregate == "AVERAGE":
        n = float(len(forest.roots))
        total = {"a.map": [total, {"params": [{"v": "double"}], "ret": "double",
                                   "do": {"/": ["v", n]}}]}
    if base.size:
        if base.size != targets:
            ctx.refuse("base_values do not match the targets")
        total = {"la.add": [total, ctx.cell(f"{name}_base_values", base, "double")]}
    return ctx.emit(f"{name}_raw", "double", (targets,), total)


def _base(ctx: ImportContext, node: Any) -> np.ndarray:
    v = ctx.attr(node, "base_values", None)
    if v is None:
        v = ctx.attr(node, "base_values_as_tensor", [])
    return np.asarray(v, dtype=np.float64).reshape(-1)


@converter("onnx", ML, "TreeEnsembleRegressor", "regressor", "SUM or AVERAGE")
def tree_regressor(ctx: ImportContext, node: Any, inputs: list[Tensor]) -> list[Tensor]:
    x = features_of(ctx, inputs[0], node.output[0])
    targets = int(ctx.attr(node, "n_targets", 1))
    forest = classic_forest(ctx, node, "target", targets)
    raw = forest_scores(ctx, node, node.output[0], x, forest, _base(ctx, node),
                        ctx.attr(node, "aggregate_function", "SUM"))
    out = post_transform(ctx, node, raw, node.output[0])
    out.name = node.output[0]
    return [out]


@converter("onnx", ML, "TreeEnsembleClassifier", "classifier", "SUM; binary with one score")
def tree_classifier(ctx: ImportContext, node: Any, inputs: list[Tensor]) -> list[Tensor]:
    x = features_of(ctx, inputs[0], node.output[0])
    labels, elem = class_labels(ctx, node)
    class_ids = set(ctx.attr(node, "class_ids", []))
    binary = len(labels) == 2 and len(class_ids) == 1
    targets = 1 if binary else len(labels)
    forest = classic_forest(ctx, node, "class", len(labels))
    if binary:
        (only,) = class_ids
        forest.weights = forest.weights[:, [only]]
    name = node.output[1] if len(node.output) > 1 and node.output[1] else \
        f"{node.output[0]}_scores"
    raw = forest_scores(ctx, node, name, x, forest, _base(ctx, node), "SUM")
    del targets
    kind = ctx.attr(node, "post_transform", "NONE")
    if binary:
        s = {"attr": raw.symbol, "path": [0]}
        # like onnxruntime: with non-negative weights the one score is a probability
        positive = bool((np.asarray(ctx.attr(node, "class_weights", [0.0])) >= 0).all())
        cut = 0.0
        if kind == "LOGISTIC":
            p: Any = {"m.link.logit": [s]}
            pair = [{"-": [1.0, p]}, p]
        elif kind == "NONE" and positive:
            pair = [{"-": [1.0, s]}, s]
            cut = 0.5
        elif kind == "NONE":
            pair = [{"u-": [s]}, s]
        else:
            ctx.refuse(f"post_transform {kind} of a binary classifier is not supported")
        scores = ctx.emit(name, "double", (2,), {"new": pair, "type": array_of("double")})
        label_ref = ctx.cell(f"{node.output[0]}_classes", np.asarray(
            labels, dtype=object if elem == "string" else np.int64), elem)
        label = ctx.emit(node.output[0], elem, (), {"new": [{"attr": label_ref, "path": [
            {"if": {">": [s, cut]}, "then": 1, "else": 0}]}], "type": array_of(elem)})
        return [label, scores]
    scores = post_transform(ctx, node, raw, name)
    return [label_of(ctx, node.output[0], raw, labels, elem), scores]


#: ai.onnx.ml 5 enumerations
MODES_5 = {0: 1, 1: 2, 2: 3, 3: 4, 4: 5, 5: 6}
AGGREGATES_5 = {0: "AVERAGE", 1: "SUM", 2: "MIN", 3: "MAX"}


@converter("onnx", ML, "TreeEnsemble", "regressor",
           "ai.onnx.ml 5: double thresholds; SUM or AVERAGE; no BRANCH_MEMBER")
def tree_ensemble(ctx: ImportContext, node: Any, inputs: list[Tensor]) -> list[Tensor]:
    x = features_of(ctx, inputs[0], node.output[0])
    splits = np.asarray(ctx.attr(node, "nodes_splits"), dtype=np.float64).reshape(-1)
    n = splits.size
    modes = [int(m) for m in np.asarray(ctx.attr(node, "nodes_modes")).reshape(-1)]
    feats = list(ctx.attr(node, "nodes_featureids", []))
    trues = list(ctx.attr(node, "nodes_truenodeids", []))
    falses = list(ctx.attr(node, "nodes_falsenodeids", []))
    true_leaf = list(ctx.attr(node, "nodes_trueleafs", []))
    false_leaf = list(ctx.attr(node, "nodes_falseleafs", []))
    missing = list(ctx.attr(node, "nodes_missing_value_tracks_true", [0] * n))
    if any(len(a) != n for a in (modes, feats, trues, falses, true_leaf, false_leaf, missing)):
        ctx.refuse("the node attributes differ in length")
    if any(m not in MODES_5 for m in modes):
        ctx.refuse("node modes other than the comparisons (BRANCH_MEMBER) are not supported")
    targets = int(ctx.attr(node, "n_targets", 1))
    leaf_targets = list(ctx.attr(node, "leaf_targetids", []))
    leaf_weights = np.asarray(ctx.attr(node, "leaf_weights"), dtype=np.float64).reshape(-1)
    leaves = len(leaf_targets)
    if leaf_weights.size != leaves:
        ctx.refuse("leaf_targetids and leaf_weights differ in length")
    weights = np.zeros((n + leaves, targets))
    for i, (t, w) in enumerate(zip(leaf_targets, leaf_weights, strict=True)):
        if not 0 <= t < targets:
            ctx.refuse(f"leaf {i} has target {t} of {targets}")
        weights[n + i, t] = w

    def child(ids: list[int], is_leaf: list[int], g: int) -> int:
        k = int(ids[g])
        limit = leaves if is_leaf[g] else n
        if not 0 <= k < limit:
            ctx.refuse(f"node {g} refers to a child {k} that does not exist")
        return n + k if is_leaf[g] else k
    roots = [int(r) for r in ctx.attr(node, "tree_roots", [])]
    if not roots or any(not 0 <= r < n for r in roots):
        ctx.refuse("tree_roots are missing or out of range")
    forest = Forest(feature=[int(f) for f in feats] + [0] * leaves,
                    threshold=list(splits) + [0.0] * leaves,
                    mode=[MODES_5[m] for m in modes] + [0] * leaves,
                    true=[child(trues, true_leaf, g) for g in range(n)] + [0] * leaves,
                    false=[child(falses, false_leaf, g) for g in range(n)] + [0] * leaves,
                    missing_true=[bool(m) for m in missing] + [False] * leaves,
                    weights=weights, roots=roots, members=[])
    _check_acyclic(ctx, forest)
    aggregate = AGGREGATES_5.get(int(ctx.attr(node, "aggregate_function", 1)), "?")
    raw = forest_scores(ctx, node, node.output[0], x, forest, np.zeros(0), aggregate)
    transform = int(ctx.attr(node, "post_transform", 0))
    if transform != 0:
        ctx.refuse("post_transform other than NONE is not supported for TreeEnsemble")
    raw.name = node.output[0]
    return [raw]
