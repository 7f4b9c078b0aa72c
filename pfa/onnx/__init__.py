"""ONNX beside PFA: PFA documents compiled to ONNX graphs (:mod:`.compiler`,
``compile(document)``), sklearn models converted by skl2onnx (:mod:`.via_skl2onnx`).

The other direction, an ONNX graph → a PFA document, is a front end of
:mod:`pfa.exporters` like the sklearn one.
"""

# -- ONNX → PFA (onnx-in): the importer and an onnxruntime-like session, loaded on first use
_IMPORT_LAZY = {"import_model": "pfa.exporters.onnx.importer",
                "InferenceSession": "pfa.onnx.session", "NodeArg": "pfa.onnx.session"}
# -- PFA → ONNX (onnx-out): compile(document) -> onnx.ModelProto, :mod:`pfa.onnx.compiler`
_IMPORT_LAZY.update({"compile": "pfa.onnx.compiler", "OnnxRefusal": "pfa.onnx.compiler"})


def __getattr__(name: str):  # noqa: ANN202 - module attribute hook
    from importlib import import_module

    module = _IMPORT_LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'pfa.onnx' has no attribute {name!r}")
    return getattr(import_module(module), name)
