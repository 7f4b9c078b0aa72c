"""pfa: a compiler and runtime for the Portable Format for Analytics (PFA 0.8.1).

>>> from pfa import Engine
>>> Engine.from_json({"input": "int", "output": "int", "action": {"+": ["input", 1]}}).action(1)
2

Importing ``pfa`` loads only the error classes; ``Engine``, ``check``, ``read`` and
``read_yaml`` are imported on first use, and ``pfa.export(estimator)`` (sklearn → PFA
document, needs the ``sklearn`` extra) too. Inside pfa, modules import from the module that
defines a name, never from this package (it is the top layer, see tests/test_layers.py).
"""

from importlib import import_module
from typing import Any

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
from pfa.version import __version__

#: public names imported on first use: name → defining module
_LAZY = {
    "Engine": "pfa.engine.engine",
    "check": "pfa.check.checker",
    "read": "pfa.document.reader",
    "read_yaml": "pfa.document.reader",
    "export": "pfa.exporters.sklearn",
}

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
    "__version__",
    "check",
    "export",
    "read",
    "read_yaml",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'pfa' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
