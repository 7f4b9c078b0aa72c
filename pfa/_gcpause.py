"""Pausing Python's cyclic garbage collector while a document is loaded.

Reading, checking and decoding a large document allocate millions of containers (the JSON of
a forest's cell, then its decoded value) and create no garbage cycles to speak of; the
collector, triggered by those allocations, would walk the growing structure again and again
(most of the cold-start time of a large model). :func:`gc_paused` switches it off for the
duration and back on afterwards. Nested and concurrent uses share one pause: the collector is
restored (to the state the first one found) when the last one ends. The containers made
during the pause then go straight to the oldest generation (``gc.freeze`` + ``gc.unfreeze``,
two list splices), so the first collection after it does not walk them all once more; this is
skipped when the host has frozen objects of its own (``unfreeze`` would release them).
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
                if gc.get_freeze_count() == 0:
                    gc.freeze()
                    gc.unfreeze()
                gc.enable()
