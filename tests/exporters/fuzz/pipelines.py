"""A fuzz case: a table, labels and a pipeline around one target estimator of the registry."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from hypothesis import strategies as st

from tests.exporters.fuzz import params as P
from tests.exporters.fuzz import spec as S
from tests.exporters.fuzz import tables as T

LABEL_WORDS = ("no", "yes", "a,b", "maybe", "Ünï", "x y")
#: classifiers that only take some kinds of labels ("codes": 0..k-1)
LABEL_KINDS = {"XGBClassifier": ["codes"]}


@dataclass(frozen=True)
class LabelSpec:
    task: str  # "class" or "reg"
    n_classes: int = 0
    kind: str = "int"  # classes: "int", "str", "bool"; regression: "float"
    outputs: int = 1


@dataclass(frozen=True)
class Case:
    """Everything an example is made from; ``repr`` is enough to replay it."""

    target: str
    table: T.TableSpec
    label: LabelSpec
    model: S.Spec
    #: raw column of each of the first transformed features (for threshold rows), if known
    feature_map: tuple[str, ...]
    seed: int
    export: str  # "api" or "cli-joblib"/"cli-skops", + "-sample" to pass the training data


def _middle_pool() -> list[str]:
    return [c.estimator for c in S.converters()
            if c.role == "transformer" and c.estimator not in P.SLOT]


@st.composite
def cases(draw: Any, target: str, cli: bool = False) -> Case:
    role = S.role(target)
    slot = P.SLOT.get(target, "middle" if role == "transformer" else "final")
    table = draw(T.table_specs(min_strings=1 if slot == "encoder" else 0,
                               frame=True if slot in ("encoder", "ct") else None))
    task = {"classifier": "class", "regressor": "reg"}.get(role) or draw(
        st.sampled_from(["class", "reg"]))
    label = draw(_labels(task, target if slot == "final" else None))

    def middle(depth: int) -> S.Spec:
        pool = _middle_pool()
        if depth >= 2:
            pool = [n for n in pool if n not in ("FeatureUnion", "Pipeline")]
        name = draw(st.sampled_from(pool))
        return S.Spec(name, P.params(name, ctx_at(depth)))

    def ctx_at(depth: int) -> P.Ctx:
        return P.Ctx(draw, task, label.n_classes, table.n_train, middle, depth)

    ctx = ctx_at(0)
    target_spec = S.Spec(target, P.params(target, ctx))
    final = target_spec if slot == "final" else None
    mids: list[S.Spec] = []
    if slot == "middle":
        mids = [target_spec]
    elif slot == "final" and draw(st.integers(0, 3)) == 0:
        mids = [middle(1) for _ in range(draw(st.integers(1, 2)))]
    nan_ok = final is not None and S.allows_nan(final.name) and not mids
    impute = not nan_ok or draw(st.booleans())
    if final is not None and S.positive_only(final.name):
        mids.append(S.Spec("MinMaxScaler"))
    steps: list[tuple[str, Any]] = []
    feature_map: tuple[str, ...] = ()
    native = (final is not None and final.name in P.NATIVE_CATEGORICAL and table.strings
              and all(c.dtype == "category" for c in table.strings) and draw(st.booleans()))
    if table.form == "numpy" or native:
        if slot == "indicator":
            steps.append(("union", S.Spec("FeatureUnion", {"transformer_list": [
                ("impute", S.Spec("SimpleImputer", {"strategy": "median"})),
                ("indicator", target_spec)]})))
        elif slot == "imputer" or (impute and not native and table.has_missing):
            steps.append(("impute", S.Spec("SimpleImputer", _draw_imputer(ctx, target_spec,
                                                                          "num"))))
        if not mids and not native and slot != "indicator":
            feature_map = tuple(c.name for c in table.columns)
    else:
        ct, feature_map = _column_transformer(draw, ctx, table, slot, target_spec, impute,
                                              nan_ok)
        steps.append(("prep", ct))
        if mids:
            feature_map = ()
    steps += [(f"m{i}_{m.name.lower()}", m) for i, m in enumerate(mids)]
    if final is not None:
        steps.append(("model", final))
    if len(steps) == 1 and draw(st.booleans()):
        model = steps[0][1]  # a bare estimator, not a Pipeline
    else:
        model = S.Spec("Pipeline", {"steps": steps})
    seed = draw(st.integers(0, 2**32 - 1))
    with_sample = draw(st.booleans())
    if any(c.dtype == "float32" for c in table.columns):
        with_sample = True  # float32 data is refused when the exporter sees it (README)
    if cli and table.form == "frame":
        export = draw(st.sampled_from(["cli-joblib", "cli-skops"]))
    else:
        export = "api"
    if with_sample:
        export += "-sample"
    return Case(target, table, label, model, feature_map, seed, export)


@st.composite
def _labels(draw: Any, task: str, final: str | None) -> LabelSpec:
    outputs = 2 if final and S.multi_output(final) and draw(st.integers(0, 4)) == 0 else 1
    if task == "reg":
        return LabelSpec("reg", 0, "float", outputs)
    kind = draw(st.sampled_from(LABEL_KINDS.get(final or "", ["int", "int", "str", "bool"])))
    n = 2 if kind == "bool" else draw(st.sampled_from([2, 2, 3, 4]))
    return LabelSpec("class", n, kind, outputs)


def _draw_imputer(ctx: P.Ctx, target: S.Spec, kind: str) -> dict:
    if target.name == "SimpleImputer" and (kind == "num" or target.params.get("strategy") in (
            "most_frequent", "constant")):
        p = dict(target.params)
    else:
        p = P.params("SimpleImputer", ctx)
    if kind == "cat":
        if p["strategy"] in ("mean", "median"):
            p["strategy"] = "most_frequent"
        if p.get("fill_value") is not None:
            p["fill_value"] = "missing"
    return p


def _column_transformer(draw: Any, ctx: P.Ctx, table: T.TableSpec, slot: str,
                        target: S.Spec, impute: bool, nan_ok: bool
                        ) -> tuple[S.Spec, tuple[str, ...]]:
    names = [c.name for c in table.columns]
    num = [c.name for c in table.numeric]
    cat = [c.name for c in table.strings]
    transformers = []
    if num:
        num_steps: list[tuple[str, Any]] = []
        if impute:
            num_steps.append(("impute", S.Spec("SimpleImputer",
                                               _draw_imputer(ctx, target, "num"))))
        if slot == "indicator":
            num_steps = [("union", S.Spec("FeatureUnion", {"transformer_list": [
                ("impute", S.Spec("SimpleImputer", {"strategy": "median"})),
                ("indicator", target)]}))]
        branch = _chain(num_steps)
        transformers.append(("num", branch, _selector(draw, names, num, slot == "ct")))
    if cat:
        cat_steps: list[tuple[str, Any]] = []
        if draw(st.booleans()) or (slot == "imputer" and not num):
            cat_steps.append(("impute", S.Spec("SimpleImputer",
                                               _draw_imputer(ctx, target, "cat"))))
        enc = target if slot == "encoder" else S.Spec(
            draw(st.sampled_from(["OneHotEncoder", "OrdinalEncoder"])), {})
        if not enc.params:
            enc = S.Spec(enc.name, P.params(enc.name, ctx))
        if enc.name == "OrdinalEncoder":
            p = dict(enc.params)
            if not nan_ok:
                p["encoded_missing_value"] = draw(st.sampled_from([-1, -2]))
                if p.get("handle_unknown") == "use_encoded_value" and p.get(
                        "unknown_value") is not None and np.isnan(p["unknown_value"]):
                    p["unknown_value"] = -1
            enc = S.Spec(enc.name, p)
        cat_steps.append(("encode", enc))
        transformers.append(("cat", _chain(cat_steps), _selector(draw, names, cat,
                                                                 slot == "ct")))
    ct_params: dict[str, Any] = {"transformers": transformers}
    if slot == "ct":
        ct_params["sparse_threshold"] = draw(st.sampled_from([0.3, 0.0]))
        ct_params["verbose_feature_names_out"] = draw(st.booleans())
        if nan_ok and draw(st.booleans()) and len(num) > 1:  # leave a column to the remainder
            (_, branch, _) = transformers[0]
            transformers[0] = ("num", branch, num[:-1])
            ct_params["remainder"] = "passthrough"
    fmap: tuple[str, ...] = ()
    if num and (not impute or not _adds_columns(transformers[0][1])):
        sel = transformers[0][2]
        fmap = tuple(_selected(sel, names))
    return S.Spec("ColumnTransformer", ct_params), fmap


def _adds_columns(branch: Any) -> bool:
    return any(s.name == "FeatureUnion" for s in S.walk(branch))


def _chain(steps: list[tuple[str, Any]]) -> Any:
    if not steps:
        return "passthrough"
    if len(steps) == 1:
        return steps[0][1]
    return S.Spec("Pipeline", {"steps": steps})


def _selector(draw: Any, names: list[str], chosen: list[str], vary: bool) -> Any:
    how = draw(st.sampled_from(["names", "index", "mask"])) if vary else "names"
    if how == "index":
        return [names.index(c) for c in chosen]
    if how == "mask":
        return [n in chosen for n in names]
    return list(chosen)


def _selected(sel: Any, names: list[str]) -> list[str]:
    if sel and isinstance(sel[0], bool):
        return [n for n, m in zip(names, sel) if m]
    if sel and isinstance(sel[0], int):
        return [names[i] for i in sel]
    return list(sel)


# -- materialising a case -------------------------------------------------------------------

def training_data(case: Case) -> tuple[Any, Any, dict[str, list[Any]]]:
    """(X, y, raw column values) of the training rows."""
    rng = np.random.default_rng(case.seed)
    n = case.table.n_train
    values = {c.name: T.column_values(c, n, rng) for c in case.table.columns}
    X = T.frame(case.table, values)
    ys = [_labels_from(case.label, T.latent(case.table, values, rng), rng)
          for _ in range(case.label.outputs)]
    y = ys[0] if len(ys) == 1 else np.column_stack(ys)
    return X, y, values


def _labels_from(label: LabelSpec, z: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    if label.task == "reg":
        return z * 3.0 + 1.0
    k = label.n_classes
    codes = np.searchsorted(np.quantile(z, np.linspace(0, 1, k + 1)[1:-1]), z)
    codes[:k] = np.arange(k)  # every class present
    if label.kind == "bool":
        return codes.astype(bool)
    if label.kind == "str":
        words = np.array(sorted(rng.choice(LABEL_WORDS, k, replace=False)), dtype=object)
        return words[codes]
    if label.kind == "codes":
        return codes
    values = np.array(sorted(rng.choice([-3, 0, 1, 2, 7, 100], k, replace=False)))
    return values[codes]
