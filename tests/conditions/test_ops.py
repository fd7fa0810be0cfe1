"""Comparison ops: the coercions staff rely on, validation messages, and bounded regexes."""
import datetime

import pytest

from lms_automations.engine import ops
from lms_automations.engine.errors import PermanentError
from lms_automations.engine.ops import MAX_PATTERN, MAX_SUBJECT, REGEX_TIMEOUT_SECONDS, compare, op_errors

NOW = datetime.datetime(2026, 5, 1, 12, tzinfo=datetime.UTC)
PARIS = datetime.timezone(datetime.timedelta(hours=2))


@pytest.mark.parametrize(("observed", "op", "value", "expected"), [
    # numbers and numeric text
    ("42", "eq", 42, True),
    (42.0, "eq", "42", True),
    (" 7 ", "eq", 7, True),
    ("007", "eq", "7", False),  # two texts compare as text: they may be codes
    ("10", "gt", "9", True),  # ...but ordering numeric texts is numeric
    (85.0, "gte", "85", True),
    ("1e3", "eq", 1000, True),
    ("12 apples", "gt", 3, False),
    (None, "gt", 3, False),
    (None, "lte", 3, False),
    (float("nan"), "eq", float("nan"), False),
    # booleans
    (True, "eq", "true", True),
    (False, "eq", "False", True),
    (True, "eq", 1, False),
    (1, "eq", True, False),
    (True, "ne", 1, True),
    # text is case-sensitive
    ("Verified", "eq", "verified", False),
    ("course-v1:Demo+W1+2026", "starts_with", "course-v1:Demo", True),
    ("ada@example.com", "ends_with", "@EXAMPLE.com", False),
    (12345, "starts_with", "123", True),
    (None, "starts_with", "", False),
    # lists
    ("audit", "in", ["audit", "honor"], True),
    (3, "in", ["1", "2", "3"], True),
    ("3", "in", [1, 2, 3], True),
    ("audit", "in", "audit", True),  # one value is a list of one
    (None, "in", [None], True),
    (["beta", "vip"], "in", ["vip"], True),  # any item of an observed list
    ([], "in", ["vip"], False),
    ("verified", "not_in", ["audit", "honor"], True),
    (["a", "b"], "contains", "b", True),
    ([1, 2], "contains", "2", True),
    ("hello world", "contains", "wor", True),
    ("hello world", "contains", "WOR", False),
    ("order 42", "contains", 42, True),
    ({"sku": "X"}, "contains", "sku", True),
    (None, "contains", "x", False),
    (None, "not_contains", "x", True),
    ("hello", "contains", None, False),
    # set / not set
    (None, "is_set", None, False),
    ("  ", "is_set", None, False),
    ([], "is_set", None, False),
    ({}, "is_not_set", None, True),
    (0, "is_set", None, True),
    (False, "is_set", None, True),
    # moments
    ("2026-04-30", "before", "2026-05-01T00:00:01Z", True),
    (datetime.datetime(2026, 5, 1, 1, tzinfo=PARIS), "before", "2026-05-01", True),  # 23:00 UTC the day before
    (datetime.date(2026, 5, 2), "after", "2026-05-01T23:59:59+00:00", True),
    (datetime.datetime(2026, 5, 1), "eq", "2026-05-01T00:00:00Z", True),  # naive is UTC
    ("2026-05-01T00:00:00Z", "eq", "2026-05-01", False),  # two texts: text equality
    ("2026-05-02", "gt", datetime.date(2026, 5, 1), True),
    ("2026-02-30", "before", "2027-01-01", False),  # not a date
    ("not a date", "after", "2026-01-01", False),
    (None, "before", "2026-01-01", False),
    ("2026-04-28T00:00:00Z", "within_last", "P7D", True),
    ("2026-04-20", "within_last", "P7D", False),
    ("2026-05-01T12:00:00Z", "within_last", "PT1H", True),
    ("2026-05-02", "within_last", "P7D", False),  # the future is not the last 7 days
    (None, "within_last", "P7D", False),
    ("2026-04-01", "within_last", "P99999D", True),
    # regex
    ("ada@example.com", "regex", r"@example\.com$", True),
    ("ADA@example.com", "regex", r"^ada", False),
    ("ADA@example.com", "regex", r"(?i)^ada", True),
    (["x", "vip-2026"], "regex", r"^vip-\d+$", True),
    (2026, "regex", r"^20\d\d$", True),
    (None, "regex", ".*", False),
])
def test_compare(observed, op, value, expected):
    assert compare(observed, op, value, now=NOW) is expected


def test_now_defaults_to_the_current_time_and_may_be_naive():
    recent = datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=5)
    assert compare(recent, "within_last", "PT1H", now=None)
    assert compare("2026-05-01T11:00:00Z", "within_last", "PT2H", now=datetime.datetime(2026, 5, 1, 12))


