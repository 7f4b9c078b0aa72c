"""``pfa export``: model files in, PFA/YAML/ONNX out, refusals with exit status 2."""

from __future__ import annotations

import json
from pathlib import Path

import joblib
import numpy as np
import pytest
import yaml
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from pfa import Engine
from pfa.cli import build_parser, main


@pytest.fixture(scope="module")
def iris_model():
    X, y = load_iris(return_X_y=True)
    return Pipeline([("s", StandardScaler()),
                     ("m", LogisticRegression(max_iter=1000))]).fit(X, y), X


def test_skops_to_pfa_and_yaml(tmp_path, iris_model, capsys):
    import skops.io as sio

    model, X = iris_model
    src = tmp_path / "m.skops"
    sio.dump(model, src)
    assert main(["export", str(src), "-o", str(tmp_path / "m.pfa"), "--no-timestamp",
                 "--name", "iris"]) == 0
    assert main(["export", str(src), "-o", str(tmp_path / "m.yaml"), "--no-timestamp",
                 "--name", "iris"]) == 0
    doc = json.loads((tmp_path / "m.pfa").read_text())
    assert doc["name"] == "iris"
    assert yaml.safe_load((tmp_path / "m.yaml").read_text()) == doc
    engine = Engine.from_json(doc)
    first = engine.action({f"x{i}": float(v) for i, v in enumerate(X[0])})
    assert first["label"] == int(model.predict(X[:1])[0])
    assert main(["check", str(tmp_path / "m.yaml")]) == 0


def test_export_is_byte_identical(tmp_path, iris_model):
    model, _ = iris_model
    src = tmp_path / "m.joblib"
    joblib.dump(model, src)
    for out in ("a.pfa", "b.pfa"):
        assert main(["export", str(src), "-o", str(tmp_path / out), "--no-timestamp"]) == 0
    assert (tmp_path / "a.pfa").read_bytes() == (tmp_path / "b.pfa").read_bytes()


def test_onnx_output_matches_sklearn(tmp_path, iris_model):
    import onnxruntime as ort

    model, X = iris_model
    src = tmp_path / "m.pkl"
    joblib.dump(model, src)
    out = tmp_path / "m.onnx"
    assert main(["export", str(src), "-o", str(out), "--via", "skl2onnx"]) == 0
    session = ort.InferenceSession(str(out), providers=["CPUExecutionProvider"])
    name = session.get_inputs()[0].name
    labels, proba = session.run(None, {name: X.astype(np.float64)})
    assert (labels == model.predict(X)).all()
    np.testing.assert_allclose(proba, model.predict_proba(X), rtol=1e-9, atol=1e-12)


