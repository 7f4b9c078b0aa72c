"""Adapter for titus2, the Python PFA reference engine (optional).

titus2 1.2.0 needs two aliases removed from Python 3.11 / NumPy 2 restored before it is
imported; the shim lives here only. titus takes unions as bare values and bytes as ``str``
of code points 0-255, so inputs are decoded with titus's own ``jsonDecoder`` and outputs
re-encoded with the suite's engine-independent encoder.
"""

from __future__ import annotations

import inspect
from typing import Any

from conformance.adapters import Outcome
from conformance.avro_json import Names, collect, encode

NAME = "titus"
_IMPORT_ERROR: str | None = None


def _import() -> Any:
    global _IMPORT_ERROR
    try:
        import numpy

        if not hasattr(numpy, "float_"):
            numpy.float_ = numpy.float64  # type: ignore[attr-defined]
        if not hasattr(inspect, "getargspec"):
            inspect.getargspec = inspect.getfullargspec  # type: ignore[attr-defined]
        import titus.datatype
        import titus.errors
        import titus.genpy

        return titus
    except Exception as exc:
        _IMPORT_ERROR = f"titus2 is not importable: {type(exc).__name__}: {exc}"
        return None


def available() -> str | None:
    return None if _import() is not None else _IMPORT_ERROR


def _untag(t: Any, v: Any, names: Names) -> Any:
    """titus values → suite values: bytes from str, unions bare (titus may tag them)."""
    t = names.resolve(t)
    if isinstance(t, list):
        if isinstance(v, dict) and len(v) == 1:
            (tag, inner), = v.items()
            for b in t:
                rb = names.resolve(b)
                if (rb if isinstance(rb, str) else rb.get("name", rb["type"])) == tag \
                        and not (isinstance(rb, dict) and rb["type"] in ("map", "record")):
                    return _untag(b, inner, names)
        for b in t:
            try:
                return _untag(b, v, names)
            except (TypeError, ValueError, KeyError, AttributeError):
                continue
        return v
    if isinstance(t, str):
        if t in ("bytes",):
            if isinstance(v, str):
                return v.encode("latin-1")
            if not isinstance(v, (bytes, bytearray)):
                raise TypeError("not bytes")
        return v
    kind = t["type"]
    if kind == "array":
        if not isinstance(v, list):
            raise TypeError("not a list")
        return [_untag(t["items"], x, names) for x in v]
    if kind == "map":
        if not isinstance(v, dict):
            raise TypeError("not a dict")
        return {k: _untag(t["values"], x, names) for k, x in v.items()}
    if kind == "record":
        if not isinstance(v, dict):
            raise TypeError("not a dict")
        return {f["name"]: _untag(f["type"], v[f["name"]], names) for f in t["fields"]}
    if kind == "fixed" and isinstance(v, str):
        return v.encode("latin-1")
    return v


class _Scorer:
    def __init__(self, doc: Any):
        titus = _import()
        self.titus = titus
        self.engine, = titus.genpy.PFAEngine.fromJson(doc)
        self.doc = doc

    def run(self, input_json: Any) -> Outcome:
        titus = self.titus
        try:
            datum = titus.datatype.jsonDecoder(self.engine.inputType, input_json)
            out = self.engine.action(datum)
        except titus.errors.PFARuntimeException as exc:
            return Outcome("error", exc.code)
        except titus.errors.PFAUserException as exc:
            return Outcome("error", exc.code)
        except Exception as exc:
            return Outcome("crash", f"{type(exc).__name__}: {exc}")
        try:
            names = Names()
            collect(self.doc["input"], names)
            value = _untag(self.doc["output"], out, names)
            return Outcome("ok", encode(self.doc["output"], value, names))
        except Exception as exc:
            return Outcome("crash", f"cannot encode titus output {out!r}: {exc}")


def load(doc: Any) -> _Scorer:
    return _Scorer(doc)
