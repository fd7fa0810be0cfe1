"""Course team members act only on their courses' automations and runs, and only with the model
permission the action needs."""
import pytest
from django.contrib.auth.models import Permission

from lms_automations import api
from lms_automations.models import Automation, Run

from .conftest import automation_url, messages_of, run_url

pytestmark = pytest.mark.django_db


def test_another_courses_automation_and_runs_are_not_found(staff_client, other_automation, learners):
    [run] = api.start_learners(other_automation, learners[:1])
    for url in (automation_url(other_automation, "start-learners/"),
                automation_url(other_automation, "advance-waiting/"),
                run_url(run, "cancel/"), run_url(run, "replay/")):
        assert staff_client.get(url).status_code == 404, url
        assert staff_client.post(url, {"learners": "grace", "confirm": "1", "step_id": "wait",
                                       "from_step": "first"}).status_code == 404, url
    assert staff_client.get(automation_url(other_automation, "not-a-number/start-learners/")).status_code == 404
    run.refresh_from_db()
    assert run.status == Run.STATUS.pending and Run.objects.count() == 1


def test_list_actions_leave_another_courses_rows_alone(staff_client, other_automation, learners):
    [run] = api.start_learners(other_automation, learners[:1])
    staff_client.post("/admin/lms_automations/run/",
                      {"action": "cancel_selected", "_selected_action": [run.pk], "post": "yes"})
    staff_client.post("/admin/lms_automations/automation/",
                      {"action": "deactivate_selected", "_selected_action": [other_automation.pk]})
    staff_client.post("/admin/lms_automations/automation/", {
        "action": "delete_selected", "_selected_action": [other_automation.pk], "post": "yes", "mode": "remove"})
    assert Run.objects.get(pk=run.pk).status == Run.STATUS.pending
    assert Automation.objects.get(pk=other_automation.pk).status == Automation.STATUS.active


def test_without_the_change_permission_the_actions_are_refused(staff_client, staff, automation, learners):
    staff.user_permissions.set(Permission.objects.filter(content_type__app_label="lms_automations",
                                                         codename__startswith="view_"))
    [run] = api.start_learners(automation, learners[:1])
    for url in (automation_url(automation, "start-learners/"), automation_url(automation, "advance-waiting/"),
                run_url(run, "cancel/"), run_url(run, "replay/")):
        assert staff_client.get(url).status_code == 403, url
    assert run_url(run, "cancel/") not in staff_client.get(run_url(run, "change/")).content.decode()
    assert "start-learners" not in staff_client.get(automation_url(automation, "change/")).content.decode()
    response = staff_client.post("/admin/lms_automations/run/",
                                 {"action": "cancel_selected", "_selected_action": [run.pk], "post": "yes"})
    assert response.status_code == 200 and "cancel_selected" not in response.content.decode()  # not offered
    assert Run.objects.get(pk=run.pk).status == Run.STATUS.pending


def test_a_superuser_acts_on_every_course(client, admin_user, other_automation, learners):
    client.force_login(admin_user)
    response = client.post(automation_url(other_automation, "start-learners/"),
                           {"learners": "ada", "confirm": "1"})
    assert messages_of(response) == ["1 learner started in “Theirs”."]
