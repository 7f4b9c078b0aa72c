"""The ONNX front end: ONNX graphs (``.onnx`` files or ``onnx.ModelProto`` objects) imported
as PFA documents (:mod:`pfa.exporters.onnx.importer`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pfa.exporters.frontends import ExportOptions


class OnnxFrontEnd:
    name = "onnx"
    reads = ".onnx"

    def accepts(self, obj_or_path: Any) -> bool:
        if isinstance(obj_or_path, Path):
            return obj_or_path.suffix.lower() == ".onnx"
        cls = type(obj_or_path)
        return cls.__name__ == "ModelProto" and cls.__module__.startswith("onnx")

    def load(self, path: Path, options: ExportOptions) -> Any:
        from pfa.exporters.onnx.importer import load

        return load(path)

    def export(self, model: Any, options: ExportOptions) -> dict[str, Any]:
        from pfa.errors import UnsupportedModelError
        from pfa.exporters.onnx.importer import import_model

        if options.input_schema is not None or options.sample is not None or \
                options.array_input:
            raise UnsupportedModelError(
                "an ONNX graph declares its own inputs: --input-schema, --sample and "
                "--array-input do not apply")
        return import_model(model, name=options.name, timestamp=options.timestamp)


FRONT_END = OnnxFrontEnd()
