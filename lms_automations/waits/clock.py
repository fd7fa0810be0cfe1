"""Wall-clock times in a time zone, turned into the UTC instants the engine stores.

Staff write times as a learner reads a clock ("09:00 in Europe/Paris"); twice a year some of those
times do not exist or exist twice. Every wait resolves them the same way:

* **Gap** — a time the clocks jump over (02:30 on the night New York goes 02:00 → 03:00) becomes the
  first moment after the jump: 03:00 local, the instant of the change. The learner hears from us as
  soon as the clock shows a time at or after the one asked for — not an hour later (03:30), which is
  what shifting by the length of the gap would give.
* **Fold** — a time the clocks show twice (01:30 when London goes 02:00 → 01:00) means the first of
  the two (``fold=0``, still summer time). Once that has passed the time is over for the day: a wait
  never picks the repeat, so a learner is never messaged twice "at 01:30".

A due time equal to now is not past: the wait is over and the run goes on at once.
"""
import datetime
import re
import zoneinfo

from ..engine.errors import PermanentError

UTC = datetime.UTC
_HHMM = re.compile(r"([01]\d|2[0-3]):([0-5]\d)")
_SECOND = datetime.timedelta(seconds=1)


def load_zone(name):
    """The ``ZoneInfo`` called ``name``, or None when there is no such IANA zone."""
    if not isinstance(name, str) or not name:
        return None
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        # OSError: a key naming a directory ("America") or an unreadable file.
        return None


def zone_for(params, context):
    """The wait's ``timezone`` param, else the learner's preference (``context.tzinfo``), else UTC."""
    name = params.get("timezone")
    if not name:
        return getattr(context, "tzinfo", None) or UTC
    tz = load_zone(name)
    if tz is None:
        raise PermanentError(f"params.timezone: {name!r} is not a time zone; use an IANA name such as Europe/Paris")
    return tz


def parse_hhmm(text, path="params.time"):
    """``datetime.time`` for ``HH:MM`` (24-hour clock); a ``PermanentError`` for anything else."""
    match = _HHMM.fullmatch(text) if isinstance(text, str) else None
    if not match:
        raise PermanentError(f"{path}: {text!r} is not a time of day; use HH:MM on a 24-hour clock, such as 09:30")
    return datetime.time(int(match.group(1)), int(match.group(2)))


def to_utc(naive, tz):
    """The aware UTC instant a clock in ``tz`` calls ``naive``, by the gap and fold rules above."""
    first = naive.replace(tzinfo=tz, fold=0)  # of two readings, fold=0 is the earlier one
    moment = first.astimezone(UTC)
    if moment.astimezone(tz).replace(tzinfo=None) == naive:
        return moment
    # ``naive`` is in a gap. fold=1 reads it with the offset after the change, which lands before the
    # change; fold=0 reads it with the offset before, which lands after. The change lies in between.
    before = naive.replace(tzinfo=tz, fold=1).astimezone(UTC)
    return _change_between(before, moment, tz)


def _change_between(before, after, tz):
    """The first instant in ``(before, after]`` whose UTC offset in ``tz`` differs from ``before``'s.

    A bisection over whole seconds (zone changes happen on whole seconds), so the answer is the exact
    instant of the change whatever the zone's history says the offsets were.
    """
    low = before.replace(microsecond=0)
    high = after.replace(microsecond=0) + (_SECOND if after.microsecond else datetime.timedelta(0))
    offset_before = low.astimezone(tz).utcoffset()
    while high - low > _SECOND:
        middle = low + datetime.timedelta(seconds=(high - low) // _SECOND // 2)
        if middle.astimezone(tz).utcoffset() == offset_before:
            low = middle
        else:
            high = middle
    return high


def at_local(day, time_of_day, tz):
    """The UTC instant of ``time_of_day`` on ``day`` (a ``date``) in ``tz``."""
    return to_utc(datetime.datetime.combine(day, time_of_day), tz)


def next_local_time(now, time_of_day, tz, on_day=None, days=9):
    """The first instant ≥ ``now`` at which the clock in ``tz`` reads ``time_of_day`` on a day that
    ``on_day(date)`` accepts (every day when None), looking ``days`` local days ahead.

    Days are the zone's calendar days, starting with the local today, so "today, or tomorrow if it has
    passed" holds on the learner's calendar, not UTC's. None when no day within reach is accepted.
    """
    today = now.astimezone(tz).date()
    for ahead in range(days):
        day = today + datetime.timedelta(days=ahead)
        if on_day is not None and not on_day(day):
            continue
        candidate = at_local(day, time_of_day, tz)
        if candidate >= now:
            return candidate
    return None


def as_utc(value):
    """An aware UTC datetime for a host date (naive values are UTC, as the LMS stores them); else None."""
    if isinstance(value, datetime.datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC)
    if isinstance(value, datetime.date):
        return datetime.datetime.combine(value, datetime.time(), tzinfo=UTC)
    return None
