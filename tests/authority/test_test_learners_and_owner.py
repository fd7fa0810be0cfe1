"""The classic form's people pickers are scoped: a test learner is a learner of the automation's
courses, their test mail and the automation's ownership go to the editor or to staff who may
change the automation — never to any user of the site."""
import json

import pytest
from django.utils.html import escape

from lms_automations.models import Automation, TestLearner

from .conftest import COURSE_A

pytestmark = pytest.mark.django_db


def add_form(client, *, owner="", test_learners=()):
    data = {"name": "Nudge", "description": "", "status": "draft", "owner": owner, "entry_policy": "once",
            "entry_period": "", "execution": "async", "scope_courses": json.dumps([COURSE_A]), "scope_orgs": "[]"}
    for prefix in ("triggers", "exit_conditions", "steps"):
        data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})
    data.update({"test_learners-TOTAL_FORMS": len(test_learners), "test_learners-INITIAL_FORMS": 0})
    for index, (user, redirect_to) in enumerate(test_learners):
        data.update({f"test_learners-{index}-user": user.pk,
                     f"test_learners-{index}-redirect_to": redirect_to.pk if redirect_to else ""})
    return client.post("/admin/lms_automations/automation/add/?classic=1", data)


def test_test_mail_goes_to_the_editor_or_staff_who_may_change_it(client, teacher_a, teacher_b, org_lead, alice):
    client.force_login(teacher_a)
    refused = add_form(client, test_learners=[(alice, teacher_b)])
    assert refused.status_code == 200
    assert "teacher_b: test mail goes to you or to staff who may change this automation" in refused.content.decode()
    assert not Automation.objects.exists()
    assert add_form(client, test_learners=[(alice, org_lead)]).status_code == 302
    assert list(TestLearner.objects.values_list("user__username", "redirect_to__username")) == [
        ("alice_of_a", "org_lead")]


def test_a_test_learner_is_a_learner_of_the_automations_courses(client, teacher_a, bob):
    client.force_login(teacher_a)
    refused = add_form(client, test_learners=[(bob, teacher_a)])
    assert escape("bob_of_b: a test learner must be a learner of this automation's courses") in refused.content.decode()
    assert not Automation.objects.exists()


def test_the_owner_is_the_editor_or_staff_who_may_change_it(client, teacher_a, teacher_b, alice):
    client.force_login(teacher_a)
    for stranger in (teacher_b, alice):
        refused = add_form(client, owner=stranger.pk)
        assert "The owner is you or staff who may change this automation." in refused.content.decode()
    assert not Automation.objects.exists()
    assert add_form(client, owner=teacher_a.pk).status_code == 302
    assert Automation.objects.get().owner == teacher_a


def test_platform_staff_may_name_any_staff_member(client, platform_staff, teacher_a, alice):
    client.force_login(platform_staff)
    assert add_form(client, owner=teacher_a.pk, test_learners=[(alice, teacher_a)]).status_code == 302
