"""The "once per period" entry policy's period: calendar months and/or a fixed length (ADR 0017).

``entry.period`` is an ISO-8601 duration: ``P1D``, ``PT12H``, ``P2W`` (a fixed length, as before),
or ``P1M``, ``P6M``, ``P1M15D`` (calendar months, then a fixed length). A learner may enter again
once the period has passed since their last entry.

Months are calendar months on the **site's** clock (``settings.TIME_ZONE``): entered on 10 March
at 09:00 site time, ``P1M`` lets them in again from 10 April 09:00 site time, whatever the daylight
saving change in between. A day the later month lacks is its last day: 31 January + ``P1M`` is 28
February (29 in a leap year), 31 August + ``P6M`` is 28/29 February. The site's clock, not the
learner's: entry is decided for hundreds of learners per batch under their locks, and asking the
LMS for each one's time zone preference there would cost a read per learner — at most a day's
difference at the month's edge, which a course team choosing "once a month" does not notice.

Years are refused (``P1Y``): write ``P12M``, so an exported document reads the same as imported.
"""
import calendar
import datetime
import re

from django.utils import timezone

from .durations import format_duration, parse_duration

_MONTHS = re.compile(r"^P(?P<months>\d+)M(?P<rest>(?:\d+[WD])*(?:T.*)?)$")
#: A century of months, as the fixed-length period's limit.
MAX_MONTHS = 1200


def parse_entry_period(text):
    """``(months, timedelta)`` for an entry period; ``ValueError`` saying what is accepted."""
    if isinstance(text, str) and re.match(r"^P(?:\d+Y)", text):
        raise ValueError(f"{text!r}: write years as months, e.g. P12M for a year")
    match = _MONTHS.match(text) if isinstance(text, str) else None
    if not match:
        try:
            return 0, parse_duration(text)
        except ValueError:
            raise ValueError(f"{text!r} is not an ISO-8601 period such as P1D, P7D, P1M or P6M") from None
    months, rest = int(match.group("months")), match.group("rest")
    try:
        delta = parse_duration(f"P{rest}") if rest else datetime.timedelta(0)
    except ValueError:
        raise ValueError(f"{text!r} is not an ISO-8601 period such as P1M, P6M or P1M15D") from None
    return months, delta


def format_entry_period(months, delta):
    """The inverse of ``parse_entry_period`` (None when there is no period)."""
    delta = delta or datetime.timedelta(0)
    if not months:
        return format_duration(delta) if delta else None
    rest = format_duration(delta)[1:] if delta else ""
    return f"P{months}M{rest}"


def add_months(moment, months, tz=None):
    """``moment`` plus calendar ``months`` on the clock of ``tz`` (the site's by default), as UTC."""
    from ..waits.clock import to_utc  # pylint: disable=import-outside-toplevel

    tz = tz or timezone.get_default_timezone()
    local = moment.astimezone(tz).replace(tzinfo=None)
    index = local.month - 1 + months
    year, month = local.year + index // 12, index % 12 + 1
    day = min(local.day, calendar.monthrange(year, month)[1])
    return to_utc(local.replace(year=year, month=month, day=day), tz)


def period_ends(automation, since):
    """When the once-per period that began at ``since`` is over (None: the automation has no period)."""
    months = getattr(automation, "entry_period_months", None) or 0
    delta = automation.entry_period or datetime.timedelta(0)
    if not months and not delta:
        return None
    return (add_months(since, months) if months else since) + delta
