"""Staff actions in a real browser: start learners (preview, then confirm) and replay a run."""
import copy

import pytest

from lms_automations import api
from lms_automations.models import CustomEventType, Run
from sandbox.lms import services
from tests.admin.conftest import DOCUMENT

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def automation():
    CustomEventType.objects.get_or_create(slug="go", defaults={"label": "Go"})
    return api.import_automation(copy.deepcopy(DOCUMENT))


def test_start_learners_preview_then_confirm(page, live_server, admin_login, screenshot, automation):
    ada, grace, alan = (services.create_learner(name, f"{name}@example.com") for name in ("ada", "grace", "alan"))
    api.start_learners(automation, [alan])  # already in the flow: the preview skips him
    admin_login()
    page.goto(f"{live_server.url}/admin/lms_automations/automation/{automation.pk}/change/")
    page.wait_for_selector("#lb-flow .lb-card")  # the builder has loaded: its requests are over
    page.click("#lmsauto-start-learners")
    page.fill("textarea[name=learners]", "ada\ngrace@example.com\nnobody\nalan")
    screenshot("admin-start-learners-form")
    page.click("input[name=preview]")
    summary = page.inner_text("#lmsauto-start-summary")
    assert "2 learners will start" in summary and "2 skipped" in summary
    skipped = page.inner_text("#lmsauto-skipped")
    assert "no such learner" in skipped and "already in this automation" in skipped
    assert Run.objects.count() == 1
    screenshot("admin-start-learners-preview")
    page.click("input[name=confirm]")
    message = page.inner_text("ul.messagelist")
    page.wait_for_selector("#lb-flow .lb-card")  # the builder has loaded: its requests are over
    assert "2 learners started in “Two tags”, 2 skipped: nobody (no such learner), alan (already in this " \
           "automation)." in message
    assert Run.objects.filter(status=Run.STATUS.pending, current_step_id="wait").count() == 3
    screenshot("admin-start-learners-done")


def test_replay_a_run_from_a_chosen_step(page, live_server, admin_login, screenshot, automation):
    ada = services.create_learner("ada", "ada@example.com")
    [run] = api.start_learners(automation, [ada])
    admin_login()
    page.goto(f"{live_server.url}/admin/lms_automations/run/{run.pk}/change/")
    page.click("#lmsauto-replay-run")
    assert page.input_value("select[name=from_step]") == "wait"
    page.select_option("select[name=from_step]", "second")
    screenshot("admin-replay-run-form")
    page.click("input[name=replay]")
    assert f"Run {run.pk} (ada in “Two tags”) replayed from second; now fulfilled." in page.inner_text(
        "ul.messagelist")
    assert "replayed from second" in page.inner_text("#lmsauto-timeline")
    run.refresh_from_db()
    assert run.status == Run.STATUS.fulfilled
    screenshot("admin-replay-run-done")


def test_advance_waiting_and_the_delete_question(page, live_server, admin_login, screenshot, automation):
    api.start_learners(automation, [services.create_learner(name) for name in ("ada", "grace")])
    admin_login()
    page.goto(f"{live_server.url}/admin/lms_automations/automation/{automation.pk}/change/")
    page.wait_for_selector("#lb-flow .lb-card")  # the builder has loaded: its requests are over
    page.click("#lmsauto-advance-waiting")
    assert "2" in page.inner_text("#lmsauto-waiting")
    page.check("input[name=step_id][value=wait]")
    screenshot("admin-advance-waiting-choose")
    page.click("input[name=review]")
    assert "Move the 2 learners waiting at wait on now" in page.inner_text("#lmsauto-advance-summary")
    screenshot("admin-advance-waiting-confirm")
    page.click("input[name=confirm]")
    assert "2 learners waiting at wait in “Two tags” moved on to second." in page.inner_text("ul.messagelist")
    page.wait_for_selector("#lb-flow .lb-card")  # the builder has loaded: its requests are over
    api.start_learners(automation, [services.create_learner("alan")])
    page.goto(f"{live_server.url}/admin/lms_automations/automation/{automation.pk}/delete/")
    assert "Let learners finish" in page.inner_text("#content-main")
    screenshot("admin-delete-automation-question")
    page.check("input[name=mode][value=finish]")
    page.click("input[type=submit][value=Delete]")
    assert "is finishing" in page.inner_text("ul.messagelist")
