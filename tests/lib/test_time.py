"""time.*: calendar fields against datetime / zoneinfo."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pfa.avro.types import DOUBLE, INT, STRING
from tests.lib.helpers import call, fn, raises

TS_MIN = -62135596800.0
TS_MAX = 253402300799.0
ZONES = ["", "UTC", "America/New_York", "Europe/Berlin", "Asia/Kolkata", "Australia/Lord_Howe",
         "Pacific/Chatham", "America/St_Johns", "Asia/Kathmandu", "Pacific/Kiritimati"]
FIELDS = ["year", "monthOfYear", "dayOfYear", "dayOfMonth", "dayOfWeek", "hourOfDay",
          "minuteOfHour", "secondOfMinute"]
# datetime's answer for each field
EXPECTED = {
    "year": lambda d: d.year,
    "monthOfYear": lambda d: d.month,
    "dayOfYear": lambda d: d.timetuple().tm_yday,
    "dayOfMonth": lambda d: d.day,
    "dayOfWeek": lambda d: d.weekday(),
    "hourOfDay": lambda d: d.hour,
    "minuteOfHour": lambda d: d.minute,
    "secondOfMinute": lambda d: d.second,
}
TESTS = {"isSecondOfMinute": "secondOfMinute", "isMinuteOfHour": "minuteOfHour",
         "isHourOfDay": "hourOfDay", "isDayOfWeek": "dayOfWeek", "isDayOfMonth": "dayOfMonth",
         "isMonthOfYear": "monthOfYear", "isDayOfYear": "dayOfYear"}
MK_TYPES = [INT] * 7 + [STRING]
BASE = {name: 40000 + 10 * i for i, name in enumerate(FIELDS)}
TEST_BASE = {"isSecondOfMinute": 40090, "isMinuteOfHour": 40100, "isHourOfDay": 40110,
             "isDayOfWeek": 40120, "isDayOfMonth": 40130, "isMonthOfYear": 40140,
             "isDayOfYear": 40150}


def local(ts: float, zone: str) -> datetime:
    return datetime.fromtimestamp(ts, ZoneInfo(zone or "UTC"))


# keep the local time inside datetime's range (years 1 … 9999) in every zone
timestamps = st.floats(TS_MIN + 86400, TS_MAX - 86400, allow_nan=False)


@settings(max_examples=300, deadline=None)
@given(timestamps, st.sampled_from(ZONES))
def test_fields_vs_zoneinfo(ts: float, zone: str) -> None:
    d = local(ts, zone)
    for name in FIELDS:
        assert call(f"time.{name}", ts, zone) == EXPECTED[name](d), (name, ts, zone)
    assert call("time.isWeekend", ts, zone) == (d.weekday() >= 5)
    assert call("time.isWorkHours", ts, zone) == (d.weekday() < 5 and 9 <= d.hour < 17)


@settings(max_examples=200, deadline=None)
@given(timestamps, st.sampled_from(ZONES), st.sampled_from(sorted(TESTS)),
       st.floats(-2, 400, allow_nan=False), st.floats(0.5, 400, allow_nan=False))
def test_range_tests_vs_zoneinfo(ts: float, zone: str, test: str, low: float,
                                 width: float) -> None:
    value = EXPECTED[TESTS[test]](local(ts, zone))
    assert call(f"time.{test}", ts, zone, low, low + width) == (low <= value < low + width)


def test_known_values() -> None:
    ts = 1700000000.0  # 2023-11-14T22:13:20Z, a Tuesday
    assert [call(f"time.{f}", ts, "") for f in FIELDS] == [2023, 11, 318, 14, 1, 22, 13, 20]
    assert call("time.hourOfDay", ts, "America/New_York") == 17
    assert call("time.minuteOfHour", ts, "Asia/Kolkata") == 43
    assert call("time.dayOfWeek", 0.0, "") == 3  # 1970-01-01 was a Thursday
    assert call("time.secondOfMinute", -0.5, "") == 59  # fractions round towards the past
    assert call("time.year", TS_MIN, "") == 1
    assert call("time.year", TS_MAX, "") == 9999
    assert call("time.dayOfYear", TS_MAX, "") == 365
    assert call("time.isWorkHours", ts, "America/New_York") is False  # 17:13
    assert call("time.isWorkHours", ts - 3600, "America/New_York") is True
    assert call("time.isWeekend", ts + 4 * 86400, "") is True  # Saturday


def test_edges_shifted_out_of_the_calendar_range() -> None:
    """The first and last expressible instants in zones that move them to year 0 / 10000."""
    assert call("time.year", TS_MIN, "America/New_York") == 0
    assert call("time.monthOfYear", TS_MIN, "America/New_York") == 12
    assert call("time.dayOfMonth", TS_MIN, "America/New_York") == 31
    assert call("time.year", TS_MAX, "Asia/Tokyo") == 10000
    assert call("time.dayOfYear", TS_MAX, "Asia/Tokyo") == 1


@settings(max_examples=200, deadline=None)
@given(st.datetimes(datetime(1, 1, 2), datetime(9999, 12, 30)), st.sampled_from(ZONES))
def test_make_timestamp_vs_zoneinfo(when: datetime, zone: str) -> None:
    tz = ZoneInfo(zone or "UTC")
    aware = when.replace(microsecond=when.microsecond // 1000 * 1000, tzinfo=tz)
    roundtrip = aware.astimezone(UTC).astimezone(tz)
    args = (when.year, when.month, when.day, when.hour, when.minute, when.second,
            when.microsecond // 1000, zone)
    if roundtrip.replace(tzinfo=None) != aware.replace(tzinfo=None):
        raises(40081, fn("time.makeTimestamp", *MK_TYPES), *args)
    else:
        expected = (aware - datetime(1970, 1, 1, tzinfo=UTC)).total_seconds()
        assert call("time.makeTimestamp", *args) == expected


def test_make_timestamp_daylight_saving() -> None:
    # 2023-11-05 01:30 happens twice in New York: the earlier (EDT) instant is chosen
    assert call("time.makeTimestamp", 2023, 11, 5, 1, 30, 0, 0, "America/New_York") == \
        datetime(2023, 11, 5, 5, 30, tzinfo=UTC).timestamp()
    # 2023-03-12 02:30 never happens in New York
    raises(40081, fn("time.makeTimestamp", *MK_TYPES),
           2023, 3, 12, 2, 30, 0, 0, "America/New_York")
    assert call("time.makeTimestamp", 1970, 1, 1, 0, 0, 1, 250, "") == 1.25


@pytest.mark.parametrize("args", [
    (2023, 2, 29, 0, 0, 0, 0), (2023, 13, 1, 0, 0, 0, 0), (2023, 0, 1, 0, 0, 0, 0),
    (2023, 1, 1, 24, 0, 0, 0), (2023, 1, 1, 0, 60, 0, 0), (2023, 1, 1, 0, 0, 60, 0),
    (2023, 1, 1, 0, 0, 0, 1000), (2023, 1, 1, 0, 0, 0, -1), (0, 1, 1, 0, 0, 0, 0),
    (10000, 1, 1, 0, 0, 0, 0)])
def test_make_timestamp_impossible_values(args: tuple) -> None:
    raises(40081, fn("time.makeTimestamp", *MK_TYPES), *args, "")


def test_make_timestamp_unknown_zone() -> None:
    raises(40080, fn("time.makeTimestamp", *MK_TYPES), 2023, 1, 1, 0, 0, 0, 0, "Mars/Olympus")


@pytest.mark.parametrize("name", [*FIELDS, "isWeekend", "isWorkHours"])
def test_field_error_codes(name: str) -> None:
    base = BASE.get(name, 40160 if name == "isWeekend" else 40170)
    f = fn(f"time.{name}", DOUBLE, STRING)
    raises(base, f, 0.0, "Not/AZone")
    raises(base, f, 0.0, "../../etc/passwd")
    raises(base + 1, f, TS_MIN - 1, "")
    raises(base + 1, f, TS_MAX + 1, "UTC")
    raises(base + 1, f, float("nan"), "")
    raises(base + 1, f, float("inf"), "")


@pytest.mark.parametrize("name", sorted(TESTS))
def test_range_test_error_codes(name: str) -> None:
    base = TEST_BASE[name]
    f = fn(f"time.{name}", DOUBLE, STRING, DOUBLE, DOUBLE)
    raises(base, f, 0.0, "", 3.0, 3.0)
    raises(base, f, 0.0, "", 4.0, 3.0)
    raises(base, f, 0.0, "", float("nan"), 3.0)
    raises(base + 1, f, 0.0, "Nowhere/Else", 0.0, 3.0)
    raises(base + 2, f, TS_MAX + 1, "", 0.0, 3.0)
