"""Every built-in action is registered from its area's module with a strict, described schema."""
import pytest
from jsonschema import Draft202012Validator

from lms_automations.catalogue import Action, get_actions

MODULES = {
    "enrollment": ["enrollment.enroll", "enrollment.unenroll", "enrollment.change_mode"],
    "cohorts": ["cohort.add", "cohort.remove"],
    "progress": ["progress.mark_complete", "dates.extend"],
    "certificates": ["certificate.generate"],
    "learner_data": ["tag.add", "tag.remove", "field.set", "field.clear", "list.add", "list.remove", "points.award",
                     "points.deduct"],
    "messaging": ["email.send", "email.notify_staff", "notification.send", "learner.unsubscribe"],
    "webhook": ["webhook.send"],
    "automation_control": ["automation.start", "automation.exit"],
}
DATABASE_LOCAL = {"tag.add", "tag.remove", "field.set", "field.clear", "list.add", "list.remove", "points.award",
                  "points.deduct", "learner.unsubscribe", "automation.start", "automation.exit"}
ALL_KEYS = sorted(key for keys in MODULES.values() for key in keys)


def test_every_spec_action_is_registered_from_its_areas_module():
    actions = get_actions()
    assert sorted(key for key in actions if key in ALL_KEYS) == ALL_KEYS
    for module, keys in MODULES.items():
        for key in keys:
            assert actions[key].__module__ == f"lms_automations.actions.{module}", key


@pytest.mark.parametrize("key", ALL_KEYS)
def test_each_entry_is_declared_for_staff(key):
    entry = get_actions()[key]
    assert issubclass(entry, Action) and entry.key == key
    assert entry.label and entry.category and len(entry.description) > 30
    schema = entry.params_schema
    Draft202012Validator.check_schema(schema)
    assert schema["type"] == "object" and schema["additionalProperties"] is False
    assert entry.external is (key not in DATABASE_LOCAL)
    assert entry.check_params({"surely_not_a_param": 1})  # strict: an unknown param is an error
