"""Pausing Python's cyclic garbage collector while a document is loaded.

Reading, checking and decoding a large document allocate millions of containers (the JSON of
a forest's cell, then its decoded value) and create no garbage cycles to speak of; the
collector, triggered by those allocations, would walk the growing structure again and again
(most of the cold-start time of a large model). :func:`gc_paused` switches it off for the
duration and back on afterwards. Nested and concurrent uses share one pause: the collector is
restored (to the state the first one found) when the last one ends. (Moving the pause's
containers to the oldest generation afterwards, with ``gc.freeze`` + ``gc.unfreeze``, saves the
first collection's walk over them but keeps garbage cycles made during the pause, such as a
failed build's traceback holding a huge literal, alive until a full collection: the hostile
mutants ran out of memory with it, so it is not done.)
"""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Iterator

_lock = threading.Lock()
_depth = 0
_was_enabled = False


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Run the body with the cyclic garbage collector disabled."""
    global _depth, _was_enabled
    with _lock:
        if _depth == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _was_enabled:
                gc.enable()
