"""Once-per periods with calendar months (ADR 0017)."""
import datetime
import zoneinfo

import pytest

from lms_automations.engine.entry_periods import add_months, format_entry_period, parse_entry_period

UTC = datetime.UTC


@pytest.mark.parametrize("text", ["P1D", "PT12H", "P14D", "P1M", "P6M", "P1M15D", "P12M", "P1MT6H"])
def test_periods_round_trip(text):
    assert format_entry_period(*parse_entry_period(text)) == text


@pytest.mark.parametrize("text, message", [("P1Y", "P12M"), ("P1MT", "P1M"), ("1M", "P1D"), ("P-1M", "P1D")])
def test_bad_periods_say_what_is_accepted(text, message):
    with pytest.raises(ValueError, match=message):
        parse_entry_period(text)


@pytest.mark.parametrize("start, months, end", [
    (datetime.datetime(2027, 1, 31, 10, tzinfo=UTC), 1, datetime.datetime(2027, 2, 28, 10, tzinfo=UTC)),
    (datetime.datetime(2028, 1, 31, 10, tzinfo=UTC), 1, datetime.datetime(2028, 2, 29, 10, tzinfo=UTC)),
    (datetime.datetime(2027, 8, 31, 0, tzinfo=UTC), 6, datetime.datetime(2028, 2, 29, 0, tzinfo=UTC)),
    (datetime.datetime(2027, 12, 15, 0, tzinfo=UTC), 1, datetime.datetime(2028, 1, 15, 0, tzinfo=UTC)),
    (datetime.datetime(2027, 3, 30, 0, tzinfo=UTC), 11, datetime.datetime(2028, 2, 29, 0, tzinfo=UTC)),
])
def test_months_are_calendar_months_ending_on_the_last_day_when_shorter(start, months, end):
    assert add_months(start, months, UTC) == end


def test_months_keep_the_wall_clock_of_the_site_across_a_daylight_saving_change():
    paris = zoneinfo.ZoneInfo("Europe/Paris")
    start = datetime.datetime(2027, 3, 10, 9, 0, tzinfo=paris)  # winter time, UTC+1
    assert add_months(start, 1, paris) == datetime.datetime(2027, 4, 10, 9, 0, tzinfo=paris)  # summer, UTC+2
    assert add_months(start, 1, paris).astimezone(UTC).hour == 7
