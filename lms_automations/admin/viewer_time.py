"""Times as the staff member reads them: to the second, in their own time zone, with the zone named.

The zone is the staff member's time zone preference where the host keeps one (Open edX account
settings), else the site's ``TIME_ZONE``.
"""
import zoneinfo

from django.conf import settings
from django.utils import timezone
from django.utils.dateformat import format as format_date

from ..host import get_host

#: ``3 Dec 2026 09:00:00``: day, month name (translated), year, time to the second.
FORMAT = "j M Y H:i:s"


def viewer_timezone(request):
    """The zone the page's times are shown in (asked of the host once per request)."""
    cached = getattr(request, "_lms_automations_viewer_tz", None)
    if cached is not None:
        return cached
    name = ""
    try:
        name = (get_host().get_learner(request.user.pk) or {}).get("time_zone") or ""
    except Exception:  # pylint: disable=broad-except  # a preference is a nicety, never a reason to fail a page
        name = ""
    try:
        zone = zoneinfo.ZoneInfo(name) if name else zoneinfo.ZoneInfo(settings.TIME_ZONE)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    request._lms_automations_viewer_tz = zone  # pylint: disable=protected-access
    return zone


def zone_name(zone):
    return getattr(zone, "key", str(zone))


def moment(value, zone, *, with_zone=True):
    """``3 Dec 2026 09:00:00 (Europe/Kyiv)`` for an aware datetime (or ISO text); "" for nothing."""
    if not value:
        return ""
    if isinstance(value, str):
        parsed = _parse(value)
        if parsed is None:
            return value
        value = parsed
    if timezone.is_naive(value):
        value = timezone.make_aware(value, zoneinfo.ZoneInfo("UTC"))
    text = format_date(value.astimezone(zone), FORMAT)
    return f"{text} ({zone_name(zone)})" if with_zone else text


def _parse(text):
    from django.utils.dateparse import parse_datetime  # pylint: disable=import-outside-toplevel

    try:
        return parse_datetime(text)
    except ValueError:
        return None
