"""What ``pfa export`` needs to write ONNX through PFA: which inputs are PFA documents, and
the serialized model of a document."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pfa.onnx.compiler.compile import compile_document
from pfa.onnx.compiler.refusal import OnnxRefusal

#: file name endings of PFA documents (JSON, YAML, PrettyPFA)
DOCUMENT_SUFFIXES = (".pfa", ".json", ".yaml", ".yml", ".ppfa", ".pretty")


def is_document(path: Path) -> bool:
    return path.suffix.lower() in DOCUMENT_SUFFIXES


def document_bytes(source: Any, hint: str = "") -> bytes:
    """The serialized ONNX model of a PFA document (path, dict or AST); a refusal says what
    cannot compile and, with ``hint``, what to do instead."""
    if isinstance(source, Path) and not source.is_file():
        raise FileNotFoundError(f"no such file: {source}")
    try:
        return compile_document(source).SerializeToString()
    except OnnxRefusal as err:
        if hint:
            raise OnnxRefusal(err.path, f"{err.why} ({hint})") from None
        raise
