"""Waits by the clock: a while, until a moment, until a time of day, until a weekday (SPEC §4.4).

Local times follow the gap and fold rules of ``clock``; the zone is the wait's ``timezone`` param,
else the learner's preference, else UTC.
"""
import datetime

from ..catalogue import Wait, object_schema
from ..engine.errors import EndRun, PermanentError
from .clock import UTC, next_local_time, parse_hhmm, to_utc, zone_for
from .params import (
    HHMM,
    IF_PAST,
    ISO_MOMENT,
    MAX_WAIT,
    TIMEZONE,
    bounds_problem,
    moment_errors,
    parse_moment,
    timezone_errors,
)

# Names, not numbers: 0 is Monday to Python and ISO but Sunday to cron and JavaScript.
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_UNITS = ("days", "hours", "minutes")


def _whole_number(value):
    return isinstance(value, int | float) and not isinstance(value, bool) and float(value).is_integer() and value >= 0


class DurationWait(Wait):
    """A fixed stretch of time, exact to the second: days are 24 hours, whatever the clocks do."""

    key = "duration"
    label = "Wait for a while"
    category = "Time"
    description = "Waits a number of days, hours and minutes: 5 minutes to 365 days in all."
    params_schema = {
        **object_schema(
            (),
            days={"type": "integer", "minimum": 0, "maximum": MAX_WAIT.days},
            hours={"type": "integer", "minimum": 0, "maximum": MAX_WAIT.days * 24},
            minutes={"type": "integer", "minimum": 0, "maximum": MAX_WAIT.days * 24 * 60},
        ),
        # The lower bound in schema terms (the sum's upper bound is beyond JSON Schema; check_params has it).
        "anyOf": [{"required": ["days"], "properties": {"days": {"minimum": 1}}},
                  {"required": ["hours"], "properties": {"hours": {"minimum": 1}}},
                  {"required": ["minutes"], "properties": {"minutes": {"minimum": 5}}}],
        "description": "a wait must be between 5 minutes and 365 days; give days, hours and/or minutes",
    }

    @staticmethod
    def total(params):
        """The wait as a ``timedelta``, or None when the params are not whole, non-negative numbers."""
        if not isinstance(params, dict) or set(params) - set(_UNITS):
            return None
        if not all(_whole_number(params[unit]) for unit in params):
            return None
        try:
            return datetime.timedelta(**{unit: int(params[unit]) for unit in params})
        except OverflowError:  # absurdly many days: still just "too long"
            return datetime.timedelta.max

    @classmethod
    def check_params(cls, params):
        """The schema's errors, with the bounds reported once, on the sum, in the words of SPEC §6."""
        errors = super().check_params(params)
        total = cls.total(params)
        if total is None:
            return errors  # a typo or a wrong type: the schema's own messages say what to change
        problem = bounds_problem(total)
        return [{"path": f"params.{cls._unit_to_change(params)}", "message": problem}] if problem else errors

    @staticmethod
    def _unit_to_change(params):
        return next((unit for unit in _UNITS if unit in params), "days")

    def due_at(self, params, context):
        total = self.total(params)
        if total is None:
            raise PermanentError(f"params: a duration wait takes whole days, hours and minutes (got {params!r})")
        problem = bounds_problem(total)
        if problem:
            raise PermanentError(f"params.{self._unit_to_change(params)}: {problem}")
        return context.now + total


class UntilWait(Wait):
    """Until a fixed moment; without an offset in ``at`` the moment is read on the zone's clock."""

    key = "until"
    label = "Wait until a date"
    category = "Time"
    description = ("Waits until a date and time (2026-09-01T09:00). Without an offset it is read in the time zone "
                   "given, else the learner's. If it has already passed: continue, or end the run.")
    params_schema = object_schema(("at",), at=ISO_MOMENT, timezone=TIMEZONE, if_past=IF_PAST)

    @classmethod
    def check_params(cls, params):
        return super().check_params(params) + moment_errors(params, "at") + timezone_errors(params)

    def due_at(self, params, context):
        parsed = parse_moment(params["at"])
        if parsed is None:
            raise PermanentError(f"params.at: {params['at']!r} is not a date and time; use e.g. 2026-09-01T09:00")
        moment, _has_time = parsed
        # An explicit offset in the value wins over the zone: it already says which instant is meant.
        moment = to_utc(moment, zone_for(params, context)) if moment.tzinfo is None else moment.astimezone(UTC)
        if moment < context.now and params.get("if_past") == "end":
            raise EndRun(f"{params['at']} had already passed when the learner reached this wait")
        return moment


class TimeOfDayWait(Wait):
    """Until the next HH:MM on the learner's clock: today if it is still ahead, else tomorrow."""

    key = "time_of_day"
    label = "Wait until a time of day"
    category = "Time"
    description = ("Waits until the next HH:MM in the time zone given, else the learner's: today, or tomorrow if "
                   "it has passed.")
    params_schema = object_schema(("time",), time=HHMM, timezone=TIMEZONE)

    @classmethod
    def check_params(cls, params):
        return super().check_params(params) + timezone_errors(params)

    def due_at(self, params, context):
        due = next_local_time(context.now, parse_hhmm(params["time"]), zone_for(params, context))
        if due is None:  # every zone shows every time of day within a few days; this is a broken zone file
            raise PermanentError(f"params.time: {params['time']} never comes in this time zone")
        return due


class WeekdayWait(Wait):
    """Until HH:MM on the next of the given weekdays, on the learner's calendar."""

    key = "weekday"
    label = "Wait until a weekday"
    category = "Time"
    description = ("Waits until HH:MM on the next of the given weekdays (monday … sunday) in the time zone given, "
                   "else the learner's; if today is one of them and the time has passed, the next one.")
    params_schema = object_schema(
        ("weekdays", "time"), time=HHMM, timezone=TIMEZONE,
        weekdays={"type": "array", "minItems": 1, "maxItems": 7, "uniqueItems": True,
                  "items": {"type": "string", "enum": list(WEEKDAYS)},
                  "description": "lower-case English weekday names, e.g. [\"monday\", \"thursday\"]"},
    )

    @classmethod
    def check_params(cls, params):
        return super().check_params(params) + timezone_errors(params)

    def due_at(self, params, context):
        wanted = {WEEKDAYS.index(name) for name in params["weekdays"] if name in WEEKDAYS}
        if not wanted:
            raise PermanentError(f"params.weekdays: name at least one of {', '.join(WEEKDAYS)}")
        due = next_local_time(context.now, parse_hhmm(params["time"]), zone_for(params, context),
                              on_day=lambda day: day.weekday() in wanted)
        if due is None:
            raise PermanentError(f"params.weekdays: none of {', '.join(params['weekdays'])} comes in this time zone")
        return due
