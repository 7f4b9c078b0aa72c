"""Every error a user of pfa can see.

Document problems are found before anything runs (``PfaSyntaxError`` while reading,
``PfaSemanticError`` while type checking); problems while running carry the PFA
specification's numeric error code (``PfaRuntimeError``). Exporters raise
``UnsupportedModelError``. All derive from ``PfaError`` so a host can catch one class.
"""

from __future__ import annotations


class PfaError(Exception):
    """Base class of every error pfa raises on purpose."""


def _where(path: str | None, locator: str | None) -> str:
    parts = []
    if path:
        parts.append(f"at {path}")
    if locator:
        parts.append(f"(source {locator})")
    return " ".join(parts)


class PfaSyntaxError(PfaError):
    """The document is not well-formed PFA (wrong JSON shape, unknown form, bad literal).

    ``path`` is a JSON path into the document such as ``$.action[0].let.x``.
    """

    def __init__(self, message: str, path: str | None = None, locator: str | None = None):
        self.message = message
        self.path = path
        self.locator = locator
        where = _where(path, locator)
        super().__init__(f"{message} {where}".strip() if where else message)


class PfaSemanticError(PfaError):
    """The document is well-formed but does not type-check (or breaks a scoping rule)."""

    def __init__(self, message: str, path: str | None = None, locator: str | None = None):
        self.message = message
        self.path = path
        self.locator = locator
        where = _where(path, locator)
        super().__init__(f"{message} {where}".strip() if where else message)


class PfaSemanticErrors(PfaSemanticError):
    """Several semantic errors found in one pass of the checker; ``errors`` lists them."""

    def __init__(self, errors: list[PfaSemanticError]):
        self.errors = list(errors)
        first = self.errors[0]
        super().__init__(first.message, first.path, first.locator)
        if len(self.errors) > 1:
            self.args = (f"{first} (and {len(self.errors) - 1} more errors)",)


class PfaRuntimeError(PfaError):
    """An error raised while a document runs, with the spec's error ``code``.

    Library and special-form errors have positive codes from the specification;
    user errors raised with the ``error`` form have negative (or no) codes.
    ``fcn`` names the library function or special form that raised it.
    """

    def __init__(self, code: int | None, message: str, fcn: str | None = None):
        self.code = code
        self.message = message
        self.fcn = fcn
        text = message
        if fcn:
            text = f"{message} in {fcn}"
        if code is not None:
            text = f"{text} (code {code})"
        super().__init__(text)


class PfaUserError(PfaRuntimeError):
    """Raised by the ``error`` special form."""


class PfaTimeoutError(PfaRuntimeError):
    """A ``begin``, ``action`` or ``end`` routine exceeded its timeout option."""

    def __init__(self, timeout_ms: int, routine: str = "action"):
        self.timeout_ms = timeout_ms
        self.routine = routine
        super().__init__(None, f"exceeded timeout of {timeout_ms} milliseconds", routine)


class PfaInputError(PfaError):
    """An input datum does not match the engine's input type; ``path`` says where."""

    def __init__(self, message: str, path: str = "$"):
        self.message = message
        self.path = path
        super().__init__(f"input datum does not match the input type at {path}: {message}")


class AvroDataError(PfaError):
    """A datum does not conform to an Avro type (or its JSON encoding is malformed)."""

    def __init__(self, message: str, path: str = "$"):
        self.message = message
        self.path = path
        super().__init__(f"{message} at {path}")


class UnsupportedModelError(PfaError):
    """An exporter met an estimator or option it cannot translate faithfully.

    ``reason``: the key of the documented refusal reason (``pfa.exporters.refusals.REASONS``),
    if any.
    """

    def __init__(self, message: str, estimator: str | None = None, place: str | None = None,
                 supported: list[str] | None = None, reason: str | None = None):
        self.estimator = estimator
        self.place = place
        self.supported = supported or []
        self.reason = reason
        super().__init__(message)
