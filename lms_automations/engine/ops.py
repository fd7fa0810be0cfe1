"""The comparison ops of conditions (SPEC §4.2): one function, predictable coercions.

    compare(observed, "gte", 50, now=now)          # observed comes from the learner, value from staff
    op_errors("regex", "(")                        # ["the regex does not compile: ..."] at validation

Coercions are few and the same for every condition, so staff can predict them:

- numbers: an int/float and a numeric string compare as numbers (``"7" eq 7``); ``gt gte lt lte``
  also order two numeric strings as numbers. Two strings are otherwise compared as text,
  case-sensitively (``"007" eq "7"`` is false: they may be codes).
- booleans equal only booleans or the text ``"true"``/``"false"`` (any case); ``True eq 1`` is false.
- moments: ``before after within_last`` and the ordering ops read datetimes, dates and their ISO-8601
  text (a date means its midnight UTC, a naive datetime is UTC); ``eq``/``ne`` compare moments when
  one side is a real date or datetime.
- lists: ``in``/``not_in`` take a list of values (a single value is a list of one); an observed list
  is ``in`` when any of its items is. ``contains`` looks for text in text, an item in a list, a key
  in an object.
- ``is_set``: anything but None, blank text, an empty list or object (0 and false are set).

A comparison that cannot be made (text ``gt`` a number, a missing date) does not hold, whichever
way round it is asked: ``gt`` and ``lte`` are complements only for values that can be ordered. The
negations ``ne``, ``not_in``, ``not_contains`` and ``is_not_set`` are always complements.

``regex`` uses the ``regex`` package (the syntax of Python's ``re``, plus its extensions) because it
can stop a catastrophically backtracking pattern, which ``re`` cannot: patterns up to
``MAX_PATTERN`` characters and ``MAX_REPEAT_LOAD`` required repetitions, input cut at
``MAX_SUBJECT`` characters, and ``REGEX_TIMEOUT_SECONDS`` per search. Breaking a bound is a
``PermanentError`` that says which.
"""
import datetime
import decimal
import functools
import math
import re

import regex as bounded_regex
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from .durations import parse_duration
from .errors import PermanentError
from .templates import contains_template

OPS = ("eq", "ne", "gt", "gte", "lt", "lte", "in", "not_in", "contains", "not_contains", "starts_with",
       "ends_with", "regex", "is_set", "is_not_set", "before", "after", "within_last")
NUMERIC_OPS = ("eq", "ne", "gt", "gte", "lt", "lte")
VALUELESS_OPS = ("is_set", "is_not_set")
MAX_PATTERN = 500
MAX_SUBJECT = 4_000
REGEX_TIMEOUT_SECONDS = 0.2
# The ``regex`` package expands minimum repeat counts when it compiles, outside the time limit:
# a{4294967294} would never finish compiling. Counts nested inside each other multiply.
MAX_REPEAT_LOAD = 1000
# Longer text is not a number or a date: parsing it would only cost time (and int() refuses > 4300 digits).
_MAX_PARSED = 64
_NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$")
_INTEGER = re.compile(r"^[+-]?\d+$")
_COUNTED_REPEAT = re.compile(r"\{(\d+)(?:,\d*)?\}")


def op_errors(op, value):
    """Messages for an op/value pair that can never be evaluated (shown at validation).

    A missing value and a template value are left alone: the condition's schema requires the value
    where it must be there, and a template is only known once rendered.
    """
    if op not in OPS:
        return [f"unknown op {op!r}; use one of {', '.join(OPS)}"]
    if value is None or contains_template(value):
        return []
    if op == "regex":
        return _pattern_errors(value)
    if op == "within_last":
        return _period_errors(value)
    if op in ("in", "not_in") and not isinstance(value, list):
        return [f"{op!r} compares with a list of values, e.g. [\"audit\", \"honor\"]"]
    if op in ("before", "after") and as_moment(value) is None:
        return [f"{op!r} compares with a date or datetime such as 2026-09-01 or 2026-09-01T12:00:00Z (got {value!r})"]
    if op in ("gt", "gte", "lt", "lte") and as_number(value) is None and as_moment(value) is None:
        return [f"{op!r} compares with a number or a date (got {value!r})"]
    return []


def compare(observed, op, value, *, now):
    """Whether ``observed <op> value`` holds; ``now`` anchors ``within_last`` (None: the current time).

    Raises ``PermanentError`` for an unknown op, a regex that is invalid or too slow, and a
    ``within_last`` value that is not a positive ISO-8601 duration.
    """
    if op not in _OPS:
        raise PermanentError(f"unknown op {op!r}; use one of {', '.join(OPS)}")
    if op == "within_last":
        return _within_last(observed, value, now)
    return _OPS[op](observed, value)


