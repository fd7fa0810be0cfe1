"""A course-scoped automation hears only events that concern its courses (SPEC §5.16): events of
other courses never, events without a course only for learners enrolled in one of its courses."""
import pytest

from lms_automations import api, authority
from lms_automations.exceptions import InvalidAutomation
from lms_automations.models import Run
from sandbox.lms import services
from sandbox.lms.host_backend import SandboxHost

from .conftest import COURSE_A, COURSE_B, document

pytestmark = pytest.mark.django_db

UNENROLL_B = {"id": "unenroll", "type": "action", "action": "enrollment.unenroll", "params": {"course_key": COURSE_B}}
ON_LOGIN = [{"event": "account.logged_in", "filter": None}]


@pytest.fixture
def lms(django_capture_on_commit_callbacks):
    def _do(action, *args):
        with django_capture_on_commit_callbacks(execute=True):
            return action(*args)

    return _do


def test_reproduction_a_course_a_login_automation_cannot_unenrol_a_learner_of_course_b(
        teacher_a, platform_staff, alice, bob, lms):
    # The course team cannot save it: course B is not in the automation's scope.
    with pytest.raises(InvalidAutomation) as refused:
        api.import_automation(document(triggers=ON_LOGIN, steps=[UNENROLL_B]), owner=teacher_a)
    assert [error["path"] for error in refused.value.errors] == ["steps[0].params.course_key"]
    # Saved by platform staff, it still hears the course-less login only of course A's learners.
    automation = api.import_automation(document(triggers=ON_LOGIN, steps=[UNENROLL_B]), owner=platform_staff)
    lms(services.login, bob)
    assert not Run.objects.filter(automation=automation, user=bob).exists()
    assert services.get_enrollment(bob, COURSE_B).is_active
    lms(services.login, alice)
    assert Run.objects.filter(automation=automation, user=alice).count() == 1


def test_events_of_another_course_are_never_heard(automation_a, courses, lms):
    both = services.create_learner("both", "both@example.com")
    lms(services.enroll, both, COURSE_A)
    automation = api.import_automation(document(name="On enrolment",
                                                triggers=[{"event": "enrollment.created", "filter": None}]))
    lms(services.enroll, both, COURSE_B)
    assert not Run.objects.filter(automation=automation).exists()


def test_an_open_run_does_not_resume_on_an_event_of_another_course(courses, lms):
    dana = services.create_learner("dana", "dana@example.com")
    lms(services.enroll, dana, COURSE_A)
    automation = api.import_automation(document(name="Waits", steps=[
        {"id": "wait", "type": "wait", "wait": "event",
         "params": {"event": "enrollment.created", "timeout": "P7D", "on_timeout": "continue"}},
        {"id": "tag", "type": "action", "action": "tag.add", "params": {"tags": ["enrolled"]}}]))
    run, = api.start_learners(automation, [dana])
    assert run.current_step_id == "wait"
    lms(services.enroll, dana, COURSE_B)
    run.refresh_from_db()
    assert (run.status, run.current_step_id) == (Run.STATUS.pending, "wait")
    lms(services.unenroll, dana, COURSE_A)
    lms(services.enroll, dana, COURSE_A)  # an enrolment in its own course: heard
    run.refresh_from_db()
    assert run.status == Run.STATUS.fulfilled


def test_an_exit_condition_does_not_hear_an_event_of_another_course(courses, lms):
    erin = services.create_learner("erin", "erin@example.com")
    lms(services.enroll, erin, COURSE_A)
    automation = api.import_automation(document(name="Exits", exit_conditions=[
        {"event": "enrollment.created", "filter": None, "outcome": "converted"}]))
    run, = api.start_learners(automation, [erin])
    lms(services.enroll, erin, COURSE_B)
    run.refresh_from_db()
    assert run.status == Run.STATUS.pending
    lms(services.unenroll, erin, COURSE_A)
    lms(services.enroll, erin, COURSE_A)
    run.refresh_from_db()
    assert run.status == Run.STATUS.converted


def test_a_site_wide_automation_hears_every_learner(platform_staff, bob, lms):
    automation = api.import_automation(document(courses=(), triggers=ON_LOGIN), owner=platform_staff)
    lms(services.login, bob)
    assert Run.objects.filter(automation=automation, user=bob).count() == 1


def test_a_host_that_cannot_list_enrolments_means_not_in_scope(automation_a, alice, monkeypatch):
    def broken(self, user_id):
        raise RuntimeError("LMS down")

    monkeypatch.setattr(SandboxHost, "active_course_keys", broken)
    assert not authority.event_in_scope(automation_a, {"user_id": alice.pk}, alice.pk)
    assert authority.event_in_scope(automation_a, {"course_key": COURSE_A}, alice.pk)


def test_templates_see_only_the_runs_learner(courses, alice, bob):
    from lms_automations.engine.context import StepContext  # pylint: disable=import-outside-toplevel

    automation = api.import_automation(document(name="Webhook-like"))
    run, = api.start_learners(automation, [alice])
    context = StepContext.for_run(run).template_context()
    assert set(context) == {"learner", "event", "course", "automation", "run", "now"}
    assert context["learner"]["email"] == "alice@example.com"
    flattened = repr(context)
    assert "bob" not in flattened and str(bob.email) not in flattened
