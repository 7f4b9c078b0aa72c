"""Run one case: fit, export (API or CLI), score with sklearn and with the document on every
path, and compare. :func:`run_case` raises ``AssertionError`` describing the first rows that
differ, or returns what happened ("ok", "refused: …", "fit-failed: …")."""

from __future__ import annotations

import io
import json
import math
import os
import tempfile
import warnings
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Any

import numpy as np

from pfa import Engine
from pfa.errors import PfaError, UnsupportedModelError
from pfa.exporters.sklearn import export
from tests.engine.batch_helpers import same
from tests.exporters.fuzz import spec as S
from tests.exporters.fuzz import tables as T
from tests.exporters.fuzz.pipelines import Case, training_data
from tests.exporters.fuzz.scoring import scoring_rows
from tests.exporters.helpers import ATOL_SCALE, RTOL, RTOL_BOOSTING_LIBS

#: The refusals a case may end with: keys of the exporter's documented refusal reasons
#: (:data:`pfa.exporters.refusals.REASONS`, whose sentences the README states).
ACCEPTED_REFUSALS: tuple[str, ...] = (
    "multi-output classifier",
    "float32 data",
    "empty selection",
    "zero variance",
    "xgboost on sparse input",
    "brute-force euclidean distance weights",
)


class Failure(AssertionError):
    pass


def describe(case: Case) -> str:
    return ("replay: .venv/bin/python -m tests.exporters.fuzz.replay \"<case>\" with\n"
            f"case = {case!r}")


def run_case(case: Case) -> str:
    """Check one case end to end; returns the outcome or raises :class:`Failure`."""
    from threadpoolctl import threadpool_limits

    # one thread per case: the suite runs under pytest -n, where OpenMP pools (HGB, k-means,
    # xgboost, lightgbm) of several workers would fight for the same cores
    with threadpool_limits(1):
        return _run_case(case)


def _run_case(case: Case) -> str:
    X, y, train_values = training_data(case)
    model = S.build(case.model)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model.fit(X, y)
    except Exception as err:  # sklearn refuses these data or parameters: not an export case
        return f"fit-failed: {type(err).__name__}"
    try:
        doc = _export(case, model, X)
    except UnsupportedModelError as err:
        reason = err.reason if err.reason in ACCEPTED_REFUSALS else None
        if reason is None:
            raise Failure(f"export refused for an undocumented reason: {err}\n"
                          f"{describe(case)}") from err
        return f"refused: {reason}"
    doc = json.loads(json.dumps(doc))
    try:
        engine = Engine.from_json(doc)  # map documents keep no state between rows
    except PfaError as err:
        raise Failure(f"the exported document does not load: {err}\n{describe(case)}") from err
    rows, extreme = scoring_rows(case, model, train_values)
    Xs = T.frame(case.table, {c.name: [r[c.name] for r in rows] for c in case.table.columns},
                 _categories(X))
    if not case.export.endswith("-sample"):
        Xs = missing_as_nan_without_sample(X, Xs)
    elif case.export.startswith("cli"):
        Xs = as_read_from_file(Xs)
    expected = sklearn_outputs(model, Xs, doc, _plain_rows(rows))
    if not case.export.endswith("-sample"):
        expected = na_as_nan_without_sample(model, Xs, doc, expected)
    got = engine_outputs(engine, doc, Xs)
    expected = alone_where_batch_differs(model, Xs, doc, expected, got["action"], case)
    compare(case, doc, Xs, expected, got, extreme | knn_ties(model, Xs))
    return "ok"


def alone_where_batch_differs(model: Any, Xs: Any, doc: dict, expected: list[Any],
                              action: list[Any], case: Case) -> list[Any]:
    """sklearn's value for a row scored alone, where its value in the batch differs from the
    document's. numpy's row sums (``einsum`` in ``row_norms``, ``sum(axis=1)``) add a row in
    an order that depends on the batch's memory layout: a Fortran-ordered batch of several
    rows (a DataFrame through an imputer or scaler) is summed left to right, a single row or a
    C-ordered batch in numpy's SIMD / pairwise order, which the document follows (README,
    "Not promised"). An ill-conditioned model after them (a NuSVC whose dual coefficients
    cancel) turns that last bit into 1e-9."""
    rtol, scale = tolerance(case), _scale(expected)
    out = list(expected)
    for i, (a, e) in enumerate(zip(action, expected)):
        if not isinstance(a, Raised) and not isinstance(e, Raised) \
                and _differs(a, e, rtol, scale):
            out[i] = sklearn_outputs(model, _subset(Xs, [i]), doc, [0])[0]
    return out


