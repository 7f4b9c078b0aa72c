"""ONNX → PFA: an ONNX graph imported as a PFA document (the ``onnx`` front end).

>>> doc = import_model("model.onnx")  # doctest: +SKIP
"""

from __future__ import annotations

from pfa.exporters.onnx.importer import import_model, load

__all__ = ["import_model", "load"]
