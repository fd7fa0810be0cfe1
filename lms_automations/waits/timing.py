"""Waits by the clock: a duration, until a moment, a time of day, a weekday."""
import datetime

from django.utils.dateparse import parse_datetime

from ..catalogue import Wait
from ..catalogue.base import object_schema
from ..engine.errors import EndRun, PermanentError
from .clock import HHMM, IF_PAST, TIMEZONE, check_bounds, parse_hhmm, wall_clock, zone

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

_params = object_schema


class DurationWait(Wait):
    key = "duration"
    label = "Wait for a while"
    category = "Time"
    description = "Waits a number of days, hours and minutes (5 minutes to 365 days in all)."
    params_schema = {**_params((), days={"type": "integer", "minimum": 0}, hours={"type": "integer", "minimum": 0},
                               minutes={"type": "integer", "minimum": 0}), "minProperties": 1}

    @classmethod
    def total(cls, params):
        return datetime.timedelta(days=params.get("days", 0), hours=params.get("hours", 0),
                                  minutes=params.get("minutes", 0))

    @classmethod
    def check_params(cls, params):
        errors = super().check_params(params)
        if errors or not isinstance(params, dict):
            return errors
        field = next((name for name in ("days", "hours", "minutes") if name in params), "days")
        bound = check_bounds(cls.total(params), f"params.{field}")
        return [bound] if bound else []

    def due_at(self, params, context):
        bound = check_bounds(self.total(params), "params")
        if bound:
            raise PermanentError(bound["message"])
        return context.now + self.total(params)


class UntilWait(Wait):
    key = "until"
    label = "Wait until a date"
    category = "Time"
    description = ("Waits until a date and time (without an offset it is read in the time zone given, else the "
                   "learner's). If it has passed: continue, or end the run.")
    params_schema = _params(("at",), at={"type": "string", "minLength": 10}, timezone=TIMEZONE, if_past=IF_PAST)

    def due_at(self, params, context):
        moment = parse_datetime(params["at"].replace("Z", "+00:00"))
        if moment is None:
            raise PermanentError(f"{params['at']!r} is not a date and time; use e.g. 2026-09-01T09:00")
        if moment.tzinfo is None:
            moment = wall_clock(moment.date(), moment.time(), zone(params, context))
        if moment <= context.now and params.get("if_past") == "end":
            raise EndRun(f"the date {params['at']} had already passed")
        return moment


class TimeOfDayWait(Wait):
    key = "time_of_day"
    label = "Wait until a time of day"
    category = "Time"
    description = "Waits until the next HH:MM in the learner's time zone: today, or tomorrow if it has passed."
    params_schema = _params(("time",), time=HHMM, timezone=TIMEZONE)

    def due_at(self, params, context):
        tz = zone(params, context)
        target = parse_hhmm(params["time"])
        today = context.now.astimezone(tz).date()
        for offset in range(3):
            candidate = wall_clock(today + datetime.timedelta(days=offset), target, tz)
            if candidate > context.now:
                return candidate
        raise AssertionError("unreachable: a time of day recurs within two days")


class WeekdayWait(Wait):
    key = "weekday"
    label = "Wait until a weekday"
    category = "Time"
    description = "Waits until the next of the given weekdays at HH:MM (next week if today's time has passed)."
    params_schema = _params(("weekdays", "time"), time=HHMM, timezone=TIMEZONE, weekdays={
        "type": "array", "minItems": 1, "uniqueItems": True, "items": {"type": "string", "enum": list(WEEKDAYS)}})

    def due_at(self, params, context):
        tz = zone(params, context)
        target = parse_hhmm(params["time"])
        wanted = {WEEKDAYS.index(day) for day in params["weekdays"]}
        today = context.now.astimezone(tz).date()
        for offset in range(9):
            day = today + datetime.timedelta(days=offset)
            if day.weekday() in wanted:
                candidate = wall_clock(day, target, tz)
                if candidate > context.now:
                    return candidate
        raise AssertionError("unreachable: a weekday recurs within a week")
