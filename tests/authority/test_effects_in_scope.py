"""An automation's effects stay inside its scope (SPEC §5.16): for a course team member, every course
a step or condition names is a course of the scope, and every automation it names is one they may
change — refused with the JSON path at validation, in import, update, activation, REST and admin."""
import json

import pytest
from rest_framework.test import APIClient

from lms_automations import api
from lms_automations.catalogue import Action
from lms_automations.engine import scope_checks
from lms_automations.exceptions import InvalidAutomation
from lms_automations.models import Automation, Step, Trigger

from .conftest import COURSE_A, COURSE_B, SIBLING, document

pytestmark = pytest.mark.django_db


def unenroll(course_key):
    return {"id": "unenroll", "type": "action", "action": "enrollment.unenroll", "params": {"course_key": course_key}}


def refusals(doc, user):
    with pytest.raises(InvalidAutomation) as refused:
        api.import_automation(doc, owner=user)
    return {error["path"]: error["message"] for error in refused.value.errors}


def test_a_step_naming_a_course_outside_the_scope_is_refused_with_its_path(teacher_a, courses):
    errors = refusals(document(steps=[unenroll(COURSE_B)]), teacher_a)
    assert list(errors) == ["steps[0].params.course_key"]
    assert errors["steps[0].params.course_key"].startswith(f"{COURSE_B} is not a course of this automation's scope")
    assert COURSE_A in errors["steps[0].params.course_key"]  # says which course it may name instead
    assert not Automation.objects.exists()


def test_the_events_course_and_the_scopes_courses_are_accepted(teacher_a, courses):
    steps = [unenroll("{{ event.course_key }}"),
             {"id": "mark", "type": "action", "action": "progress.mark_complete",
              "params": {"course_key": COURSE_A, "block_keys": ["block-v1:Mine+A+2026+type@html+block@intro"]}}]
    automation = api.import_automation(document(steps=steps), owner=teacher_a)
    assert automation.steps.count() == 2


def test_a_template_that_could_render_any_course_is_refused(teacher_a, courses):
    errors = refusals(document(steps=[unenroll("{{ learner.profile_fields.target }}")]), teacher_a)
    assert "another template could name any course" in errors["steps[0].params.course_key"]


def test_conditions_in_filters_branches_exits_and_event_waits_are_checked(teacher_a, courses):
    outside = {"condition": "course.progress", "params": {"course_key": COURSE_B, "op": "gte", "value": 50}}
    doc = document(
        triggers=[{"event": "custom.go", "filter": {"all": [{"not": outside}]}}],
        steps=[
            {"id": "wait", "type": "wait", "wait": "event",
             "params": {"event": "custom.go", "timeout": "P1D", "on_timeout": "continue",
                        "filter": {"condition": "cohort.member", "params": {"course_key": COURSE_B, "cohort": "x"}}}},
            {"id": "branch", "type": "branch", "condition": {"any": [outside]},
             "yes": [unenroll(COURSE_B)], "no": []},
        ],
        exit_conditions=[{"event": "custom.go", "outcome": "exited",
                          "filter": {"condition": "learner.points",
                                     "params": {"course_key": COURSE_B, "op": "gte", "value": 1}}}],
    )
    assert set(refusals(doc, teacher_a)) == {
        "triggers[0].filter.all[0].not.params.course_key",
        "steps[0].params.filter.params.course_key",
        "steps[1].condition.any[0].params.course_key",
        "steps[1].yes[0].params.course_key",
        "exit_conditions[0].filter.params.course_key",
    }


def test_an_automation_named_must_be_one_the_author_may_change(teacher_a, automation_a, automation_b):
    def start(automation_id):
        return document(name="Starter", steps=[{"id": "start", "type": "action", "action": "automation.start",
                                                "params": {"automation_id": automation_id}}])

    errors = refusals(start(automation_b.pk), teacher_a)
    assert errors == {"steps[0].params.automation_id": f"automation {automation_b.pk} is not one you may change: "
                                                       "name an automation of your own courses"}
    assert "name the automation by its id" in refusals(start("{{ event.automation_id }}"), teacher_a)[
        "steps[0].params.automation_id"]
    asked = document(name="Asker", triggers=[{"event": "custom.go", "filter": {
        "condition": "automation.run", "params": {"automation_id": str(automation_b.pk), "state": "finished"}}}])
    assert list(refusals(asked, teacher_a)) == ["triggers[0].filter.params.automation_id"]
    assert api.import_automation(start(automation_a.pk), owner=teacher_a).name == "Starter"


def test_the_scope_itself_must_be_the_authors(teacher_a, courses):
    errors = refusals(document(courses=(COURSE_B,), steps=[unenroll(COURSE_B)]), teacher_a)
    assert "not yours: course-v1:Other+B+2026" in errors["scope"]


def test_an_org_wide_role_lets_steps_name_the_orgs_courses(org_lead, teacher_a, courses):
    doc = document(courses=(), orgs=("Mine",), steps=[unenroll(SIBLING)])
    assert api.import_automation(doc, owner=org_lead).scope_orgs == ["Mine"]
    assert "scope" in refusals(doc, teacher_a)  # without the role: not even the org's scope


