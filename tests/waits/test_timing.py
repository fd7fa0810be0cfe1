"""duration, until, time_of_day and weekday: examples on a travelled clock, and properties for any now."""
import datetime
import zoneinfo

import pytest
import time_machine
from hypothesis import given, settings
from hypothesis import strategies as st

from lms_automations.engine.errors import EndRun, PermanentError
from lms_automations.waits.timing import DurationWait, TimeOfDayWait, UntilWait, WeekdayWait

from .support import WEEKDAYS, context, exists, first_reading, offset_at, times, wide_moments, zoned_moments

UTC = datetime.UTC
HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)


def at(*parts):
    return datetime.datetime(*parts, tzinfo=UTC)


# --- duration ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_duration_counts_from_when_the_learner_reaches_the_wait(ada, due):
    with time_machine.travel(at(2026, 3, 28, 23, 30), tick=False):
        # Exact hours, not wall-clock days: London and Paris change their clocks this night.
        assert due(ada, "duration", {"days": 2, "hours": 3, "minutes": 5}) == at(2026, 3, 31, 2, 35)


@settings(max_examples=300, deadline=None)
@given(now=wide_moments, days=st.integers(0, 365), hours=st.integers(0, 23), minutes=st.integers(0, 59))
def test_duration_due_is_now_plus_the_total_exactly(now, days, hours, minutes):
    total = datetime.timedelta(days=days, hours=hours, minutes=minutes)
    params = {"days": days, "hours": hours, "minutes": minutes}
    if datetime.timedelta(minutes=5) <= total <= datetime.timedelta(days=365):
        assert DurationWait.check_params(params) == []
        assert DurationWait().due_at(params, context(now, "Australia/Lord_Howe")) == now + total
    else:
        [error] = DurationWait.check_params(params)
        assert error["message"].startswith("a wait must be between 5 minutes and 365 days (got ")
        with pytest.raises(PermanentError, match="a wait must be between 5 minutes and 365 days"):
            DurationWait().due_at(params, context(now))


@pytest.mark.parametrize(("params", "path", "got"), [
    ({"days": 0}, "params.days", "0 minutes"),
    ({}, "params.days", "0 minutes"),
    ({"minutes": 4}, "params.minutes", "4 minutes"),
    ({"hours": 0, "minutes": 4}, "params.hours", "4 minutes"),
    ({"days": 366}, "params.days", "366 days"),
    ({"days": 365, "hours": 1}, "params.days", "365 days 1 hour"),
    ({"hours": 8761}, "params.hours", "365 days 1 hour"),
    ({"days": 10 ** 12}, "params.days", None),
])
def test_duration_bounds_say_what_to_change(params, path, got):
    [error] = DurationWait.check_params(params)
    assert error["path"] == path
    assert error["message"].startswith("a wait must be between 5 minutes and 365 days (got ")
    if got:
        assert error["message"].endswith(f"(got {got})")


def test_duration_at_the_bounds_is_fine():
    assert DurationWait.check_params({"minutes": 5}) == []
    assert DurationWait.check_params({"days": 365}) == []
    assert DurationWait.check_params({"days": 364, "hours": 23, "minutes": 60}) == []


def test_duration_shape_errors_come_from_the_schema():
    assert DurationWait.check_params({"weeks": 1}) == [
        {"path": "params", "message": "a wait must be between 5 minutes and 365 days; give days, hours and/or "
                                      "minutes"},
        {"path": "params", "message": "unknown param(s) weeks; allowed: days, hours, minutes"},
    ]
    assert DurationWait.check_params({"days": "2"}) == [{"path": "params.days", "message": "must be a whole number "
                                                                                           "(got '2')"}]
    assert DurationWait.check_params({"days": 1, "hours": -1}) == [
        {"path": "params.hours", "message": "must be at least 0 (got -1)"}]
    assert DurationWait.check_params({"days": True})[0]["path"] == "params.days"


