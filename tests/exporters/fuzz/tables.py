"""Tables a user actually has: pandas 3 dtypes with their own missing values, non-identifier
column names, constant columns, or plain numpy arrays. A :class:`TableSpec` is drawn by
hypothesis; the values come from a numpy generator seeded by the case."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from hypothesis import strategies as st

MISSING = object()  # a missing cell before it is given its dtype's representation

NUMERIC = ("float64", "float32", "int64", "Int64", "Float64")
BOOLEAN = ("bool", "boolean")
STRING = ("str", "object", "category")
#: dtypes whose columns can hold a missing value
NULLABLE = ("float64", "float32", "Int64", "Float64", "boolean", "str", "object", "category")

NAMES = ("age", "income", "price ($)", "a b", "a_b", "x0", "1st", "température", "class",
         "input", "label", "x-y", "x.y", "Input", "f0", "plan", "city")
WORDS = ("paris", "berlin", "rome", "a,b", "Zürich", "x y", "", "0", "None", "nan", "true")


@dataclass(frozen=True)
class ColSpec:
    name: str
    dtype: str  # one of NUMERIC + BOOLEAN + STRING
    missing: float = 0.0  # fraction of missing cells in the training rows
    constant: bool = False
    levels: int = 0  # numbers: 0 continuous, else that many distinct integers; strings: words
    scale: float = 1.0

    @property
    def kind(self) -> str:
        return "cat" if self.dtype in STRING else "num"


@dataclass(frozen=True)
class TableSpec:
    form: str  # "frame" (pandas DataFrame) or "numpy"
    columns: tuple[ColSpec, ...]
    n_train: int

    @property
    def numeric(self) -> list[ColSpec]:
        return [c for c in self.columns if c.kind == "num"]

    @property
    def strings(self) -> list[ColSpec]:
        return [c for c in self.columns if c.kind == "cat"]

    @property
    def has_missing(self) -> bool:
        return any(c.missing > 0 for c in self.columns)


@st.composite
def table_specs(draw: Any, min_strings: int = 0, numeric_only: bool = False,
                frame: bool | None = None) -> TableSpec:
    """A table: a DataFrame of mixed dtypes or a numpy array of floats."""
    form = "frame" if frame else draw(st.sampled_from(["frame", "frame", "frame", "numpy"]))
    if frame is False:
        form = "numpy"
    if form == "numpy":
        min_strings = 0
    # float32 data is refused whenever the exporter sees it (README): one table in ten has it
    f32 = draw(st.integers(0, 9)) == 0
    numeric = NUMERIC if f32 else tuple(d for d in NUMERIC if d != "float32")
    wide = draw(st.integers(0, 9)) == 0
    n_num = draw(st.integers(1, 14 if wide else 4))
    n_str = 0 if numeric_only or form == "numpy" else draw(st.integers(min_strings, 3))
    n_train = draw(st.integers(40, 120))
    if form == "numpy":
        dtype = "float32" if f32 else "float64"
        missing = draw(st.sampled_from([0.0, 0.0, 0.1]))
        cols = tuple(ColSpec(f"x{i}", dtype, missing, *_shape(draw)) for i in range(n_num))
        return TableSpec(form, cols, n_train)
    names = draw(st.lists(st.sampled_from(NAMES), min_size=n_num + n_str,
                          max_size=n_num + n_str, unique=True)) if n_num + n_str <= len(
        NAMES) else [f"c{i}" for i in range(n_num + n_str)]
    cols = []
    for i in range(n_num):
        dtype = draw(st.sampled_from(numeric + numeric + BOOLEAN))
        missing = draw(st.sampled_from([0.0, 0.0, 0.1, 0.3])) if dtype in NULLABLE else 0.0
        cols.append(ColSpec(names[i], dtype, missing, *_shape(draw)))
    for i in range(n_num, n_num + n_str):
        dtype = draw(st.sampled_from(STRING))
        missing = draw(st.sampled_from([0.0, 0.1, 0.3]))
        constant = draw(st.integers(0, 9)) == 0
        cols.append(ColSpec(names[i], dtype, missing, constant, draw(st.integers(2, 5))))
    order = draw(st.permutations(range(len(cols))))
    return TableSpec(form, tuple(cols[i] for i in order), n_train)


def _shape(draw: Any) -> tuple[bool, int, float]:
    constant = draw(st.integers(0, 11)) == 0
    levels = draw(st.sampled_from([0, 0, 0, 3, 8]))
    scale = draw(st.sampled_from([1.0, 1e-3, 10.0, 1e4]))
    return constant, levels, scale


# -- values --------------------------------------------------------------------------------

def column_values(c: ColSpec, n: int, rng: np.random.Generator) -> list[Any]:
    """``n`` Python values of column ``c`` (MISSING for a missing cell)."""
    if c.kind == "cat":
        words = list(WORDS)
        rng.shuffle(words)
        pool = words[:1] if c.constant else words[:max(c.levels, 2)]
        vals: list[Any] = [pool[int(k)] for k in rng.integers(0, len(pool), n)]
    elif c.dtype in BOOLEAN:
        vals = [bool(v) for v in (rng.random(n) < (1.0 if c.constant else 0.4))]
    else:
        if c.constant:
            x = np.full(n, round(float(rng.normal()) * c.scale, 3))
        elif c.levels:
            x = rng.integers(0, c.levels, n) * c.scale
        else:
            x = rng.normal(rng.normal(), 1.0, n) * c.scale
        if c.dtype in ("int64", "Int64"):
            x = np.round(x)
        vals = [float(v) for v in x]
    if c.missing:
        for i in np.flatnonzero(rng.random(n) < c.missing):
            vals[int(i)] = MISSING
    return vals


def frame(spec: TableSpec, values: dict[str, list[Any]], categories: dict[str, list[str]] | None
          = None) -> Any:
    """The user's table from per-column values, each column in its dtype."""
    if spec.form == "numpy":
        arr = np.array([[np.nan if v is MISSING else v for v in values[c.name]]
                        for c in spec.columns], dtype=np.float64).T
        return arr.astype(spec.columns[0].dtype)
    data = {}
    for c in spec.columns:
        data[c.name] = series(c, values[c.name], (categories or {}).get(c.name))
    return pd.DataFrame(data)


