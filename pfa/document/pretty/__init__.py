"""PrettyPFA: a readable, C-like text syntax for PFA documents (titus's language).

``loads(text)`` translates PrettyPFA into PFA JSON (a dict the reader takes as it is),
``read_pretty(text)`` reads it on into a :class:`~pfa.document.ast.PfaDocument`, ``load``
reads a document in any syntax (JSON, YAML, PrettyPFA) and ``dumps(doc)`` writes a PFA
document as PrettyPFA. docs/prettypfa.md describes the language.
"""

from __future__ import annotations

from collections.abc import Callable, Container

from pfa._gcpause import gc_paused
from pfa.document.pretty.load import load, read_pretty
from pfa.document.pretty.names import PRETTY_SUFFIXES, library_function_names, looks_like_pretty
from pfa.document.pretty.syntax import PrettyPfaError, parse
from pfa.document.pretty.translate import translate
from pfa.document.pretty.unparse import Unwritable, unparse

__all__ = ["loads", "read_pretty", "load", "dumps", "PrettyPfaError", "Unwritable",
           "library_function_names", "looks_like_pretty", "PRETTY_SUFFIXES"]


def loads(text: str | bytes, functions: Callable[[str], bool] | Container[str] | None = None,
          marks: bool = False) -> dict:
    """The PFA JSON (a dict) of PrettyPFA ``text``; :class:`PrettyPfaError` (a
    ``PfaSyntaxError``) with the line and column if the text is not valid PrettyPFA.
    ``functions`` says which bare names are functions (default: the PFA library's);
    ``marks`` adds locator marks ("@") naming the line and column of each expression."""
    if isinstance(text, (bytes, bytearray)):
        text = bytes(text).decode("utf-8")
    names = library_function_names() if functions is None else functions
    try:
        with gc_paused():  # one pause for both steps: see pfa._gcpause
            return translate(parse(text), names, marks)
    except RecursionError:
        raise PrettyPfaError("the text is nested too deeply to translate") from None


dumps = unparse
"""A PFA document (a PfaDocument, or anything the reader takes) written as PrettyPFA."""
