"""Fixtures for the action tests: sandbox learners and courses, and the context a step gives an action."""
import datetime

import pytest
import time_machine

from lms_automations.engine.context import StepContext
from lms_automations.host import get_host
from lms_automations.models import Automation, Event, Run, Step
from sandbox.lms import services
from sandbox.lms.host_backend import SandboxHost

NOW = datetime.datetime(2026, 5, 4, 9, 30, tzinfo=datetime.UTC)
COURSE = "course-v1:Demo+A1+2026"


@pytest.fixture(autouse=True)
def clock():
    """Actions read ``context.now``; the sandbox stamps rows with ``timezone.now()``: keep them equal."""
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def ada(db):
    return services.create_learner("ada", "ada@example.com", first_name="Ada")


@pytest.fixture
def coach(db):
    return services.create_learner("coach", "coach@example.com", is_staff=True)


@pytest.fixture
def course(db):
    return services.create_course(COURSE, units=[["intro", "problem:quiz-1"], ["video-2"]],
                                  modes=("audit", "verified"))


def make_automation(name="Source", status=Automation.STATUS.active, owner=None, steps=(), **fields):
    """An automation with ``steps`` — ``(step_id, kind, params)`` actions — in that order."""
    automation = Automation.objects.create(name=name, status=status, owner=owner, **fields)
    for position, (step_id, kind, params) in enumerate(steps):
        Step.objects.create(automation=automation, step_id=step_id, step_type=Step.TYPE.action, kind=kind,
                            params=params, position=position)
    return automation


def make_run(automation, user, *, step_id="act", is_test=False, event_payload=None):
    return Run.objects.create(automation=automation, user=user, status=Run.STATUS.executing, current_step_id=step_id,
                              is_test=is_test, started_at=NOW, visit=1,
                              context={"event_type": "enrollment.created", "event": event_payload or {},
                                       "event_id": None})


def context_for(user, key="11:act:1", *, run=None, host=None, now=NOW):
    """The context the engine builds for an action step (``step_actions.run_action``)."""
    context = StepContext(user_id=user.pk, automation=run.automation if run else None, run=run, now=now,
                          host=host or get_host(), event=(run.context or {}).get("event") if run else None)
    context.idempotency_key = key
    return context


def payloads(event_type):
    """Payloads of the recorded events of one type, oldest first (without the user_id every one has)."""
    rows = Event.objects.filter(event_type=event_type).order_by("id").values_list("payload", flat=True)
    return [{key: value for key, value in payload.items() if key != "user_id"} for payload in rows]


class RecordingHost(SandboxHost):
    """The sandbox host, with due-date extensions and notifications recorded instead of made."""

    def __init__(self):
        self.calls = []

    def extend_due_dates(self, user_id, course_key, days, block_keys=None, idempotency_key=None):
        self.calls.append(("extend_due_dates", user_id, course_key, days, block_keys, idempotency_key))
        return len(block_keys or ()) or 3

    def send_notification(self, user_id, course_key, notification_type, context):
        self.calls.append(("send_notification", user_id, course_key, notification_type, context))
