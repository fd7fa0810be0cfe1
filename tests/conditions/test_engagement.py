"""email.engagement from the plugin's email.sent / opened / clicked events."""
import pytest
import time_machine

from lms_automations import api
from lms_automations.engine.errors import PermanentError
from lms_automations.models import Automation

from .support import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def welcome():
    return Automation.objects.create(name="Welcome")


@pytest.fixture
def nudge():
    return Automation.objects.create(name="Nudge")


def email_event(user, what, automation, step_id, at_time, **extra):
    return api.emit(f"email.{what}", user, {"message_id": "<m@lms>", "automation_id": automation, "step_id": step_id,
                                            **extra}, occurred_at=at_time)


def test_sent_opened_and_clicked_are_separate(evaluate, ada, welcome):
    email_event(ada, "sent", welcome.pk, "hello", at(2026, 5, 1, 9))
    email_event(ada, "opened", welcome.pk, "hello", at(2026, 5, 1, 10))
    assert evaluate(ada, "email.engagement", {"what": "sent"}) == (True, 1)
    assert evaluate(ada, "email.engagement", {"what": "opened"}) == (True, 1)
    assert evaluate(ada, "email.engagement", {"what": "clicked"}) == (False, 0)


def test_narrowed_to_an_automation_and_a_step(evaluate, ada, welcome, nudge):
    email_event(ada, "opened", welcome.pk, "hello", at(2026, 5, 1, 9))
    email_event(ada, "opened", str(nudge.pk), "reminder", at(2026, 5, 2, 9))  # ingested with the id as text
    assert evaluate(ada, "email.engagement", {"what": "opened", "automation_id": nudge.pk}) == (True, 1)
    assert evaluate(ada, "email.engagement", {"what": "opened", "automation_id": str(welcome.pk)}) == (True, 1)
    assert evaluate(ada, "email.engagement", {"what": "opened", "automation_id": welcome.pk,
                                              "step_id": "reminder"}) == (False, 0)


def test_a_step_alone_means_a_step_of_this_automation(evaluate, ada, welcome, nudge):
    email_event(ada, "clicked", nudge.pk, "hello", at(2026, 5, 1, 9), url="https://example.com")
    params = {"what": "clicked", "step_id": "hello"}
    assert evaluate(ada, "email.engagement", params, automation=welcome) == (False, 0)
    assert evaluate(ada, "email.engagement", params, automation=nudge) == (True, 1)
    assert evaluate(ada, "email.engagement", params) == (True, 1), "no automation in hand: any automation"


def test_within_a_period(evaluate, ada, welcome):
    email_event(ada, "sent", welcome.pk, "hello", at(2026, 5, 1, 9))
    email_event(ada, "sent", welcome.pk, "hello", at(2026, 5, 6, 9))
    params = {"what": "sent", "within": "P3D"}
    with time_machine.travel(at(2026, 5, 7, 9), tick=False):
        assert evaluate(ada, "email.engagement", params) == (True, 1)
    with time_machine.travel(at(2026, 5, 10, 9), tick=False):
        assert evaluate(ada, "email.engagement", params) == (False, 0)


def test_an_automation_id_template_that_renders_no_number_is_an_error(evaluate, ada):
    with pytest.raises(PermanentError, match="not an automation id"):
        evaluate(ada, "email.engagement", {"what": "sent", "automation_id": "{{ event.automation_id }}"}, event={})