def missing_as_nan_without_sample(X: Any, Xs: Any) -> Any:
    """The scoring frame as the README's "Missing values" contract reads it for a document
    exported without a sample: an object column whose training values held no None (so no
    encoder learned None) has its missing values taken as NaN — the exporter cannot see that
    the user's object column marks them with None, and sklearn's NaN imputers treat the two
    differently."""
    if not hasattr(Xs, "dtypes"):
        return Xs
    Xs = Xs.copy()
    for name, dtype in Xs.dtypes.items():
        if str(dtype) == "object" and not any(v is None for v in X[name]):
            Xs[name] = Xs[name].map(lambda v: np.nan if v is None else v).astype(object)
    return Xs


def na_as_nan_without_sample(model: Any, Xs: Any, doc: dict, expected: list[Any]) -> list[Any]:
    """Per the README's "Missing values" contract, a document exported without a sample reads
    a missing number as NaN: it cannot see that a column is a nullable pandas dtype (Int64,
    Float64, boolean) whose pd.NA a ColumnTransformer refuses in a passthrough column. Rows
    sklearn refused for that reason are scored again with those columns as float64 NaN."""
    out = list(expected)
    for i, e in enumerate(expected):
        if not (isinstance(e, Raised) and "uses pandas.NA" in str(e.err)):
            continue
        row = Xs.iloc[[i]].copy()
        for name, dtype in row.dtypes.items():
            if getattr(dtype, "na_value", None) is pd_na() and row[name].isna().any() \
                    and dtype.kind in "biuf":
                row[name] = row[name].to_numpy(dtype=np.float64, na_value=np.nan)
        out[i] = sklearn_outputs(model, row, doc, [])[0]
    return out


def pd_na() -> Any:
    import pandas as pd

    return pd.NA


def _categories(X: Any) -> dict[str, list[str]]:
    if not hasattr(X, "dtypes"):
        return {}
    return {str(k): list(X[k].cat.categories) for k, d in X.dtypes.items()
            if str(d) == "category"}


# -- export ---------------------------------------------------------------------------------

def _export(case: Case, model: Any, X: Any) -> dict:
    sample = X if case.export.endswith("-sample") else None
    if case.export.startswith("api"):
        return export(model, timestamp=False, sample=sample)
    fmt = case.export.split("-")[1]
    api_sample = None if sample is None else as_read_from_file(sample)
    try:
        cli_doc = cli_export(model, fmt, sample)
    except UnsupportedModelError as cli_err:  # the API refuses alike, and says why
        try:
            export(model, timestamp=False, sample=api_sample)
        except UnsupportedModelError as err:
            if str(err) not in str(cli_err):
                raise Failure(f"`pfa export` and the API refuse differently: {cli_err} / "
                              f"{err}\n{describe(case)}") from err
            raise
        raise Failure(f"`pfa export` refuses what the API exports: {cli_err}\n"
                      f"{describe(case)}") from cli_err
    api_doc = export(model, timestamp=False, sample=api_sample)
    if cli_doc != api_doc:
        raise Failure(f"`pfa export` ({case.export}) and the API give different documents\n"
                      f"{describe(case)}")
    return cli_doc


def as_read_from_file(frame: Any) -> Any:
    """A frame as `pfa export --sample` (and a user scoring data from the same file) sees it:
    written to Parquet and read back. A file keeps no difference between None and NaN, so an
    object column's None comes back as a missing value of a pandas 3 ``str`` column (NaN)."""
    if not hasattr(frame, "to_parquet"):
        return frame
    import pandas as pd

    buffer = io.BytesIO()
    frame.to_parquet(buffer)
    buffer.seek(0)
    return pd.read_parquet(buffer)


