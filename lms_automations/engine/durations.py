"""ISO-8601 durations as the v1 document writes them (``P1D``, ``PT12H``, ``-P3D``)."""
import datetime
import re

_DURATION = re.compile(
    r"^(?P<sign>[-+]?)P(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+)S)?)?$"
)


def parse_duration(text):
    """``timedelta`` for an ISO-8601 duration of weeks, days, hours, minutes and seconds.

    Months and years are refused: their length depends on the date they start from.
    Raises ``ValueError`` with a message that says what is accepted.
    """
    match = _DURATION.match(text or "") if isinstance(text, str) else None
    if not match or text.rstrip("T").endswith("P") or text.endswith("T"):
        raise ValueError(f"{text!r} is not an ISO-8601 duration such as P1D, PT12H or P1DT6H")
    parts = {name: int(value) for name, value in match.groupdict().items() if name != "sign" and value}
    delta = datetime.timedelta(**parts)
    return -delta if match.group("sign") == "-" else delta


def format_duration(delta):
    """The shortest ISO-8601 text for a ``timedelta`` (the inverse of ``parse_duration``)."""
    sign = "-" if delta < datetime.timedelta(0) else ""
    total = abs(int(delta.total_seconds()))
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    text = f"{sign}P" + (f"{days}D" if days else "")
    time_part = "".join(f"{value}{unit}" for value, unit in ((hours, "H"), (minutes, "M"), (seconds, "S")) if value)
    if time_part:
        text += "T" + time_part
    return text if text not in ("P", "-P") else "PT0S"