# --- until ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_until_reads_a_plain_time_on_the_learners_clock_unless_the_wait_names_a_zone(ada, bob, due):
    with time_machine.travel(at(2026, 1, 10), tick=False):
        assert due(ada, "until", {"at": "2026-02-01T09:00"}) == at(2026, 2, 1, 8, 0)  # Paris, UTC+1
        assert due(bob, "until", {"at": "2026-02-01T09:00"}) == at(2026, 2, 1, 9, 0)  # no preference: UTC
        assert due(ada, "until", {"at": "2026-02-01T09:00", "timezone": "Asia/Kathmandu"}) == at(2026, 2, 1, 3, 15)
        # An offset in the value is an exact instant: no zone changes it.
        assert due(ada, "until", {"at": "2026-02-01T09:00Z", "timezone": "Asia/Kathmandu"}) == at(2026, 2, 1, 9)
        assert due(ada, "until", {"at": "2026-02-01T09:00+05:00"}) == at(2026, 2, 1, 4)
        assert due(ada, "until", {"at": "2026-02-01"}) == at(2026, 1, 31, 23, 0)  # a date is local midnight


@pytest.mark.django_db
def test_until_renders_templates_first(ada, due):
    with time_machine.travel(at(2026, 1, 10), tick=False):
        params = {"at": "{{ event.starts_at }}", "timezone": "America/New_York"}
        assert due(ada, "until", params, event={"starts_at": "2026-03-08T02:30"}) == at(2026, 3, 8, 7, 0)  # gap
        with pytest.raises(PermanentError, match="params.at: 'soon' is not a date and time"):
            due(ada, "until", params, event={"starts_at": "soon"})


def test_until_in_the_past_continues_or_ends_the_run():
    now = at(2026, 1, 10)
    past = {"at": "2026-01-01T00:00Z"}
    assert UntilWait().due_at(past, context(now)) == at(2026, 1, 1)  # ≤ now: the engine moves on
    assert UntilWait().due_at({**past, "if_past": "continue"}, context(now)) == at(2026, 1, 1)
    with pytest.raises(EndRun, match="2026-01-01T00:00Z had already passed"):
        UntilWait().due_at({**past, "if_past": "end"}, context(now))
    # Exactly now is not past.
    assert UntilWait().due_at({"at": "2026-01-10T00:00Z", "if_past": "end"}, context(now)) == now


def test_until_follows_the_fold_rule():
    now = at(2026, 10, 1)
    # 01:30 on 1 November happens twice in New York; the first is 05:30 UTC (EDT).
    assert UntilWait().due_at({"at": "2026-11-01T01:30", "timezone": "America/New_York"}, context(now)) == \
        at(2026, 11, 1, 5, 30)


def test_until_params():
    assert UntilWait.check_params({"at": "2026-09-01T09:00", "timezone": "Europe/Paris", "if_past": "end"}) == []
    assert UntilWait.check_params({"at": "{{ event.starts_at }}"}) == []
    assert UntilWait.check_params({"at": "2026-02-30T09:00"}) == [
        {"path": "params.at", "message": "'2026-02-30T09:00' is not a date on the calendar; check the day and month"}]
    [bad] = UntilWait.check_params({"at": "next monday"})
    assert bad["path"] == "params.at" and "2026-09-01T09:00" in bad["message"]
    assert UntilWait.check_params({"at": "2026-09-01", "timezone": "Europe/Pariss"}) == [
        {"path": "params.timezone",
         "message": "'Europe/Pariss' is not a time zone; use an IANA name such as Europe/Paris or America/New_York"}]
    assert UntilWait.check_params({"at": "2026-09-01", "if_past": "skip"}) == [
        {"path": "params.if_past", "message": "must be one of continue, end (got 'skip')"}]


