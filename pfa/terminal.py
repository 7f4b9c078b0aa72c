"""Text that comes from a document or an input, made safe to print on a terminal."""

from __future__ import annotations

import re
from typing import Any

# C0 and C1 controls (with ESC, so no escape sequence survives), DEL, lone surrogates and the
# bidirectional-text controls that can make a line read differently from what it holds.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def _escape(match: re.Match[str]) -> str:
    c = ord(match.group())
    return f"\\x{c:02x}" if c < 0x100 else f"\\u{c:04x}"


def printable(text: Any) -> str:
    """``text`` (or its ``str``) with control characters, lone surrogates and bidi controls
    written as Python-style escapes (``\\x1b``, ``\\ud800``): safe to print on a terminal,
    and always one line."""
    return _UNPRINTABLE.sub(_escape, text if isinstance(text, str) else str(text))