# --- coercions ----------------------------------------------------------------------------------


def as_number(value):
    """An int or float for a number or numeric text; None for anything else (booleans and NaN included)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return None if math.isnan(value) else value
    if isinstance(value, decimal.Decimal):
        if value.is_nan():
            return None
        return int(value) if value.is_finite() and value == value.to_integral_value() else float(value)
    if isinstance(value, str):
        text = value.strip()
        if len(text) > _MAX_PARSED or not _NUMBER.match(text):
            return None
        return int(text) if _INTEGER.match(text) else float(text)
    return None


def as_moment(value):
    """An aware datetime for a datetime, a date or their ISO-8601 text; None otherwise.

    A naive datetime and a date are taken as UTC, the time zone the plugin stores.
    """
    if isinstance(value, datetime.datetime):
        return value if value.tzinfo else value.replace(tzinfo=datetime.UTC)
    if isinstance(value, datetime.date):
        return datetime.datetime.combine(value, datetime.time(), tzinfo=datetime.UTC)
    if not isinstance(value, str) or len(value.strip()) > _MAX_PARSED:
        return None
    text = value.strip()
    try:
        parsed = parse_datetime(text)
        if parsed is None:
            day = parse_date(text)
            return as_moment(day) if day else None
    except ValueError:  # well formed but impossible, like 2026-02-30
        return None
    return as_moment(parsed)


def _as_bool(value):
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    return None


def _is_number(value):
    return isinstance(value, (int, float, decimal.Decimal)) and not isinstance(value, bool)


def _is_moment(value):
    return isinstance(value, (datetime.date, datetime.datetime))


# --- the ops ------------------------------------------------------------------------------------


def _equal(left, right):
    if isinstance(left, bool) or isinstance(right, bool):
        left_bool, right_bool = _as_bool(left), _as_bool(right)
        return left_bool is not None and left_bool == right_bool
    if _is_number(left) or _is_number(right):
        left_number, right_number = as_number(left), as_number(right)
        if left_number is not None and right_number is not None:
            return left_number == right_number
    if _is_moment(left) or _is_moment(right):
        left_moment, right_moment = as_moment(left), as_moment(right)
        if left_moment is not None and right_moment is not None:
            return left_moment == right_moment
    return left == right


def _ordered(left, right):
    """``(left, right)`` as two numbers or two moments, or None when they cannot be ordered."""
    left_number, right_number = as_number(left), as_number(right)
    if left_number is not None and right_number is not None:
        return left_number, right_number
    left_moment, right_moment = as_moment(left), as_moment(right)
    if left_moment is not None and right_moment is not None:
        return left_moment, right_moment
    return None


def _order(test):
    def op(observed, value):
        pair = _ordered(observed, value)
        return pair is not None and test(*pair)
    return op


def _moment_order(test):
    def op(observed, value):
        left, right = as_moment(observed), as_moment(value)
        return left is not None and right is not None and test(left, right)
    return op


def _is_in(observed, value):
    values = value if isinstance(value, (list, tuple)) else ([] if value is None else [value])
    items = observed if isinstance(observed, (list, tuple)) else [observed]
    return any(_equal(item, candidate) for item in items for candidate in values)


def _contains(observed, value):
    if isinstance(observed, str):
        text = _text(value)
        return text is not None and text in observed
    if isinstance(observed, (list, tuple, set)):
        return any(_equal(item, value) for item in observed)
    if isinstance(observed, dict):
        return isinstance(value, str) and value in observed
    return False


def _text(value):
    """Text for the text ops: numbers are written as staff type them; other non-text is not text."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, decimal.Decimal)):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(value)
    if _is_moment(value):
        return value.isoformat()
    return None


def _starts_with(observed, value):
    text, prefix = _text(observed), _text(value)
    return text is not None and prefix is not None and text.startswith(prefix)


def _ends_with(observed, value):
    text, suffix = _text(observed), _text(value)
    return text is not None and suffix is not None and text.endswith(suffix)


def _is_set(observed, _value=None):
    if observed is None:
        return False
    if isinstance(observed, str):
        return bool(observed.strip())
    if isinstance(observed, (list, tuple, dict, set)):
        return bool(observed)
    return True


