"""The scikit-learn front end: fitted estimators (and XGBoost/LightGBM models through their
sklearn API), live or saved as .skops, pickle or joblib files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pfa.errors import UnsupportedModelError
from pfa.exporters.frontends import ExportOptions

#: file types of a saved model: skops checks the types it loads; a pickle runs code
SKOPS = ".skops"
PICKLES = (".pkl", ".pickle", ".joblib")


class SklearnFrontEnd:
    name = "sklearn"
    reads = ", ".join((SKOPS, *PICKLES))

    def accepts(self, obj_or_path: Any) -> bool:
        if isinstance(obj_or_path, Path):
            return obj_or_path.suffix.lower() in (SKOPS, *PICKLES)
        return hasattr(obj_or_path, "get_params") and hasattr(obj_or_path, "fit")

    def load(self, path: Path, options: ExportOptions) -> Any:
        return load_model(path, list(options.trust))

    def export(self, model: Any, options: ExportOptions) -> dict[str, Any]:
        from pfa.exporters.sklearn import export

        return export(model, name=options.name, input_schema=options.input_schema,
                      array_input=options.array_input, sample=options.sample,
                      timestamp=options.timestamp)


def load_model(path: Path, trust: list[str] | None = None) -> Any:
    """Load a fitted model; .skops with trusted-type checks, pickles only on request."""
    suffix = path.suffix.lower()
    if not path.is_file():
        raise FileNotFoundError(f"no such file: {path}")
    if suffix == SKOPS:
        import skops.io as sio

        untrusted = [t for t in sio.get_untrusted_types(file=path) if t not in (trust or [])]
        if untrusted:
            raise UnsupportedModelError(
                f"{path} contains types skops does not trust: {', '.join(untrusted)}; "
                "pass --trust TYPE for each one you trust")
        return sio.load(path, trusted=list(trust or []) or None)
    if suffix in PICKLES:
        import joblib

        return joblib.load(path)
    raise ValueError(f"unknown model file type {suffix!r} (expected {SklearnFrontEnd.reads})")


FRONT_END = SklearnFrontEnd()
