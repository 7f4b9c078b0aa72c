"""Facts PrettyPFA needs from outside the text: which bare names are library functions,
which file extensions hold PrettyPFA, and how PrettyPFA text looks."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

__all__ = ["library_function_names", "PRETTY_SUFFIXES", "looks_like_pretty"]

PRETTY_SUFFIXES = (".ppfa", ".pretty")
"""File extensions of PrettyPFA documents."""

_SIGNATURES = Path(__file__).resolve().parent.parent.parent / "lib" / "signatures.json"
_HEADING = re.compile(r"^(input|output|action):", re.MULTILINE)


@cache
def library_function_names() -> frozenset[str]:
    """The names of the PFA library's functions (a bare name that is one of them is a
    function reference, as in titus), from the library's signature table (a data file: the
    document layer imports nothing of the library)."""
    table = json.loads(_SIGNATURES.read_text(encoding="utf-8"))
    return frozenset(f["name"] for f in table["functions"])


def looks_like_pretty(text: str) -> bool:
    """Whether ``text`` reads as PrettyPFA rather than JSON or YAML: it is not a JSON object
    and has an ``input:``, ``output:`` or ``action:`` heading at the start of a line (YAML
    documents have those too: callers try PrettyPFA first and YAML if it fails)."""
    return not text.lstrip().startswith("{") and _HEADING.search(text) is not None
