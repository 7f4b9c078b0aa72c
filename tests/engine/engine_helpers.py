"""Building engines from small documents in the engine tests."""

from __future__ import annotations

from typing import Any

import pytest

from pfa import Engine
from pfa.errors import PfaRuntimeError


def doc(action: Any, input: Any = "null", output: Any = "double", **extra: Any) -> dict:
    """A document around ``action`` (an expression or a list of expressions)."""
    return {"input": input, "output": output, "action": action, **extra}


def engine(action: Any, input: Any = "null", output: Any = "double", **extra: Any) -> Engine:
    options = extra.pop("engine_options", None)
    return Engine.from_json(doc(action, input, output, **extra), options=options)


def run(action: Any, datum: Any = None, input: Any = "null", output: Any = "double",
        **extra: Any) -> Any:
    """Build a map engine and run one action."""
    return engine(action, input, output, **extra).action(datum)


def fails(code: int | None, action: Any, datum: Any = None, input: Any = "null",
          output: Any = "double", **extra: Any) -> PfaRuntimeError:
    """Run one action that must raise a PfaRuntimeError with ``code``; the error."""
    e = engine(action, input, output, **extra)
    with pytest.raises(PfaRuntimeError) as info:
        e.action(datum)
    assert info.value.code == code, info.value
    return info.value
