"""JSON bodies in and out of the server: strict (no NaN tokens out), UTF-8, and fast.

:func:`decode` reads a request body and :func:`encode` writes a response body. Both use
``orjson`` when it is installed and fall back to the standard library's ``json`` for anything
orjson reads or writes differently, so the answers are the same with or without it:

- reading: orjson refuses ``NaN``/``Infinity`` tokens and out-of-range numbers that ``json``
  reads, and turns integers beyond 64 bits into floats; a body orjson refuses, or one with a
  run of 19 or more digits (a possibly out-of-range integer), is read by ``json``, whose error
  messages are the ones the client sees;
- writing: orjson writes NaN and ±inf as null (as :func:`plain_json` does) but refuses bytes
  (handed to :func:`_bytes_as_text`), integers beyond 64 bits, non-string keys and lone
  surrogates; those bodies are written by ``json`` after :func:`plain_json` (lone surrogates
  as ``\\uXXXX`` escapes).
"""

from __future__ import annotations

import json
import math
from typing import Any

from .errors import ServeError

try:
    import orjson
except ImportError:  # optional: the standard library answers the same, slower
    orjson = None  # type: ignore[assignment]

_DIGITS = bytes.maketrans(b"123456789", b"000000000")
_LONG_RUN = b"0" * 19
"""Integers of up to 18 digits fit in 64 bits; longer digit runs go to ``json``."""


def plain_json(value: Any) -> Any:
    """An engine value as strict JSON: NaN and ±inf → null, bytes → their code points as a
    string (Avro's JSON encoding), unions bare."""
    tp = type(value)
    if tp is float:
        return value if math.isfinite(value) else None
    if tp is dict:
        return {k: plain_json(v) for k, v in value.items()}
    if tp is list:
        return [plain_json(v) for v in value]
    if tp is bytes:
        return value.decode("latin-1")
    return value


def decode(body: bytes) -> Any:
    """The JSON value of a request body; ServeError 400 (without quoting the body) if it is
    not UTF-8 or not JSON."""
    if orjson is not None and _LONG_RUN not in body.translate(_DIGITS):
        try:
            return orjson.loads(body)
        except orjson.JSONDecodeError:
            pass  # json decides, with its own messages
    return _decode_json(body)


def _decode_json(body: bytes) -> Any:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ServeError(400, f"the body is not UTF-8 (byte offset {exc.start})") from None
    try:
        return json.loads(text)
    except RecursionError:
        raise ServeError(400, "the JSON body is nested too deeply") from None
    except json.JSONDecodeError as exc:
        raise ServeError(400, f"the body is not valid JSON: {exc.msg} at line {exc.lineno} "
                              f"column {exc.colno}") from None
    except ValueError:
        raise ServeError(400, "the JSON body holds a number too large to read") from None


def _bytes_as_text(value: Any) -> Any:
    if type(value) is bytes:
        return value.decode("latin-1")
    raise TypeError


def encode(value: Any) -> bytes:
    """``value`` (engine values inside JSON containers) as strict UTF-8 JSON text."""
    if orjson is not None:
        try:
            return orjson.dumps(value, default=_bytes_as_text)
        except TypeError:  # (orjson.JSONEncodeError is one) json decides
            pass
    return _encode_json(value)


def _encode_json(value: Any) -> bytes:
    plain = plain_json(value)
    text = json.dumps(plain, separators=(",", ":"), allow_nan=False, ensure_ascii=False)
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate (JSON input may carry one): as \uXXXX
        return json.dumps(plain, separators=(",", ":"), allow_nan=False).encode("ascii")
