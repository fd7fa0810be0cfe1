"""The base classes: params checking that says what to change, and the one-method contracts."""
import pytest

from lms_automations.catalogue import Action, CatalogueEntry, Condition, EventType, Wait, object_schema


class Reminder(Action):
    """A small entry with a schema that uses the keywords real entries use."""

    key = "test.reminder"
    label = "Send a reminder"
    category = "Test"
    description = "For these tests."
    params_schema = object_schema(
        ["days", "channel"],
        days={"type": "integer", "minimum": 1, "maximum": 30},
        channel={"type": "string", "enum": ["email", "sms"]},
        tags={"type": "array", "items": {"type": "string", "minLength": 1}, "maxItems": 3},
        code={"type": "string", "pattern": "^[A-Z]{3}$", "description": "three capital letters"},
    )


def check(params):
    return {error["path"]: error["message"] for error in Reminder.check_params(params)}


def test_valid_params_have_no_errors():
    assert Reminder.check_params({"days": 3, "channel": "email", "tags": ["a"], "code": "ABC"}) == []


def test_bounds_name_the_limit_and_the_value_given():
    assert check({"days": 0, "channel": "sms"}) == {"params.days": "must be at least 1 (got 0)"}
    assert check({"days": 31, "channel": "sms"}) == {"params.days": "must be at most 30 (got 31)"}


def test_a_missing_param_points_at_where_it_goes():
    assert check({"channel": "sms"}) == {"params.days": "required — add a value"}


def test_several_missing_params_are_listed_on_the_object():
    assert check({}) == {"params": "add 'days', 'channel'"}


def test_enum_lists_the_choices():
    assert check({"days": 1, "channel": "fax"}) == {"params.channel": "must be one of email, sms (got 'fax')"}


def test_wrong_type_says_what_is_expected_in_plain_words():
    assert check({"days": "two", "channel": "sms"}) == {"params.days": "must be a whole number (got 'two')"}
    assert check([]) == {"params": "must be an object (got [])"}


def test_nested_paths_and_other_keywords():
    errors = check({"days": 1, "channel": "sms", "tags": ["", "b", "c", "d"], "code": "abc"})
    assert errors == {
        "params.tags": "takes at most 3 item(s) (got 4)",
        "params.tags[0]": "must not be empty",
        "params.code": "'abc' is not in the expected format (three capital letters)",
    }


def test_unknown_params_are_named_with_what_is_allowed():
    assert check({"days": 1, "channel": "sms", "colour": "red"}) == {
        "params": "unknown param(s) colour; allowed: channel, code, days, tags"}


def test_entries_without_params_refuse_any():
    assert CatalogueEntry.check_params({}) == []
    assert EventType.check_params({"x": 1}) == [
        {"path": "params", "message": "unknown param(s) x; this entry takes none"}]


def test_errors_come_in_a_stable_order():
    params = {"days": 0, "channel": "fax", "tags": [""]}
    assert Reminder.check_params(params) == Reminder.check_params(dict(reversed(params.items())))
    assert [error["path"] for error in Reminder.check_params(params)] == sorted(
        error["path"] for error in Reminder.check_params(params))


def test_describe_is_plain_data():
    assert Reminder.describe()["params_schema"]["required"] == ["days", "channel"]

    class Webinar(EventType):
        key = "test.webinar"
        payload_fields = {"webinar": "its id"}

    assert Webinar.describe()["payload_fields"] == {"webinar": "its id"}


@pytest.mark.parametrize(("base", "method"), [(Condition, "evaluate"), (Action, "execute"), (Wait, "due_at")])
def test_the_one_method_is_abstract(base, method):
    entry = type("Incomplete", (base,), {"key": "test.incomplete"})()
    with pytest.raises(NotImplementedError, match=f"Incomplete must implement {method}"):
        getattr(entry, method)({}, None)


def test_actions_default_to_external_and_waits_to_no_awaited_event():
    assert Action.external is True
    assert Wait.awaited_event({"event": "tag.added"}) is None
