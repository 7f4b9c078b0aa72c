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
from pfa.lib.la import param_type
from pfa.lib.numeric import INT_MAX, INT_MIN, LONG_MAX, LONG_MIN, f32
from pfa.lib.registry import CallSite, error, specialized
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


def _high_over_low(low: float, high: float, code: int) -> None:
    if not high > low:
        raise error(code)


def _integers(min_value: int, max_value: int, code: int) -> Callable[[CallSite], Any]:
    def factory(site: CallSite) -> Callable[..., int]:
        rng = _rng(site)

        def draw(*bounds: int) -> int:
            if not bounds:
                return rng().randint(min_value, max_value)
            low, high = bounds
            _high_over_low(low, high, code)
            return rng().randrange(low, high)
        return draw
    return factory


specialized("rand.int")(_integers(INT_MIN, INT_MAX, 34000))
specialized("rand.long")(_integers(LONG_MIN, LONG_MAX, 34010))


def _uniform(code: int, rounding: Callable[[float], float]) -> Callable[[CallSite], Any]:
    def factory(site: CallSite) -> Callable[[float, float], float]:
        rng = _rng(site)

        def draw(low: float, high: float) -> float:
            _high_over_low(low, high, code)
            out = rounding(low + (high - low) * rng().random())
            return out if out < high else rounding(low)  # rounding must not reach high
        return draw
    return factory


specialized("rand.float")(_uniform(34020, f32))
specialized("rand.double")(_uniform(34030, float))


@specialized("rand.choice")
def _choice(site: CallSite) -> Callable[[list], Any]:
    rng = _rng(site)

    def choice(population: list) -> Any:
        if not population:
            raise error(34040)
        return population[rng().randrange(len(population))]
    return choice


@specialized("rand.choices")
def _choices(site: CallSite) -> Callable[[int, list], list]:
    rng, name, budget = _rng(site), site.name, budget_of(site)

    def choices(size: int, population: list) -> list:
        if not population:
            raise error(34050)
        budget.reserve_items(size, name)
        r, n = rng(), len(population)
        return [population[r.randrange(n)] for _ in range(size)]
    return choices


@specialized("rand.sample")
def _sample(site: CallSite) -> Callable[[int, list], list]:
    rng = _rng(site)

    def sample(size: int, population: list) -> list:
        if not population:
            raise error(34060)
        if len(population) < size:
            raise error(34061)
        return rng().sample(population, max(size, 0))
    return sample


@specialized("rand.histogram")
def _histogram(site: CallSite) -> Callable[[list], Any]:
    rng = _rng(site)

    def pick(weights: list[float]) -> int:
        total = 0.0
        for w in weights:
            if not math.isfinite(w):
                raise error(34071)
            if w < 0.0:
                raise error(34072)
            total += w
        if total == 0.0:
            raise error(34070)
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


def _sized(size: int, code: int) -> None:
    if size <= 0:
        raise error(code)


def _ascii_or_not(source: tuple) -> str:
    """A sample of the characters that ``rand.string`` draws from code points in
    ``source`` = (low, high) (all of them below the surrogates if empty)."""
    return "" if len(source) == 2 and source[1] <= 0x80 else "\u0100"


@specialized("rand.string")
def _string(site: CallSite) -> Callable[..., str]:
    rng, name, budget = _rng(site), site.name, budget_of(site)

    def string(size: int, *source: Any) -> str:
        _sized(size, 34080)
        like = source[0] if len(source) == 1 else _ascii_or_not(source)
        budget.reserve_text(size, name, like)
        r = rng()
        if not source:
            return "".join(chr(r.randrange(1, _MAX_CHAR)) for _ in range(size))
        if len(source) == 1:
            population = source[0]
            if not population:
                raise error(34083)
            return "".join(r.choice(population) for _ in range(size))
        low, high = source
        _high_over_low(low, high, 34081)
        if not (1 <= low <= _MAX_CHAR and 1 <= high <= _MAX_CHAR):
            raise error(34082)
        return "".join(chr(r.randrange(low, high)) for _ in range(size))
    return string


@specialized("rand.bytes")
def _bytes(site: CallSite) -> Callable[..., bytes]:
    rng, name, budget = _rng(site), site.name, budget_of(site)

    def random_bytes(size: int, *source: Any) -> bytes:
        _sized(size, 34090)
        budget.reserve(size, name)
        r = rng()
        if not source:
            return bytes(r.getrandbits(8) for _ in range(size))
        if len(source) == 1:
            population = source[0]
            if not population:
                raise error(34093)
            return bytes(r.choice(population) for _ in range(size))
        low, high = source
        _high_over_low(low, high, 34091)
        if not (0 <= low <= 255 and 0 <= high <= 256):
            raise error(34092)
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
