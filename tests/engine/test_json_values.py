"""JSON values and JSON text the plugin accepts: bounded, storable, refused with paths, never a crash."""
import json
import time

import pytest
from django import forms
from hypothesis import given, settings
from hypothesis import strategies as st

from lms_automations.engine.json_values import (
    MAX_DEPTH,
    JSONFormField,
    UnacceptableJSON,
    json_value_errors,
    nesting_exceeds,
    parse_json,
)


@pytest.mark.parametrize(("text", "deeper"), [
    ("[" * MAX_DEPTH + "]" * MAX_DEPTH, False),
    ("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1), True),
    ('{"a": "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["}', False),
    ('["\\"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\\\\"]', False),
    ("[]" * 100_000, False),
    ("[" * 20000 + "]" * 20000, True),
    ('{"k":' * 70 + "1" + "}" * 70, True),
])
def test_nesting_is_measured_on_the_text_without_parsing(text, deeper):
    assert nesting_exceeds(text) is deeper


def test_measuring_a_large_body_costs_about_what_parsing_it_does():
    text = "[" + ",".join(['{"a": [1, {"b": "x]"}]}'] * 60_000) + "]"  # ~1.4 MB, the size of a big import
    started = time.perf_counter()
    json.loads(text)
    parsing = time.perf_counter() - started
    started = time.perf_counter()
    assert not nesting_exceeds(text)
    assert time.perf_counter() - started < 5 * parsing + 0.5


def test_values_are_walked_without_recursion():
    value = current = []
    for _level in range(100_000):
        current.append([])
        current = current[0]
    errors = json_value_errors(value)
    assert len(errors) == 1 and "deeper than 64" in errors[0]["message"]


@pytest.mark.parametrize(("text", "says"), [
    ("[" * 20000 + "]" * 20000, "deeper than 64 levels"),
    ("NaN", "JSON has no NaN"),
    ('{"a": 1e400}', "finite number"),
    ("9" * 5000, "JSON parse error"),
    ('{"a": "\\u0000"}', "NUL character"),
    ('["\\ud800"]', "lone surrogate"),
    ("{", "JSON parse error"),
])
def test_parse_json_refuses_with_a_message(text, says):
    with pytest.raises(UnacceptableJSON) as refused:
        parse_json(text)
    assert says in str(refused.value)


def test_parse_json_gives_the_value_and_takes_big_integers_unless_asked():
    assert parse_json('{"a": [1, 2.5, "x", null, true], "n": 10000000000000000000}')["n"] == 10**19
    with pytest.raises(UnacceptableJSON):
        parse_json('{"n": 10000000000000000000}', max_number=2**53 - 1)


@pytest.mark.parametrize("text", ["[" * 20000 + "]" * 20000, '{"tags": ["a\\u0000b"]}', '{"x": "\\ud800"}',
                                  '{"days": 1e400}', '{"days": 1' + "0" * 400 + "}"])
def test_the_form_field_turns_hostile_json_into_a_form_error(text):
    field = JSONFormField()
    with pytest.raises(forms.ValidationError):
        field.clean(text)


def test_the_form_field_takes_ordinary_json():
    assert JSONFormField().clean('{"tags": ["x"], "days": 2}') == {"tags": ["x"], "days": 2}


def _depth(value):
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (dict, list)):
            deepest = max(deepest, depth)
            stack.extend((child, depth + 1) for child in (item.values() if isinstance(item, dict) else item))
    return deepest


_NESTED = st.recursive(st.one_of(st.none(), st.integers(), st.text(alphabet='[]{}"\\ab', max_size=6)),
                       lambda children: st.lists(children, max_size=3) | st.dictionaries(
                           st.text(alphabet='[]{}"\\k', max_size=4), children, max_size=3),
                       max_leaves=80)


@settings(max_examples=300)
@given(value=_NESTED, limit=st.integers(1, 12))
def test_the_text_measure_agrees_with_the_parsed_depth(value, limit):
    assert nesting_exceeds(json.dumps(value), limit) is (_depth(value) > limit)
