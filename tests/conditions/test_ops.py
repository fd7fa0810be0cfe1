"""Comparison ops: coercions staff rely on, complements, and bounded regexes."""
import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lms_automations.engine.errors import PermanentError
from lms_automations.engine.ops import compare, op_errors

NOW = datetime.datetime(2026, 5, 1, 12, tzinfo=datetime.UTC)
numbers = st.one_of(st.integers(-10**6, 10**6), st.floats(-1e6, 1e6, allow_nan=False))


@given(numbers, numbers)
def test_gt_and_lte_are_complements(left, right):
    assert compare(left, "gt", right) != compare(left, "lte", right)
    assert compare(left, "lt", right) != compare(left, "gte", right)


@given(st.integers(-1000, 1000), st.lists(st.integers(-1000, 1000), max_size=5))
def test_in_and_not_in_are_complements(value, values):
    assert compare(value, "in", values) != compare(value, "not_in", values)
    assert compare(str(value), "in", values) == compare(value, "in", values)  # "7" is 7


@given(st.datetimes(timezones=st.sampled_from([datetime.UTC, datetime.timezone(datetime.timedelta(hours=5))])),
       st.datetimes(timezones=st.just(datetime.UTC)))
def test_before_and_after_agree_across_time_zones(left, right):
    if left != right:
        assert compare(left, "before", right) != compare(left, "after", right)
        assert compare(left.isoformat(), "before", right.isoformat()) == compare(left, "before", right)


@given(st.one_of(st.none(), st.just(""), st.text(min_size=1), st.lists(st.integers())))
def test_is_set_and_is_not_set_are_complements(value):
    assert compare(value, "is_set", None) != compare(value, "is_not_set", None)


def test_common_cases():
    assert compare("42", "eq", 42) and compare(85.0, "gte", "85")
    assert compare(["a", "b"], "contains", "b") and compare("hello world", "contains", "wor")
    assert compare("course-v1:Demo+W1+2026", "starts_with", "course-v1:Demo")
    assert compare("2026-04-28T00:00:00Z", "within_last", "P7D", now=NOW)
    assert not compare("2026-04-20", "within_last", "P7D", now=NOW)
    assert compare("ada@example.com", "regex", r"@example\.com$")
    assert not compare(None, "gt", 3)


def test_a_catastrophic_regex_is_stopped():
    with pytest.raises(PermanentError, match="took longer"):
        compare("a" * 5000 + "b", "regex", r"(a+)+$")


def test_validation_messages():
    assert op_errors("bigger", 3)[0].startswith("unknown op 'bigger'")
    assert "does not compile" in op_errors("regex", "(")[0]
    assert "at most 500" in op_errors("regex", "a" * 501)[0]
    assert "ISO-8601" in op_errors("within_last", "7 days")[0]
    assert op_errors("in", "x") == ["'in' compares with a list of values"]
