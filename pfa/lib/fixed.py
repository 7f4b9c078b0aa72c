"""The ``fixed.*`` library: conversions between fixed and bytes."""

from __future__ import annotations

from collections.abc import Callable

from pfa.lib.registry import CallSite, scalar, specialized


@scalar("fixed.toBytes")
def to_bytes(x: bytes) -> bytes:
    """Fixed values are held as bytes already."""
    return x


@specialized("fixed.fromBytes")
def from_bytes(site: CallSite) -> Callable[[bytes, bytes], bytes]:
    """Overlay ``replacement`` on ``original``: bytes beyond the replacement's length come
    from ``original``, excess replacement bytes are dropped."""
    def impl(original: bytes, replacement: bytes) -> bytes:
        size = len(original)
        return bytes(replacement[:size]) + original[len(replacement):]
    return impl
