"""Waits driven by the learner's own data: a number of units, or a date, kept in a learner field.

The field is read when the learner reaches the wait (SPEC §4.2's "never earlier" holds for waits too),
so a ``field.set`` earlier in the same flow counts. A field that cannot give a time fails the run with
a message saying which field holds what, because only staff can fix the data or the flow.

Yearly occurrences (``if_past: next_occurrence``, for birthdays and anniversaries) keep month, day
and wall-clock time; **Feb 29 falls on Feb 28 in years without one** — the last day of the same
February, so the message comes on the learner's last February day rather than in March.
"""
import datetime
import math

from ..catalogue import Wait, object_schema
from ..engine.errors import EndRun, PermanentError
from .clock import UTC, to_utc, zone_for
from .params import (
    DURATION,
    FIELD,
    MAX_WAIT,
    TIMEZONE,
    bounds_problem,
    describe,
    offset_errors,
    parse_moment,
    parsed_offset,
    timezone_errors,
)

UNITS = ("minutes", "hours", "days")


def read_field(context, name):
    """The learner's value of field ``name``; a ``PermanentError`` when it is missing or blank."""
    from ..models import LearnerField  # pylint: disable=import-outside-toplevel

    value = LearnerField.objects.filter(user_id=context.user_id, name=name).values_list("value", flat=True).first()
    if value is None or (isinstance(value, str) and not value.strip()):
        raise PermanentError(f"params.field: the learner field {name!r} is empty for this learner; set it before "
                             "this wait (field.set) or branch on it first (learner.field is_set)")
    return value


def as_number(value):
    """A finite float for a number or numeric text; None for anything else (booleans included)."""
    if isinstance(value, bool):
        return None
    try:
        number = float(value.strip() if isinstance(value, str) else value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


class FieldDurationWait(Wait):
    """As many minutes, hours or days as a learner field holds, within the bounds of every wait."""

    key = "field_duration"
    label = "Wait as long as a learner field says"
    category = "Learner data"
    description = ("Waits as many minutes, hours or days as a learner field holds (5 minutes to 365 days). "
                   "The run fails if the field is empty, not a number, or out of bounds.")
    params_schema = object_schema(("field", "unit"), field=FIELD, unit={"type": "string", "enum": list(UNITS)})

    def due_at(self, params, context):
        name, unit = params["field"], params["unit"]
        value = read_field(context, name)
        amount = as_number(value)
        if amount is None:
            raise PermanentError(f"params.field: the learner field {name!r} holds {value!r}, not a number of {unit}; "
                                 "store a number such as 3")
        try:
            delta = datetime.timedelta(**{unit: amount})
        except OverflowError:
            delta = datetime.timedelta.max if amount > 0 else datetime.timedelta.min
        problem = bounds_problem(delta)
        if problem:
            raise PermanentError(f"params.field: the learner field {name!r} holds {value!r} ({unit}); {problem}")
        return context.now + delta


def _same_day_in(year, local):
    """``local`` (naive) moved to ``year``; Feb 29 becomes Feb 28 where the year has no Feb 29."""
    try:
        return local.replace(year=year)
    except ValueError:
        return local.replace(year=year, day=28)


class FieldDateWait(Wait):
    """Until a date in a learner field, less an offset; past dates continue, end, or recur yearly.

    The offset is taken on the zone's calendar and clock (``P3D`` before midnight is midnight three
    days earlier, even across a clock change), then the result follows ``clock``'s gap and fold rules.
    A date without a time means midnight; a value without an offset is read in the wait's zone.
    """

    key = "field_date"
    label = "Wait for a date in a learner field"
    category = "Learner data"
    description = ("Waits until the date in a learner field, less an offset (P3D: three days before). If it has "
                   "passed: continue, end the run, or wait for its next yearly occurrence (birthdays; Feb 29 is "
                   "Feb 28 in other years). The run fails if the field is empty, not a date, or over 365 days ahead.")
    params_schema = object_schema(
        ("field",), field=FIELD, offset=DURATION, timezone=TIMEZONE,
        if_past={"type": "string", "enum": ["continue", "end", "next_occurrence"]},
    )

    @classmethod
    def check_params(cls, params):
        return super().check_params(params) + timezone_errors(params) + offset_errors(params)

    def due_at(self, params, context):
        name = params["field"]
        value = read_field(context, name)
        parsed = parse_moment(value) if isinstance(value, str) else None
        if parsed is None:
            raise PermanentError(f"params.field: the learner field {name!r} holds {value!r}, not a date; store "
                                 "dates as 2026-09-01 or 2026-09-01T09:00")
        moment, _has_time = parsed
        tz = zone_for(params, context)
        offset = _offset(params)
        try:
            local = moment if moment.tzinfo is None else moment.astimezone(tz).replace(tzinfo=None)
            # An aware value and no offset is an exact instant, kept as it is: no wall-clock rule applies.
            exact = moment.tzinfo is not None and not offset
            due = moment.astimezone(UTC) if exact else to_utc(local - offset, tz)
        except OverflowError:  # year 1 or 9999: on the calendar, but not a date anyone waits for
            raise PermanentError(f"params.field: the learner field {name!r} holds {value!r}, out of range") from None
        if due >= context.now:
            if due - context.now > MAX_WAIT:
                raise PermanentError(f"params.field: the learner field {name!r} holds {value!r}, "
                                     f"{describe(due - context.now)} ahead; a wait may be at most 365 days")
            return due
        policy = params.get("if_past", "continue")
        if policy == "end":
            raise EndRun(f"the date in the learner field {name!r} ({value}) had already passed")
        if policy == "next_occurrence":
            return self.next_occurrence(local, offset, tz, context.now)
        return due  # continue: a due time in the past lets the engine move on at once

    @staticmethod
    def next_occurrence(local, offset, tz, now):
        """The first yearly recurrence of ``local`` (less ``offset``) at or after ``now``: within a year."""
        first_year = now.astimezone(tz).year
        # Each year's due time is a year after the last, so this ends within offset-in-years + 2 steps.
        for year in range(first_year, min(first_year + offset.days // 365 + 3, datetime.MAXYEAR + 1)):
            try:
                due = to_utc(_same_day_in(year, local) - offset, tz)
            except OverflowError:
                break
            if due >= now:
                return due
        raise PermanentError("params.offset: no yearly occurrence of the date comes within reach")


def _offset(params):
    text = params.get("offset")
    offset = parsed_offset(text)
    if offset < datetime.timedelta(0):
        raise PermanentError(f"params.offset: {text!r} is negative; the offset counts back from the date (P3D)")
    return offset
