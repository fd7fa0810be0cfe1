"""ISO-8601 durations of the v1 document."""
import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lms_automations.engine.durations import format_duration, parse_duration


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("P1D", datetime.timedelta(days=1)),
        ("PT12H", datetime.timedelta(hours=12)),
        ("P1DT6H30M", datetime.timedelta(days=1, hours=6, minutes=30)),
        ("P2W", datetime.timedelta(days=14)),
        ("-P3D", datetime.timedelta(days=-3)),
    ],
)
def test_parses_the_durations_staff_write(text, expected):
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["", "P", "PT", "1D", "P1M", "P1Y", "P1.5D", "P1DT", None, 5])
def test_refuses_what_is_not_a_fixed_length_duration(text):
    with pytest.raises(ValueError, match="ISO-8601 duration"):
        parse_duration(text)


@given(st.integers(min_value=-400 * 86400, max_value=400 * 86400))
def test_format_then_parse_gives_the_same_duration(seconds):
    delta = datetime.timedelta(seconds=seconds)
    assert parse_duration(format_duration(delta)) == delta


def test_format_is_the_shortest_form():
    assert format_duration(datetime.timedelta(days=1)) == "P1D"
    assert format_duration(datetime.timedelta(hours=36)) == "P1DT12H"
    assert format_duration(datetime.timedelta(0)) == "PT0S"
    assert format_duration(datetime.timedelta(days=-3)) == "-P3D"
