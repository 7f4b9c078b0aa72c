"""Execution options of an engine: timeouts, the size limit of a value, the random seed.

The document's ``options`` field may be overridden by the host (``Engine.from_json(...,
options={...})``). Timeouts are in milliseconds; a negative value means "no timeout".
``timeout.begin``, ``timeout.action`` and ``timeout.end`` override the general ``timeout`` for
one routine. The engine enforces them cooperatively: compiled loops check the clock on every
iteration and user functions on every entry (only when some timeout is set, so documents
without timeouts pay nothing), raising :class:`pfa.errors.PfaTimeoutError`; library functions
that loop check the deadline too (:mod:`pfa.runtime.budget`).

``memory.value`` is the most bytes one value built by a library function may take (default
256 MiB, :data:`pfa.runtime.budget.DEFAULT_VALUE_LIMIT`): a call that would build a larger
value (``s.repeat``, ``a.permutations``, ``rand.string`` …, estimated from its arguments before
anything is allocated) raises runtime error 90000 "value too large". A document may lower the
limit; only the host (``options=``) may raise it above the default.
"""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass
from typing import Any

from pfa.errors import PfaSemanticError
from pfa.runtime.budget import DEFAULT_VALUE_LIMIT

log = logging.getLogger("pfa.engine")



@dataclass(frozen=True)
class EngineOptions:
    """The options an engine runs with (after host overrides)."""

    timeout_begin: int = -1
    timeout_action: int = -1
    timeout_end: int = -1
    value_limit: int = DEFAULT_VALUE_LIMIT  # memory.value, bytes
    raw: tuple[tuple[str, Any], ...] = ()

    @property
    def any_timeout(self) -> bool:
        return max(self.timeout_begin, self.timeout_action, self.timeout_end) >= 0

    def timeout_for(self, routine: str) -> int:
        """The timeout in milliseconds of ``routine`` ("begin", "action", "end" or "merge";
        merge uses the action timeout); negative if none."""
        if routine == "begin":
            return self.timeout_begin
        if routine == "end":
            return self.timeout_end
        return self.timeout_action


def _int_option(opts: dict[str, Any], key: str, default: int) -> int:
    if key not in opts:
        return default
    v = opts[key]
    if isinstance(v, bool) or not isinstance(v, int):
        raise PfaSemanticError(f"option {key!r} must be an integer, found {v!r}",
                               f"$.options[{key!r}]")
    return v


def merge_options(document: dict[str, Any] | None, override: dict[str, Any] | None
                  ) -> dict[str, Any]:
    """The document's options with the host's ``override`` on top (overrides are logged).
    A document's ``memory.value`` above the default limit is lowered to it (only the host
    may raise the limit)."""
    out = dict(document or {})
    doc_limit = out.get("memory.value")
    if ("memory.value" not in (override or {}) and type(doc_limit) is int
            and doc_limit > DEFAULT_VALUE_LIMIT):
        log.info("document option 'memory.value' %d lowered to the default limit %d",
                 doc_limit, DEFAULT_VALUE_LIMIT)
        out["memory.value"] = DEFAULT_VALUE_LIMIT
    for k, v in (override or {}).items():
        if k in out and out[k] != v:
            log.info("host overrides option %r: %r -> %r", k, out[k], v)
        out[k] = v
    return out


def overrides_from_text(items: list[str]) -> dict[str, Any]:
    """The host's ``KEY=VALUE`` option overrides as given on a command line (VALUE read as
    JSON when it parses, else kept as text); ValueError names an item without ``KEY=``."""
    import json

    out: dict[str, Any] = {}
    for item in items:
        key, sep, raw = item.partition("=")
        if not sep or not key:
            raise ValueError(f"--option needs KEY=VALUE, found {item!r}")
        try:
            out[key] = json.loads(raw)
        except ValueError:
            out[key] = raw
    return out


def parse_options(opts: dict[str, Any]) -> EngineOptions:
    """Interpret the recognised options (unrecognised ones are kept in ``raw``, ignored)."""
    general = _int_option(opts, "timeout", -1)
    return EngineOptions(
        timeout_begin=_int_option(opts, "timeout.begin", general),
        timeout_action=_int_option(opts, "timeout.action", general),
        timeout_end=_int_option(opts, "timeout.end", general),
        value_limit=_value_limit(opts),
        raw=tuple(opts.items()),
    )


def _value_limit(opts: dict[str, Any]) -> int:
    limit = _int_option(opts, "memory.value", DEFAULT_VALUE_LIMIT)
    if limit <= 0:
        raise PfaSemanticError(f"option 'memory.value' must be a positive number of bytes, "
                               f"found {limit}", "$.options['memory.value']")
    return limit


def make_rng(randseed: int | None, instance: int) -> random.Random:
    """The pseudorandom generator of engine ``instance``.

    Without a ``randseed`` the generator is seeded from the operating system (unpredictable).
    With one, every instance gets its own deterministic stream derived from the seed and the
    instance number, so a battery of engines made from one document does not repeat itself.
    """
    if randseed is None:
        return random.Random()
    if instance == 0:
        return random.Random(randseed)
    return random.Random(f"pfa-randseed:{randseed}:instance:{instance}")
