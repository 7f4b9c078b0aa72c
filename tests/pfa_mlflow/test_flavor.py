"""The ``pfa`` flavor: save/load round trips, pyfunc predictions equal to the engine, the
tracking store and the model registry (SQLite in a temporary directory)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import mlflow
import numpy as np
import pandas as pd
import pytest
import yaml
from mlflow.exceptions import MlflowException

import pfa.mlflow
from pfa.engine.engine import Engine
from pfa.errors import PfaSemanticError, PfaSyntaxError
from pfa.mlflow.pyfunc_model import SMALL_BATCH

from .conftest import saved_model


def _rows_equal(got: pd.DataFrame | pd.Series, expected: list[Any]) -> None:
    values = got.to_dict("records") if isinstance(got, pd.DataFrame) else list(got)
    assert len(values) == len(expected)
    for g, e in zip(values, expected, strict=True):
        g = {k: list(v) if isinstance(v, (list, np.ndarray)) else v for k, v in g.items()} \
            if isinstance(g, dict) else g
        assert g == e


@pytest.mark.parametrize("form", ["dict", "json", "yaml", "path", "engine"])
def test_save_load_round_trip(tmp_path: Path, iris_classifier: dict[str, Any],
                              iris_frame: pd.DataFrame, form: str) -> None:
    source: Any = {
        "dict": iris_classifier, "json": json.dumps(iris_classifier),
        "yaml": yaml.safe_dump(iris_classifier), "engine": Engine.from_json(iris_classifier),
        "path": str(tmp_path / "doc.json")}[form]
    (tmp_path / "doc.json").write_text(json.dumps(iris_classifier))
    path = saved_model(source, tmp_path / "model")
    conf = yaml.safe_load((path / "MLmodel").read_text())
    assert conf["flavors"]["python_function"]["loader_module"] == "pfa.mlflow"
    assert conf["flavors"]["pfa"]["method"] == "map"
    assert conf["flavors"]["pfa"]["input_type"]["type"] == "record"
    reference = Engine.from_json(iris_classifier)
    expected = [reference.action(r) for r in iris_frame.to_dict("records")]
    loaded = pfa.mlflow.load_model(str(path))
    assert [loaded.action(r) for r in iris_frame.to_dict("records")] == expected
    model = mlflow.pyfunc.load_model(str(path))
    _rows_equal(model.predict(iris_frame), expected)
    _rows_equal(model.predict(iris_frame.head(SMALL_BATCH)), expected[:SMALL_BATCH])
    assert isinstance(model.get_raw_model(), Engine)
    out = model.predict(iris_frame)
    assert str(out["label"].dtype) == "int32" and list(out.columns) == ["label", "probabilities"]


def test_document_bytes_are_the_canonical_json(tmp_path: Path,
                                               iris_classifier: dict[str, Any]) -> None:
    from pfa.document.reader import read
    from pfa.document.writer import write_json

    path = saved_model(iris_classifier, tmp_path / "m")
    assert (path / "model.pfa").read_text() == write_json(read(iris_classifier)) + "\n"


@pytest.mark.parametrize(("doc", "error"), [
    ('{"input": "double", "output": "double"', PfaSyntaxError),
    ({"input": "double", "output": "string", "action": "input"}, PfaSemanticError),
])
def test_bad_documents_are_refused_before_anything_is_written(tmp_path: Path, doc: Any,
                                                              error: type) -> None:
    with pytest.raises(error):
        pfa.mlflow.save_model(doc, tmp_path / "m")
    assert not (tmp_path / "m").exists()


def test_options_are_saved_and_overridable(tmp_path: Path) -> None:
    doc = {"input": "int", "output": "int", "action": "input"}
    path = saved_model(doc, tmp_path / "m", options={"timeout": 1234})
    assert pfa.mlflow.load_model(str(path)).options.timeout_action == 1234
    assert pfa.mlflow.load_model(str(path), options={"timeout": 55}).options.timeout_action == 55


def test_emit_documents_have_no_pyfunc_flavor(tmp_path: Path) -> None:
    doc = {"input": "int", "output": "int", "method": "emit", "action": {"emit": ["input"]}}
    path = saved_model(doc, tmp_path / "m")
    conf = yaml.safe_load((path / "MLmodel").read_text())
    assert "python_function" not in conf["flavors"]
    assert pfa.mlflow.load_model(str(path)).action(3) == [3]


def test_scalar_and_array_inputs(tmp_path: Path) -> None:
    inc = saved_model({"input": "double", "output": "double", "action": {"+": ["input", 1]}},
                      tmp_path / "inc")
    got = mlflow.pyfunc.load_model(str(inc)).predict(pd.DataFrame({"x": [1.0, 2.5]}))
    assert list(got) == [2.0, 3.5]
    summed = saved_model({"input": {"type": "array", "items": "double"}, "output": "double",
                          "action": {"a.sum": ["input"]}, "metadata": {"features": '["p", "q"]'}},
                         tmp_path / "sum")
    frame = pd.DataFrame({"q": np.arange(20.0), "p": np.ones(20)})
    got = mlflow.pyfunc.load_model(str(summed)).predict(frame)
    assert list(got) == list(np.arange(20.0) + 1)


def test_refused_values_name_row_and_field(tmp_path: Path,
                                           iris_classifier: dict[str, Any],
                                           iris_frame: pd.DataFrame) -> None:
    model = mlflow.pyfunc.load_model(str(saved_model(iris_classifier, tmp_path / "m")))
    for n in (3, 40):  # record by record, and a batch
        bad = iris_frame.head(n).copy()
        bad.loc[n - 1, "petal_width"] = np.nan
        with pytest.raises(MlflowException) as info:
            model.predict(bad)
        assert info.value.error_code == "INVALID_PARAMETER_VALUE"
        assert f"row {n - 1}" in info.value.message and "petal_width" in info.value.message
    with pytest.raises(MlflowException, match="petal_width"):  # MLflow's own check
        model.predict(iris_frame.drop(columns=["petal_width"]))


def test_optional_columns_absent_are_missing_values(tmp_path: Path) -> None:
    doc = {"input": {"type": "record", "name": "In", "fields": [
        {"name": "a", "type": "double"}, {"name": "b", "type": ["null", "double"]}]},
        "output": "double",
        "action": {"ifnotnull": {"b": "input.b"}, "then": {"+": ["input.a", "b"]},
                   "else": "input.a"}}
    model = mlflow.pyfunc.load_model(str(saved_model(doc, tmp_path / "m")))
    assert list(model.predict(pd.DataFrame({"a": [1.0, 2.0]}))) == [1.0, 2.0]
    assert list(model.predict(pd.DataFrame({"a": [1.0], "b": [5.0]}))) == [6.0]


def test_input_example_is_saved_and_refines(tmp_path: Path) -> None:
    doc = {"input": {"type": "record", "name": "In", "fields": [
        {"name": "n", "type": "double"}]}, "output": "double", "action": "input.n"}
    ints = pd.DataFrame({"n": np.arange(12, dtype="int64")})
    plain = mlflow.pyfunc.load_model(str(saved_model(doc, tmp_path / "plain")))
    with pytest.raises(MlflowException, match="n"):  # MLflow refuses int64 for double
        plain.predict(ints)
    refined = saved_model(doc, tmp_path / "refined", input_example=ints.head(2))
    assert (refined / "input_example.json").is_file()
    assert list(mlflow.pyfunc.load_model(str(refined)).predict(ints)) == list(range(12))


# -- the tracking store and the registry -------------------------------------------------------

def test_log_register_and_load_by_version_alias_and_run(
        tracking: str, iris_classifier: dict[str, Any], iris_frame: pd.DataFrame) -> None:
    client = mlflow.MlflowClient()
    with mlflow.start_run() as run:
        info = pfa.mlflow.log_model(iris_classifier, name="model",
                                    registered_model_name="iris-pfa",
                                    input_example=iris_frame.head(3))
    assert info.registered_model_version == 1
    with mlflow.start_run():
        second = pfa.mlflow.log_model(iris_classifier, name="model",
                                      registered_model_name="iris-pfa")
    assert second.registered_model_version == 2
    client.set_registered_model_alias("iris-pfa", "champion", "1")
    reference = Engine.from_json(iris_classifier)
    expected = [reference.action(r) for r in iris_frame.to_dict("records")]
    for uri in ("models:/iris-pfa/1", "models:/iris-pfa@champion", "models:/iris-pfa/latest",
                f"runs:/{run.info.run_id}/model", info.model_uri):
        engine = pfa.mlflow.load_model(uri)
        assert [engine.action(r) for r in iris_frame.to_dict("records")] == expected, uri
        _rows_equal(mlflow.pyfunc.load_model(uri).predict(iris_frame), expected)


def test_serve_source_resolves_registry_uris(tracking: str,
                                             iris_classifier: dict[str, Any]) -> None:
    from pfa.serve.sources import SourceError, resolve

    with mlflow.start_run() as run:
        pfa.mlflow.log_model(iris_classifier, name="clf", registered_model_name="src-test",
                             options={"timeout": 500})
        pfa.mlflow.log_model(iris_classifier, name="clf2", registered_model_name="src-test")
    mlflow.MlflowClient().set_registered_model_alias("src-test", "prod", "2")
    [one] = resolve("models:/src-test/1")
    assert (one.name, one.version, one.options) == ("src-test", "1", {"timeout": 500})
    assert one.document.name == "model.pfa" and one.document.is_file()
    assert [(s.name, s.version) for s in resolve("models:/src-test@prod")] == [("src-test", "2")]
    assert [s.version for s in resolve("models:/src-test")] == ["1", "2"]
    [by_run] = resolve(f"runs:/{run.info.run_id}/clf")
    assert (by_run.name, by_run.version) == ("clf", run.info.run_id)
    for bad in ("models:/no-such-model/1", "models:/src-test@nope", "models:/src-test/9"):
        with pytest.raises(SourceError, match="no-such-model|nope|9"):
            resolve(bad)


def test_log_exported_registers_with_the_sample_as_example(
        tracking: str, iris_classifier: dict[str, Any], iris_frame: pd.DataFrame) -> None:
    text = pfa.mlflow.log_exported(iris_classifier, "exported", registered_model_name="exp",
                                   sample=iris_frame)
    assert "models:/exp/1" in text
    engine = pfa.mlflow.load_model("models:/exp/1")
    assert engine.action(iris_frame.iloc[0]) == Engine.from_json(iris_classifier).action(
        iris_frame.iloc[0])
    local = pfa.mlflow.document_path("models:/exp/1")
    assert local.name == "model.pfa" and (local.parent / "input_example.json").is_file()


def test_wrapper_takes_dicts_records_and_arrays(iris_classifier: dict[str, Any],
                                                iris_frame: pd.DataFrame) -> None:
    from pfa.mlflow.pyfunc_model import PfaPyfuncModel

    wrapper = PfaPyfuncModel(Engine.from_json(iris_classifier))
    reference = Engine.from_json(iris_classifier)
    part = iris_frame.head(12)
    expected = [reference.action(r) for r in part.to_dict("records")]
    _rows_equal(wrapper.predict(part.to_dict("list")), expected)
    _rows_equal(wrapper.predict(part.to_dict("records")), expected)
    _rows_equal(wrapper.predict(part.to_dict("records")[0]), expected[:1])
    _rows_equal(wrapper.predict(part.to_numpy()), expected)


def test_types_without_an_mlflow_schema_save_without_signature(tmp_path: Path) -> None:
    linked = {"type": "record", "name": "Node", "fields": [
        {"name": "v", "type": "double"}, {"name": "next", "type": ["null", "Node"]}]}
    doc = {"input": linked, "output": "double", "action": "input.v"}
    path = saved_model(doc, tmp_path / "m")
    assert "signature" not in yaml.safe_load((path / "MLmodel").read_text())
    got = mlflow.pyfunc.load_model(str(path)).predict([{"v": 1.5, "next": None}])
    assert list(got) == [1.5]
