"""What course staff see in the admin, checked in a real browser."""
import json
from pathlib import Path

import pytest

from lms_automations import api

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
EXAMPLES = sorted((Path(api.__file__).parent / "examples").glob("*.json"))


@pytest.fixture
def example_automations():
    return [api.import_automation(json.loads(path.read_text())) for path in EXAMPLES]


def test_automation_list_shows_the_examples(page, live_server, admin_login, screenshot,
                                                                 example_automations):
    admin_login()
    page.goto(f"{live_server.url}/admin/lms_automations/automation/")
    rows = page.locator("#result_list tbody tr")
    assert rows.count() == len(example_automations)
    table = page.inner_text("#result_list")
    for automation in example_automations:
        assert automation.name in table
    assert "Active" in table and "Duplicate" in table and "Export" in table
    screenshot("admin-automation-list")


def test_automation_page_outlines_the_flow(page, live_server, admin_login, screenshot, example_automations):
    welcome = next(a for a in example_automations if a.name == "Welcome and nudge")
    admin_login()
    page.goto(f"{live_server.url}/admin/lms_automations/automation/{welcome.pk}/change/?classic=1")
    flow = page.locator(".lmsauto-flow")
    text = flow.inner_text()
    assert "When enrollment.created" in text
    # The outline lists the steps in the learner's order, with the branch's two sides.
    order = [text.index(step) for step in ("welcome", "wait-2-days", "started", "tag-active", "nudge")]
    assert order == sorted(order)
    flow.scroll_into_view_if_needed()
    screenshot("admin-automation-flow")


def test_a_run_page_shows_the_timeline_that_explains_it(page, live_server, admin_login, screenshot,
                                                         example_automations):

    from lms_automations.models import Run
    from sandbox.lms import services

    services.create_course("course-v1:Demo+W1+2026")
    ada = services.create_learner("ada", "ada@example.com", first_name="Ada")
    services.enroll(ada, "course-v1:Demo+W1+2026")  # committed: the transactional test runs the dispatch
    run = Run.objects.get(user=ada, automation__name="Welcome and nudge")
    admin_login()
    page.goto(f"{live_server.url}/admin/lms_automations/run/{run.pk}/change/")
    timeline = page.inner_text("#lmsauto-timeline")
    assert "Entered the flow:" in timeline and "(enrollment.created) happened (trigger 1)." in timeline
    assert "(email.send)" in timeline and "Waiting until" in timeline
    assert page.inner_text(".field-current_step_id .readonly") == "wait-2-days"
    screenshot("admin-run-timeline")


def test_the_step_kind_dropdown_and_the_catalogue_page(page, live_server, admin_login, screenshot,
                                                       example_automations):
    welcome = next(a for a in example_automations if a.name == "Welcome and nudge")
    admin_login()
    page.goto(f"{live_server.url}/admin/lms_automations/automation/{welcome.pk}/change/?classic=1")
    kind = page.locator("select[name='steps-0-kind']")
    assert kind.input_value() == "email.send"
    assert "Add tags (tag.add)" in kind.inner_text() and "Wait for a while (duration)" in kind.inner_text()
    assert "subject required" in page.locator(".lmsauto-ref").first.inner_text()
    page.goto(f"{live_server.url}/admin/lms_automations/automation/catalogue/")
    assert page.locator("h1").inner_text() == "Catalogue"
    assert [h.inner_text() for h in page.locator(".lmsauto-catalogue h2").all()] == [
        "Event types", "Conditions", "Actions", "Waits"]
    page.locator("#conditions").scroll_into_view_if_needed()
    screenshot("admin-catalogue")


def test_the_flow_shows_who_waits_where(page, live_server, admin_login, screenshot, example_automations):
    from sandbox.lms import services  # pylint: disable=import-outside-toplevel

    welcome = next(a for a in example_automations if a.name == "Welcome and nudge")
    learners = [services.create_learner(name, f"{name}@example.com") for name in ("ada", "grace", "alan")]
    api.start_learners(welcome, learners)
    admin_login()
    page.goto(f"{live_server.url}/admin/lms_automations/automation/{welcome.pk}/change/?classic=1")
    flow = page.locator(".lmsauto-flow")
    assert "Learners: 3 in the flow" in flow.inner_text()
    assert page.locator(".lmsauto-here").inner_text() == "3 waiting"
    flow.scroll_into_view_if_needed()
    screenshot("admin-automation-flow-watched")
    page.click(".lmsauto-here")
    page.wait_for_selector("#result_list")
    assert page.locator("#result_list tbody tr").count() == 3
