"""ONNX beside PFA: model → ONNX graphs (today through skl2onnx, :mod:`.via_skl2onnx`).

The other direction, an ONNX graph → a PFA document, is a front end of
:mod:`pfa.exporters` like the sklearn one.
"""
