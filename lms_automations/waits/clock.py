"""Wall-clock times in a learner's time zone, with DST handled one explicit way.

* A time that does not exist (the clocks jump forward over it) is moved forward by the length of
  the jump: 02:30 on a night that skips 02:00–03:00 becomes 03:30.
* A time that happens twice (the clocks go back) means the first of the two (``fold=0``).
"""
import datetime
import re
import zoneinfo

from ..engine.errors import PermanentError

MIN_WAIT = datetime.timedelta(minutes=5)
MAX_WAIT = datetime.timedelta(days=365)
HHMM = {"type": "string", "pattern": r"^([01]\d|2[0-3]):[0-5]\d$", "description": "HH:MM, e.g. 09:30"}
TIMEZONE = {"type": "string", "minLength": 1, "description": "an IANA time zone such as Europe/Paris"}
IF_PAST = {"type": "string", "enum": ["continue", "end"]}


def zone(params, context):
    """The wait's ``timezone`` param, else the learner's preference, else UTC."""
    name = params.get("timezone")
    if not name:
        return context.tzinfo
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise PermanentError(f"{name!r} is not a time zone; use an IANA name such as Europe/Paris") from None


def wall_clock(day, time_of_day, tz):
    """The aware UTC moment of ``time_of_day`` on ``day`` in ``tz`` (rules in the module docstring)."""
    local = datetime.datetime.combine(day, time_of_day, tzinfo=tz)  # fold=0: the first occurrence
    return local.astimezone(datetime.UTC)


def parse_hhmm(text):
    match = re.fullmatch(r"([01]\d|2[0-3]):([0-5]\d)", text or "")
    if not match:
        raise PermanentError(f"{text!r} is not a time of day; use HH:MM such as 09:30")
    return datetime.time(int(match.group(1)), int(match.group(2)))


def check_bounds(delta, path, what="a wait"):
    """An error dict when ``delta`` is outside 5 minutes – 365 days, else None."""
    if MIN_WAIT <= delta <= MAX_WAIT:
        return None
    return {"path": path, "message": f"{what} must be between 5 minutes and 365 days (got {describe(delta)})"}


def describe(delta):
    minutes = int(delta.total_seconds() // 60)
    if abs(minutes) < 120:
        return f"{minutes} minutes"
    if abs(minutes) < 2 * 1440:
        return f"{minutes // 60} hours"
    return f"{minutes // 1440} days"
