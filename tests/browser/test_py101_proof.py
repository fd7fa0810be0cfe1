"""The proof of issue 10 in a real browser: a PY101 course team member builds "when a learner reaches
50 % of PY101, wait 1 day; if they have not passed, e-mail them, else tag them" from a blank page
without typing JSON, previews the e-mail, tries it on a test learner (testing mode: the mail comes to
them), tries it with a learner (the dry run), activates it, plays learners on the sandbox's play page
and reads a run's timeline."""
import pytest
from django.core import mail

from lms_automations import api
from lms_automations.models import Automation, LearnerTag, Run, TestLearner
from sandbox.lms import services
from sandbox.lms.models import Block

from .builder_steps import add_step, field, find_learner, play
from .conftest import PY101

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
EXPECTED_STEPS = [
    {"id": "duration", "type": "wait", "wait": "duration", "params": {"days": 1}},
    {"id": "branch", "type": "branch",
     "condition": {"all": [{"not": {"condition": "course.passed", "params": {"course_key": PY101}}}]},
     "yes": [{"id": "email-send", "type": "action", "action": "email.send",
              "params": {"subject": "Halfway there, {{ learner.first_name }}",
                         "body_html": "<p>Keep going in {{ course.display_name }}!</p>"}}],
     "no": [{"id": "tag-add", "type": "action", "action": "tag.add", "params": {"tags": ["halfway"]}}]},
]


def no_horizontal_scroll(page):
    return page.evaluate("document.documentElement.scrollWidth") <= 1280


