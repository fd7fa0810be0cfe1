"""Learner conditions: profile fields from the LMS, and the plugin's own learner data."""
import pytest
import time_machine

from lms_automations.models import LearnerField, LearnerList, LearnerTag, ListMembership, MarketingConsent, PointsEntry
from sandbox.lms import services

from .support import COURSE, OTHER_COURSE, at

pytestmark = pytest.mark.django_db


# --- learner.field ------------------------------------------------------------------------------


def test_profile_fields_come_from_the_lms(evaluate, ada):
    assert evaluate(ada, "learner.field", {"field": "email", "op": "ends_with", "value": "@example.com"}) == (
        True, "ada@example.com")
    assert evaluate(ada, "learner.field", {"field": "country", "op": "in", "value": ["FR", "BE"]})[0]
    assert not evaluate(ada, "learner.field", {"field": "username", "op": "eq", "value": "Ada"})[0], "case matters"


def test_date_fields_compare_as_moments(evaluate):
    with time_machine.travel(at(2026, 5, 1, 10), tick=False):
        learner = services.create_learner("grace", date_joined=at(2026, 4, 28, 9))
        assert evaluate(learner, "learner.field", {"field": "date_joined", "op": "within_last", "value": "P7D"})[0]
        assert evaluate(learner, "learner.field", {"field": "date_joined", "op": "after", "value": "2026-04-01"})[0]
        assert evaluate(learner, "learner.field", {"field": "last_login", "op": "is_not_set"}) == (True, None)
    with time_machine.travel(at(2026, 5, 10, 10), tick=False):
        assert not evaluate(learner, "learner.field", {"field": "date_joined", "op": "within_last", "value": "P7D"})[0]


def test_other_names_are_plugin_learner_fields(evaluate, ada):
    params = {"field": "seats", "op": "gte", "value": 10}
    assert evaluate(ada, "learner.field", params) == (False, None)
    assert evaluate(ada, "learner.field", {"field": "seats", "op": "is_not_set"})[0]
    LearnerField.objects.create(user=ada, name="seats", value="12")
    assert evaluate(ada, "learner.field", params) == (True, "12"), "numeric text compares as a number"


def test_custom_registration_fields_answer_when_the_plugin_has_no_field_of_that_name(evaluate):
    learner = services.create_learner("lin", meta={"company": "Acme", "seats": 40})
    assert evaluate(learner, "learner.field", {"field": "company", "op": "eq", "value": "Acme"}) == (True, "Acme")
    assert evaluate(learner, "learner.field", {"field": "seats", "op": "gt", "value": 30}) == (True, 40)
    LearnerField.objects.create(user=learner, name="company", value="Initech")  # the plugin's own field wins
    assert evaluate(learner, "learner.field", {"field": "company", "op": "eq", "value": "Acme"}) == (False, "Initech")


def test_a_value_template_compares_with_the_event(evaluate, ada):
    LearnerField.objects.create(user=ada, name="home_course", value=COURSE)
    params = {"field": "home_course", "op": "eq", "value": "{{ event.course_key }}"}
    assert evaluate(ada, "learner.field", params, event={"course_key": COURSE})[0]
    assert not evaluate(ada, "learner.field", params, event={"course_key": OTHER_COURSE})[0]


# --- learner.has_tag / learner.in_list ----------------------------------------------------------


def test_exact_tags_are_case_sensitive_and_partial_tags_are_not(evaluate, ada):
    LearnerTag.objects.create(user=ada, tag="VIP-2026")
    LearnerTag.objects.create(user=ada, tag="beta")
    assert evaluate(ada, "learner.has_tag", {"tag": "VIP-2026"}) == (True, ["VIP-2026"])
    assert evaluate(ada, "learner.has_tag", {"tag": "vip-2026", "match": "exact"}) == (False, [])
    assert evaluate(ada, "learner.has_tag", {"tag": "vip", "match": "partial"}) == (True, ["VIP-2026"])
    assert evaluate(ada, "learner.has_tag", {"tag": "gold", "match": "partial"}) == (False, [])


def test_list_membership_by_slug(evaluate, ada):
    assert evaluate(ada, "learner.in_list", {"list": "alumni"}) == (False, False), "a list not created yet"
    alumni = LearnerList.objects.create(slug="alumni", name="Alumni")
    LearnerList.objects.create(slug="staff", name="Staff")
    ListMembership.objects.create(learner_list=alumni, user=ada)
    assert evaluate(ada, "learner.in_list", {"list": "alumni"}) == (True, True)
    assert not evaluate(ada, "learner.in_list", {"list": "staff"})[0]


# --- learner.subscribed -------------------------------------------------------------------------


def test_a_learner_with_no_recorded_choice_is_subscribed(evaluate, ada):
    assert evaluate(ada, "learner.subscribed") == (True, "default")


def test_the_hosts_is_marketable_answers_when_the_plugin_has_no_record(evaluate):
    refused = services.create_learner("refused", is_marketable=False)
    accepted = services.create_learner("accepted", is_marketable=True)
    assert evaluate(refused, "learner.subscribed") == (False, "host")
    assert evaluate(accepted, "learner.subscribed") == (True, "host")


def test_the_plugins_record_wins_over_the_host(evaluate):
    learner = services.create_learner("resubscribed", is_marketable=False)
    MarketingConsent.objects.create(user=learner, subscribed=True, source="admin")
    assert evaluate(learner, "learner.subscribed") == (True, "plugin")
    MarketingConsent.objects.filter(user=learner).update(subscribed=False)
    assert evaluate(learner, "learner.subscribed") == (False, "plugin")


# --- learner.points -----------------------------------------------------------------------------


def test_points_are_the_sum_of_the_ledger(evaluate, ada):
    assert evaluate(ada, "learner.points", {"op": "eq", "value": 0}) == (True, 0)
    PointsEntry.objects.create(user=ada, amount=30, course_key=COURSE)
    PointsEntry.objects.create(user=ada, amount=25, course_key=OTHER_COURSE)
    PointsEntry.objects.create(user=ada, amount=-5)
    assert evaluate(ada, "learner.points", {"op": "gte", "value": 50}) == (True, 50)
    assert evaluate(ada, "learner.points", {"op": "eq", "value": 30, "course_key": COURSE}) == (True, 30)
    assert evaluate(ada, "learner.points", {"op": "lt", "value": 30, "course_key": "{{ event.course_key }}"},
                    event={"course_key": OTHER_COURSE}) == (True, 25)


# --- learner.account_status ----------------------------------------------------------------------


def test_account_status_active_inactive_and_retired(evaluate, ada):
    assert evaluate(ada, "learner.account_status", {"statuses": ["active"]}) == (True, "active")
    pending = services.create_learner("pending", is_active=False)
    assert evaluate(pending, "learner.account_status", {"statuses": ["active"]}) == (False, "inactive")
    retired = services.create_learner("retired__user_5f1c", "retired__user_5f1c@retired.invalid")
    assert evaluate(retired, "learner.account_status", {"statuses": ["inactive", "retired"]}) == (True, "retired")


def test_account_status_takes_only_known_statuses():
    from lms_automations.conditions.learner import LearnerAccountStatus  # pylint: disable=import-outside-toplevel

    assert LearnerAccountStatus.check_params({"statuses": ["deleted"]})[0]["path"] == "params.statuses[0]"
