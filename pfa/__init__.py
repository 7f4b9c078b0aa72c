"""pfa: a compiler and runtime for the Portable Format for Analytics (PFA 0.8.1).

>>> from pfa import Engine
>>> Engine.from_json({"input": "int", "output": "int", "action": {"+": ["input", 1]}}).action(1)
2
"""

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
]

try:  # the front end and the checker (guarded: the package imports without them)
    from pfa.document.reader import read, read_yaml  # noqa: F401

    __all__ += ["read", "read_yaml"]
except ImportError:  # pragma: no cover
    pass

try:
    from pfa.check.checker import check  # noqa: F401

    __all__ += ["check"]
except ImportError:  # pragma: no cover
    pass

__version__ = "0.1.0"
