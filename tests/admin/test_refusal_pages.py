"""Why learners did not enter: the matcher's refusals, with the event, shown in words on the
automation's page and on the learner's page — to those who may change the automation only."""
import datetime

import pytest
import time_machine

from lms_automations.engine import dispatch
from lms_automations.models import EntryRefusal, Event

from .conftest import automation_url, make_automation

pytestmark = pytest.mark.django_db
T0 = datetime.datetime(2026, 7, 1, 9, 0, tzinfo=datetime.UTC)


def go(learner, key, at):
    Event.objects.create(event_type="custom.go", user=learner, payload={}, occurred_at=at, source="api",
                         idempotency_key=key)
    dispatch.dispatch_events([key])


@pytest.fixture
def refused(automation, learners):
    """Ada entered, then her event 30 s later was refused by the 60 s guard."""
    ada = learners[0]
    with time_machine.travel(T0, tick=False):
        go(ada, "go-1", T0)
    with time_machine.travel(T0 + datetime.timedelta(seconds=30), tick=False):
        go(ada, "go-2", T0 + datetime.timedelta(seconds=30))
    return EntryRefusal.objects.get()


def test_the_refusal_names_the_event_it_refused(refused):
    assert refused.reason == EntryRefusal.REASON.guard
    assert refused.event == Event.objects.get(idempotency_key="go-2")
    assert refused.event_type == "custom.go"


def test_the_automation_page_says_who_was_kept_out_and_why(staff_client, automation, refused):
    page = staff_client.get(automation_url(automation, "change/")).content.decode()
    assert "Why learners did not enter" in page
    assert "less than 60 seconds before: the guard against starting twice" in page
    assert "ada@example.com" in page and "custom.go" in page
    assert f"/admin/lms_automations/event/{refused.event_id}/change/" in page


def test_the_learner_page_lists_what_they_were_kept_out_of(staff_client, automation, refused):
    page = staff_client.get(f"/admin/lms_automations/learner/{refused.user_id}/").content.decode()
    assert "Kept out of automations" in page
    assert "the guard against starting twice" in page and automation.name in page


def test_refusals_of_another_courses_automation_are_not_shown(staff_client, learners, refused):
    theirs = make_automation("Theirs", course="course-v1:Other+B+2026")
    EntryRefusal.objects.create(automation=theirs, user=learners[0], at=T0, reason="once", event_type="custom.go")
    page = staff_client.get(f"/admin/lms_automations/learner/{learners[0].pk}/").content.decode()
    assert "Theirs" not in page and "had already been in it" not in page
    assert staff_client.get(automation_url(theirs, "change/")).status_code == 404
