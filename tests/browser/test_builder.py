"""The builder in a real browser: an automation with learners in it (the PY101 proof is test_py101_proof.py)."""
import json
from pathlib import Path

import pytest

from lms_automations import api
from sandbox.lms import services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
EXAMPLES = Path(api.__file__).parent / "examples"


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
