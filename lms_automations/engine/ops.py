"""The comparison ops of conditions (SPEC §4.2): one function, predictable coercions.

Numbers compare as numbers when both sides look numeric ("7" equals 7); dates and datetimes given
as ISO text compare as moments (a date means its midnight UTC); everything else compares as given.
``regex`` is bounded: patterns up to 500 characters, input up to 10,000, and a time limit.
"""
import datetime
import re

from django.utils.dateparse import parse_date, parse_datetime

from .durations import parse_duration
from .errors import PermanentError

OPS = ("eq", "ne", "gt", "gte", "lt", "lte", "in", "not_in", "contains", "not_contains", "starts_with",
       "ends_with", "regex", "is_set", "is_not_set", "before", "after", "within_last")
MAX_PATTERN = 500
MAX_SUBJECT = 10_000
REGEX_TIMEOUT_SECONDS = 0.1


def op_errors(op, value):
    """Messages for an op/value pair that can never be evaluated (shown at validation)."""
    if op not in OPS:
        return [f"unknown op {op!r}; use one of {', '.join(OPS)}"]
    if op == "regex":
        if not isinstance(value, str):
            return ["a regex must be text"]
        if len(value) > MAX_PATTERN:
            return [f"a regex may be at most {MAX_PATTERN} characters (got {len(value)})"]
        try:
            re.compile(value)
        except re.error as exc:
            return [f"the regex does not compile: {exc}"]
    if op == "within_last":
        try:
            parse_duration(value)
        except ValueError as exc:
            return [str(exc)]
    if op in ("in", "not_in") and not isinstance(value, list):
        return [f"'{op}' compares with a list of values"]
    return []


def compare(observed, op, value, *, now=None):
    """Whether ``observed <op> value`` holds."""
    if op == "is_set":
        return observed not in (None, "", [], {})
    if op == "is_not_set":
        return observed in (None, "", [], {})
    if op == "within_last":
        moment = as_moment(observed)
        return moment is not None and moment >= (now or datetime.datetime.now(datetime.UTC)) - parse_duration(value)
    if op in ("before", "after"):
        left, right = as_moment(observed), as_moment(value)
        if left is None or right is None:
            return False
        return left < right if op == "before" else left > right
    if op in ("in", "not_in"):
        values = value if isinstance(value, list) else [value]
        found = any(_equal(observed, item) for item in values)
        return found if op == "in" else not found
    if op in ("contains", "not_contains"):
        found = _contains(observed, value)
        return found if op == "contains" else not found
    if op == "starts_with":
        return isinstance(observed, str) and observed.startswith(str(value))
    if op == "ends_with":
        return isinstance(observed, str) and observed.endswith(str(value))
    if op == "regex":
        return _regex(observed, value)
    if op == "eq":
        return _equal(observed, value)
    if op == "ne":
        return not _equal(observed, value)
    if op in ("gt", "gte", "lt", "lte"):
        return _order(observed, op, value)
    raise PermanentError(f"unknown op {op!r}")


def as_number(value):
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            return None
    return None


def as_moment(value):
    """An aware datetime for a datetime, a date or their ISO text; None otherwise."""
    if isinstance(value, datetime.datetime):
        return value if value.tzinfo else value.replace(tzinfo=datetime.UTC)
    if isinstance(value, datetime.date):
        return datetime.datetime.combine(value, datetime.time(), tzinfo=datetime.UTC)
    if isinstance(value, str):
        text = value.strip().replace("Z", "+00:00")
        parsed = parse_datetime(text)
        if parsed is None:
            day = parse_date(text)
            return as_moment(day) if day else None
        return as_moment(parsed)
    return None


def _equal(left, right):
    left_number, right_number = as_number(left), as_number(right)
    if left_number is not None and right_number is not None:
        return left_number == right_number
    return left == right


def _order(left, op, right):
    left_number, right_number = as_number(left), as_number(right)
    if left_number is None or right_number is None:
        left_number, right_number = as_moment(left), as_moment(right)
        if left_number is None or right_number is None:
            return False
    return {"gt": left_number > right_number, "gte": left_number >= right_number,
            "lt": left_number < right_number, "lte": left_number <= right_number}[op]


def _contains(container, item):
    if isinstance(container, str):
        return str(item) in container
    if isinstance(container, (list, tuple, set)):
        return any(_equal(element, item) for element in container)
    if isinstance(container, dict):
        return item in container
    return False


def _regex(subject, pattern):
    """A bounded search: pattern and input are length-limited, and the ``regex`` package stops a
    catastrophically backtracking pattern after REGEX_TIMEOUT_SECONDS (Python's ``re`` cannot)."""
    if subject is None:
        return False
    errors = op_errors("regex", pattern)
    if errors:
        raise PermanentError(errors[0])
    text = str(subject)[:MAX_SUBJECT]
    return _search_with_timeout(pattern, text)


def _search_with_timeout(pattern, text):
    import regex as regex_module  # pylint: disable=import-outside-toplevel

    try:
        return regex_module.search(pattern, text, timeout=REGEX_TIMEOUT_SECONDS) is not None
    except TimeoutError as exc:
        raise PermanentError(f"the regex took longer than {REGEX_TIMEOUT_SECONDS} s; simplify it") from exc