def cli_export(model: Any, fmt: str, sample: Any = None) -> dict:
    """``pfa export`` run in-process on the model saved as a joblib or skops file (and the
    sample, if any, as a parquet file)."""
    from pfa.cli import main

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"model.{fmt}"
        argv = ["export", str(path), "-o", str(Path(tmp) / "model.pfa"), "--no-timestamp"]
        if sample is not None:
            sample.to_parquet(Path(tmp) / "sample.parquet")
            argv += ["--sample", str(Path(tmp) / "sample.parquet")]
        if fmt == "joblib":
            import joblib

            joblib.dump(model, path)
        else:
            import skops.io as sio

            sio.dump(model, path)
            for t in sio.get_untrusted_types(file=path):
                argv += ["--trust", t]
        out, err = io.StringIO(), io.StringIO()
        with redirect_stdout(out), redirect_stderr(err):
            status = main(argv)
        if status == 2:
            raise UnsupportedModelError(err.getvalue().strip())
        if status != 0:
            raise Failure(f"pfa export exited with {status}: {err.getvalue()}")
        return json.loads((Path(tmp) / "model.pfa").read_text())


# -- sklearn ---------------------------------------------------------------------------------

class Raised:
    """sklearn (or the engine) raised on this row."""

    def __init__(self, err: BaseException):
        self.err = err

    def __repr__(self) -> str:
        return f"<raised {type(self.err).__name__}: {str(self.err)[:120]}>"


def _fields(doc: dict) -> list[str]:
    out = doc["output"]
    return [f["name"] for f in out["fields"]] if isinstance(out, dict) and out.get(
        "type") == "record" else []


def _methods(doc: dict) -> dict[str, str]:
    """Output field (or "" for the whole output) → the sklearn method that computes it."""
    role = doc["metadata"]["role"]
    if role == "transformer":
        return {"": "transform"}
    if role in ("regressor", "clusterer"):
        return {"": "predict"}
    names = {"label": "predict", "probabilities": "predict_proba",
             "scores": "decision_function", "score": "decision_function"}
    return {f: names[f] for f in _fields(doc)}


def _call(model: Any, method: str, X: Any) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = getattr(model, method)(X)
    if hasattr(out, "toarray"):
        out = out.toarray()
    if method == "transform":  # the document's array<double>, whatever sklearn's dtype
        out = np.asarray(out, dtype=np.float64)
    return out


def _plain_rows(rows: list[dict[str, Any]]) -> list[int]:
    """Rows with only ordinary values (no missing, unseen or non-finite one), which sklearn
    scores together; the others are scored one by one so each may raise on its own."""
    from tests.exporters.fuzz.scoring import UNSEEN

    def plain(v: Any) -> bool:
        return v is not T.MISSING and v != UNSEEN and not (
            isinstance(v, float) and (not np.isfinite(v) or abs(v) > 1e30))

    return [i for i, r in enumerate(rows) if all(plain(v) for v in r.values())]


def _subset(X: Any, idx: list[int]) -> Any:
    return X.iloc[idx] if hasattr(X, "iloc") else X[idx]


def sklearn_outputs(model: Any, X: Any, doc: dict, plain: list[int]) -> list[Any]:
    """Per row, what the document should output (a value as the engine gives it) or Raised."""
    methods = _methods(doc)
    n = len(X)
    per_method: dict[str, list[Any]] = {}
    for field, method in methods.items():
        col: list[Any] = [None] * n
        rest = [i for i in range(n) if i not in set(plain)]
        try:
            for i, v in zip(plain, _call(model, method, _subset(X, plain)) if plain else []):
                col[i] = v
        except Exception:  # then every row on its own
            rest = list(range(n))
        for i in rest:
            try:
                col[i] = _call(model, method, _subset(X, [i]))[0]
            except Exception as err:
                col[i] = Raised(err)
        per_method[field] = col
    out: list[Any] = []
    for i in range(n):
        vals = {f: per_method[f][i] for f in methods}
        bad = [v for v in vals.values() if isinstance(v, Raised)]
        if bad:
            out.append(bad[0])
        elif "" in vals:
            out.append(_plain(vals[""]))
        else:
            rec = {f: _plain(v) for f, v in vals.items()}
            if "scores" in rec and not isinstance(rec["scores"], list):
                rec["scores"] = [rec["scores"]]
            out.append(rec)
    return out


