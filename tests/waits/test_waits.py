"""Wait due times: time zones, DST, leap days and the bounds staff are told about."""
import datetime
import zoneinfo
from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lms_automations.engine.errors import EndRun, PermanentError
from lms_automations.waits.clock import wall_clock
from lms_automations.waits.fields import FieldDateWait, FieldDurationWait
from lms_automations.waits.timing import DurationWait, TimeOfDayWait, UntilWait, WeekdayWait

UTC = datetime.UTC
ZONES = ["Europe/London", "America/New_York", "Australia/Lord_Howe", "Asia/Kathmandu", "UTC"]


def ctx(now, tz="UTC", user_id=None):
    return SimpleNamespace(now=now, tzinfo=zoneinfo.ZoneInfo(tz), user_id=user_id)


aware = st.datetimes(min_value=datetime.datetime(2000, 1, 1), max_value=datetime.datetime(2040, 1, 1),
                     timezones=st.just(UTC))


def test_duration_is_exact_and_bounded():
    now = datetime.datetime(2026, 3, 29, 0, 30, tzinfo=UTC)
    assert DurationWait().due_at({"days": 2, "hours": 3}, ctx(now)) == now + datetime.timedelta(days=2, hours=3)
    assert DurationWait.check_params({"days": 0}) == [
        {"path": "params.days", "message": "a wait must be between 5 minutes and 365 days (got 0 minutes)"}]
    assert DurationWait.check_params({"days": 366})[0]["message"].endswith("(got 366 days)")
    assert DurationWait.check_params({"weeks": 1})[0]["message"].startswith("unknown param(s) weeks")


def test_time_of_day_uses_the_learner_zone_unless_the_wait_names_one():
    now = datetime.datetime(2026, 6, 1, 7, 0, tzinfo=UTC)  # 09:00 in Paris, 03:00 in New York
    paris = TimeOfDayWait().due_at({"time": "08:30"}, ctx(now, "Europe/Paris"))
    assert paris == datetime.datetime(2026, 6, 2, 6, 30, tzinfo=UTC)  # passed today → tomorrow
    new_york = TimeOfDayWait().due_at({"time": "08:30", "timezone": "America/New_York"}, ctx(now, "Europe/Paris"))
    assert new_york == datetime.datetime(2026, 6, 1, 12, 30, tzinfo=UTC)


def test_a_time_in_the_spring_gap_moves_forward_by_the_gap():
    now = datetime.datetime(2026, 3, 28, 12, 0, tzinfo=UTC)  # London jumps 01:00 → 02:00 on 29 March
    due = TimeOfDayWait().due_at({"time": "01:30"}, ctx(now, "Europe/London"))
    assert due == datetime.datetime(2026, 3, 29, 1, 30, tzinfo=UTC)  # 02:30 BST
    assert due.astimezone(zoneinfo.ZoneInfo("Europe/London")).strftime("%H:%M") == "02:30"


def test_a_time_that_happens_twice_means_the_first():
    now = datetime.datetime(2026, 10, 24, 12, 0, tzinfo=UTC)  # London falls back at 02:00 on 25 October
    due = TimeOfDayWait().due_at({"time": "01:30"}, ctx(now, "Europe/London"))
    assert due == datetime.datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 01:30 BST, not GMT


@settings(max_examples=300, deadline=None)
@given(now=aware, zone=st.sampled_from(ZONES), hour=st.integers(0, 23), minute=st.integers(0, 59))
def test_time_of_day_is_the_next_occurrence_within_a_day(now, zone, hour, minute):
    due = TimeOfDayWait().due_at({"time": f"{hour:02d}:{minute:02d}", "timezone": zone}, ctx(now))
    assert now < due <= now + datetime.timedelta(hours=26)
    local = due.astimezone(zoneinfo.ZoneInfo(zone))
    in_gap = wall_clock(local.date(), datetime.time(hour, minute), zoneinfo.ZoneInfo(zone)) == due and (
        (local.hour, local.minute) != (hour, minute))
    assert (local.hour, local.minute) == (hour, minute) or in_gap


@settings(max_examples=200, deadline=None)
@given(now=aware, zone=st.sampled_from(ZONES), days=st.sets(st.sampled_from(
    ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]), min_size=1))
def test_weekday_is_one_of_the_days_within_a_week(now, zone, days):
    due = WeekdayWait().due_at({"weekdays": sorted(days), "time": "09:00", "timezone": zone}, ctx(now))
    assert now < due <= now + datetime.timedelta(days=7, hours=2)
    assert due.astimezone(zoneinfo.ZoneInfo(zone)).strftime("%A").lower() in days


def test_until_naive_is_local_and_past_can_end_the_run():
    now = datetime.datetime(2026, 1, 10, tzinfo=UTC)
    due = UntilWait().due_at({"at": "2026-02-01T09:00", "timezone": "Asia/Kathmandu"}, ctx(now))
    assert due == datetime.datetime(2026, 2, 1, 3, 15, tzinfo=UTC)
    with pytest.raises(EndRun):
        UntilWait().due_at({"at": "2026-01-01T00:00Z", "if_past": "end"}, ctx(now))
    assert UntilWait().due_at({"at": "2026-01-01T00:00Z"}, ctx(now)) < now  # continue: the engine moves on


@pytest.mark.django_db
class TestFieldWaits:
    def set_field(self, django_user_model, value):
        from lms_automations.models import LearnerField

        user = django_user_model.objects.create(username="ada")
        LearnerField.objects.create(user=user, name="f", value=value)
        return user.pk

    def test_field_duration_fails_clearly(self, django_user_model):
        now = datetime.datetime(2026, 1, 1, tzinfo=UTC)
        user_id = self.set_field(django_user_model, "soon")
        with pytest.raises(PermanentError, match="not a number"):
            FieldDurationWait().due_at({"field": "f", "unit": "days"}, ctx(now, user_id=user_id))

    def test_field_duration_in_bounds(self, django_user_model):
        now = datetime.datetime(2026, 1, 1, tzinfo=UTC)
        user_id = self.set_field(django_user_model, 3)
        assert FieldDurationWait().due_at({"field": "f", "unit": "hours"}, ctx(now, user_id=user_id)) == \
            now + datetime.timedelta(hours=3)

    @pytest.mark.parametrize(("today", "expected"), [
        (datetime.datetime(2027, 3, 1, tzinfo=UTC), datetime.datetime(2028, 2, 29, tzinfo=UTC)),  # leap year
        (datetime.datetime(2026, 3, 1, tzinfo=UTC), datetime.datetime(2027, 2, 28, tzinfo=UTC)),  # Feb 28
    ])
    def test_feb_29_birthdays_next_occurrence(self, django_user_model, today, expected):
        user_id = self.set_field(django_user_model, "2004-02-29")
        due = FieldDateWait().due_at({"field": "f", "if_past": "next_occurrence"}, ctx(today, user_id=user_id))
        assert due == expected

    def test_field_date_offset_and_limit(self, django_user_model):
        now = datetime.datetime(2026, 1, 1, tzinfo=UTC)
        user_id = self.set_field(django_user_model, "2026-01-20")
        due = FieldDateWait().due_at({"field": "f", "offset": "P3D"}, ctx(now, user_id=user_id))
        assert due == datetime.datetime(2026, 1, 17, tzinfo=UTC)
        from lms_automations.models import LearnerField

        LearnerField.objects.filter(user_id=user_id).update(value="2028-01-01")
        with pytest.raises(PermanentError, match="more than 365 days ahead"):
            FieldDateWait().due_at({"field": "f"}, ctx(now, user_id=user_id))