def whole_panel_screenshot(page, screenshot, name):
    """The page in a window tall enough for the side panel, which on a smaller screen scrolls on its
    own beside the flow (a full-page picture would cut it, and leave the preview's frame blank)."""
    height = page.evaluate("Math.max(document.documentElement.scrollHeight,"
                           " document.querySelector('.lb-aside').scrollHeight + 260)")
    page.set_viewport_size({"width": 1280, "height": min(height, 2400)})
    page.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")
    screenshot(name, docs=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def build_the_flow(page):
    """Everything from pickers and forms: the trigger, the wait, the branch and both sides."""
    page.fill("#lb-name", "PY101 halfway nudge")
    page.get_by_label("Demo PY101 2026 (course-v1:Demo+PY101+2026)").check()
    assert "Other" not in page.inner_text("#lb-scope-courses"), "only the member's courses are offered"

    # When a learner reaches 50 % of the course.
    page.click(".lb-add-trigger")
    page.select_option("#lb-event", "progress.threshold_reached")
    assert "percent" in page.inner_text("#lb-panel")
    field(page, "percent").fill("50")  # the percentage is the trigger's own field (ADR 0015)
    assert page.inner_text(".lb-trigger .lb-params") == "Percent: 50"

    # Wait 1 day: the kinds offered are waits only.
    add_step(page, page.locator(".lb-main > .lb-steps > .lb-gap").first, "Wait")
    offered = page.locator("#lb-kind option").all_inner_texts()
    assert "Send an e-mail" not in offered and any("Wait" in label for label in offered)
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


def preview_and_send_a_test(page, screenshot):
    """The preview for a learner, rendered on the server, sends and saves nothing; the test comes to me."""
    find_learner(page, "#lb-panel .lb-preview", "ada", "#lb-preview-learner", "Ada · ada <ada@example.com>")
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
    assert no_horizontal_scroll(page)
    whole_panel_screenshot(page, screenshot, "email-preview")
    mail.outbox.clear()


def try_with_ada(page, live_server, automation, intro, screenshot):
    """Ada reaches 50 % while the automation is a draft (nothing starts); "Try with a learner" says
    what would happen to her now — the trigger's values, the branch, the e-mail — and does nothing."""
    page.click("#user-tools a[href='/play/']")
    assert "Ada completed" in play(page, live_server, "ada — Ada", "complete_block", block=intro)
    page.goto(f"{live_server.url}/admin/lms_automations/automation/{automation.pk}/change/")
    page.wait_for_selector('.lb-card[data-key="duration"]')
    page.click("#lb-try")
    find_learner(page, "#lb-panel", "ada", "#lb-dry-learner", "Ada · ada <ada@example.com>")
    page.click("#lb-dry-run")
    page.wait_for_selector("#lb-dry-outcome")
    result = page.inner_text("#lb-dry-result")
    assert "would match" in result and "saw 50 → true" in result and "Halfway there, Ada" in result, result
    assert page.locator('.lb-card[data-key="email-send"] .lb-path-badge').count() == 1
    assert page.locator('.lb-card[data-key="tag-add"] .lb-path-badge').count() == 0
    assert not Run.objects.exists() and mail.outbox == [], "a dry run starts and sends nothing"
    assert no_horizontal_scroll(page)
    whole_panel_screenshot(page, screenshot, "dry-run")


def test_build_try_activate_and_watch_the_py101_automation(page, live_server, course_team_login, screenshot):
    grace = services.create_learner("grace", "grace@example.com", first_name="Grace", last_name="Hopper")
    services.enroll(grace, PY101)
    services.create_learner("hedy", "hedy@example.com", first_name="Hedy", last_name="Lamarr")
    services.create_learner("alan", "alan@example.com", first_name="Alan", last_name="Turing")
    intro = Block.objects.get(unit__course__course_key=PY101, usage_key__endswith="@intro").usage_key
    course_team_login()
    refused = []
    page.on("response", lambda response: response.status >= 400 and refused.append(
        (response.url, response.status, response.text())))
    page.goto(f"{live_server.url}/admin/lms_automations/automation/add/")
    page.wait_for_selector("#lb-name")
    build_the_flow(page)
    preview_and_send_a_test(page, screenshot)

    add_step(page, page.locator(".lb-no .lb-gap").first, "Action")
    page.select_option("#lb-kind", "tag.add")
    field(page, "tags").fill("halfway")
    field(page, "tags").press("Enter")
    assert no_horizontal_scroll(page), "no horizontal scrolling at 1280 px"

    page.click("#lb-save")
    page.wait_for_url("**/change/")
    page.wait_for_selector('.lb-card[data-key="duration"]')  # loaded: the live server's requests are over
    automation = Automation.objects.get(name="PY101 halfway nudge")
    document = api.export_automation(automation)
    assert document["scope"]["courses"] == [PY101] and document["status"] == "draft"
    assert document["triggers"] == [{"event": "progress.threshold_reached", "params": {"percent": 50}, "filter": None}]
    assert document["steps"] == EXPECTED_STEPS
    try_with_ada(page, live_server, automation, intro, screenshot)

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
    field(page, "days|hours|minutes").fill("1")

    # Labels and a test learner, in the settings; then testing mode.
    page.click('.lb-card[data-key="automation"]')
    page.fill("#lb-labels", "PY101")
    page.press("#lb-labels", "Enter")
    page.fill("#lb-labels", "nudges")
    page.press("#lb-labels", "Enter")
    find_learner(page, "#lb-panel .lb-test-box", "grace", "#lb-test-learner-found",
                 "Grace Hopper · grace <grace@example.com>")
    page.click("#lb-test-learner-add")
    assert "Grace Hopper" in page.inner_text("#lb-test-learners")
    page.click("#lb-test")
    page.wait_for_selector("#lb-live.lb-live-ok >> text=Saved (testing).")
    automation.refresh_from_db()
    assert automation.status == Automation.STATUS.testing and automation.labels == ["PY101", "nudges"]
    testers = TestLearner.objects.filter(automation=automation)
    assert list(testers.values_list("user__username", "redirect_to__username")) == [("grace", "teacher")]
    assert "mail to you" not in page.inner_text("#lb-test-learners"), "after the save it names who gets the mail"
    assert "Tess Teacher" in page.inner_text("#lb-test-learners")
    assert no_horizontal_scroll(page)
    whole_panel_screenshot(page, screenshot, "editor")

    # The test learner plays: the "View site" link is the play page. Half the course, then a day.
    page.click("#user-tools a[href='/play/']")
    assert "grace completed" not in play(page, live_server, "grace — Grace Hopper", "complete_block", block=intro)
    [test_run] = Run.objects.filter(automation=automation)
    assert (test_run.user.username, test_run.current_step_id) == ("grace", "duration")
    assert "1 day passed for Grace Hopper: 1 run resumed." in play(page, live_server, "grace — Grace Hopper", "wake",
                                                                  ahead=1)
    assert [(message.to, message.subject) for message in mail.outbox] == [
        (["teacher@example.com"], "[TEST for grace] Halfway there, Grace")], "testing mode: the mail comes to me"
    mail.outbox.clear()

    # Activated from the builder; real learners play: one who has not passed, one who has.
    page.goto(f"{live_server.url}/admin/lms_automations/automation/{automation.pk}/change/")
    page.wait_for_selector('.lb-card[data-key="duration"]')
    page.click("#lb-activate")
    page.wait_for_selector("#lb-live.lb-live-ok >> text=Saved (active).")
    automation.refresh_from_db()
    assert automation.status == Automation.STATUS.active

    assert "Hedy Lamarr enrolled in" in play(page, live_server, "hedy — Hedy Lamarr", "enroll", mode="audit")
    play(page, live_server, "hedy — Hedy Lamarr", "complete_block", block=intro)
    assert "1 / 2" in page.inner_text("#sandbox-learner-state")
    play(page, live_server, "alan — Alan Turing", "enroll", mode="audit")
    play(page, live_server, "alan — Alan Turing", "grade", percent=80, passed=True)
    play(page, live_server, "alan — Alan Turing", "complete_block", block=intro)
    play(page, live_server, "alan — Alan Turing", "wake", ahead=1)
    assert list(LearnerTag.objects.filter(user__username="alan").values_list("tag", flat=True)) == ["halfway"]
    assert "1 day passed for Hedy Lamarr: 1 run resumed." in play(page, live_server, "hedy — Hedy Lamarr", "wake",
                                                                 ahead=1)
    assert [(message.to, message.subject) for message in mail.outbox] == [
        (["hedy@example.com"], "Halfway there, Hedy")]

    # Hedy's page, then her run: the timeline in words.
    page.click("#sandbox-learner-page")
    assert page.locator("h1").inner_text() == "Hedy Lamarr (hedy@example.com)"
    hedy_run = Run.objects.get(automation=automation, user__username="hedy")
    page.click(f"a[href$='/run/{hedy_run.pk}/change/']")
    assert page.locator("h1").inner_text() == "Hedy Lamarr (hedy@example.com) in “PY101 halfway nudge”"
    sentences = page.locator("#lmsauto-timeline .lmsauto-sentence").all_inner_texts()
    assert sentences[0].startswith("Entered the flow:")
    assert any("Halfway there, Hedy" in sentence or "Halfway there" in sentence for sentence in sentences)
    assert page.locator("input[name=_save]").count() == 0
    assert no_horizontal_scroll(page)
    screenshot("run-page", docs=True)
    print("\n".join(sentences))
    print(refused)