def _plain(v: Any) -> Any:
    if isinstance(v, np.ndarray):
        return [_plain(x) for x in v]
    return v.item() if hasattr(v, "item") else v


# -- engine ----------------------------------------------------------------------------------

def engine_outputs(engine: Engine, doc: dict, X: Any) -> dict[str, list[Any]]:
    """Per path ("action", "batch", "arrow"), per row the output or Raised."""
    if hasattr(X, "to_dict"):
        records = X.to_dict("records")
    else:
        names = [f["name"] for f in doc["input"]["fields"]] if isinstance(
            doc["input"], dict) and doc["input"].get("type") == "record" else None
        records = [dict(zip(names, r)) if names else r for r in X.tolist()]
    action: list[Any] = []
    for r in records:
        try:
            action.append(engine.action(r))
        except PfaError as err:
            action.append(Raised(err))
        except Exception as err:  # a Python exception is a bug on its own
            action.append(Raised(err))
    got = {"action": action, "batch": _batch(engine, X, len(records))}
    if hasattr(X, "to_dict"):
        import pyarrow as pa

        got["arrow"] = _batch(engine, pa.Table.from_pandas(X, preserve_index=False),
                              len(records))
    return got


def _batch(engine: Engine, data: Any, n: int) -> list[Any]:
    try:
        res = engine.action_batch(data, on_error="null")
    except Exception as err:
        return [Raised(err)] * n
    failed = {row: (code, msg) for row, code, msg in res.errors}
    values = _rows(res.values, n)
    return [Raised(PfaError(f"{failed[i][0]}: {failed[i][1]}")) if i in failed else v
            for i, v in enumerate(values)]


def _rows(values: Any, n: int) -> list[Any]:
    if hasattr(values, "to_pylist"):
        return values.to_pylist()
    if hasattr(values, "to_dict") and hasattr(values, "columns"):
        cols = {c: _rows(values[c].to_numpy(dtype=object), n) for c in values.columns}
        return [{c: cols[c][i] for c in cols} for i in range(n)]
    if isinstance(values, dict):
        cols = {c: _rows(v, n) for c, v in values.items()}
        return [{c: cols[c][i] for c in cols} for i in range(n)]
    if isinstance(values, np.ma.MaskedArray):
        return [None if m else _plain(v) for v, m in zip(values.data,
                                                          np.ma.getmaskarray(values))]
    return [_plain(v) for v in values]


# -- comparison ------------------------------------------------------------------------------

def tolerance(case: Case) -> float:
    libs = any(S.module(s.name).split(".")[0] in ("xgboost", "lightgbm")
               for s in S.walk(case.model))
    return RTOL_BOOSTING_LIBS if libs else RTOL


def knn_ties(model: Any, X: Any) -> set[int]:
    """Rows whose k-th and (k+1)-th nearest training points of a final k-nearest-neighbours
    step are at the same distance: which of them sklearn uses depends on its search order,
    so those rows' values are not compared (documented in the README)."""
    final, before = model, None
    if hasattr(model, "steps"):
        final = model.steps[-1][1]
        before = model[:-1] if len(model.steps) > 1 else None
    if not hasattr(final, "kneighbors"):
        return set()
    k, n_fit = final.n_neighbors, final.n_samples_fit_
    if k >= n_fit:
        return set()

    def distances(idx: list[int]) -> Any:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            rows = _subset(X, idx)
            Xt = before.transform(rows) if before is not None else rows
            return final.kneighbors(Xt, n_neighbors=k + 1)[0]

    out: set[int] = set()
    try:
        parts = [(list(range(len(X))), distances(list(range(len(X)))))]
    except Exception:  # some rows fail in sklearn: one at a time
        parts = []
        for i in range(len(X)):
            try:
                parts.append(([i], distances([i])))
            except Exception:
                continue
    for idx, dist in parts:
        for i, d in zip(idx, dist):
            if d[k - 1] == d[k] or not np.isfinite(d[k]):
                out.add(i)
    return out


