"""The one error of the compiler: a construct outside the ONNX subset, with its document path."""

from __future__ import annotations

from pfa.errors import UnsupportedModelError


class OnnxRefusal(UnsupportedModelError):
    """The document cannot be compiled to ONNX: ``path`` names the first construct that cannot
    (a JSON path into the document, as in every error message) and ``why`` says why."""

    def __init__(self, path: str, why: str):
        self.path = path
        self.why = why
        super().__init__(f"cannot compile to ONNX at {path}: {why}", place=path,
                         reason="onnx-subset")
