"""The ``enum.*`` library: an enum value's symbol, index and symbol count."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pfa.lib.core import label_type
from pfa.lib.registry import CallSite, scalar, specialized


@scalar("enum.toString")
def to_string(x: str) -> str:
    """The symbol (enum values are held as their symbol)."""
    return x


@specialized("enum.toInt")
def to_int(site: CallSite) -> Callable[[str], int]:
    """The position of the symbol in the enum's symbol list."""
    return label_type(site).index


@specialized("enum.numSymbols")
def num_symbols(site: CallSite) -> Callable[[Any], int]:
    """The number of symbols of the enum type (a constant)."""
    n = len(label_type(site).symbols)
    return lambda x: n
