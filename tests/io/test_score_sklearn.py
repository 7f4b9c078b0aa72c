"""Exported sklearn pipelines scored from every input format: each output row equals
``Engine.action`` on the same row (strings, missing values, original column names)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from pfa.cli import main
from pfa.engine.engine import Engine
from pfa.exporters.sklearn import export
from tests.io.score_helpers import EXT, FORMATS, check_rows, expected, read_output, write_input

N = 40


def _data(seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    age = rng.normal(50, 15, N)
    age[rng.random(N) < 0.2] = np.nan
    city = rng.choice(["rome", "paris", "oslo"], N).astype(object)
    city[rng.random(N) < 0.2] = None
    return pd.DataFrame({"age": age, "city": city, "price ($)": rng.uniform(0, 9, N)})


def _logistic():
    from sklearn.compose import make_column_transformer
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder

    return make_pipeline(make_column_transformer(
        (SimpleImputer(), ["age", "price ($)"]),
        (OneHotEncoder(handle_unknown="ignore"), ["city"])), LogisticRegression())


def _hist_gb():
    from sklearn.compose import make_column_transformer
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OrdinalEncoder

    return make_pipeline(make_column_transformer(
        (OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1), ["city"]),
        remainder="passthrough"), HistGradientBoostingClassifier(max_iter=15, random_state=0))


def _tree_regressor():
    from sklearn.compose import make_column_transformer
    from sklearn.pipeline import make_pipeline
    from sklearn.tree import DecisionTreeRegressor

    return make_pipeline(make_column_transformer(("passthrough", ["age", "price ($)"])),
                         DecisionTreeRegressor(max_depth=4, random_state=0))


PIPELINES = {"logistic": _logistic, "hist_gb": _hist_gb, "tree": _tree_regressor}


@pytest.fixture(scope="module")
def documents():
    df = _data(0)
    y = (df["price ($)"] > 4.5).astype(int)
    docs = {}
    for name, make in PIPELINES.items():
        est = make()
        target = df["price ($)"] * 2 if name == "tree" else y
        docs[name] = export(est.fit(df, target), sample=df)
    return docs


@pytest.mark.parametrize("fin", FORMATS)
@pytest.mark.parametrize("name", sorted(PIPELINES))
def test_exported_pipelines_equal_action(tmp_path, documents, name, fin):
    check_formats(tmp_path, documents[name], fin, "parquet")


@pytest.mark.parametrize("fout", [f for f in FORMATS if f != "parquet"])
@pytest.mark.parametrize("name", sorted(PIPELINES))
def test_exported_pipelines_every_output(tmp_path, documents, name, fout):
    check_formats(tmp_path, documents[name], "csv", fout)


def check_formats(tmp_path, doc, fin, fout):
    df = _data(1)  # unseen rows
    df.insert(0, "id", np.arange(N))
    table = pa.Table.from_pandas(df, preserve_index=False)
    src, out = tmp_path / f"in{EXT[fin]}", tmp_path / f"out{EXT[fout]}"
    write_input(table, fin, src)
    model = tmp_path / "m.pfa"
    model.write_text(json.dumps(doc))
    assert main(["score", str(model), str(src), "-o", str(out), "--keep", "id",
                 "--chunk-size", "16", "-q"]) == 0
    engine = Engine.from_json(doc)
    rows = [{k: (None if isinstance(v, float) and np.isnan(v) else v) for k, v in r.items()}
            for r in table.drop(["id"]).to_pylist()]
    want = expected(engine, rows)
    fields = [f["name"] for f in doc["output"]["fields"]] if isinstance(doc["output"], dict) \
        and doc["output"].get("type") == "record" else ["output"]
    check_rows(read_output(fout, out), want, fout, fields,
               keep={"id": list(range(N))})
