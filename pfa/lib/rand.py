"""rand.*: pseudorandom numbers, items, strings, bytes and UUIDs.

Every function draws from the engine's generator (``site.context.rng``, a ``random.Random``
seeded by the document's ``randseed``), looked up when the function runs so that a call site
bound before the engine exists still uses the engine's generator. Sizes are reserved in the
engine's budget (:mod:`pfa.runtime.budget`) before anything is drawn.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from typing import Any

from pfa.avro.types import AvroRecord
from pfa.errors import PfaRuntimeError
from pfa.lib._numeric import INT_MAX, INT_MIN, LONG_MAX, LONG_MIN, f32
from pfa.lib.la import param_type
from pfa.lib.registry import CallSite, specialized
from pfa.runtime.budget import budget_of

_MAX_CHAR = 0xD800  # code points below the surrogates


def _rng(site: CallSite) -> Callable[[], random.Random]:
    """A function returning the engine's generator for ``site`` (a private generator when the
    site has no engine context, e.g. when only checking)."""
    context = site.context
    if context is None:
        own = random.Random()
        return lambda: own
    return lambda: context.rng


def _high_over_low(low: float, high: float, code: int, name: str) -> None:
    if not high > low:
        raise PfaRuntimeError(code, "high must be greater than low", name)


def _integers(min_value: int, max_value: int, code: int) -> Callable[[CallSite], Any]:
    def factory(site: CallSite) -> Callable[..., int]:
        rng, name = _rng(site), site.name

        def draw(*bounds: int) -> int:
            if not bounds:
                return rng().randint(min_value, max_value)
            low, high = bounds
            _high_over_low(low, high, code, name)
            return rng().randrange(low, high)
        return draw
    return factory


specialized("rand.int")(_integers(INT_MIN, INT_MAX, 34000))
specialized("rand.long")(_integers(LONG_MIN, LONG_MAX, 34010))


def _uniform(code: int, rounding: Callable[[float], float]) -> Callable[[CallSite], Any]:
    def factory(site: CallSite) -> Callable[[float, float], float]:
        rng, name = _rng(site), site.name

        def draw(low: float, high: float) -> float:
            _high_over_low(low, high, code, name)
            out = rounding(low + (high - low) * rng().random())
            return out if out < high else rounding(low)  # rounding must not reach high
        return draw
    return factory


specialized("rand.float")(_uniform(34020, f32))
specialized("rand.double")(_uniform(34030, float))


@specialized("rand.choice")
def _choice(site: CallSite) -> Callable[[list], Any]:
    rng, name = _rng(site), site.name

    def choice(population: list) -> Any:
        if not population:
            raise PfaRuntimeError(34040, "population must not be empty", name)
        return population[rng().randrange(len(population))]
    return choice


@specialized("rand.choices")
def _choices(site: CallSite) -> Callable[[int, list], list]:
    rng, name, budget = _rng(site), site.name, budget_of(site)

    def choices(size: int, population: list) -> list:
        if not population:
            raise PfaRuntimeError(34050, "population must not be empty", name)
        budget.reserve_items(size, name)
        r, n = rng(), len(population)
        return [population[r.randrange(n)] for _ in range(size)]
    return choices


@specialized("rand.sample")
def _sample(site: CallSite) -> Callable[[int, list], list]:
    rng, name = _rng(site), site.name

    def sample(size: int, population: list) -> list:
        if not population:
            raise PfaRuntimeError(34060, "population must not be empty", name)
        if len(population) < size:
            raise PfaRuntimeError(34061, "population smaller than requested subsample", name)
        return rng().sample(population, max(size, 0))
    return sample


@specialized("rand.histogram")
def _histogram(site: CallSite) -> Callable[[list], Any]:
    rng, name = _rng(site), site.name

    def pick(weights: list[float]) -> int:
        total = 0.0
        for w in weights:
            if not math.isfinite(w):
                raise PfaRuntimeError(34071, "distribution must be finite", name)
            if w < 0.0:
                raise PfaRuntimeError(34072, "distribution must be non-negative", name)
            total += w
        if total == 0.0:
            raise PfaRuntimeError(34070, "distribution must be non-empty", name)
        position = rng().random() * total
        last = 0
        for i, w in enumerate(weights):
            if w > 0.0:
                last = i
                position -= w
                if position < 0.0:
                    return i
        return last  # rounding left a sliver at the top: the last nonzero bin

    if isinstance(getattr(param_type(site, 0), "items", None), AvroRecord):
        def histogram_records(distribution: list[dict[str, Any]]) -> dict[str, Any]:
            return distribution[pick([item["prob"] for item in distribution])]
        return histogram_records
    return pick


def _sized(size: int, code: int, name: str) -> None:
    if size <= 0:
        raise PfaRuntimeError(code, "size must be positive", name)


def _ascii_or_not(source: tuple) -> str:
    """A sample of the characters that ``rand.string`` draws from code points in
    ``source`` = (low, high) (all of them below the surrogates if empty)."""
    return "" if len(source) == 2 and source[1] <= 0x80 else "\u0100"


@specialized("rand.string")
def _string(site: CallSite) -> Callable[..., str]:
    rng, name, budget = _rng(site), site.name, budget_of(site)

    def string(size: int, *source: Any) -> str:
        _sized(size, 34080, name)
        like = source[0] if len(source) == 1 else _ascii_or_not(source)
        budget.reserve_text(size, name, like)
        r = rng()
        if not source:
            return "".join(chr(r.randrange(1, _MAX_CHAR)) for _ in range(size))
        if len(source) == 1:
            population = source[0]
            if not population:
                raise PfaRuntimeError(34083, "population must be non-empty", name)
            return "".join(r.choice(population) for _ in range(size))
        low, high = source
        _high_over_low(low, high, 34081, name)
        if not (1 <= low <= _MAX_CHAR and 1 <= high <= _MAX_CHAR):
            raise PfaRuntimeError(34082, "invalid char", name)
        return "".join(chr(r.randrange(low, high)) for _ in range(size))
    return string


@specialized("rand.bytes")
def _bytes(site: CallSite) -> Callable[..., bytes]:
    rng, name, budget = _rng(site), site.name, budget_of(site)

    def random_bytes(size: int, *source: Any) -> bytes:
        _sized(size, 34090, name)
        budget.reserve(size, name)
        r = rng()
        if not source:
            return bytes(r.getrandbits(8) for _ in range(size))
        if len(source) == 1:
            population = source[0]
            if not population:
                raise PfaRuntimeError(34093, "population must be non-empty", name)
            return bytes(r.choice(population) for _ in range(size))
        low, high = source
        _high_over_low(low, high, 34091, name)
        if not (0 <= low <= 255 and 0 <= high <= 256):
            raise PfaRuntimeError(34092, "invalid byte", name)
        return bytes(r.randrange(low, high) for _ in range(size))
    return random_bytes


def _uuid4(site: CallSite) -> Callable[[], str]:
    rng = _rng(site)

    def uuid4() -> str:
        bits = rng().getrandbits(128)
        bits = (bits & ~(0xF << 76) & ~(0xF << 60)) | (0x4 << 76) | (0x8 << 60)
        text = f"{bits:032x}"
        return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"
    return uuid4


specialized("rand.uuid")(_uuid4)
specialized("rand.uuid4")(_uuid4)


@specialized("rand.gaussian")
def _gaussian(site: CallSite) -> Callable[[float, float], float]:
    rng = _rng(site)

    def gaussian(mu: float, sigma: float) -> float:
        return float(rng().gauss(mu, sigma))
    return gaussian
