"""The course team's pages in a real browser: a template becomes a draft, the list, playing a
learner in the sandbox, the learner page and the run page they lead to (screenshots at 1280 px)."""
import io

import pytest
from django.core.management import call_command

from lms_automations.models import Automation, Run

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PY101 = "course-v1:Demo+PY101+2026"


@pytest.fixture
def seeded():
    call_command("seed_sandbox", stdout=io.StringIO())


def test_from_a_template_to_a_learners_run(page, live_server, admin_login, screenshot, seeded):
    admin_login()
    page.goto(f"{live_server.url}/admin/lms_automations/automation/")
    page.click("#lmsauto-from-template")
    assert page.locator("#lmsauto-gallery li").count() == 6
    screenshot("course-team-gallery")

    page.click("a[href$='/gallery/welcome_and_nudge/']")
    page.fill("input[name=course_key]", PY101)
    screenshot("course-team-from-template")
    page.click("#lmsauto-template-form input[type=submit]")
    page.wait_for_selector("ul.messagelist")
    assert "created as a draft for " + PY101 in page.inner_text("ul.messagelist")
    page.wait_for_selector("#lb-flow .lb-card")  # the builder has loaded: its requests are over
    automation = Automation.objects.get()
    assert automation.status == Automation.STATUS.draft and automation.scope_courses == [PY101]
    page.goto(f"{live_server.url}/admin/lms_automations/automation/")
    page.check(f"input[name=_selected_action][value='{automation.pk}']")
    page.select_option("select[name=action]", "activate_selected")
    page.click("button[name=index]")
    page.wait_for_selector("ul.messagelist")

    # Play a learner: the admin's "view site" link leads to the sandbox's play page.
    page.goto(f"{live_server.url}/admin/")
    page.click("#user-tools a[href='/play/']")
    page.select_option("select[name=learner]", label="ada — Ada Lovelace")
    page.select_option("select[name=course]", PY101)
    page.click("button[value=enroll]")
    page.wait_for_selector("ul.messagelist")
    assert f"Ada Lovelace enrolled in {PY101} (audit)." in page.inner_text("ul.messagelist")
    screenshot("sandbox-play-a-learner")
    run = Run.objects.get(automation=automation)
    assert run.current_step_id == "wait-2-days"
    page.select_option("select[name=unit]", "block-v1:Demo+PY101+2026+type@vertical+block@unit-1")
    page.click("button[value=complete_unit]")
    page.wait_for_selector("ul.messagelist")
    assert "Ada Lovelace completed block-v1:Demo+PY101+2026+type@html+block@syllabus" in page.inner_text(
        "ul.messagelist")
    assert "2 / 8" in page.inner_text("#sandbox-learner-state")

    page.click("#sandbox-learner-page")
    assert page.locator("h1").inner_text() == "Ada Lovelace (ada@example.com)"
    assert "Welcome and nudge" in page.inner_text("#lmsauto-learner-runs")
    assert "enrollment.created" in page.inner_text("#lmsauto-learner-events")
    screenshot("course-team-learner-page")

    page.click(f"a[href$='/run/{run.pk}/change/']")
    assert page.locator("h1").inner_text() == "Ada Lovelace (ada@example.com) in “Welcome and nudge”"
    sentences = page.locator("#lmsauto-timeline .lmsauto-sentence").all_inner_texts()
    assert sentences[0].startswith("Entered the flow:") and sentences[-1].startswith("Waiting until")
    assert page.locator("input[name=_save]").count() == 0
    screenshot("course-team-run-page")

    page.goto(f"{live_server.url}/admin/lms_automations/automation/")
    row = page.inner_text("#result_list tbody tr")
    assert "Welcome and nudge" in row and "by staff" in row
    screenshot("course-team-automation-list")

    page.goto(f"{live_server.url}/admin/lms_automations/automation/{automation.pk}/history/")
    assert "staff" in page.inner_text("#lmsauto-edits")
    screenshot("course-team-history")
