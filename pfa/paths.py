"""JSON paths: how error messages name a place in a document or a datum.

A path starts at ``$``; an array index is ``[i]``, an object member whose name is a plain
name (:data:`pfa.names.NAME_RE`) is ``.name``, any other member is ``["…"]`` with the name as a
JSON string that keeps non-ASCII characters as they are (``$["é"]``, not ``$["\\u00e9"]``;
control characters are escaped).
"""

from __future__ import annotations

import json
from functools import lru_cache

from pfa.names import NAME_RE


def join_path(path: str, key: str | int) -> str:
    """Extend a JSON path by an array index or an object member name."""
    if isinstance(key, int):
        return f"{path}[{key}]"
    return path + _member(key)


@lru_cache(maxsize=4096)
def _member(key: str) -> str:
    """The path step of member ``key`` (documents repeat the same few keys)."""
    if NAME_RE.fullmatch(key):
        return f".{key}"
    return f"[{json.dumps(key, ensure_ascii=False)}]"
