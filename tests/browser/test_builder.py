"""The builder in a real browser: the PY101 automation built from a blank page without typing JSON."""
import json
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission
from django.core import mail

from lms_automations import api
from lms_automations.models import Automation
from sandbox.lms import services
from sandbox.lms.host_backend import SandboxHost

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PY101 = "course-v1:Demo+PY101+2026"
EXAMPLES = Path(api.__file__).parent / "examples"
EXPECTED_STEPS = [
    {"id": "duration", "type": "wait", "wait": "duration", "params": {"days": 1}},
    {"id": "branch", "type": "branch",
     "condition": {"all": [{"not": {"condition": "course.passed", "params": {"course_key": PY101}}}]},
     "yes": [{"id": "email-send", "type": "action", "action": "email.send",
              "params": {"subject": "Halfway there, {{ learner.first_name }}",
                         "body_html": "<p>Keep going in {{ course.display_name }}!</p>"}}],
     "no": [{"id": "tag-add", "type": "action", "action": "tag.add", "params": {"tags": ["halfway"]}}]},
]


@pytest.fixture
def course_team_login(page, live_server, django_user_model, monkeypatch):
    """A PY101 course team member (not a superuser): the pickers offer PY101 and its learners only."""
    services.create_course(PY101, units=[["intro"], ["problem:quiz"]])
    services.create_course("course-v1:Other+X+2026")
    ada = services.create_learner("ada", "ada@example.com", first_name="Ada")
    services.enroll(ada, PY101)
    user = django_user_model.objects.create_user("teacher", "teacher@example.com", "correct-horse", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="lms_automations"))
    monkeypatch.setattr(SandboxHost, "staff_course_keys", lambda self, who: None if who.is_superuser else {PY101})

    def _login():
        page.goto(f"{live_server.url}/admin/login/")
        page.fill("#id_username", "teacher")
        page.fill("#id_password", "correct-horse")
        page.click("input[type=submit]")
        page.wait_for_selector("#site-name")

    return _login


def field(page, name, tag="input"):
    return page.locator(f'#lb-panel .lb-row[data-field="{name}"] {tag}').first


def add_step(page, gap, kind):
    gap.locator(".lb-add").click()
    gap.get_by_role("menuitem", name=kind).click()


def test_build_the_py101_automation_from_a_blank_page(page, live_server, course_team_login, screenshot):
    course_team_login()
    page.goto(f"{live_server.url}/admin/lms_automations/automation/add/")
    page.wait_for_selector("#lb-name")
    page.fill("#lb-name", "PY101 halfway nudge")
    page.get_by_label("Demo PY101 2026 (course-v1:Demo+PY101+2026)").check()
    assert "Other" not in page.inner_text("#lb-scope-courses"), "only the member's courses are offered"

    # When a learner reaches 50 % of the course: the percentage is the trigger's own field.
    page.click(".lb-add-trigger")
    page.select_option("#lb-event", "progress.threshold_reached")
    assert "percent" in page.inner_text("#lb-panel")
    field(page, "percent").fill("50")
    assert page.inner_text(".lb-trigger .lb-params") == "Percent: 50"

    # Wait 1 day.
    add_step(page, page.locator(".lb-main > .lb-steps > .lb-gap").first, "Wait")
    page.select_option("#lb-kind", "duration")
    field(page, "days|hours|minutes").fill("1")
    field(page, "days|hours|minutes", "select").select_option("days")

    # If they have not passed: a yes / no branch, its children added before anything is saved.
    add_step(page, page.locator(".lb-main > .lb-steps > .lb-gap").nth(1), "Yes / no")
    page.click("#lb-panel .lb-conditions >> text=+ Condition")
    page.locator("#lb-panel .lb-leaf select").first.select_option("course.passed")
    field(page, "course_key", "select").select_option(PY101)
    page.locator("#lb-panel .lb-not input").check()

    add_step(page, page.locator(".lb-yes .lb-gap").first, "Action")
    page.select_option("#lb-kind", "email.send")
    field(page, "subject").fill("Halfway there, ")
    page.click("#lb-panel .lb-var >> text=learner.first_name")
    field(page, "body_html", "textarea").fill("<p>Keep going in {{ course.display_name }}!</p>")

    # The preview for a learner, rendered on the server.
    page.fill("#lb-panel input[type=search]", "ada")
    page.locator("#lb-panel").get_by_role("button", name="Find", exact=True).click()
    page.wait_for_selector("#lb-preview-learner option[value]:not([value=''])", state="attached")
    page.select_option("#lb-preview-learner", label="Ada · ada <ada@example.com>")
    page.click("#lb-preview-button")
    page.wait_for_selector(".lb-preview-subject")
    assert page.inner_text(".lb-preview-subject") == "Subject: Halfway there, Ada"
    assert "Keep going in Demo PY101 2026!" in page.frame_locator(".lb-preview-html").locator("body").inner_text()
    assert mail.outbox == [] and not Automation.objects.exists(), "the preview sends and saves nothing"
    page.click("#lb-send-test")
    page.wait_for_selector(".lb-ok")
    assert page.inner_text(".lb-ok") == "Test sent to teacher@example.com."
    assert [(message.to, message.subject) for message in mail.outbox] == [
        (["teacher@example.com"], "[TEST for ada] Halfway there, Ada")]
    page.locator(".lb-preview").scroll_into_view_if_needed()
    screenshot("builder-email-preview")

    add_step(page, page.locator(".lb-no .lb-gap").first, "Action")
    page.select_option("#lb-kind", "tag.add")
    field(page, "tags").fill("halfway")
    field(page, "tags").press("Enter")
    screenshot("builder-flow-before-save")
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280, "no horizontal scrolling at 1280 px"

    page.click("#lb-save")
    page.wait_for_url("**/change/")
    page.wait_for_selector('.lb-card[data-key="duration"]')  # loaded: the live server's requests are over
    automation = Automation.objects.get(name="PY101 halfway nudge")
    document = api.export_automation(automation)
    assert document["scope"]["courses"] == [PY101]
    assert document["triggers"] == [{"event": "progress.threshold_reached", "params": {"percent": 50}, "filter": None}]
    assert document["steps"] == EXPECTED_STEPS

    # An error shows on the step it concerns, and nothing is saved.
    page.click('.lb-card[data-key="duration"]')
    field(page, "days|hours|minutes").fill("0")
    page.click("#lb-save")
    page.wait_for_selector(".lb-card-error")
    assert "between 5 minutes and 365 days" in page.inner_text('.lb-card[data-key="duration"]')
    assert "Step “duration”" in page.inner_text("#lb-errors")
    assert "between 5 minutes and 365 days" in page.inner_text('#lb-panel .lb-row[data-field="days|hours|minutes"]')
    assert api.export_automation(automation)["steps"] == EXPECTED_STEPS
    screenshot("builder-error-on-step")
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280

    # Fixed, saved and activated.
    field(page, "days|hours|minutes").fill("1")
    page.click("#lb-activate")
    page.wait_for_selector("#lb-live.lb-live-ok >> text=Saved (active).")
    assert not page.locator(".lb-card-error").count()
    automation.refresh_from_db()
    assert automation.status == Automation.STATUS.active


