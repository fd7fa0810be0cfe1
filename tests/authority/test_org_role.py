"""Org-wide automations need the org-wide role (ADR 0008): a course team member of one course of the
organisation sees the automation read-only and nothing of its runs; acting on it needs the role."""
import pytest

from lms_automations import api
from lms_automations.models import Automation, Run
from sandbox.lms import services

from .conftest import SIBLING

pytestmark = pytest.mark.django_db


@pytest.fixture
def sibling_run(org_automation, courses):
    """A learner of another course of the organisation, in the org automation's flow (at its wait)."""
    carol = services.create_learner("carol_of_z", "carol@example.com")
    services.enroll(carol, SIBLING)
    run, = api.start_learners(org_automation, [carol])
    return run


def url(obj, action=""):
    return f"/admin/lms_automations/{obj._meta.model_name}/{obj.pk}/{action}"


def test_without_the_org_role_the_org_automation_is_read_only_and_its_runs_unseen(client, teacher_a, org_automation,
                                                                                   sibling_run):
    client.force_login(teacher_a)
    assert "Automation of the org" in client.get("/admin/lms_automations/automation/").content.decode()
    page = client.get(url(org_automation, "change/"))
    assert page.status_code == 200 and not page.context["has_change_permission"]
    assert client.get(url(org_automation, "history/")).status_code == 200  # its history: read only too
    version = org_automation.history.latest("history_date").history_id
    refused = {
        "change": client.post(url(org_automation, "change/"), {"name": "Mine now"}),
        "delete": client.post(url(org_automation, "delete/"), {"post": "yes", "mode": "remove"}),
        "revert": client.post(url(org_automation, f"history/{version}/"), {"name": "Mine now", "status": "inactive"}),
        "start learners": client.post(url(org_automation, "start-learners/"), {"learners": "carol_of_z"}),
        "advance": client.post(url(org_automation, "advance-waiting/"), {"step_id": "wait", "confirm": "1"}),
    }
    assert {what: response.status_code for what, response in refused.items()} == dict.fromkeys(refused, 403)
    for action in ("deactivate_selected", "delete_selected"):
        client.post("/admin/lms_automations/automation/",
                    {"action": action, "_selected_action": [org_automation.pk], "post": "yes", "mode": "remove"})
    assert "carol@example.com" not in client.get("/admin/lms_automations/run/").content.decode()
    assert client.get(url(sibling_run, "change/")).status_code == 404
    assert client.post(url(sibling_run, "cancel/")).status_code == 404
    client.post("/admin/lms_automations/run/", {"action": "cancel_selected", "_selected_action": [sibling_run.pk],
                                                 "post": "yes"})
    org_automation.refresh_from_db()
    sibling_run.refresh_from_db()
    assert (org_automation.name, org_automation.status) == ("Automation of the org", Automation.STATUS.active)
    assert sibling_run.status == Run.STATUS.pending


def test_with_the_org_role_the_team_member_acts_on_the_org_automation(client, org_lead, org_automation, sibling_run):
    client.force_login(org_lead)
    assert "carol@example.com" in client.get("/admin/lms_automations/run/").content.decode()
    assert client.post(url(sibling_run, "cancel/")).status_code == 302
    sibling_run.refresh_from_db()
    assert sibling_run.status == Run.STATUS.cancelled
    client.post("/admin/lms_automations/automation/",
                {"action": "deactivate_selected", "_selected_action": [org_automation.pk]})
    org_automation.refresh_from_db()
    assert org_automation.status == Automation.STATUS.inactive
    client.post("/admin/lms_automations/automation/",
                {"action": "delete_selected", "_selected_action": [org_automation.pk], "post": "yes"})
    assert not Automation.objects.filter(pk=org_automation.pk).exists()


def test_a_list_action_on_mixed_automations_acts_only_on_those_the_member_may_change(client, teacher_a, automation_a,
                                                                                   org_automation):
    client.force_login(teacher_a)
    response = client.post("/admin/lms_automations/automation/", {
        "action": "deactivate_selected", "_selected_action": [automation_a.pk, org_automation.pk]}, follow=True)
    shown = [str(message) for message in response.context["messages"]]
    assert any("Not yours to change" in message and "Automation of the org" in message for message in shown)
    assert Automation.objects.get(pk=automation_a.pk).status == Automation.STATUS.inactive
    assert Automation.objects.get(pk=org_automation.pk).status == Automation.STATUS.active
