"""The history page says what changed, field by field and key path by key path, and who did it."""
import copy

import pytest
from simple_history.models import HistoricalRecords

from lms_automations import api
from lms_automations.admin.history_diff import automation_edits
from lms_automations.models import Automation

from .conftest import DOCUMENT, automation_url

pytestmark = pytest.mark.django_db


def _as(user):
    """What the history middleware does for a request: records name ``user``."""
    class Request:
        pass

    request = Request()
    request.user = user
    HistoricalRecords.context.request = request


@pytest.fixture(autouse=True)
def _forget_request():
    yield
    if hasattr(HistoricalRecords.context, "request"):
        del HistoricalRecords.context.request


def _lines(edit):
    return {(change.what, change.how): change.lines for change in edit.changes}


def test_an_update_shows_each_changed_step_param_by_key_path_and_who(automation, staff):
    document = copy.deepcopy(DOCUMENT)
    document["steps"][1]["params"] = {"days": 3}
    document["steps"][0]["params"]["tags"] = ["one", "extra"]
    document["triggers"][0]["event"] = "enrollment.created"
    document["name"] = "Two tags, slower"
    _as(staff)
    api.update_automation(automation, document)
    latest = automation_edits(automation)[0]
    assert latest.who == "teacher"
    lines = _lines(latest)
    assert lines[("Step “wait”", "~")] == [("params.days", "1", "3")]
    assert lines[("Step “first”", "~")] == [("params.tags[1]", None, "extra")]
    assert lines[("The automation", "~")] == [("name", "Two tags", "Two tags, slower")]
    # The trigger row was re-created: shown as that trigger changed, not as removed plus added.
    assert lines[("Trigger 1 (enrollment.created)", "~")] == [("event type", "custom.go", "enrollment.created")]
    assert ("Trigger 1 (custom.go)", "-") not in lines


def test_an_update_that_changes_nothing_adds_no_edit(automation):
    before = len(automation_edits(automation))
    api.update_automation(automation, api.export_automation(automation))
    assert len(automation_edits(automation)) == before


def test_removed_and_added_steps_are_named(automation):
    document = copy.deepcopy(DOCUMENT)
    del document["steps"][2]
    document["steps"].append({"id": "third", "type": "action", "action": "tag.add", "params": {"tags": ["3"]}})
    api.update_automation(automation, document)
    lines = _lines(automation_edits(automation)[0])
    assert ("Step “second”", "-") in lines
    assert ("params.tags[0]", None, "3") in lines[("Step “third”", "+")]


def test_the_history_page_shows_the_changes_and_the_author(staff_client, staff, automation):
    document = copy.deepcopy(DOCUMENT)
    document["steps"][1]["params"] = {"days": 2}
    _as(staff)
    api.update_automation(automation, document)
    page = staff_client.get(automation_url(automation, "history/")).content.decode()
    assert "Changes" in page and "teacher" in page
    assert "<code>params.days</code>" in page
    assert '<span class="lmsauto-old">1</span> → <span class="lmsauto-new">2</span>' in page


def test_saving_in_admin_records_who_saved(staff_client, automation):
    staff_client.post("/admin/lms_automations/automation/", {
        "action": "label_selected", "_selected_action": [automation.pk], "post": "yes", "add": "PY101"})
    latest = automation_edits(automation)[0]
    assert latest.who == "teacher"
    assert _lines(latest)[("The automation", "~")] == [("labels[0]", None, "PY101")]


def test_the_history_of_another_courses_automation_is_not_found(staff_client, other_automation):
    assert staff_client.get(automation_url(other_automation, "history/")).status_code == 404


def test_the_author_is_recorded_where_the_host_has_no_history_middleware(settings, staff_client, automation):
    settings.MIDDLEWARE = [name for name in settings.MIDDLEWARE if "simple_history" not in name]
    api.deactivate(automation)
    staff_client.post("/admin/lms_automations/automation/", {
        "action": "activate_selected", "_selected_action": [automation.pk]})
    automation.refresh_from_db()
    assert automation.status == "active"
    assert automation.history.first().history_user.username == "teacher"
    staff_client.post(automation_url(automation, "duplicate/"))
    copy_ = Automation.objects.get(name="Two tags (copy)")
    assert {record.history_user.username for record in copy_.history.all()} == {"teacher"}
    assert {record.history_user.username for record in copy_.steps.first().history.all()} == {"teacher"}
