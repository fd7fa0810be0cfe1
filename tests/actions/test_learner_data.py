"""Tags, fields, lists and points: effects, the events they fire, exactly once."""
import pytest

from lms_automations.actions.learner_data import (
    FieldClear,
    FieldSet,
    ListAdd,
    ListRemove,
    PointsAward,
    PointsDeduct,
    TagAdd,
    TagRemove,
)
from lms_automations.engine.errors import PermanentError
from lms_automations.models import LearnerField, LearnerList, LearnerTag, ListMembership, PointsEntry

from .conftest import COURSE, context_for, payloads

pytestmark = pytest.mark.django_db


def test_every_learner_data_action_is_database_local():
    for action in (TagAdd, TagRemove, FieldSet, FieldClear, ListAdd, ListRemove, PointsAward, PointsDeduct):
        assert action.external is False, action.key


def test_tags_are_added_once_and_each_new_one_announced(ada):
    assert TagAdd().execute({"tags": ["vip", " active ", "vip"]}, context_for(ada)) == {"added": ["vip", "active"]}
    assert TagAdd().execute({"tags": ["vip"]}, context_for(ada, "11:act:2")) == {"added": []}
    assert sorted(LearnerTag.objects.filter(user=ada).values_list("tag", flat=True)) == ["active", "vip"]
    assert payloads("tag.added") == [{"tag": "vip"}, {"tag": "active"}]


def test_a_tag_rendered_empty_is_an_error(ada):
    with pytest.raises(PermanentError, match=r"params.tags\[1\]: the value is empty"):
        TagAdd().execute({"tags": ["ok", "  "]}, context_for(ada))


def test_tags_are_removed_and_only_real_removals_announced(ada):
    TagAdd().execute({"tags": ["vip", "active"]}, context_for(ada))
    assert TagRemove().execute({"tags": ["vip", "never-had"]}, context_for(ada, "11:rm:1")) == {"removed": ["vip"]}
    assert list(LearnerTag.objects.values_list("tag", flat=True)) == ["active"]
    assert payloads("tag.removed") == [{"tag": "vip"}]


def test_a_retried_step_records_its_events_once(ada):
    """Same idempotency key (a retried visit): the event keys collide, so nothing is recorded twice."""
    TagAdd().execute({"tags": ["vip"]}, context_for(ada))
    LearnerTag.objects.all().delete()
    TagAdd().execute({"tags": ["vip"]}, context_for(ada))
    assert payloads("tag.added") == [{"tag": "vip"}]


def test_fields_are_set_changed_and_cleared_with_old_and_new_values(ada):
    assert FieldSet().execute({"field": "renewal_date", "value": "2026-09-01"}, context_for(ada, "1:a:1")) == {
        "changed": True, "old": None}
    assert FieldSet().execute({"field": "renewal_date", "value": "2026-09-01"}, context_for(ada, "1:a:2")) == {
        "changed": False}
    FieldSet().execute({"field": "renewal_date", "value": "2027-01-01"}, context_for(ada, "1:a:3"))
    assert LearnerField.objects.get(user=ada, name="renewal_date").value == "2027-01-01"
    assert FieldClear().execute({"field": "renewal_date"}, context_for(ada, "1:c:1"))["changed"] is True
    assert FieldClear().execute({"field": "renewal_date"}, context_for(ada, "1:c:2")) == {"changed": False}
    assert not LearnerField.objects.exists()
    assert payloads("field.changed") == [
        {"field": "renewal_date", "old": None, "new": "2026-09-01"},
        {"field": "renewal_date", "old": "2026-09-01", "new": "2027-01-01"},
        {"field": "renewal_date", "old": "2027-01-01", "new": None},
    ]


def test_profile_fields_of_the_lms_cannot_be_set(ada):
    errors = FieldSet.check_params({"field": "email", "value": "x@example.com"})
    assert errors == [{"path": "params.field", "message": "'email' is a profile field of the LMS, which automations "
                                                          "cannot change; choose another name"}]
    with pytest.raises(PermanentError, match="profile field"):
        FieldSet().execute({"field": "email", "value": "x@example.com"}, context_for(ada))


def test_lists_are_created_on_first_use_and_joined_once(ada):
    assert ListAdd().execute({"list": "beta-testers"}, context_for(ada)) == {"joined": True}
    assert ListAdd().execute({"list": "beta-testers"}, context_for(ada, "11:act:2")) == {"joined": False}
    assert LearnerList.objects.get().name == "beta-testers"
    assert ListMembership.objects.get().user == ada
    assert payloads("list.joined") == [{"list": "beta-testers"}]


