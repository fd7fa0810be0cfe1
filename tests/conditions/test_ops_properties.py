"""Properties of the comparison ops that staff rely on without reading the code."""
import datetime

import regex
from hypothesis import assume, given
from hypothesis import strategies as st

from lms_automations.engine.ops import MAX_SUBJECT, as_moment, compare

NOW = datetime.datetime(2026, 5, 1, 12, tzinfo=datetime.UTC)

finite_floats = st.floats(-1e12, 1e12, allow_nan=False, allow_infinity=False)
numbers = st.one_of(st.integers(-10**12, 10**12), finite_floats)
numeric = st.one_of(numbers, numbers.map(str), st.integers(-10**6, 10**6).map(lambda n: f" {n} "))
scalars = st.one_of(st.none(), st.booleans(), numbers, st.text(max_size=12), numbers.map(str))
json_values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                            st.dictionaries(st.text(max_size=5), inner, max_size=4)),
                           max_leaves=10)
offsets = st.integers(-14 * 60, 14 * 60).map(lambda minutes: datetime.timezone(datetime.timedelta(minutes=minutes)))
moments = st.datetimes(min_value=datetime.datetime(1900, 1, 1), max_value=datetime.datetime(2200, 1, 1),
                       timezones=offsets)


def holds(observed, op, value):
    return compare(observed, op, value, now=NOW)


@given(numeric, numeric)
def test_gt_and_lte_are_complements_for_numbers(left, right):
    assert holds(left, "gt", right) != holds(left, "lte", right)
    assert holds(left, "lt", right) != holds(left, "gte", right)


@given(numeric, numeric)
def test_ordering_is_antisymmetric_and_matches_python(left, right):
    assert holds(left, "gt", right) == holds(right, "lt", left)
    assert holds(left, "gte", right) == holds(right, "lte", left)
    assert holds(left, "gt", right) == (float(str(left).strip()) > float(str(right).strip()))


@given(st.integers(-10**6, 10**6), numbers)
def test_numeric_text_compares_like_its_number(number, other):
    for op in ("eq", "ne", "gt", "gte", "lt", "lte"):
        assert holds(str(number), op, other) == holds(number, op, other), op


@given(json_values, json_values)
def test_eq_and_ne_are_complements(left, right):
    assert holds(left, "eq", right) != holds(left, "ne", right)


@given(json_values)
def test_eq_is_reflexive_except_for_nan(value):
    assume("nan" not in repr(value))
    assert holds(value, "eq", value)


@given(json_values, st.lists(scalars, max_size=6))
def test_in_and_not_in_are_complements(value, values):
    assert holds(value, "in", values) != holds(value, "not_in", values)


@given(scalars, st.lists(scalars, max_size=6))
def test_in_is_eq_with_any_of_the_values(value, values):
    assert holds(value, "in", values) == any(holds(value, "eq", candidate) for candidate in values)


@given(json_values, scalars)
def test_contains_and_not_contains_are_complements(observed, value):
    assert holds(observed, "contains", value) != holds(observed, "not_contains", value)


@given(json_values)
def test_is_set_and_is_not_set_are_complements(value):
    assert holds(value, "is_set", None) != holds(value, "is_not_set", None)


@given(st.text(max_size=40), st.text(max_size=8))
def test_text_ops_agree_with_python_strings(text, part):
    assert holds(text, "starts_with", part) == text.startswith(part)
    assert holds(text, "ends_with", part) == text.endswith(part)
    assert holds(text, "contains", part) == (part in text)


@given(st.text(max_size=60), st.text(min_size=1, max_size=8))
def test_a_literal_regex_finds_what_contains_finds(text, part):
    assert holds(text, "regex", regex.escape(part)) == holds(text, "contains", part)


@given(st.text(alphabet="ab", max_size=30), st.text(alphabet="ab", max_size=30))
def test_a_regex_sees_the_input_up_to_the_bound_only(head, tail):
    text = "a" * (MAX_SUBJECT - len(head)) + head + tail
    assert holds(text, "regex", "b") == ("b" in head)
    assert holds(text, "regex", "a+b") == ("b" in head)


@given(moments, moments)
def test_before_and_after_agree_across_time_zones(left, right):
    assert holds(left, "before", right) == (left < right)
    assert holds(left, "after", right) == (left > right)
    if left != right:
        assert holds(left, "before", right) != holds(left, "after", right)
    else:
        assert not holds(left, "before", right) and not holds(left, "after", right)


@given(moments, moments)
def test_iso_text_compares_like_the_moment_it_names_in_any_zone(left, right):
    utc_right = right.astimezone(datetime.UTC)
    assert holds(left.isoformat(), "before", right.isoformat()) == holds(left, "before", right)
    assert holds(left.isoformat(), "after", utc_right.isoformat()) == holds(left, "after", right)
    assert holds(left, "eq", utc_right) == (left == right)


@given(moments, moments)
def test_ordering_ops_on_moments_agree_with_before_and_after(left, right):
    assert holds(left, "lt", right) == holds(left, "before", right)
    assert holds(left, "gt", right.isoformat()) == holds(left, "after", right)


@given(moments, st.integers(1, 400 * 24))
def test_within_last_is_the_window_up_to_now(moment, hours):
    inside = NOW - datetime.timedelta(hours=hours) <= moment <= NOW
    assert holds(moment, "within_last", f"PT{hours}H") == inside
    assert holds(moment.isoformat(), "within_last", f"PT{hours}H") == inside


@given(st.text(max_size=40))
def test_text_that_is_not_a_date_is_never_a_moment_error(text):
    moment = as_moment(text)
    assert moment is None or moment.tzinfo is not None
    for op in ("before", "after", "within_last"):
        holds(text, op, "P1D" if op == "within_last" else "2026-01-01")
