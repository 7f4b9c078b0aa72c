"""``pfa export`` to .onnx: PFA documents (JSON, PrettyPFA) compiled, sklearn models through
PFA by default, ``--via skl2onnx`` keeping the skl2onnx path, refusals exiting 2."""

from __future__ import annotations

import json

import joblib
import numpy as np
import onnx
import pytest
from sklearn.datasets import load_iris
from sklearn.ensemble import RandomForestClassifier
from sklearn.neighbors import KNeighborsClassifier

from pfa.cli import main
from pfa.exporters.sklearn import export
from tests.exporters.helpers import rows
from tests.to_onnx.helpers import compare, run_onnx

X, Y = load_iris(return_X_y=True)
DOC = {"input": {"type": "record", "name": "In", "fields": [{"name": "x", "type": "double"}]},
       "output": "double", "action": [{"*": ["input.x", 2.0]}]}


@pytest.fixture(scope="module")
def forest():
    return RandomForestClassifier(n_estimators=5, max_depth=4, random_state=0).fit(X, Y)


@pytest.mark.parametrize("suffix", [".pfa", ".ppfa"])
def test_document_compiles_from_any_syntax(tmp_path, suffix):
    from pfa.document.pretty import dumps

    src = tmp_path / f"m{suffix}"
    src.write_text(json.dumps(DOC) if suffix == ".pfa" else dumps(DOC))
    out = tmp_path / "m.onnx"
    assert main(["export", str(src), "-o", str(out)]) == 0
    model = onnx.load(str(out))
    assert run_onnx(model, [{"x": 1.5}])["output"].tolist() == [[3.0]]


def test_sklearn_model_goes_through_pfa(tmp_path, forest):
    src = tmp_path / "forest.pkl"
    joblib.dump(forest, src)
    out = tmp_path / "forest.onnx"
    assert main(["export", str(src), "-o", str(out)]) == 0
    model = onnx.load(str(out))
    assert [i.name for i in model.graph.input] == ["x0", "x1", "x2", "x3"]
    assert any(n.op_type == "TreeEnsemble" for n in model.graph.node)
    doc = json.loads(json.dumps(export(forest, timestamp=False)))
    compare(doc, model, rows(doc, X), exact=True)
    got = run_onnx(model, rows(doc, X))
    np.testing.assert_array_equal(got["label"].ravel(), forest.predict(X))


def test_via_skl2onnx_keeps_the_old_path(tmp_path, forest):
    src = tmp_path / "forest.pkl"
    joblib.dump(forest, src)
    out = tmp_path / "forest.onnx"
    assert main(["export", str(src), "-o", str(out), "--via", "skl2onnx"]) == 0
    model = onnx.load(str(out))
    assert len(model.graph.input) == 1
    assert not any(n.op_type == "TreeEnsemble" for n in model.graph.node)


def test_refused_model_exits_2_and_names_the_way_out(tmp_path, capsys):
    src = tmp_path / "knn.pkl"
    joblib.dump(KNeighborsClassifier(3).fit(X, Y), src)
    out = tmp_path / "knn.onnx"
    assert main(["export", str(src), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert "cannot compile to ONNX at $.action" in err and "--via skl2onnx" in err
    assert not out.exists()
    assert main(["export", str(src), "-o", str(out), "--via", "skl2onnx"]) == 0
