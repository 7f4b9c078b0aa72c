"""What the importer refuses, always with a message naming the node or tensor and never
with a traceback: malformed files, hostile sizes, control flow, other domains, dynamic
shapes and low-precision types; and the ``pfa export model.onnx`` command end to end."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

from pfa.cli import main
from pfa.errors import UnsupportedModelError
from pfa.exporters.onnx import import_model

MODELS = Path(__file__).parent / "models"


def _model(nodes, inputs, outputs, inits=(), opset=17, ml=None):
    graph = helper.make_graph(nodes, "g", inputs, outputs, list(inits))
    imports = [helper.make_opsetid("", opset)]
    if ml:
        imports.append(helper.make_opsetid("ai.onnx.ml", ml))
    model = helper.make_model(graph, opset_imports=imports)
    model.ir_version = 8
    return model


def _vec(name, dims, elem=TensorProto.FLOAT):
    return helper.make_tensor_value_info(name, elem, dims)


def _relu(dims=("N", 3), elem=TensorProto.FLOAT):
    return _model([helper.make_node("Relu", ["x"], ["y"])], [_vec("x", list(dims), elem)],
                  [_vec("y", list(dims), elem)])


@pytest.mark.parametrize("data", [b"", b"\x00\x01garbage", b"\xff" * 64, b"not onnx at all"])
def test_garbage_bytes(data):
    with pytest.raises(UnsupportedModelError, match="not an ONNX model"):
        import_model(data)


def test_mutated_models_refused_or_valid():
    """Random byte flips of a real model: a valid document or a refusal, nothing else."""
    from pfa.check.checker import check
    from pfa.document.reader import read

    base = (MODELS / "conv1d.onnx").read_bytes()
    rng = random.Random(0)
    for _ in range(60):
        data = bytearray(base)
        for _ in range(rng.randint(1, 4)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        try:
            doc = import_model(bytes(data))
        except UnsupportedModelError as err:
            assert str(err)
        else:
            check(read(doc))


@pytest.mark.parametrize("dims, match", [
    (("N", 100000, 100000), "at most"),
    (("N", "k"), "dynamic"),
    (("N", 0), "dynamic or empty"),
    ((), "scalar"),
])
def test_input_shapes_refused(dims, match):
    with pytest.raises(UnsupportedModelError, match=match):
        import_model(_relu(dims))


@pytest.mark.parametrize("elem", [TensorProto.FLOAT16, TensorProto.BFLOAT16, TensorProto.INT8,
                                  TensorProto.UINT8])
def test_low_precision_types_refused(elem):
    with pytest.raises(UnsupportedModelError, match="has type"):
        import_model(_relu(elem=elem))


def test_huge_initializer_refused_before_reading():
    big = TensorProto(name="w", data_type=TensorProto.FLOAT, dims=[1 << 20, 1 << 20])
    model = _model([helper.make_node("Add", ["x", "w"], ["y"])], [_vec("x", ["N", 3])],
                   [_vec("y", ["N", 3])], [big])
    with pytest.raises(UnsupportedModelError, match="initializer 'w'"):
        import_model(model)


def test_external_data_refused():
    t = numpy_helper.from_array(np.ones(3, np.float32), "w")
    t.data_location = TensorProto.EXTERNAL
    t.ClearField("raw_data")
    t.external_data.add(key="location", value="/etc/passwd")
    model = _model([helper.make_node("Add", ["x", "w"], ["y"])], [_vec("x", ["N", 3])],
                   [_vec("y", ["N", 3])], [t])
    with pytest.raises(UnsupportedModelError, match="external file"):
        import_model(model)


def test_huge_constant_of_shape_refused():
    shape = numpy_helper.from_array(np.array([1 << 30, 1 << 30], np.int64), "s")
    model = _model([helper.make_node("ConstantOfShape", ["s"], ["c"]),
                    helper.make_node("Add", ["x", "c"], ["y"])],
                   [_vec("x", ["N", 3])], [_vec("y", ["N", 3])], [shape])
    with pytest.raises(UnsupportedModelError, match=r"node 0 \(ConstantOfShape\)"):
        import_model(model)


def test_control_flow_refused_naming_the_node():
    body = helper.make_graph([helper.make_node("Identity", ["x"], ["z"])], "b", [],
                             [_vec("z", ["N", 3])])
    cond = numpy_helper.from_array(np.array(True), "c")
    model = _model([helper.make_node("Relu", ["x"], ["r"], name="first"),
                    helper.make_node("If", ["c"], ["y"], name="branch", then_branch=body,
                                     else_branch=body)],
                   [_vec("x", ["N", 3])], [_vec("y", ["N", 3])], [cond])
    with pytest.raises(UnsupportedModelError, match=r"node 1 'branch' \(If\)"):
        import_model(model)


def test_other_domains_refused():
    model = _model([helper.make_node("FusedMatMul", ["x", "x"], ["y"],
                                     domain="com.microsoft")],
                   [_vec("x", ["N", 3])], [_vec("y", ["N", 3])])
    with pytest.raises(UnsupportedModelError, match="domain 'com.microsoft'"):
        import_model(model)


def test_unsupported_op_refused():
    model = _model([helper.make_node("Relu", ["x"], ["r"]),
                    helper.make_node("Det", ["r"], ["y"], name="det")],
                   [_vec("x", ["N", 3, 3])], [_vec("y", ["N"])])
    with pytest.raises(UnsupportedModelError, match=r"node 1 'det' \(Det\): the op is not "):
        import_model(model)


def test_tree_with_a_cycle_refused():
    node = helper.make_node(
        "TreeEnsembleRegressor", ["x"], ["y"], domain="ai.onnx.ml", n_targets=1,
        nodes_treeids=[0, 0], nodes_nodeids=[0, 1], nodes_featureids=[0, 0],
        nodes_values=[0.5, 0.5], nodes_modes=["BRANCH_LEQ", "BRANCH_LEQ"],
        nodes_truenodeids=[1, 0], nodes_falsenodeids=[1, 0],
        target_treeids=[0], target_nodeids=[1], target_ids=[0], target_weights=[1.0])
    model = _model([node], [_vec("x", ["N", 2])], [_vec("y", ["N", 1])], ml=3)
    with pytest.raises(UnsupportedModelError, match="cycle"):
        import_model(model)


def test_batch_axis_ops_refused():
    model = _model([helper.make_node("Softmax", ["x"], ["y"], axis=0)],
                   [_vec("x", ["N", 3])], [_vec("y", ["N", 3])])
    with pytest.raises(UnsupportedModelError, match="batch axis"):
        import_model(model)


def test_cli_export_and_check(tmp_path, capsys):
    out = tmp_path / "mlp.pfa"
    assert main(["export", str(MODELS / "mlp.onnx"), "-o", str(out)]) == 0
    assert main(["check", str(out)]) == 0
    doc = out.read_text()
    assert '"source.library":"onnx"' in doc


def test_cli_refuses_garbage_without_traceback(tmp_path, capsys):
    bad = tmp_path / "bad.onnx"
    bad.write_bytes(b"\x08\x07garbage")
    assert main(["export", str(bad), "-o", str(tmp_path / "x.pfa")]) == 2
    err = capsys.readouterr().err
    assert "not an ONNX model" in err and "Traceback" not in err
    assert not (tmp_path / "x.pfa").exists()


def test_front_end_accepts_model_protos():
    from pfa.exporters.frontends import export

    doc = export(onnx.load(MODELS / "two_inputs.onnx"), timestamp=False)
    assert [f["name"] for f in doc["input"]["fields"]] == ["a", "b"]
