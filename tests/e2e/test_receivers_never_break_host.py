"""Acceptance: a failure anywhere in the plugin never breaks the host's enrolment (SPEC §8).

The host runs with DEBUG on, so openedx-events sends without catching receiver errors, and the tests
use real commits (``transactional_db``): the dispatch is enqueued by the host's own commit, inside
``enroll()``, exactly where a failure would hurt. The recorded event stays undispatched, and the
tick's outbox relay hands it to the engine once the engine works again.
"""
import datetime
from unittest import mock

import pytest
from django.utils import timezone
from kombu.exceptions import OperationalError
from openedx_events.learning.signals import COURSE_ENROLLMENT_CREATED

from lms_automations.engine.tick import relay_undispatched_events
from lms_automations.models import Event
from sandbox.lms import services
from sandbox.lms.models import CourseEnrollment

pytestmark = pytest.mark.django_db(transaction=True)
COURSE = "course-v1:Demo+E2E+2026"
#: What the receivers record for a new enrolment in verified: the host enrols in the default mode, then
#: switches (CHANGED → CREATED → CHANGED); the switch in the same commit is the enrolment's mode (ADR 0018).
RECORDED = [
    ("enrollment.mode_changed", {"to_mode": "audit", "from_mode": None, "is_active": True}),
    ("enrollment.created", {"org": "Demo", "mode": "verified"}),
    ("enrollment.mode_changed", {"to_mode": "verified", "from_mode": None, "is_active": True}),
]


@pytest.fixture(autouse=True)
def host_in_debug(settings):
    settings.DEBUG = True


@pytest.fixture
def learner():
    services.create_course(COURSE)
    return services.create_learner("grace", "grace@example.com")


def recorded_events():
    return [
        (event.event_type, {k: v for k, v in event.payload.items() if k not in ("user_id", "course_key")})
        for event in Event.objects.order_by("id")
    ]


def assert_enrolled(enrollment, learner):
    assert isinstance(enrollment, CourseEnrollment)
    row = CourseEnrollment.objects.get(user=learner, course__course_key=COURSE)
    assert (row.pk, row.mode, row.is_active) == (enrollment.pk, "verified", True)


def test_control_debug_host_lets_a_raising_receiver_break_the_enrolment(learner):
    # Shows the failures below are real tests: in this host a receiver error does reach enroll().
    def broken_receiver(sender, signal=None, **kwargs):
        raise RuntimeError("a careless plugin")

    COURSE_ENROLLMENT_CREATED.connect(broken_receiver, weak=False, dispatch_uid="e2e-broken")
    try:
        with pytest.raises(RuntimeError, match="careless"):
            services.enroll(learner, COURSE, mode="verified")
    finally:
        COURSE_ENROLLMENT_CREATED.disconnect(dispatch_uid="e2e-broken")
    assert not CourseEnrollment.objects.exists()


HANDLED = [
    ("enrollment.mode_changed", Event.DISPATCH.ignored),
    ("enrollment.created", Event.DISPATCH.dispatched),
    ("enrollment.mode_changed", Event.DISPATCH.ignored),  # its mode is the enrolment's (ADR 0018)
]


def test_control_without_failures_the_events_are_dispatched_by_the_hosts_commit(learner):
    enrollment = services.enroll(learner, COURSE, mode="verified")

    assert_enrolled(enrollment, learner)
    assert [event_type for event_type, _ in recorded_events()[:3]] == [event_type for event_type, _ in RECORDED]
    # Every event is handled; the first CHANGED is the activation that CREATED announces.
    assert list(Event.objects.order_by("id").values_list("event_type", "dispatch_status")) == HANDLED


@pytest.mark.parametrize(
    ("target", "error"),
    [
        pytest.param("lms_automations.happened.transitions.transition_state", RuntimeError("engine bug"), id="engine"),
        pytest.param("lms_automations.tasks.dispatch_events.apply_async", OperationalError("broker down"),
                     id="broker"),
    ],
)
def test_a_failing_dispatch_does_not_break_enrolment_and_the_relay_retries_it(learner, target, error):
    with mock.patch(target, side_effect=error) as broken:
        enrollment = services.enroll(learner, COURSE, mode="verified")

    # The dispatch was attempted after the host's commit (one message for the commit's events; the
    # engine tried the batch, then the learner alone, then each event alone).
    assert broken.call_count >= 1
    assert_enrolled(enrollment, learner)
    assert recorded_events() == RECORDED
    assert set(Event.objects.values_list("dispatched_at", "dispatch_status")) == {(None, Event.DISPATCH.pending)}

    relayed = relay_undispatched_events(timezone.now() + datetime.timedelta(hours=1))

    assert relayed == 3
    # Every event is handled now; the first CHANGED is the activation that CREATED announces.
    assert list(Event.objects.order_by("id").values_list("event_type", "dispatch_status")) == HANDLED


def test_a_failing_receiver_does_not_break_enrolment(learner):
    with mock.patch("lms_automations.handlers.base.record_event", side_effect=RuntimeError("recording bug")) as rec:
        enrollment = services.enroll(learner, COURSE, mode="verified")

    assert rec.call_count == 3
    assert_enrolled(enrollment, learner)
    assert not Event.objects.exists()