def compare(case: Case, doc: dict, X: Any, expected: list[Any], got: dict[str, list[Any]],
            values_unchecked: set[int] = frozenset()) -> None:
    """Raise :class:`Failure` listing the first row of each kind of mismatch."""
    problems: dict[str, list[tuple[int, str]]] = {}

    def problem(kind: str, i: int, text: str) -> None:
        problems.setdefault(kind, []).append((i, text))

    action = got["action"]
    for path in ("batch", "arrow"):
        for i, (a, b) in enumerate(zip(action, got.get(path, []))):
            if isinstance(a, Raised) != isinstance(b, Raised) or (
                    not isinstance(a, Raised) and not same(a, b)):
                problem(f"action != action_batch({path})", i, f"action {a!r}, batch {b!r}")
    rtol = tolerance(case)
    scale = _scale(expected)
    for i, (a, e) in enumerate(zip(action, expected)):
        if isinstance(e, Raised):
            if not isinstance(a, Raised) or not isinstance(a.err, PfaError):
                problem("sklearn raised, the document did not", i,
                        f"sklearn {e!r}, document {a!r}")
        elif isinstance(a, Raised):
            problem(f"the document raised {type(a.err).__name__}", i,
                    f"document {a!r}, sklearn {e!r}")
        elif i not in values_unchecked:
            why = _differs(a, e, rtol, scale)
            if why:
                problem(f"value differs ({why.split(':')[0]})", i,
                        f"{why}: document {a!r}, sklearn {e!r}")
    if problems:
        rows = X.to_dict("records") if hasattr(X, "to_dict") else X.tolist()
        lines = []
        for kind, items in problems.items():
            i, text = items[0]
            lines.append(f"- {kind}: {len(items)} rows; first row {i} = {rows[i]!r}\n"
                         f"    {text[:400]}")
        raise Failure(f"{sum(map(len, problems.values()))} mismatches of {len(rows)} rows "
                      f"(hypothesis seed PFA_FUZZ_SEED={os.environ.get('PFA_FUZZ_SEED', '0')})"
                      f":\n" + "\n".join(lines) + f"\n{describe(case)}")


def _scale(expected: list[Any]) -> float:
    vals: list[float] = []

    def collect(v: Any) -> None:
        if isinstance(v, dict):
            for x in v.values():
                collect(x)
        elif isinstance(v, list):
            for x in v:
                collect(x)
        elif isinstance(v, float) and math.isfinite(v):
            vals.append(abs(v))

    for e in expected:
        collect(e)
    return max(vals, default=1.0)


def _differs(a: Any, e: Any, rtol: float, scale: float) -> str:
    if isinstance(e, dict):
        if not isinstance(a, dict):
            return "not a record"
        for k, v in e.items():
            if k not in a:
                return f"no field {k}"
            why = _differs(a[k], v, rtol, scale)
            if why:
                return f"{k}: {why}"
        return ""
    if isinstance(e, list):
        if not isinstance(a, list) or len(a) != len(e):
            return "length differs"
        for x, y in zip(a, e):
            why = _differs(x, y, rtol, scale)
            if why:
                return why
        return ""
    if isinstance(e, float) and not isinstance(a, bool) and isinstance(a, (int, float)):
        if math.isnan(e) or math.isnan(float(a)):
            return "" if math.isnan(e) and math.isnan(float(a)) else "NaN differs"
        if math.isinf(e) or math.isinf(float(a)):
            return "" if e == a else "infinity differs"
        tol = rtol * abs(e) + ATOL_SCALE * max(scale, 1.0)
        return "" if abs(a - e) <= tol else f"differs by {abs(a - e):.3g}"
    if type(a) is not type(e) and not (isinstance(a, int) and isinstance(e, int)
                                       and not isinstance(a, bool) and not isinstance(e, bool)):
        return f"type {type(a).__name__} != {type(e).__name__}"
    return "" if a == e else "label differs"
