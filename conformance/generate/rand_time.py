"""Cases for rand (pseudorandom: type and range only) and time (zoneinfo)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from conformance.generate._helper import Err, Module, X, arr, rec

IN, L, D, S = "int", "long", "double", "string"
SEED = {"randseed": 31415}


def build_rand() -> Module:
    g = Module("rand")
    t = {"compare": "type-only", **SEED}
    g.fn("rand.int", [], IN, None, [X(())] * 5, **t)
    g.fn("rand.int", [IN, IN], IN, None,
         [X((0, 10), rng=(0, 9)), X((-5, -4), rng=(-5, -5)), X((-100, 100), rng=(-100, 99)),
          X((0, 2), rng=(0, 1)), X((2**31 - 2, 2**31 - 1), rng=(2**31 - 2, 2**31 - 2))], **t)
    g.fn("rand.int", [IN, IN], IN, None, [X((5, 5), err=34000), X((5, 1), err=34000)], **SEED)
    g.fn("rand.long", [], L, None, [X(())] * 3, **t)
    g.fn("rand.long", [L, L], L, None, [X((0, 2**40), rng=(0, 2**40 - 1)), X((-3, 3), rng=(-3, 2))],
         **t)
    g.fn("rand.long", [L, L], L, None, [X((1, 1), err=34010)], **SEED)
    g.fn("rand.float", ["float", "float"], "float", None,
         [X((0.0, 1.0), rng=(0.0, 1.0)), X((-5.0, -4.0), rng=(-5.0, -4.0)),
          X((10.0, 20.0), rng=(10.0, 20.0)), X((0.0, 1e-3), rng=(0.0, 1e-3))], **t)
    g.fn("rand.float", ["float", "float"], "float", None, [X((1.0, 0.0), err=34020)], **SEED)
    g.fn("rand.double", [D, D], D, None,
         [X((0.0, 1.0), rng=(0.0, 1.0)), X((-1e10, 1e10), rng=(-1e10, 1e10)),
          X((2.0, 2.5), rng=(2.0, 2.5)), X((-1.0, 0.0), rng=(-1.0, 0.0))], **t)
    g.fn("rand.double", [D, D], D, None, [X((1.0, 1.0), err=34030)], **SEED)
    g.fn("rand.choice", [arr(IN)], IN, None,
         [X(([1, 2, 3],), rng=(1, 3)), X(([7],), rng=(7, 7)), X(([-1, 1],), rng=(-1, 1)),
          X(([0, 0],), rng=(0, 0))], **t)
    g.fn("rand.choice", [arr(IN)], IN, None, [X(([],), err=34040)], **SEED)
    g.fn("rand.choices", [IN, arr(IN)], arr(IN), None,
         [X((3, [1, 2]), rng=(1, 2)), X((0, [5]), rng=(5, 5)), X((10, [4]), rng=(4, 4)),
          X((5, [-2, 2]), rng=(-2, 2))], **t)
    g.fn("rand.choices", [IN, arr(IN)], arr(IN), None, [X((2, []), err=34050)], **SEED)
    g.fn("rand.sample", [IN, arr(IN)], arr(IN), None,
         [X((2, [1, 2, 3]), rng=(1, 3)), X((3, [4, 5, 6]), rng=(4, 6)), X((0, [1]), rng=(1, 1))],
         **t)
    g.fn("rand.sample", [IN, arr(IN)], arr(IN), None,
         [X((1, []), err=34060), X((4, [1, 2]), err=34061)], **SEED)
    g.fn("rand.histogram", [arr(D)], IN, None,
         [X(([0.2, 0.8],), rng=(0, 1)), X(([0.0, 1.0],), rng=(1, 1)), X(([5.0, 0.0, 0.0],), rng=(0, 0)),
          X(([1.0, 1.0, 1.0],), rng=(0, 2))], **t)
    g.fn("rand.histogram", [arr(D)], IN, None,
         [X(([],), err=34070), X(([1.0, "Infinity"],), err=34071), X(([1.0, -1.0],), err=34072)],
         **SEED)
    hp = rec("HP", prob=D, label=S)
    g.fn("rand.histogram", [arr(hp)], "HP", None,
         [X(([{"prob": 1.0, "label": "a"}],))], **t)
    g.fn("rand.string", [IN], S, None, [X((5,)), X((1,)), X((20,))], **t)
    g.fn("rand.string", [IN, S], S, None,
         [X((4, "ab"), rng=(97, 98)), X((3, "x"), rng=(120, 120))], **t)
    g.fn("rand.string", [IN, IN, IN], S, None,
         [X((6, 65, 91), rng=(65, 90)), X((2, 48, 50), rng=(48, 49))], **t)
    g.fn("rand.string", [IN], S, None, [X((0,), err=34080), X((-1,), err=34080)], **SEED)
    g.fn("rand.string", [IN, IN, IN], S, None, [X((3, 10, 5), err=34081)], **SEED)
    g.fn("rand.bytes", [IN], "bytes", None, [X((5,)), X((1,)), X((16,))], **t)
    g.fn("rand.bytes", [IN, "bytes"], "bytes", None, [X((4, b"\x01\x02"), rng=(1, 2))], **t)
    g.fn("rand.bytes", [IN, IN, IN], "bytes", None, [X((8, 10, 20), rng=(10, 19))], **t)
    g.fn("rand.bytes", [IN], "bytes", None, [X((0,), err=34090)], **SEED)
    g.fn("rand.bytes", [IN, IN, IN], "bytes", None, [X((3, 20, 10), err=34091)], **SEED)
    for name in ("rand.uuid", "rand.uuid4"):
        g.fn(name, [], S, None, [X(())] * 5, **t)
    uuid_re = {"if": {"re.contains": [{name: []}, {"string":
               "^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"}]},
               "then": {"string": "ok"}, "else": {"string": "bad"}}
    for name in ("rand.uuid", "rand.uuid4"):
        g.fn(name, [], S, None, [X((), out="ok")] * 2, action=uuid_re.copy() | {
            "if": {"re.contains": [{name: []}, uuid_re["if"]["re.contains"][1]]}}, **SEED,
            note="version-4 UUID text form")
    g.fn("rand.gaussian", [D, D], D, None,
         [X((0.0, 1.0)), X((10.0, 0.5)), X((-3.0, 2.0)), X((0.0, 0.0), rng=(0.0, 0.0)),
          X((5.0, 1e-9), rng=(4.99, 5.01))], **t)
    return g


def _zone(z: str):
    try:
        return ZoneInfo(z) if z else dt.UTC
    except (ZoneInfoNotFoundError, ValueError):
        return None


def _when(ts: float, z: str, code: int) -> dt.datetime:
    tz = _zone(z)
    if tz is None:
        raise Err(code)
    if not -62135596800 <= ts < 253402300800:
        raise Err(code + 1)
    return dt.datetime(1970, 1, 1, tzinfo=dt.UTC).astimezone(tz) + dt.timedelta(seconds=ts)


def _local(ts, z, code):
    w = _when(ts, z, code)
    return w.astimezone(w.tzinfo)


FIELDS = {
    "year": lambda w: w.year, "monthOfYear": lambda w: w.month,
    "dayOfYear": lambda w: w.timetuple().tm_yday, "dayOfMonth": lambda w: w.day,
    "dayOfWeek": lambda w: w.weekday(), "hourOfDay": lambda w: w.hour,
    "minuteOfHour": lambda w: w.minute, "secondOfMinute": lambda w: w.second,
}
CODES = {"year": 40000, "monthOfYear": 40010, "dayOfYear": 40020, "dayOfMonth": 40030,
         "dayOfWeek": 40040, "hourOfDay": 40050, "minuteOfHour": 40060, "secondOfMinute": 40070}
IS = {"isSecondOfMinute": ("secondOfMinute", 40090), "isMinuteOfHour": ("minuteOfHour", 40100),
      "isHourOfDay": ("hourOfDay", 40110), "isDayOfWeek": ("dayOfWeek", 40120),
      "isDayOfMonth": ("dayOfMonth", 40130), "isMonthOfYear": ("monthOfYear", 40140),
      "isDayOfYear": ("dayOfYear", 40150)}
TS = [(0.0, ""), (1700000000.5, "UTC"), (1700000000.5, "America/New_York"), (-1.0, "UTC"),
      (951782400.0, "Asia/Kolkata"), (1e9, "Bad/Zone"), (1e13, "UTC")]


def build_time() -> Module:
    g = Module("time")
    for name, f in FIELDS.items():
        code = CODES[name]
        g.fn(f"time.{name}", [D, S], IN, lambda ts, z, f=f, code=code: f(_local(ts, z, code)), TS)
    for name, (field, code) in IS.items():
        f = FIELDS[field]
        lo_hi = {"secondOfMinute": (0, 30), "minuteOfHour": (30, 60), "hourOfDay": (9, 17),
                 "dayOfWeek": (0, 5), "dayOfMonth": (1, 15), "monthOfYear": (1, 7),
                 "dayOfYear": (1, 180)}[field]

        def ref(ts, z, lo, hi, f=f, code=code):
            if lo >= hi:
                raise Err(code)
            return lo <= f(_local(ts, z, code + 1)) < hi

        g.fn(f"time.{name}", [D, S, D, D], "boolean", ref,
             [(ts, z, *lo_hi) for ts, z in TS[:5]] + [(0.0, "UTC", 5.0, 5.0), (0.0, "Bad/Zone",
                                                                                *lo_hi)])
    g.fn("time.isWeekend", [D, S], "boolean",
         lambda ts, z: _local(ts, z, 40160).weekday() >= 5, TS)
    g.fn("time.isWorkHours", [D, S], "boolean",
         lambda ts, z: (w := _local(ts, z, 40170)).weekday() < 5 and 9 <= w.hour < 17, TS)

    def make(y, mo, d, h, mi, s, ms, z):
        tz = _zone(z)
        if tz is None:
            raise Err(40080)
        try:
            w = dt.datetime(y, mo, d, h, mi, s, ms * 1000, tzinfo=tz)
        except ValueError:
            raise Err(40081) from None
        return w.timestamp() if y > 1 else (w - dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
                                            ).total_seconds()

    g.fn("time.makeTimestamp", [IN, IN, IN, IN, IN, IN, IN, S], D, make,
         [(1970, 1, 1, 0, 0, 0, 0, "UTC"), (2023, 11, 14, 22, 13, 20, 500, ""),
          (2000, 2, 29, 12, 0, 0, 0, "America/New_York"), (2001, 2, 29, 0, 0, 0, 0, "UTC"),
          (2020, 13, 1, 0, 0, 0, 0, "UTC"), (2020, 1, 1, 0, 0, 0, 0, "Bad/Zone"),
          (1969, 12, 31, 23, 59, 59, 999, "Asia/Kolkata")])
    return g


def build() -> list[Module]:
    return [build_rand(), build_time()]