def test_platform_staff_and_the_operator_may_name_any_course(platform_staff, courses):
    api.import_automation(document(name="Staff", steps=[unenroll(COURSE_B)]), owner=platform_staff)
    api.import_automation(document(name="Script", steps=[unenroll(COURSE_B)]))  # no actor: an operator script
    assert Automation.objects.count() == 2


def test_update_checks_the_automation_and_the_new_document(teacher_a, automation_a, automation_b):
    rows = (Automation.objects.count(), Step.objects.count(), Trigger.objects.count())
    with pytest.raises(InvalidAutomation) as theirs:
        api.update_automation(automation_b, document(name="Taken over"), actor=teacher_a)
    assert [error["path"] for error in theirs.value.errors] == ["scope"]
    with pytest.raises(InvalidAutomation) as outside:
        api.update_automation(automation_a, document(steps=[unenroll(COURSE_B)]), actor=teacher_a)
    assert [error["path"] for error in outside.value.errors] == ["steps[0].params.course_key"]
    assert (Automation.objects.count(), Step.objects.count(), Trigger.objects.count()) == rows
    automation_b.refresh_from_db()
    assert automation_b.name == "Automation of B"


def test_activation_by_a_course_team_member_checks_the_effects(teacher_a, courses):
    draft = api.import_automation(document(status="draft", steps=[unenroll(COURSE_B)]))  # an operator's draft
    with pytest.raises(InvalidAutomation) as refused:
        api.activate(draft, actor=teacher_a)
    assert [error["path"] for error in refused.value.errors] == ["steps[0].params.course_key"]
    draft.refresh_from_db()
    assert draft.status == Automation.STATUS.draft


def test_a_catalogue_entry_declares_which_params_name_courses_and_automations(teacher_a, automation_b):
    class Transfer(Action):  # a third-party entry with its own param names
        key = "example.transfer"
        course_params = ("from_course", "to_courses")
        automation_params = ("then_start",)

    params = {"from_course": COURSE_A, "to_courses": [COURSE_A, COURSE_B], "course_key": COURSE_B,
              "then_start": automation_b.pk}
    scope = scope_checks.Scope(courses=(COURSE_A,))
    errors = scope_checks.params_errors(Transfer, params, "steps[0].params", scope, teacher_a)
    # Declared params are checked; ``course_key`` is not one of this entry's, so it is left alone.
    assert [error["path"] for error in errors] == ["steps[0].params.to_courses[1]", "steps[0].params.then_start"]


def test_rest_import_answers_400_with_the_path(teacher_a, courses):
    client = APIClient()
    client.force_authenticate(teacher_a)
    response = client.post("/api/automations/v1/automations/", document(steps=[unenroll(COURSE_B)]), format="json")
    assert response.status_code == 400
    assert [error["path"] for error in response.json()["errors"]] == ["steps[0].params.course_key"]
    assert not Automation.objects.exists()


def _add_form(client, steps):
    data = {"name": "Nudge", "description": "", "status": "draft", "owner": "", "entry_policy": "once",
            "entry_period": "", "execution": "async", "scope_courses": json.dumps([COURSE_A]), "scope_orgs": "[]"}
    for prefix in ("triggers", "exit_conditions", "test_learners"):
        data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})
    data.update({"steps-TOTAL_FORMS": len(steps), "steps-INITIAL_FORMS": 0})
    for index, (kind, params) in enumerate(steps):
        data.update({f"steps-{index}-step_id": f"s{index}", f"steps-{index}-step_type": "action",
                     f"steps-{index}-kind": kind, f"steps-{index}-side": "", f"steps-{index}-position": index,
                     f"steps-{index}-params": json.dumps(params), f"steps-{index}-condition": "null"})
    return client.post("/admin/lms_automations/automation/add/", data)


def test_admin_refuses_the_step_before_saving_anything(client, teacher_a, courses):
    client.force_login(teacher_a)
    refused = _add_form(client, [("enrollment.unenroll", {"course_key": COURSE_B})])
    assert refused.status_code == 200
    assert f"step s0: params.course_key: {COURSE_B} is not a course of this automation" in refused.content.decode()
    assert not Automation.objects.exists()
    accepted = _add_form(client, [("enrollment.unenroll", {"course_key": COURSE_A})])
    assert accepted.status_code == 302
    assert Automation.objects.get().steps.get().params == {"course_key": COURSE_A}


@pytest.mark.parametrize("value", [10**400, [1], {"id": 1}, "9" * 500, "\ud800", "a\x00b", True, -5, 0.5])
def test_odd_values_where_courses_and_automations_are_named_never_break_the_check(teacher_a, courses, value):
    params = {"course_key": value, "course_keys": [value, [value]], "automation_id": value}
    errors = scope_checks.params_errors(None, params, "params", scope_checks.Scope(courses=(COURSE_A,)), teacher_a)
    assert all(set(error) == {"path", "message"} for error in errors)


def test_a_course_team_extends_dates_only_in_its_own_courses(teacher_a, courses):
    def extend(course_key):
        return {"id": "extend", "type": "action", "action": "dates.extend",
                "params": {"course_key": course_key, "days": 7}}

    errors = refusals(document(steps=[extend(COURSE_B)]), teacher_a)
    assert list(errors) == ["steps[0].params.course_key"]
    assert api.import_automation(document(steps=[extend("{{ event.course_key }}")]), owner=teacher_a)
