"""PFA → ONNX: a back end that compiles a checked PFA document's ``action`` to an ONNX graph.

Every value is a batch tensor (one row per input record); read-only cells become
initializers; ``if``/``cond`` run both branches and pick with ``Where``; trees become one
``ai.onnx.ml`` opset-5 TreeEnsemble in double precision; sums of products are unrolled in the
document's order so results equal the engine's. The supported subset is the registry of
lowerings (:mod:`.registry`, one module per family in :mod:`.lowerings`); anything else is
refused with :class:`OnnxRefusal`, naming the document path of the first construct that cannot
compile and why.
"""

from __future__ import annotations

from typing import Any

from pfa.onnx.compiler.compile import compile_document, typed_document
from pfa.onnx.compiler.context import ERROR_METADATA, ERROR_OUTPUT
from pfa.onnx.compiler.refusal import OnnxRefusal
from pfa.onnx.compiler.registry import lowerings, markdown_table


def compile(document: Any, array_lengths: dict[str, int] | None = None) -> Any:  # noqa: A001
    """The ``onnx.ModelProto`` of a PFA document (dict, JSON/YAML/PrettyPFA text or file,
    PfaDocument or checked TypedDocument); raises :class:`OnnxRefusal`."""
    return compile_document(document, array_lengths)


def print_supported() -> None:
    """Print the README table of the compile subset."""
    print(markdown_table())


__all__ = ["compile", "compile_document", "typed_document", "OnnxRefusal", "lowerings",
           "markdown_table", "print_supported", "ERROR_OUTPUT", "ERROR_METADATA"]
