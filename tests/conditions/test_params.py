"""Params schemas of the built-in conditions: strict, and checked the way validation checks them."""
import pytest

from lms_automations.catalogue import get_conditions
from lms_automations.engine.validation import validate_document

COURSE = "course-v1:Demo+W1+2026"
UNIT = "block-v1:Demo+W1+2026+type@vertical+block@unit-1"

# One valid params example per SPEC §4.2 key, written as staff would in the v1 document.
VALID = {
    "event.field": {"path": "course_key", "op": "eq", "value": COURSE},
    "event.occurred": {"event": "enrollment.created", "within": "P7D",
                       "filter": {"condition": "event.field",
                                  "params": {"path": "mode", "op": "eq", "value": "audit"}}},
    "learner.field": {"field": "country", "op": "in", "value": ["FR", "BE"]},
    "learner.has_tag": {"tag": "vip", "match": "partial"},
    "learner.in_list": {"list": "alumni-2026"},
    "learner.subscribed": {},
    "learner.points": {"op": "gte", "value": 100, "course_key": "{{ event.course_key }}"},
    "course.enrolled": {"course_key": COURSE, "modes": ["verified"], "active": True},
    "course.progress": {"course_key": "{{ event.course_key }}", "op": "gt", "value": 0},
    "course.lesson_completed": {"course_key": COURSE, "lesson_keys": [UNIT]},
    "course.completed": {"course_key": COURSE},
    "course.grade": {"course_key": COURSE, "op": "gte", "value": 85.5},
    "course.passed": {"course_key": COURSE},
    "course.certificate": {"course_key": COURSE, "statuses": ["downloadable", "audit_passing"]},
    "course.last_activity": {"course_key": COURSE, "op": "gte", "days": 7},
    "course.days_left": {"course_key": COURSE, "op": "lte", "days": -3},
    "cohort.member": {"course_key": COURSE, "cohort": "Evening"},
    "email.engagement": {"what": "opened", "step_id": "welcome", "automation_id": 3, "within": "PT12H"},
    "automation.run": {"automation_id": "{{ event.automation_id }}", "state": "converted"},
}


def check(key, params):
    return {error["path"]: error["message"] for error in get_conditions()[key].check_params(params)}


@pytest.mark.django_db
@pytest.mark.parametrize("key", sorted(VALID))
def test_the_example_is_valid_and_an_unknown_param_is_refused(key):
    assert check(key, VALID[key]) == {}
    assert "unknown param(s) colour" in check(key, {**VALID[key], "colour": "red"})["params"]


@pytest.mark.parametrize("key", sorted(VALID))
def test_every_condition_declares_what_staff_read(key):
    entry = get_conditions()[key]
    assert entry.key == key and entry.label and entry.category and len(entry.description) > 40


@pytest.mark.parametrize(("key", "params", "path", "message"), [
    ("course.progress", {"course_key": COURSE, "op": "contains", "value": 5}, "params.op", "must be one of eq, ne"),
    ("course.progress", {"course_key": COURSE, "op": "gt", "value": 150}, "params.value", "at most 100"),
    ("course.grade", {"course_key": COURSE, "op": "gt"}, "params.value", "required"),
    ("course.grade", {"course_key": "", "op": "gt", "value": 1}, "params.course_key", "must not be empty"),
    ("event.field", {"path": "mode", "op": "eq"}, "params.value", "required"),
    ("event.field", {"path": "mode..x", "op": "is_set"}, "params.path", "not in the expected format"),
    ("learner.field", {"field": "country"}, "params.op", "required"),
    ("learner.has_tag", {"tag": "vip", "match": "fuzzy"}, "params.match", "must be one of exact, partial"),
    ("learner.in_list", {"list": "Alumni 2026"}, "params.list", "not in the expected format"),
    ("learner.subscribed", {"course_key": COURSE}, "params", "this entry takes none"),
    ("course.enrolled", {"course_key": COURSE, "modes": []}, "params.modes", "at least 1"),
    ("course.certificate", {"course_key": COURSE, "statuses": ["issued"]}, "params.statuses[0]", "must be one of"),
    ("course.last_activity", {"course_key": COURSE, "op": "gt", "days": -1}, "params.days", "at least 0"),
    ("email.engagement", {"what": "bounced"}, "params.what", "must be one of sent, opened, clicked"),
    ("email.engagement", {"what": "sent", "within": "7d"}, "params.within", "ISO-8601"),
    ("email.engagement", {"what": "sent", "automation_id": "welcome"}, "params.automation_id", "an automation's id"),
    ("automation.run", {"automation_id": 0, "state": "never"}, "params.automation_id", "an automation's id"),
    ("automation.run", {"automation_id": 3, "state": "paused"}, "params.state", "must be one of active"),
    ("event.occurred", {"event": "tag.added", "filter": {"condition": "nope"}}, "params.filter.condition",
     "unknown condition 'nope'"),
])
def test_bad_params_name_the_param_and_what_to_change(key, params, path, message):
    errors = check(key, params)
    assert path in errors and message in errors[path], errors


def test_valueless_ops_need_no_value():
    assert check("event.field", {"path": "mode", "op": "is_set"}) == {}
    assert check("learner.field", {"field": "seats", "op": "is_not_set"}) == {}


@pytest.mark.django_db
def test_document_validation_checks_ops_and_params_with_their_paths():
    document = {
        "format": "lms-automations/v1", "name": "Check", "status": "draft",
        "triggers": [{"event": "enrollment.created", "filter": {"all": [
            {"condition": "event.field", "params": {"path": "course_key", "op": "regex", "value": "(course"}},
            {"condition": "learner.field", "params": {"field": "date_joined", "op": "within_last",
                                                      "value": "7 days"}},
        ]}}],
        "steps": [{"id": "b", "type": "branch",
                   "condition": {"condition": "course.progress", "params": {"course_key": COURSE, "op": "gt",
                                                                            "value": "half"}},
                   "yes": [], "no": []}],
    }
    errors = {}
    for error in validate_document(document):
        errors.setdefault(error["path"], []).append(error["message"])
    assert "does not compile" in " ".join(errors["triggers[0].filter.all[0].params.value"])
    assert "ISO-8601" in " ".join(errors["triggers[0].filter.all[1].params.value"])
    assert "must be a number" in " ".join(errors["steps[0].condition.params.value"])