def test_regex_input_is_cut_at_the_bound():
    assert compare("x" * (MAX_SUBJECT - 6) + "needle", "regex", "needle", now=NOW)
    assert not compare("x" * MAX_SUBJECT + "needle", "regex", "needle", now=NOW)


def test_a_search_that_spends_the_engines_budget_is_stopped_with_a_permanent_error(monkeypatch):
    # The budget is the regex engine's own limit, so a spent budget is deterministic: a budget of 0 is
    # spent before the first step. Unguarded, this small backtracking search would just answer False.
    monkeypatch.setattr(ops, "REGEX_TIMEOUT_SECONDS", 0)
    with pytest.raises(PermanentError, match=r"took longer than 0 s \(it backtracks too much\); simplify it"):
        compare("a" * 12 + "!", "regex", r"(a+)+$", now=NOW)


def test_the_budget_is_given_to_every_search_and_is_a_fraction_of_a_second(monkeypatch):
    budgets = []
    real_search = ops.bounded_regex.search

    def recording_search(pattern, text, **kwargs):
        budgets.append(kwargs.get("timeout"))
        return real_search(pattern, text, **kwargs)

    monkeypatch.setattr(ops.bounded_regex, "search", recording_search)
    assert compare(["no", "needle"], "regex", "needle", now=NOW)
    assert budgets == [REGEX_TIMEOUT_SECONDS, REGEX_TIMEOUT_SECONDS]
    assert 0 < REGEX_TIMEOUT_SECONDS < 1


def test_a_pattern_that_would_take_forever_to_compile_is_refused_before_compiling(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the pattern reached the regex engine")

    monkeypatch.setattr(ops.bounded_regex, "compile", refuse)
    monkeypatch.setattr(ops.bounded_regex, "search", refuse)
    with pytest.raises(PermanentError, match="at most 1000 repetitions"):
        compare("a", "regex", "(?:a{65535}){65535}", now=NOW)


@pytest.mark.parametrize(("op", "value", "message"), [
    ("regex", "(", "does not compile"),
    ("regex", "a" * (MAX_PATTERN + 1), f"at most {MAX_PATTERN}"),
    ("regex", 42, "must be text"),
    ("within_last", "7 days", "ISO-8601"),
    ("within_last", "-P7D", "positive"),
    ("bigger", 3, "unknown op"),
])
def test_what_cannot_be_evaluated_is_a_permanent_error(op, value, message):
    with pytest.raises(PermanentError, match=message):
        compare("x", op, value, now=NOW)


@pytest.mark.parametrize(("op", "value", "message"), [
    ("bigger", 3, "unknown op 'bigger'; use one of eq, ne"),
    ("regex", "(", "the regex does not compile"),
    ("regex", "a" * (MAX_PATTERN + 1), f"a regex may be at most {MAX_PATTERN} characters (got {MAX_PATTERN + 1})"),
    ("regex", ["a"], "a regex must be text"),
    ("regex", "a{4294967294}", "a regex may require at most 1000 repetitions ({n} counts, multiplied when nested); "
                               "this one requires 4294967294"),
    ("regex", r"((\w{10}){10}){11}", "a regex may require at most 1000 repetitions"),
    ("within_last", "7 days", "'within_last' needs a period: '7 days' is not an ISO-8601 duration"),
    ("within_last", "PT0S", "'within_last' needs a positive period"),
    ("within_last", "P99999999999D", "'within_last' needs a period shorter than that"),
    ("in", "audit", "'in' compares with a list of values"),
    ("not_in", 3, "'not_in' compares with a list of values"),
    ("before", "next week", "'before' compares with a date or datetime"),
    ("gt", "lots", "'gt' compares with a number or a date"),
])
def test_validation_messages(op, value, message):
    errors = op_errors(op, value)
    assert len(errors) == 1 and errors[0].startswith(message), errors


@pytest.mark.parametrize(("op", "value"), [
    ("eq", "anything"), ("gt", "85"), ("gt", "2026-05-01"), ("in", []), ("regex", r"^\d{5}$"), ("regex", "a" * 500),
    ("regex", r"(\d{1,3}\.){3}\d{1,3}"), ("regex", r"((\w{10}){10}){10}"), ("regex", r"\p{L}{2,}[{}]{0,99999}"),
    ("within_last", "P1DT6H"), ("before", "2026-05-01T12:00:00+02:00"), ("is_set", None),
    # a missing value is the schema's business; a template is only known once rendered
    ("gt", None), ("within_last", "{{ event.period }}"), ("in", "{{ event.modes }}"), ("regex", "{% if x %}"),
])
def test_valid_pairs_have_no_errors(op, value):
    assert op_errors(op, value) == []
