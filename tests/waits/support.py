"""Time zones, DST transition instants and hypothesis strategies shared by the wait tests."""
import datetime
import functools
import zoneinfo
from types import SimpleNamespace

from hypothesis import strategies as st

UTC = datetime.UTC
# A 1-hour DST zone on each side of the Atlantic, a 30-minute DST (Lord Howe), a :45 offset without DST
# (Kathmandu) and UTC itself.
ZONES = ["Europe/London", "America/New_York", "Australia/Lord_Howe", "Asia/Kathmandu", "UTC"]
WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]


def context(now, tz="UTC", **extra):
    """A stand-in step context for waits that need no database: the clock and the learner's zone."""
    return SimpleNamespace(now=now, tzinfo=zoneinfo.ZoneInfo(tz), user_id=None, **extra)


def offset_at(moment, tz):
    return moment.astimezone(zoneinfo.ZoneInfo(tz) if isinstance(tz, str) else tz).utcoffset()


def exists(naive, tz):
    """Whether a clock in ``tz`` ever reads ``naive`` (False inside a DST gap). Independent of the code."""
    return naive.replace(tzinfo=tz).astimezone(UTC).astimezone(tz).replace(tzinfo=None) == naive


def first_reading(naive, tz):
    """The earlier instant a clock in ``tz`` reads ``naive`` (``naive`` must exist)."""
    return naive.replace(tzinfo=tz, fold=0).astimezone(UTC)


@functools.cache
def transitions(start_year=2000, end_year=2040):
    """``(zone name, UTC instant)`` of every offset change of ``ZONES`` between the years (a daily scan)."""
    found = []
    for name in ZONES:
        tz = zoneinfo.ZoneInfo(name)
        day = datetime.datetime(start_year, 1, 1, tzinfo=UTC)
        while day.year < end_year:
            following = day + datetime.timedelta(days=1)
            if offset_at(day, tz) != offset_at(following, tz):
                found.append((name, _first_change(day, tz)))
            day = following
    return tuple(found)


def _first_change(day, tz):
    """The first quarter hour of ``day`` with a new offset (these zones change on quarter hours)."""
    before = offset_at(day, tz)
    return next(moment for moment in (day + datetime.timedelta(minutes=15 * step) for step in range(1, 97))
                if offset_at(moment, tz) != before)


def _near(change, seconds):
    name, instant = change
    return name, instant + datetime.timedelta(seconds=seconds)


# ``(zone, now)``: any zone at any instant in a wide range, or a zone within two days of one of its own
# DST changes — where a wait's "today or tomorrow" meets a day of 23, 23½, 24½ or 25 hours.
wide_moments = st.datetimes(min_value=datetime.datetime(1990, 1, 1), max_value=datetime.datetime(2045, 1, 1),
                            timezones=st.just(UTC))
zoned_moments = st.one_of(
    st.tuples(st.sampled_from(ZONES), wide_moments),
    st.builds(_near, st.sampled_from(transitions()), st.integers(-2 * 86400, 2 * 86400)),
)
def _wall_time_near(change, minutes):
    """The clock reading at the change (as the old offset shows it) plus ``minutes`` of naive arithmetic,
    so that readings inside a gap or a fold come up, which no real instant's reading does."""
    name, instant = change
    reading = (instant - datetime.timedelta(minutes=15)).astimezone(zoneinfo.ZoneInfo(name)).replace(tzinfo=None)
    return name, reading + datetime.timedelta(minutes=15 + minutes)


# Naive local times within three hours of a DST change of that zone.
zoned_wall_times = st.builds(_wall_time_near, st.sampled_from(transitions()), st.integers(-180, 180))
# Times of day: any, plus the ones the zones above skip or repeat (00:00–02:59 local).
times = st.one_of(st.tuples(st.integers(0, 23), st.integers(0, 59)),
                  st.tuples(st.sampled_from([0, 1, 2]), st.sampled_from([0, 15, 29, 30, 45, 59])))
