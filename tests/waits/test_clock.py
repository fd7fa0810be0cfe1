"""The one rule set for local times: gaps move to the end of the jump, folds mean the first reading."""
import datetime
import zoneinfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lms_automations.engine.errors import PermanentError
from lms_automations.waits.clock import UTC, load_zone, next_local_time, parse_hhmm, to_utc, zone_for

from .support import ZONES, context, exists, first_reading, zoned_wall_times


def local(moment, name):
    return moment.astimezone(zoneinfo.ZoneInfo(name))


@pytest.mark.parametrize(("name", "naive", "expected_utc", "expected_local"), [
    # New York skips 02:00–03:00 on 8 March 2026: 02:30 becomes 03:00, the moment the clocks land.
    ("America/New_York", datetime.datetime(2026, 3, 8, 2, 30), datetime.datetime(2026, 3, 8, 7, 0), "03:00"),
    # London skips 01:00–02:00 on 29 March 2026.
    ("Europe/London", datetime.datetime(2026, 3, 29, 1, 0), datetime.datetime(2026, 3, 29, 1, 0), "02:00"),
    ("Europe/London", datetime.datetime(2026, 3, 29, 1, 59), datetime.datetime(2026, 3, 29, 1, 0), "02:00"),
    # Lord Howe skips only half an hour, 02:00–02:30, on 4 October 2026.
    ("Australia/Lord_Howe", datetime.datetime(2026, 10, 4, 2, 15), datetime.datetime(2026, 10, 3, 15, 30), "02:30"),
    # Samoa skipped a whole day, 30 December 2011: 09:00 that day is the first moment of the 31st.
    ("Pacific/Apia", datetime.datetime(2011, 12, 30, 9, 0), datetime.datetime(2011, 12, 30, 10, 0), "00:00"),
])
def test_a_time_the_clocks_jump_over_is_the_first_moment_after_the_jump(name, naive, expected_utc, expected_local):
    moment = to_utc(naive, zoneinfo.ZoneInfo(name))
    assert moment == expected_utc.replace(tzinfo=UTC)
    assert local(moment, name).strftime("%H:%M") == expected_local


@pytest.mark.parametrize(("name", "naive", "expected_utc"), [
    # New York reads 01:30 twice on 1 November 2026: first in EDT (05:30 UTC), then in EST (06:30 UTC).
    ("America/New_York", datetime.datetime(2026, 11, 1, 1, 30), datetime.datetime(2026, 11, 1, 5, 30)),
    ("Europe/London", datetime.datetime(2026, 10, 25, 1, 30), datetime.datetime(2026, 10, 25, 0, 30)),
    # Lord Howe repeats 01:30–02:00 on 5 April 2026 (+11 then +10:30).
    ("Australia/Lord_Howe", datetime.datetime(2026, 4, 5, 1, 45), datetime.datetime(2026, 4, 4, 14, 45)),
])
def test_a_time_the_clocks_show_twice_is_the_first(name, naive, expected_utc):
    assert to_utc(naive, zoneinfo.ZoneInfo(name)) == expected_utc.replace(tzinfo=UTC)


def test_ordinary_times_and_odd_offsets_are_plain_conversions():
    assert to_utc(datetime.datetime(2026, 6, 1, 9, 0), zoneinfo.ZoneInfo("Asia/Kathmandu")) == \
        datetime.datetime(2026, 6, 1, 3, 15, tzinfo=UTC)
    assert to_utc(datetime.datetime(2026, 6, 1, 9, 0, 5, 250), UTC) == datetime.datetime(2026, 6, 1, 9, 0, 5, 250,
                                                                                         tzinfo=UTC)


any_wall_time = st.tuples(st.sampled_from([*ZONES, "Pacific/Apia", "America/Havana"]),
                          st.datetimes(min_value=datetime.datetime(1990, 1, 1),
                                       max_value=datetime.datetime(2045, 1, 1)))


@settings(max_examples=500, deadline=None)
@given(zoned=st.one_of(any_wall_time, zoned_wall_times))
def test_every_wall_clock_time_resolves_by_the_rules(zoned):
    name, naive = zoned
    tz = zoneinfo.ZoneInfo(name)
    moment = to_utc(naive, tz)
    assert moment.tzinfo is UTC
    if exists(naive, tz):
        assert moment == first_reading(naive, tz)
    else:
        # In a gap: the instant of the change — the clock read less than ``naive`` a second before, more at it.
        assert local(moment - datetime.timedelta(seconds=1), name).replace(tzinfo=None) < naive
        assert local(moment, name).replace(tzinfo=None) > naive
        assert offset_changes_at(moment, tz)


def offset_changes_at(moment, tz):
    return (moment - datetime.timedelta(seconds=1)).astimezone(tz).utcoffset() != moment.astimezone(tz).utcoffset()


def test_the_zone_is_the_params_then_the_learners_then_utc():
    paris = context(datetime.datetime(2026, 1, 1, tzinfo=UTC), "Europe/Paris")
    assert zone_for({"timezone": "Asia/Tokyo"}, paris) == zoneinfo.ZoneInfo("Asia/Tokyo")
    assert zone_for({}, paris) == zoneinfo.ZoneInfo("Europe/Paris")
    assert zone_for({"timezone": ""}, paris) == zoneinfo.ZoneInfo("Europe/Paris")
    assert zone_for({}, object()) is UTC
    with pytest.raises(PermanentError, match="'Mars/Olympus' is not a time zone; use an IANA name"):
        zone_for({"timezone": "Mars/Olympus"}, paris)


@pytest.mark.parametrize("name", ["", "America", "../etc/passwd", "/etc/localtime", "utc ", None, 3])
def test_names_that_are_not_zones_load_as_none(name):
    assert load_zone(name) is None


def test_hhmm_is_a_24_hour_clock():
    assert parse_hhmm("00:00") == datetime.time(0, 0)
    assert parse_hhmm("23:59") == datetime.time(23, 59)
    for text in ("24:00", "9:30", "09:60", "09:30:00", "", None):
        with pytest.raises(PermanentError, match="use HH:MM on a 24-hour clock"):
            parse_hhmm(text)


def test_days_are_the_local_calendars():
    # 23:30 UTC on Sunday is already Monday 08:30 in Tokyo: "today" there is Monday.
    now = datetime.datetime(2026, 3, 1, 23, 30, tzinfo=UTC)
    tokyo = zoneinfo.ZoneInfo("Asia/Tokyo")
    assert next_local_time(now, datetime.time(9, 0), tokyo) == datetime.datetime(2026, 3, 2, 0, 0, tzinfo=UTC)
    assert next_local_time(now, datetime.time(9, 0), tokyo, on_day=lambda day: False) is None