# --- time_of_day ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_time_of_day_is_on_the_learners_clock_unless_the_wait_names_a_zone(ada, bob, due):
    with time_machine.travel(at(2026, 6, 1, 7, 0), tick=False):  # 09:00 in Paris, 03:00 in New York
        assert due(ada, "time_of_day", {"time": "08:30"}) == at(2026, 6, 2, 6, 30)  # passed in Paris: tomorrow
        assert due(ada, "time_of_day", {"time": "09:30"}) == at(2026, 6, 1, 7, 30)  # still ahead: today
        assert due(ada, "time_of_day", {"time": "08:30", "timezone": "America/New_York"}) == at(2026, 6, 1, 12, 30)
        assert due(bob, "time_of_day", {"time": "08:30"}) == at(2026, 6, 1, 8, 30)  # UTC


@pytest.mark.django_db
def test_time_of_day_exactly_now_is_not_past(ada, due):
    with time_machine.travel(at(2026, 6, 1, 7, 0), tick=False):
        assert due(ada, "time_of_day", {"time": "09:00"}) == at(2026, 6, 1, 7, 0)  # the engine continues at once


def test_time_of_day_in_the_spring_gap_is_when_the_clocks_land():
    now = at(2026, 3, 28, 12, 0)  # London jumps 01:00 → 02:00 on 29 March
    due = TimeOfDayWait().due_at({"time": "01:30"}, context(now, "Europe/London"))
    assert due == at(2026, 3, 29, 1, 0)  # 02:00 BST
    assert due.astimezone(zoneinfo.ZoneInfo("Europe/London")).strftime("%H:%M") == "02:00"


def test_time_of_day_in_the_autumn_fold_is_the_first_and_only_the_first():
    london = "Europe/London"  # falls back 02:00 → 01:00 on 25 October 2026
    assert TimeOfDayWait().due_at({"time": "01:30"}, context(at(2026, 10, 24, 12), london)) == at(2026, 10, 25, 0, 30)
    # Between the two 01:30s (01:10 GMT, second time round): today's 01:30 has been, so tomorrow's.
    assert TimeOfDayWait().due_at({"time": "01:30"}, context(at(2026, 10, 25, 1, 10), london)) == \
        at(2026, 10, 26, 1, 30)


def test_time_of_day_params():
    assert TimeOfDayWait.check_params({"time": "09:30", "timezone": "Australia/Lord_Howe"}) == []
    [error] = TimeOfDayWait.check_params({"time": "9:30"})
    assert error == {"path": "params.time", "message": "'9:30' is not in the expected format (HH:MM on a 24-hour "
                                                       "clock, e.g. 09:30)"}
    assert TimeOfDayWait.check_params({})[0] == {"path": "params.time", "message": "required — add a value"}


@settings(max_examples=500, deadline=None)
@given(zoned=zoned_moments, time=times)
def test_time_of_day_is_the_next_reading_of_that_time(zoned, time):
    """For any now: due ≥ now (= only when now is that very moment), within a day — a day plus the
    clock change when the local day is longer — and the clock reads the time asked for, unless the
    clocks jumped over it that day: then the instant they landed."""
    (zone, now), (hour, minute) = zoned, time
    tz = zoneinfo.ZoneInfo(zone)
    due = TimeOfDayWait().due_at({"time": f"{hour:02d}:{minute:02d}", "timezone": zone}, context(now))
    assert due >= now
    clock_change = abs(offset_at(now - 25 * HOUR, tz) - offset_at(due, tz))
    assert due - now <= DAY + clock_change
    due_local = due.astimezone(tz)
    wanted = datetime.datetime.combine(due_local.date(), datetime.time(hour, minute))
    if exists(wanted, tz):
        assert due == first_reading(wanted, tz)
    else:
        assert due_local.replace(tzinfo=None) > wanted  # moved forward to the end of the gap, same day
        assert offset_at(due - datetime.timedelta(seconds=1), tz) != offset_at(due, tz)
        assert (due - datetime.timedelta(seconds=1)).astimezone(tz).replace(tzinfo=None) < wanted
    # Nothing earlier would do: the day before's reading (if any) is already past.
    previous = wanted - DAY
    if exists(previous, tz):
        assert first_reading(previous, tz) < now