def test_the_flow_shows_who_is_where(page, live_server, admin_login, screenshot):
    """An example automation with learners in it: each card counts who is there and who reached it."""
    welcome = api.import_automation(json.loads((EXAMPLES / "welcome_and_nudge.json").read_text()))
    api.activate(welcome)
    services.create_course("course-v1:Demo+W1+2026")
    for name in ("ada", "grace"):
        services.enroll(services.create_learner(name, f"{name}@example.com", first_name=name.title()),
                        "course-v1:Demo+W1+2026")
    admin_login()
    page.goto(f"{live_server.url}/admin/lms_automations/automation/{welcome.pk}/change/")
    page.wait_for_selector('.lb-card[data-key="wait-2-days"]')
    assert "2 here now · 2 reached it" in page.inner_text('.lb-card[data-key="wait-2-days"]')
    assert "0 here now · 2 reached it" in page.inner_text('.lb-card[data-key="welcome"]')
    assert page.locator(".lb-yes .lb-card").count() and page.locator(".lb-no .lb-card").count()
    page.click('.lb-card[data-key="started"]')
    assert page.locator("#lb-panel .lb-leaf select").first.input_value() == "course.progress"
    page.get_by_role("button", name="Edit Step welcome: Send an e-mail").press("Enter")  # by keyboard
    assert page.evaluate("document.activeElement.textContent") == "Action step welcome"
    page.click('.lb-card[data-key="started"]')
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    screenshot("builder-flow-with-learners")

    # Drag a step into the other side, move one with its button, delete the wait where learners are.
    page.drag_and_drop('.lb-card[data-key="tag-active"]', ".lb-no .lb-gap >> nth=0")
    assert page.locator(".lb-yes .lb-card").count() == 0
    page.get_by_role("button", name="Move nudge up").click()
    assert [card.get_attribute("data-key") for card in page.locator(".lb-no .lb-card").all()] == [
        "nudge", "tag-active"]
    # The advanced JSON view round-trips: what it shows is the step, and what it applies is kept.
    page.click('.lb-card[data-key="tag-active"]')
    page.click("#lb-panel .lb-advanced summary")
    shown = json.loads(page.input_value("#lb-panel .lb-advanced textarea"))
    assert shown == {"id": "tag-active", "type": "action", "action": "tag.add", "params": {"tags": ["active"]}}
    page.fill("#lb-panel .lb-advanced textarea", json.dumps({**shown, "params": {"tags": ["active", "checked"]}}))
    page.click("#lb-panel >> text=Apply JSON")
    assert "active, checked" in page.inner_text('.lb-card[data-key="tag-active"]')
    asked = []
    page.on("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    page.get_by_role("button", name="Delete wait-2-days").click()
    assert asked and "2 learner(s) are at wait-2-days" in asked[0]
    page.click("#lb-save")
    page.wait_for_selector("#lb-live.lb-live-ok >> text=Saved (active).")
    assert "Learners are at steps you deleted: 2 at wait-2-days, who will go on to started" in asked[1]
    steps = api.export_automation(welcome)["steps"]
    assert [step["id"] for step in steps] == ["welcome", "started"]
    assert [step["id"] for step in steps[1]["no"]] == ["nudge", "tag-active"] and steps[1]["yes"] == []
    assert steps[1]["no"][1]["params"] == {"tags": ["active", "checked"]}
    assert set(welcome.runs.values_list("current_step_id", flat=True)) == {"started"}
