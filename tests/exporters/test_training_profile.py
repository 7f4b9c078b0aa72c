"""With a data sample, the exported document carries the sample's training profile (what
``pfa serve`` measures drift against), keyed by the input fields; without one, none."""

from __future__ import annotations

import io
import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.compose import make_column_transformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder

from pfa.document.profile import METADATA_KEY, read_profile
from pfa.exporters.sklearn import export


def _frame(seed: int, n: int) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    size = rng.normal(size=n) * rng.choice([0.1, 10.0])
    size[rng.random(n) < 0.2] = np.nan
    city = rng.choice(["paris", "rome", "oslo", None], n).astype(object)
    df = pd.DataFrame({"size ($)": size, "city": city})
    y = (np.nan_to_num(size) > 0) ^ (city == "rome")
    y[:2] = [True, False]
    return df, y


def _model(df, y):
    return make_pipeline(
        make_column_transformer((make_pipeline(SimpleImputer(strategy="most_frequent"),
                                               OneHotEncoder()), ["city"]),
                                (SimpleImputer(), ["size ($)"])),
        LogisticRegression()).fit(df, y)


@settings(max_examples=6, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(8, 120))
def test_profile_describes_the_sample(seed, n):
    df, y = _frame(seed, n)
    doc = export(_model(df, y), sample=df, timestamp=False)
    profile = json.loads(doc["metadata"][METADATA_KEY])
    assert read_profile(doc["metadata"]) == {"features": profile["features"]}  # serve reads it
    fields = [f["name"] for f in doc["input"]["fields"]]
    sources = json.loads(doc["metadata"]["input.columns"])
    assert profile["rows"] == n
    assert sorted(profile["features"]) == sorted(
        f for f, s in zip(fields, sources) if df[s].notna().any())
    for field, source in zip(fields, sources):
        if field not in profile["features"]:
            continue
        got, col = profile["features"][field], df[source]
        assert got["null_rate"] == pytest.approx(col.isna().mean(), abs=1e-12)
        if got["kind"] == "number":
            assert got["mean"] == pytest.approx(col.mean(), rel=1e-12, abs=1e-12)
            assert sum(got["fractions"]) == pytest.approx(1.0)
        else:
            expected = col.dropna().value_counts(normalize=True).to_dict()
            assert got["fractions"] == pytest.approx(expected)


def test_no_sample_no_profile():
    df, y = _frame(0, 50)
    assert METADATA_KEY not in export(_model(df, y), timestamp=False)["metadata"]


def test_a_sample_read_back_from_parquet_gives_the_same_document():
    df, y = _frame(1, 60)
    buffer = io.BytesIO()
    df.to_parquet(buffer)
    buffer.seek(0)
    model = _model(df, y)
    assert export(model, sample=pd.read_parquet(buffer), timestamp=False)["metadata"][
        METADATA_KEY] == export(model, sample=df, timestamp=False)["metadata"][METADATA_KEY]
