"""time.*: calendar fields of timestamps (seconds since the epoch, UTC) in IANA time zones.

A blank zone means UTC. Valid timestamps run from -62135596800 (0001-01-01T00:00:00Z) to
253402300799 (9999-12-31T23:59:59Z), resolved to the microsecond. Fields are computed from
the local wall-clock time on the proleptic Gregorian calendar, so a zone offset that moves the
first or last expressible instant into year 0 or 10000 still gives an answer.
``time.makeTimestamp`` resolves an ambiguous local time (the repeated hour when clocks go
back) to the earlier instant and rejects a local time that does not exist (skipped when
clocks go forward).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import NamedTuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pfa.lib.registry import error, scalar

TS_MIN = -62135596800.0
TS_MAX = 253402300799.0
_EPOCH = datetime(1970, 1, 1)
_UTC_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class Local(NamedTuple):
    """Wall-clock fields of an instant in a zone."""

    year: int
    month: int
    day: int
    hour: int
    minute: int
    second: int
    weekday: int  # 0 = Monday … 6 = Sunday
    yday: int  # 1 … 366


@lru_cache(maxsize=256)
def _zone(name: str) -> ZoneInfo | None:
    """The ZoneInfo for ``name`` (None for blank, meaning UTC); raises KeyError if unknown."""
    if name == "":
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:
        raise KeyError(name) from exc


def _civil(days: int) -> tuple[int, int, int]:
    """(year, month, day) of ``days`` since 1970-01-01 on the proleptic Gregorian calendar."""
    z = days + 719468
    era = z // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    day = doy - (153 * mp + 2) // 5 + 1
    month = mp + 3 if mp < 10 else mp - 9
    return yoe + era * 400 + (month <= 2), month, day


def _is_leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


_CUMULATIVE = (0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334)


def _whole_seconds(ts: float) -> int:
    """The second containing ``ts`` after rounding it to the microsecond (half to even, like
    ``datetime.fromtimestamp``), so a timestamp a hair before a second counts as that second."""
    frac, whole = math.modf(ts)
    micros = round(frac * 1e6)
    if micros >= 1_000_000:
        return int(whole) + 1
    if micros < 0:
        return int(whole) - 1
    return int(whole)


def local_fields(ts: float, zone: str, zone_code: int, range_code: int) -> Local:
    """The wall-clock fields of timestamp ``ts`` in ``zone`` (spec errors ``zone_code`` for an
    unknown zone, ``range_code`` for a timestamp out of range)."""
    try:
        tz = _zone(zone)
    except KeyError:
        raise error(zone_code) from None
    if not TS_MIN <= ts <= TS_MAX:
        raise error(range_code)
    seconds = _whole_seconds(ts)
    if tz is not None:
        utc = _EPOCH + timedelta(seconds=seconds)
        try:
            offset = tz.utcoffset(utc.replace(tzinfo=UTC).astimezone(tz))
        except OverflowError:  # local time in year 0 or 10000: the offset there is fixed
            offset = tz.utcoffset(utc)
        seconds += int(offset.total_seconds()) if offset else 0
    days, rest = divmod(seconds, 86400)
    year, month, day = _civil(days)
    yday = _CUMULATIVE[month - 1] + day + (month > 2 and _is_leap(year))
    return Local(year, month, day, rest // 3600, rest // 60 % 60, rest % 60, (days + 3) % 7,
                 yday)


def _field(fname: str, base: int, get: Callable[[Local], int]) -> None:
    name = "time." + fname

    def impl(ts: float, zone: str) -> int:
        return get(local_fields(ts, zone, base, base + 1))

    impl.__name__ = fname
    impl.__doc__ = f"{name}(ts, zone) (error codes {base}, {base + 1})."
    scalar(name)(impl)


def _range_test(fname: str, base: int, get: Callable[[Local], int]) -> None:
    name = "time." + fname

    def impl(ts: float, zone: str, low: float, high: float) -> bool:
        if not low < high:
            raise error(base)
        value = get(local_fields(ts, zone, base + 1, base + 2))
        return low <= value < high

    impl.__name__ = fname
    impl.__doc__ = f"{name}(ts, zone, low, high): low <= field < high (codes {base}–{base + 2})."
    scalar(name)(impl)


_FIELDS: list[tuple[str, Callable[[Local], int]]] = [
    ("year", lambda t: t.year),
    ("monthOfYear", lambda t: t.month),
    ("dayOfYear", lambda t: t.yday),
    ("dayOfMonth", lambda t: t.day),
    ("dayOfWeek", lambda t: t.weekday),
    ("hourOfDay", lambda t: t.hour),
    ("minuteOfHour", lambda t: t.minute),
    ("secondOfMinute", lambda t: t.second),
]
for _i, (_fname, _get) in enumerate(_FIELDS):
    _field(_fname, 40000 + 10 * _i, _get)

_GETTERS = dict(_FIELDS)
for _fname, _field_name, _base in [
        ("isSecondOfMinute", "secondOfMinute", 40090),
        ("isMinuteOfHour", "minuteOfHour", 40100),
        ("isHourOfDay", "hourOfDay", 40110),
        ("isDayOfWeek", "dayOfWeek", 40120),
        ("isDayOfMonth", "dayOfMonth", 40130),
        ("isMonthOfYear", "monthOfYear", 40140),
        ("isDayOfYear", "dayOfYear", 40150)]:
    _range_test(_fname, _base, _GETTERS[_field_name])


@scalar("time.isWeekend")
def is_weekend(ts: float, zone: str) -> bool:
    """True on Saturday or Sunday (codes 40160, 40161)."""
    return local_fields(ts, zone, 40160, 40161).weekday >= 5


@scalar("time.isWorkHours")
def is_work_hours(ts: float, zone: str) -> bool:
    """True from 9:00 (inclusive) to 17:00 (exclusive), Monday to Friday (codes 40170, 40171)."""
    t = local_fields(ts, zone, 40170, 40171)
    return t.weekday < 5 and 9 <= t.hour < 17


@scalar("time.makeTimestamp")
def make_timestamp(year: int, month: int, day: int, hour: int, minute: int, second: int,
                   millisecond: int, zone: str) -> float:
    """Seconds since the epoch of a wall-clock time in ``zone`` (codes 40080, 40081)."""
    try:
        tz = _zone(zone)
    except KeyError:
        raise error(40080) from None
    undefined = error(40081)
    if not 0 <= millisecond <= 999:
        raise undefined
    try:
        local = datetime(year, month, day, hour, minute, second, millisecond * 1000)
        if tz is None:
            instant = local.replace(tzinfo=UTC)
        else:
            instant = local.replace(tzinfo=tz)
            back = instant.astimezone(UTC).astimezone(tz)
            if back.replace(tzinfo=None) != local:  # in a gap: this wall-clock time never occurs
                raise undefined
        return (instant - _UTC_EPOCH).total_seconds()
    except (ValueError, OverflowError):
        raise undefined from None