def test_unsupported_model_exits_2_and_writes_nothing(tmp_path, capsys):
    from sklearn.cross_decomposition import PLSRegression

    X, y = load_iris(return_X_y=True)
    src = tmp_path / "pls.joblib"
    joblib.dump(PLSRegression().fit(X, y), src)
    out = tmp_path / "pls.pfa"
    assert main(["export", str(src), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert "PLSRegression" in err and "supported estimators:" in err
    assert "StandardScaler" in err
    assert not out.exists()


@pytest.mark.parametrize("args,needle", [
    (["missing.pkl", "-o", "x.pfa"], "no such file"),
    (["model.txt", "-o", "x.pfa"], "unknown model file type"),
    (["model.pkl", "-o", "x.csv"], "cannot tell the output format"),
])
def test_bad_arguments_exit_2(tmp_path, capsys, monkeypatch, args, needle):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "model.txt").write_text("not a model")
    (tmp_path / "model.pkl").write_bytes(b"not a pickle")
    assert main(["export", *args]) == 2
    assert needle in capsys.readouterr().err


def test_corrupt_pickle_is_one_line_not_a_traceback(tmp_path, capsys):
    (tmp_path / "bad.pkl").write_bytes(b"\x80\x04garbage")
    assert main(["export", str(tmp_path / "bad.pkl"), "-o", str(tmp_path / "x.pfa")]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and err.count("\n") == 1


def test_help_warns_that_pickles_run_code():
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    text = sub.choices["export"].format_help()
    assert "runs" in text and "code" in text and ".skops" in text


def _string_pipeline():
    import pandas as pd
    from sklearn.impute import SimpleImputer
    from sklearn.preprocessing import OneHotEncoder

    rng = np.random.default_rng(0)
    df = pd.DataFrame({"city": rng.choice(["paris", "rome", None], 120),
                       "size": rng.normal(size=120)})
    y = (df["city"] == "rome").to_numpy() ^ (df["size"] > 0).to_numpy()
    from sklearn.compose import make_column_transformer
    from sklearn.pipeline import make_pipeline

    pipe = make_pipeline(
        make_column_transformer((make_pipeline(SimpleImputer(strategy="most_frequent"),
                                               OneHotEncoder()), ["city"]),
                                (SimpleImputer(), ["size"])),
        LogisticRegression()).fit(df, y)
    return pipe, df


def _scores_like_sklearn(path: Path, pipe, df) -> None:
    from pfa.exporters.records import to_records

    doc = json.loads(path.read_text())
    engine = Engine.from_json(doc)
    got = [engine.action(r)["label"] for r in to_records(doc, df)]
    assert got == [bool(v) for v in pipe.predict(df)]


def test_imputed_strings_export_without_a_sample(tmp_path):
    """SimpleImputer(most_frequent) → OneHotEncoder on a string column: the column kind comes
    from the imputer's statistics (the CLI used to refuse it: "could not convert string")."""
    pipe, df = _string_pipeline()
    src = tmp_path / "m.joblib"
    joblib.dump(pipe, src)
    assert main(["export", str(src), "-o", str(tmp_path / "m.pfa")]) == 0
    doc = json.loads((tmp_path / "m.pfa").read_text())
    assert {f["name"]: f["type"] for f in doc["input"]["fields"]}["city"] == ["null", "string"]
    _scores_like_sklearn(tmp_path / "m.pfa", pipe, df)


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_sample_option_gives_the_api_document(tmp_path, fmt):
    from pfa.exporters.sklearn import export

    pipe, df = _string_pipeline()
    src = tmp_path / "m.joblib"
    joblib.dump(pipe, src)
    sample = tmp_path / f"sample.{fmt}"
    df.to_csv(sample, index=False) if fmt == "csv" else df.to_parquet(sample)
    out = tmp_path / "m.pfa"
    assert main(["export", str(src), "-o", str(out), "--sample", str(sample),
                 "--no-timestamp"]) == 0
    assert json.loads(out.read_text()) == json.loads(json.dumps(
        export(pipe, sample=df, timestamp=False)))
    _scores_like_sklearn(out, pipe, df)


@pytest.mark.parametrize("where", ["missing-dir", "a-dir", "long-name", "bad-sample", "escape"])
def test_bad_output_or_sample_exits_2_without_traceback(tmp_path, iris_model, capsys, where):
    model, _ = iris_model
    src = tmp_path / "m.joblib"
    joblib.dump(model, src)
    extra: list[str] = []
    if where == "missing-dir":
        out = tmp_path / "nowhere" / "m.pfa"
    elif where == "a-dir":
        out = tmp_path / "d.pfa"
        out.mkdir()
    elif where == "long-name":
        out = tmp_path / ("x" * 300 + ".pfa")
    elif where == "escape":
        out = tmp_path / "nodir\x1b[2J\x07" / "x.pfa"
    else:
        out = tmp_path / "m.pfa"
        extra = ["--sample", str(tmp_path / "missing.csv")]
    before = sorted(p.name for p in tmp_path.rglob("*"))
    assert main(["export", str(src), "-o", str(out), *extra]) == 2
    err = capsys.readouterr().err
    assert err.startswith("pfa export: ") and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1 and "\x1b" not in err and "\x07" not in err
    assert sorted(p.name for p in tmp_path.rglob("*")) == before