def series(c: ColSpec, vals: list[Any], categories: list[str] | None = None) -> pd.Series:
    """One column in the dtype of ``c`` with that dtype's missing value."""
    d = c.dtype
    if d in ("float64", "float32"):
        return pd.Series([np.nan if v is MISSING else v for v in vals], dtype=d)
    if d == "int64":
        return pd.Series([int(v) for v in vals], dtype="int64")
    if d == "Int64":
        return pd.Series(pd.array([pd.NA if v is MISSING else int(v) for v in vals], dtype=d))
    if d == "Float64":
        return pd.Series(pd.array([pd.NA if v is MISSING else v for v in vals], dtype=d))
    if d == "bool":
        return pd.Series(vals, dtype=bool)
    if d == "boolean":
        return pd.Series(pd.array([pd.NA if v is MISSING else bool(v) for v in vals],
                                  dtype="boolean"))
    if d == "str":
        return pd.Series([np.nan if v is MISSING else v for v in vals], dtype="str")
    if d == "object":
        return pd.Series([None if v is MISSING else v for v in vals], dtype=object)
    present = sorted({v for v in vals if v is not MISSING} | set(categories or ()))
    return pd.Series(pd.Categorical([np.nan if v is MISSING else v for v in vals],
                                    categories=present))


def latent(spec: TableSpec, values: dict[str, list[Any]], rng: np.random.Generator) -> np.ndarray:
    """A score every column contributes to, from which the labels are made."""
    n = len(next(iter(values.values())))
    z = np.zeros(n)
    for c in spec.columns:
        w = rng.normal()
        if c.kind == "cat":
            effect: dict[Any, float] = {}
            col = [effect.setdefault(v, float(rng.normal())) for v in values[c.name]]
            z += w * np.asarray(col)
        else:
            x = np.asarray([0.0 if v is MISSING else float(v) for v in values[c.name]])
            sd = x.std()
            z += w * (x - x.mean()) / (sd if sd > 0 else 1.0)
    return z + 0.3 * rng.normal(size=n)
