"""The eight waits of SPEC §4.4 come from this package through entry points, with strict schemas."""
import pytest

from lms_automations import waits
from lms_automations.catalogue import get_waits

SPEC_WAITS = {"duration", "until", "time_of_day", "weekday", "field_duration", "field_date", "event", "course_date"}


def test_every_spec_wait_is_registered_from_this_package():
    loaded = get_waits()
    assert set(loaded) >= SPEC_WAITS
    for key in SPEC_WAITS:
        entry = loaded[key]
        assert entry.__module__.startswith("lms_automations.waits.") and entry.__name__ in waits.__all__
        assert entry.label and entry.category and entry.description
        assert entry.params_schema["additionalProperties"] is False, key


@pytest.mark.parametrize("key", sorted(SPEC_WAITS))
@pytest.mark.parametrize("params", [None, [], "days=2", {"unknown": 1}])
def test_params_of_the_wrong_shape_are_errors_not_crashes(key, params):
    errors = get_waits()[key].check_params(params)
    assert errors and all(set(error) == {"path", "message"} for error in errors)
