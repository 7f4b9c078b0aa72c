"""Helpers for the checker tests: read a document from a dict and check it."""

from __future__ import annotations

import pytest

from pfa.check.checker import TypedDocument, check
from pfa.document.reader import read
from pfa.errors import PfaSemanticError, PfaSemanticErrors


def ok(doc: dict, **kw) -> TypedDocument:
    """Check a document that must be valid."""
    return check(read(doc), **kw)


def errors(doc: dict, **kw) -> list[PfaSemanticError]:
    """Check a document that must be invalid; its errors."""
    with pytest.raises(PfaSemanticErrors) as info:
        check(read(doc), **kw)
    return info.value.errors


def action(expr, input="double", output="double", **extra) -> dict:
    """A map document around one action expression (or list of expressions)."""
    return {"input": input, "output": output, "action": expr, **extra}
