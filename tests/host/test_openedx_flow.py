"""An automation running inside the LMS as an operator would see it: the real openedx-events
enrolment signal in, the ``openedx`` backend's enrolment API calls out, the reason on a failure."""
import pytest
from openedx_events.learning.signals import COURSE_ENROLLMENT_CREATED

from lms_automations import api
from lms_automations.models import Run
from sandbox.lms import services

from ..handlers import factories
from .conftest import COURSE

pytestmark = pytest.mark.django_db
NEXT = "course-v1:Demo+OX2+2026"
PRO = "course-v1:Demo+PRO+2026"


def flow(*steps):
    return api.import_automation({
        "format": "lms-automations/v1", "name": "Bundle: enrol in the next course", "status": "active",
        "execution": "async", "scope": {"courses": [str(COURSE)], "orgs": []},
        "entry": {"policy": "once", "period": None},
        "triggers": [{"event": "enrollment.created"}],
        "steps": list(steps), "exit_conditions": [],
    })


def enrol_step(step_id, course_key, mode):
    return {"id": step_id, "type": "action", "action": "enrollment.enroll",
            "params": {"course_key": course_key, "mode": mode}}


def test_an_enrolment_in_the_lms_enrols_the_learner_in_the_next_course(lms, django_capture_on_commit_callbacks):
    automation = flow(enrol_step("enrol-next", NEXT, "audit"))
    ada = services.create_learner("ada")
    with django_capture_on_commit_callbacks(execute=True):
        COURSE_ENROLLMENT_CREATED.send_event(enrollment=factories.enrollment_data(ada, course_key=COURSE))
    run = Run.objects.get(automation=automation, user=ada)
    assert run.status == Run.STATUS.fulfilled, run.error
    (args, kwargs), = lms.called("add_enrollment")
    assert args == ("ada", NEXT) and kwargs["mode"] == "audit"


def test_a_mode_the_course_lacks_fails_the_run_with_the_lms_reason(lms, django_capture_on_commit_callbacks):
    from openedx.core.djangoapps.enrollments.errors import (  # pylint: disable=import-outside-toplevel
        CourseModeNotFoundError,
    )

    automation = flow(enrol_step("enrol-pro", PRO, "professional"), enrol_step("enrol-next", NEXT, "audit"))
    lms.raises["add_enrollment"] = CourseModeNotFoundError("Specified course mode 'professional' unavailable")
    ada = services.create_learner("ada")
    with django_capture_on_commit_callbacks(execute=True):
        COURSE_ENROLLMENT_CREATED.send_event(enrollment=factories.enrollment_data(ada, course_key=COURSE))
    run = Run.objects.get(automation=automation, user=ada)
    assert run.status == Run.STATUS.failed
    assert "does not offer that mode" in run.error and "professional" in run.error
    assert len(lms.called("add_enrollment")) == 1, "the steps after the failed one did not run"


def test_a_notification_while_the_course_flag_is_off_ends_the_run_failed_silently_with_the_reason(
        lms, django_capture_on_commit_callbacks):
    automation = flow({"id": "notify", "type": "action", "action": "notification.send",
                       "params": {"course_key": "{{ event.course_key }}", "notification_type": "course_updates",
                                  "context": {"course_update_content": "Welcome"}}})
    ada = services.create_learner("ada")
    with django_capture_on_commit_callbacks(execute=True):
        COURSE_ENROLLMENT_CREATED.send_event(enrollment=factories.enrollment_data(ada, course_key=COURSE))
    run = Run.objects.get(automation=automation, user=ada)
    assert run.status == Run.STATUS.failed_silently
    assert "notifications.enable_notifications is off" in run.error


def test_marking_blocks_complete_with_completion_tracking_off_fails_once_naming_the_switch(
        lms, django_capture_on_commit_callbacks):
    from waffle.testutils import override_switch  # pylint: disable=import-outside-toplevel

    block = "block-v1:Demo+OX1+2026+type@html+block@intro"
    automation = flow({"id": "mark", "type": "action", "action": "progress.mark_complete",
                       "params": {"course_key": str(COURSE), "block_keys": [block]}})
    ada = services.create_learner("ada")
    with override_switch("completion.enable_completion_tracking", active=False), \
            django_capture_on_commit_callbacks(execute=True):
        COURSE_ENROLLMENT_CREATED.send_event(enrollment=factories.enrollment_data(ada, course_key=COURSE))
    run = Run.objects.get(automation=automation, user=ada)
    assert run.status == Run.STATUS.failed, "a switch that is off is not a reason to retry for half an hour"
    assert "completion.enable_completion_tracking" in run.error and run.attempts == 0
