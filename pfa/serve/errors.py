"""The one error a request handler raises: an HTTP status with a message for the client.

Each protocol renders it in its own error shape (MLflow: ``{"error_code", "message"}``, Open
Inference Protocol: ``{"error"}``). Messages name the place (row, field path, tensor) and never
hold the client's data: :func:`safe_input_message` strips the values that the engine's input
errors quote.
"""

from __future__ import annotations

import re

from pfa.errors import PfaInputError

BAD_REQUEST = "BAD_REQUEST"
INVALID_PARAMETER_VALUE = "INVALID_PARAMETER_VALUE"
RESOURCE_DOES_NOT_EXIST = "RESOURCE_DOES_NOT_EXIST"
INTERNAL_ERROR = "INTERNAL_ERROR"
TEMPORARILY_UNAVAILABLE = "TEMPORARILY_UNAVAILABLE"

_CODE_OF_STATUS = {400: BAD_REQUEST, 404: RESOURCE_DOES_NOT_EXIST, 405: BAD_REQUEST,
                   413: BAD_REQUEST, 415: BAD_REQUEST, 401: BAD_REQUEST, 500: INTERNAL_ERROR,
                   503: TEMPORARILY_UNAVAILABLE}


class ServeError(Exception):
    """An answer other than 200: ``status``, a ``message`` safe to show the client, the MLflow
    ``error_code`` and, for errors raised by the document, the PFA error code."""

    def __init__(self, status: int, message: str, error_code: str | None = None,
                 pfa_code: int | None = None, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.error_code = error_code or _CODE_OF_STATUS.get(status, BAD_REQUEST)
        self.pfa_code = pfa_code
        self.headers = headers or {}


# the engine's input messages quote the offending value; keep the type, drop the value
_QUOTING = (
    (re.compile(r"found (?:an? )?([A-Za-z_][\w.]*)\b.*$"), r"found \1"),
    (re.compile(r"^-?[\d.e+-]+(?: \(\w+\))? is (out of range|too large)"), r"a number is \1"),
    (re.compile(r"^integer .* is too large for (\w+)"), r"an integer is too large for \1"),
    (re.compile(r"has no branch named .*$"), "has no branch of that name"),
    (re.compile(r"has no field .*$"), "has an unexpected field"),
    (re.compile(r"missing value \(.*?\)"), "missing value"),
)
_MAX_PATH = 120


def safe_input_message(err: PfaInputError) -> str:
    """``err`` as "<path>: <what>" without the value it quotes."""
    text = err.message
    for pattern, repl in _QUOTING:
        text = pattern.sub(repl, text)
    return f"{safe_path(err.path)}: {text}"


def safe_path(path: str) -> str:
    """A JSON path of the input, bounded in length (map keys in it come from the client)."""
    return path if len(path) <= _MAX_PATH else path[:_MAX_PATH - 3] + "..."
