"""Waits driven by the learner's own data: a number of units, or a date, kept in a learner field.

A Feb 29 date in a year without one is taken as Feb 28 (the last day of that February).
"""
import datetime

from django.utils.dateparse import parse_date, parse_datetime

from ..catalogue import Wait
from ..catalogue.base import object_schema
from ..engine.durations import parse_duration
from ..engine.errors import EndRun, PermanentError
from ..models import LearnerField
from .clock import MAX_WAIT, TIMEZONE, check_bounds, wall_clock, zone

FIELD = {"type": "string", "minLength": 1}

_params = object_schema


def field_value(context, name):
    value = LearnerField.objects.filter(user_id=context.user_id, name=name).values_list("value", flat=True).first()
    if value in (None, ""):
        raise PermanentError(f"the learner field {name!r} is empty, so the wait cannot be computed")
    return value


class FieldDurationWait(Wait):
    key = "field_duration"
    label = "Wait for a number in a learner field"
    category = "Learner data"
    description = "Waits as many minutes, hours or days as a learner field says (5 minutes to 365 days)."
    params_schema = _params(("field", "unit"), field=FIELD, unit={"type": "string",
                                                                 "enum": ["minutes", "hours", "days"]})

    def due_at(self, params, context):
        value = field_value(context, params["field"])
        try:
            amount = float(value)
        except (TypeError, ValueError):
            raise PermanentError(f"the learner field {params['field']!r} is {value!r}, not a number") from None
        delta = datetime.timedelta(**{params["unit"]: amount})
        bound = check_bounds(delta, "params.field", f"the wait from {params['field']!r}")
        if bound:
            raise PermanentError(bound["message"])
        return context.now + delta


def _on_date(year, month, day):
    """``date(year, month, day)``, with Feb 29 becoming Feb 28 in years without it."""
    try:
        return datetime.date(year, month, day)
    except ValueError:
        return datetime.date(year, 2, 28)


class FieldDateWait(Wait):
    key = "field_date"
    label = "Wait for a date in a learner field"
    category = "Learner data"
    description = ("Waits until a date kept in a learner field, minus an offset (P3D: three days before). If it "
                   "has passed: continue, end, or wait for its next yearly occurrence (birthdays, anniversaries).")
    params_schema = _params(("field",), field=FIELD, offset={"type": "string", "pattern": "^P"}, timezone=TIMEZONE,
                            if_past={"type": "string", "enum": ["continue", "end", "next_occurrence"]})

    def due_at(self, params, context):
        value = field_value(context, params["field"])
        tz = zone(params, context)
        offset = parse_duration(params["offset"]) if params.get("offset") else datetime.timedelta(0)
        moment = self._moment(str(value), tz, params["field"])
        due = moment - offset
        if due <= context.now:
            policy = params.get("if_past", "continue")
            if policy == "end":
                raise EndRun(f"the date in {params['field']!r} had already passed")
            if policy == "next_occurrence":
                local = moment.astimezone(tz)
                year = context.now.astimezone(tz).year
                while due <= context.now:
                    day = _on_date(year, local.month, local.day)
                    due = wall_clock(day, local.timetz().replace(tzinfo=None), tz) - offset
                    year += 1
            else:
                return None
        if due - context.now > MAX_WAIT:
            raise PermanentError(f"the date in {params['field']!r} is more than 365 days ahead ({value})")
        return due

    @staticmethod
    def _moment(text, tz, field):
        parsed = parse_datetime(text.replace("Z", "+00:00"))
        if parsed is None:
            day = parse_date(text[:10]) if len(text) >= 10 else None
            if day is None:
                raise PermanentError(f"the learner field {field!r} holds {text!r}, not a date")
            return wall_clock(day, datetime.time(), tz)
        if parsed.tzinfo is None:
            return wall_clock(parsed.date(), parsed.time(), tz)
        return parsed.astimezone(datetime.UTC)