# --- weekday -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_weekday_next_occurrence_on_the_learners_calendar(ada, bob, due):
    with time_machine.travel(at(2026, 3, 2, 9, 0), tick=False):  # Monday; 10:00 in Paris
        assert due(ada, "weekday", {"weekdays": ["monday"], "time": "11:00"}) == at(2026, 3, 2, 10, 0)  # today
        assert due(ada, "weekday", {"weekdays": ["monday"], "time": "09:00"}) == at(2026, 3, 9, 8, 0)  # next week
        assert due(ada, "weekday", {"weekdays": ["friday", "wednesday"], "time": "09:00"}) == at(2026, 3, 4, 8, 0)
        assert due(bob, "weekday", {"weekdays": ["monday"], "time": "09:00"}) == at(2026, 3, 2, 9, 0)  # now, UTC
        # 01:00 Tuesday in Tokyo already: "monday" is next week's there.
        assert due(ada, "weekday", {"weekdays": ["monday", "tuesday"], "time": "08:00", "timezone": "Asia/Tokyo"}) \
            == at(2026, 3, 2, 23, 0)


def test_weekday_across_the_us_spring_change():
    # Sunday 8 March 2026, New York skips 02:00–03:00: a Sunday 02:30 wait fires at 03:00 EDT.
    now = at(2026, 3, 7, 12)
    due = WeekdayWait().due_at({"weekdays": ["sunday"], "time": "02:30"}, context(now, "America/New_York"))
    assert due == at(2026, 3, 8, 7, 0)


def test_weekday_params():
    ok = {"weekdays": ["monday", "friday"], "time": "09:00", "timezone": "Europe/Paris"}
    assert WeekdayWait.check_params(ok) == []
    [error] = WeekdayWait.check_params({**ok, "weekdays": ["Mon"]})
    assert error["path"] == "params.weekdays[0]"
    assert error["message"].startswith("must be one of monday, tuesday, wednesday")
    assert WeekdayWait.check_params({**ok, "weekdays": [0]})[0]["path"] == "params.weekdays[0]"
    assert WeekdayWait.check_params({**ok, "weekdays": []}) == [
        {"path": "params.weekdays", "message": "needs at least 1 item(s)"}]
    assert WeekdayWait.check_params({**ok, "weekdays": ["monday", "monday"]}) == [
        {"path": "params.weekdays", "message": "remove the repeated item(s)"}]


@settings(max_examples=500, deadline=None)
@given(zoned=zoned_moments, time=times, days=st.sets(st.sampled_from(WEEKDAYS), min_size=1))
def test_weekday_is_the_next_reading_on_one_of_the_days(zoned, time, days):
    """For any now: due ≥ now, within 7 days plus a clock change, on one of the days, at the time asked
    for unless the clocks jumped over it (then the instant they landed), and no wanted day's reading in
    between was skipped."""
    (zone, now), (hour, minute) = zoned, time
    tz = zoneinfo.ZoneInfo(zone)
    due = WeekdayWait().due_at({"weekdays": sorted(days), "time": f"{hour:02d}:{minute:02d}", "timezone": zone},
                               context(now))
    assert due >= now
    clock_change = abs(offset_at(now - 7 * DAY - HOUR, tz) - offset_at(due, tz))
    assert due - now <= 7 * DAY + clock_change
    due_local = due.astimezone(tz)
    assert WEEKDAYS[due_local.weekday()] in days
    wanted = datetime.datetime.combine(due_local.date(), datetime.time(hour, minute))
    if exists(wanted, tz):
        assert due == first_reading(wanted, tz)
    else:
        assert due_local.replace(tzinfo=None) > wanted
        assert offset_at(due - datetime.timedelta(seconds=1), tz) != offset_at(due, tz)
    day = now.astimezone(tz).date()
    while day < due_local.date():
        earlier = datetime.datetime.combine(day, datetime.time(hour, minute))
        if WEEKDAYS[day.weekday()] in days and exists(earlier, tz):
            assert first_reading(earlier, tz) < now
        day += DAY
