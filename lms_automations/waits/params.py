"""The params the built-in waits share: JSON Schema pieces, the 5 minutes – 365 days bounds, and
checks a schema cannot express (a time zone that exists, a date that is on the calendar).

Schemas check what staff typed, templates unrendered; the same checks raise ``PermanentError`` at run
time when a template rendered something unusable. Every message says what to change.
"""
import datetime
import re

from django.utils.dateparse import parse_date, parse_datetime

from ..engine.durations import parse_duration
from .clock import load_zone

MIN_WAIT = datetime.timedelta(minutes=5)
MAX_WAIT = datetime.timedelta(days=365)
#: How far an offset from a date (``course_date``, ``field_date``) may reach: ten years.
MAX_OFFSET = datetime.timedelta(days=3650)

TEMPLATE_PATTERN = r"\{\{.*\}\}|\{%.*%\}"
HHMM = {"type": "string", "pattern": r"^([01]\d|2[0-3]):[0-5]\d$",
        "description": "HH:MM on a 24-hour clock, e.g. 09:30"}
TIMEZONE = {"type": "string", "minLength": 1, "maxLength": 64,
            "pattern": r"^[A-Za-z][-+A-Za-z0-9_]*(/[-+A-Za-z0-9_]+)*$",
            "description": "an IANA time zone such as Europe/Paris (default: the learner's, else UTC)"}
IF_PAST = {"type": "string", "enum": ["continue", "end"]}
DURATION = {"type": "string", "pattern": r"^P(?!$)(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+S)?)?$",
            "description": "an ISO-8601 duration such as P7D, PT12H or P1DT6H"}
SIGNED_DURATION = {"type": "string", "pattern": r"^[-+]?P(?!$)(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+S)?)?$",
                   "description": "an ISO-8601 duration, negative for before: -P3D, PT12H"}
FIELD = {"type": "string", "minLength": 1, "maxLength": 100, "description": "the name of a learner field"}
COURSE_KEY = {"type": "string", "minLength": 1, "maxLength": 255,
              "description": "a course key or a template like {{ event.course_key }}"}
_ISO_MOMENT_PATTERN = r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}(:?\d{2})?)?)?$"
ISO_MOMENT = {
    "type": "string",
    "anyOf": [{"pattern": _ISO_MOMENT_PATTERN}, {"pattern": TEMPLATE_PATTERN}],
    "description": "an ISO-8601 date and time such as 2026-09-01T09:00 (or +02:00 / Z for a fixed offset), "
                   "or a template that renders one",
}


def offset_errors(params):
    """An ``offset`` param longer than ``MAX_OFFSET`` (ten years), as validation errors: further
    than any course or learner date a wait could mean, and past Python's calendar when very long."""
    text = params.get("offset") if isinstance(params, dict) else None
    try:
        too_long = isinstance(text, str) and abs(parse_duration(text)) > MAX_OFFSET
    except ValueError:
        return []  # the schema's pattern reports it
    except OverflowError:
        too_long = True
    if not too_long:
        return []
    return [{"path": "params.offset", "message": f"an offset may be at most {MAX_OFFSET.days:,} days (ten years); "
                                                f"got {text}"}]


def parsed_offset(text):
    """``timedelta`` for an ``offset`` param at run time; ``PermanentError`` saying what to change."""
    from ..engine.errors import PermanentError  # pylint: disable=import-outside-toplevel

    if not text:
        return datetime.timedelta(0)
    try:
        offset = parse_duration(text)
    except ValueError as error:
        raise PermanentError(f"params.offset: {error}") from None
    except OverflowError:
        offset = None
    if offset is None or abs(offset) > MAX_OFFSET:
        raise PermanentError(f"params.offset: {text!r} is too long; an offset may be at most {MAX_OFFSET.days:,} "
                             "days (ten years)")
    return offset


def bounds_problem(delta, what="a wait"):
    """The message for a wait outside 5 minutes – 365 days, or None when ``delta`` is within."""
    if MIN_WAIT <= delta <= MAX_WAIT:
        return None
    return f"{what} must be between 5 minutes and 365 days (got {describe(delta)})"


def describe(delta):
    """``delta`` as staff would say it: ``0 minutes``, ``4 minutes 30 seconds``, ``365 days 1 hour``."""
    sign = "-" if delta < datetime.timedelta(0) else ""
    seconds = round(abs(delta).total_seconds())
    days, seconds = divmod(seconds, 86400)
    hours, seconds = divmod(seconds, 3600)
    minutes, seconds = divmod(seconds, 60)
    parts = [f"{amount} {unit}{'' if amount == 1 else 's'}"
             for amount, unit in ((days, "day"), (hours, "hour"), (minutes, "minute"), (seconds, "second")) if amount]
    return sign + " ".join(parts) if parts else "0 minutes"


def is_template(value):
    return isinstance(value, str) and ("{{" in value or "{%" in value)


def timezone_errors(params):
    """An error when ``params.timezone`` is well formed but names no zone this server knows."""
    name = params.get("timezone") if isinstance(params, dict) else None
    if not isinstance(name, str) or not name or is_template(name) or load_zone(name) is not None:
        return []
    return [{"path": "params.timezone",
             "message": f"{name!r} is not a time zone; use an IANA name such as Europe/Paris or America/New_York"}]


def parse_moment(text):
    """``(naive or aware datetime, has_time)`` for ISO-8601 date or date-time text; None if it is neither.

    A date alone is midnight. Impossible dates (2026-02-30) are None, not an exception.
    """
    if not isinstance(text, str):
        return None
    text = text.strip()
    try:
        parsed = parse_datetime(text)
        if parsed is not None:
            return parsed, True
        day = parse_date(text)
    except ValueError:
        return None
    return (datetime.datetime.combine(day, datetime.time()), False) if day else None


def moment_errors(params, name):
    """An error when ``params[name]`` has the shape of a date but is not on the calendar."""
    value = params.get(name) if isinstance(params, dict) else None
    if not isinstance(value, str) or not re.match(_ISO_MOMENT_PATTERN, value) or parse_moment(value) is not None:
        return []  # templates and malformed text are the schema's to report
    return [{"path": f"params.{name}", "message": f"{value!r} is not a date on the calendar; check the day and month"}]
