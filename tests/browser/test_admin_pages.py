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


def test_automation_list_shows_the_examples_with_their_triggers(page, live_server, admin_login, screenshot,
                                                                 example_automations):
    admin_login()
    page.goto(f"{live_server.url}/admin/lms_automations/automation/")
    rows = page.locator("#result_list tbody tr")
    assert rows.count() == len(example_automations)
    table = page.inner_text("#result_list")
    for automation in example_automations:
        assert automation.name in table
    assert "enrollment.created" in table and "activity.inactive" in table
    screenshot("admin-automation-list")


def test_automation_page_outlines_the_flow(page, live_server, admin_login, screenshot, example_automations):
    welcome = next(a for a in example_automations if a.name == "Welcome and nudge")
    admin_login()
    page.goto(f"{live_server.url}/admin/lms_automations/automation/{welcome.pk}/change/")
    flow = page.locator(".lmsauto-flow")
    text = flow.inner_text()
    assert "When enrollment.created" in text
    # The outline lists the steps in the learner's order, with the branch's two sides.
    order = [text.index(step) for step in ("welcome", "wait-2-days", "started", "tag-active", "nudge")]
    assert order == sorted(order)
    flow.scroll_into_view_if_needed()
    screenshot("admin-automation-flow")
