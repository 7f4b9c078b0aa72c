"""Adapter for this project's engine (``pfa.Engine``)."""

from __future__ import annotations

from typing import Any

from conformance.adapters import Outcome

NAME = "pfa"


def available() -> str | None:
    try:
        import pfa.engine.engine  # noqa: F401
    except Exception as exc:  # pragma: no cover - reported, not raised
        return f"cannot import pfa: {exc}"
    return None


class _Scorer:
    def __init__(self, doc: Any):
        from pfa import Engine

        self.engine = Engine.from_json(doc)

    def run(self, input_json: Any) -> Outcome:
        from pfa.errors import PfaError, PfaInputError, PfaRuntimeError

        try:
            datum = self.engine.decode_input(input_json)
            out = self.engine.action(datum)
            return Outcome("ok", self.engine.encode_output(out))
        except PfaInputError as exc:
            return Outcome("crash", f"input rejected: {exc}")
        except PfaRuntimeError as exc:
            return Outcome("error", exc.code)
        except PfaError as exc:
            return Outcome("error", getattr(exc, "code", None))
        except Exception as exc:
            return Outcome("crash", f"{type(exc).__name__}: {exc}")


def load(doc: Any) -> _Scorer:
    return _Scorer(doc)