def test_leaving_a_list(ada):
    assert ListRemove().execute({"list": "nobody-made-it"}, context_for(ada)) == {"left": False}
    ListAdd().execute({"list": "beta"}, context_for(ada))
    assert ListRemove().execute({"list": "beta"}, context_for(ada, "11:rm:1")) == {"left": True}
    assert not ListMembership.objects.exists()
    assert LearnerList.objects.filter(slug="beta").exists()  # the list itself stays
    assert payloads("list.left") == [{"list": "beta"}]


def test_points_are_awarded_exactly_once_per_idempotency_key(ada):
    first = PointsAward().execute({"amount": 40, "course_key": COURSE, "reason": "quiz"}, context_for(ada, "5:p:1"))
    again = PointsAward().execute({"amount": 40, "course_key": COURSE, "reason": "quiz"}, context_for(ada, "5:p:1"))
    assert first == {"balance": 40, "thresholds_reached": []}
    assert again == {"duplicate": True, "balance": 40}
    entry = PointsEntry.objects.get()
    assert (entry.amount, entry.course_key, entry.reason, entry.idempotency_key) == (40, COURSE, "quiz", "points:5:p:1")
    assert payloads("points.awarded") == [{"amount": 40, "balance": 40, "course_key": COURSE}]


def test_deductions_and_their_event(ada):
    PointsAward().execute({"amount": 30}, context_for(ada, "5:p:1"))
    assert PointsDeduct().execute({"amount": 10}, context_for(ada, "5:d:1"))["balance"] == 20
    assert PointsEntry.objects.order_by("id").last().amount == -10
    assert payloads("points.deducted") == [{"amount": 10, "balance": 20, "course_key": None}]


def test_the_balance_never_goes_below_zero(ada):
    PointsAward().execute({"amount": 30}, context_for(ada, "5:p:1"))
    with pytest.raises(PermanentError, match="has 30 points, fewer than the 50 to deduct; nothing was deducted"):
        PointsDeduct().execute({"amount": 50}, context_for(ada, "5:d:1"))
    assert PointsEntry.objects.count() == 1


def test_thresholds_fire_the_first_time_the_balance_reaches_them(ada, settings):
    settings.LMS_AUTOMATIONS = {**settings.LMS_AUTOMATIONS, "POINTS_THRESHOLDS": [500, 100]}
    award = PointsAward().execute
    assert award({"amount": 60}, context_for(ada, "1:a:1"))["thresholds_reached"] == []
    assert award({"amount": 60}, context_for(ada, "1:a:2"))["thresholds_reached"] == [100]
    PointsDeduct().execute({"amount": 50}, context_for(ada, "1:d:1"))  # 70: below 100 again
    assert award({"amount": 60}, context_for(ada, "1:a:3"))["thresholds_reached"] == []  # 130: not the first time
    assert award({"amount": 1000}, context_for(ada, "1:a:4"))["thresholds_reached"] == [500]
    assert payloads("points.threshold_reached") == [{"balance": 120, "threshold": 100},
                                                    {"balance": 1130, "threshold": 500}]


def test_one_award_can_cross_several_thresholds(ada, settings):
    settings.LMS_AUTOMATIONS = {**settings.LMS_AUTOMATIONS, "POINTS_THRESHOLDS": [100, 500, 1000]}
    assert PointsAward().execute({"amount": 600}, context_for(ada))["thresholds_reached"] == [100, 500]


@pytest.mark.parametrize(("action", "params", "path"), [
    (PointsAward, {"amount": 0}, "params.amount"),
    (PointsAward, {"amount": 1.5}, "params.amount"),
    (PointsDeduct, {}, "params.amount"),
    (PointsAward, {"amount": 5, "points": 5}, "params"),
    (TagAdd, {"tags": []}, "params.tags"),
    (TagAdd, {"tags": [""]}, "params.tags[0]"),
    (TagAdd, {"tags": "vip"}, "params.tags"),
    (FieldSet, {"field": "x"}, "params.value"),
    (FieldSet, {"field": "has space", "value": 1}, "params.field"),
    (FieldSet, {"field": "x", "value": {"a": 1}}, "params.value"),
    (ListAdd, {"list": "Not a slug!"}, "params.list"),
])
def test_params_are_checked_where_staff_type_them(action, params, path):
    assert path in [error["path"] for error in action.check_params(params)]