def _within_last(observed, value, now):
    errors = _period_errors(value)
    if errors:
        raise PermanentError(errors[0])
    moment, now = as_moment(observed), as_moment(now) or timezone.now()
    if moment is None:
        return False
    try:
        since = now - parse_duration(value)
    except OverflowError:  # a period longer than the calendar: everything so far is within it
        since = datetime.datetime.min.replace(tzinfo=datetime.UTC)
    return since <= moment <= now


def _regex(observed, value):
    errors = _pattern_errors(value) if isinstance(value, str) else [f"a regex must be text (got {value!r})"]
    if errors:
        raise PermanentError(errors[0])
    subjects = observed if isinstance(observed, (list, tuple)) else [observed]
    texts = [text for text in map(_text, subjects) if text is not None]
    return any(_search(value, text[:MAX_SUBJECT]) for text in texts)


def _search(pattern, text):
    try:
        return bounded_regex.search(pattern, text, timeout=REGEX_TIMEOUT_SECONDS) is not None
    except TimeoutError as exc:
        raise PermanentError(f"the regex {pattern[:60]!r} took longer than {REGEX_TIMEOUT_SECONDS} s "
                             f"(it backtracks too much); simplify it") from exc


def _pattern_errors(pattern):
    if not isinstance(pattern, str):
        return [f"a regex must be text (got {pattern!r})"]
    return list(_checked_pattern(pattern))


@functools.lru_cache(maxsize=256)
def _checked_pattern(pattern):
    """Errors of a text pattern, remembered: a filter checks the same few patterns on every event."""
    if len(pattern) > MAX_PATTERN:
        return (f"a regex may be at most {MAX_PATTERN} characters (got {len(pattern)})",)
    load = _repeat_load(pattern)
    if load > MAX_REPEAT_LOAD:
        return (f"a regex may require at most {MAX_REPEAT_LOAD} repetitions ({{n}} counts, multiplied when nested); "
                f"this one requires {load}",)
    try:
        bounded_regex.compile(pattern)
    except (bounded_regex.error, ValueError, OverflowError) as exc:
        return (f"the regex does not compile: {exc}",)
    return ()


def _repeat_load(pattern):
    """The largest product of minimum repeat counts along any nesting: ``(a{3}b{2}){4}`` → 12.

    A light scan, not a parser: escapes and character classes are skipped, groups are tracked.
    Misreading an exotic construct can only over-count, which refuses a pattern, never admits one.
    """
    maxima, pending, index = [1], 1, 0  # per open group: its largest load; the atom just read
    while index < len(pattern):
        char = pattern[index]
        counted = _COUNTED_REPEAT.match(pattern, index) if char == "{" else None
        if counted:
            pending *= max(int(counted.group(1)), 1)
            index = counted.end()
            continue
        maxima[-1] = max(maxima[-1], pending)
        pending = 1
        if char == "\\":
            index += 2
        elif char == "[":
            index = _after_class(pattern, index)
        elif char == "(":
            maxima.append(1)
            index += 1
        elif char == ")" and len(maxima) > 1:
            pending = maxima.pop()  # a group is one atom of its parent, as heavy as its heaviest part
            index += 1
        else:
            index += 1
    return max(*maxima, pending)


def _after_class(pattern, index):
    """The index after the character class opening at ``index``."""
    index += 1
    if pattern[index:index + 1] == "^":
        index += 1
    if pattern[index:index + 1] == "]":
        index += 1
    while index < len(pattern) and pattern[index] != "]":
        index += 2 if pattern[index] == "\\" else 1
    return index + 1


def _period_errors(value):
    try:
        period = parse_duration(value)
    except ValueError as exc:
        return [f"'within_last' needs a period: {exc}"]
    except OverflowError:
        return [f"'within_last' needs a period shorter than that (got {value!r})"]
    if period <= datetime.timedelta(0):
        return [f"'within_last' needs a positive period (got {value!r})"]
    return []


_OPS = {
    "eq": _equal,
    "ne": lambda observed, value: not _equal(observed, value),
    "gt": _order(lambda left, right: left > right),
    "gte": _order(lambda left, right: left >= right),
    "lt": _order(lambda left, right: left < right),
    "lte": _order(lambda left, right: left <= right),
    "in": _is_in,
    "not_in": lambda observed, value: not _is_in(observed, value),
    "contains": _contains,
    "not_contains": lambda observed, value: not _contains(observed, value),
    "starts_with": _starts_with,
    "ends_with": _ends_with,
    "regex": _regex,
    "is_set": _is_set,
    "is_not_set": lambda observed, value: not _is_set(observed),
    "before": _moment_order(lambda left, right: left < right),
    "after": _moment_order(lambda left, right: left > right),
    "within_last": None,  # needs ``now``: handled in compare()
}
