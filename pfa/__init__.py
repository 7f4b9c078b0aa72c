"""pfa: a compiler and runtime for the Portable Format for Analytics (PFA 0.8.1).

>>> from pfa import Engine
>>> Engine.from_json({"input": "int", "output": "int", "action": {"+": ["input", 1]}}).action(1)
2

``pfa.export(estimator)`` (sklearn → PFA document) needs the ``sklearn`` extra and is
imported on first use.
"""

from typing import Any

from pfa.check.checker import check
from pfa.document.reader import read, read_yaml
from pfa.engine.engine import Engine
from pfa.errors import (
    AvroDataError,
    PfaError,
    PfaInputError,
    PfaRuntimeError,
    PfaSemanticError,
    PfaSyntaxError,
    PfaTimeoutError,
    PfaUserError,
    UnsupportedModelError,
)

__all__ = [
    "AvroDataError",
    "Engine",
    "PfaError",
    "PfaInputError",
    "PfaRuntimeError",
    "PfaSemanticError",
    "PfaSyntaxError",
    "PfaTimeoutError",
    "PfaUserError",
    "UnsupportedModelError",
    "check",
    "export",
    "read",
    "read_yaml",
]

__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    if name == "export":  # sklearn is an optional dependency: import the exporter lazily
        from pfa.exporters.sklearn import export

        return export
    raise AttributeError(f"module 'pfa' has no attribute {name!r}")
