"""One learner-visible change is one event, whatever the LMS repeats (SPEC §4.1, host reference §1.6)."""
import pytest

from lms_automations.engine.dispatch import dispatch_events
from lms_automations.happened.recording import collecting_dispatches
from lms_automations.host import get_host
from lms_automations.models import Event, LearnerCourseState
from sandbox.lms import services

COURSE = "course-v1:Demo+W1+2026"
pytestmark = pytest.mark.django_db


@pytest.fixture
def learner():
    services.create_course(COURSE, units=[["html:a", "html:b"], ["problem:c"]])
    return services.create_learner("ada", "ada@example.com")


@pytest.fixture
def host(django_capture_on_commit_callbacks):
    def _do(action, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return action(*args, **kwargs)

    return _do


def accepted(event_type=None):
    events = Event.objects.filter(dispatch_status=Event.DISPATCH.dispatched).order_by("id")
    if event_type:
        events = events.filter(event_type=event_type)
    return [(e.event_type, {k: v for k, v in e.payload.items() if k != "user_id"}) for e in events]


def test_enrol_in_verified_through_the_api_path_is_one_enrolment_in_verified(host, learner):
    host(services.enroll, learner, COURSE, mode="verified")  # CHANGED(audit) → CREATED(audit) → CHANGED(verified)
    assert accepted() == [("enrollment.created", {"course_key": COURSE, "org": "Demo", "mode": "verified"})]
    notes = list(Event.objects.filter(dispatch_status=Event.DISPATCH.ignored).order_by("id")
                 .values_list("dispatch_note", flat=True))
    assert notes == ["activation: announced as enrollment.created", "mode unchanged (verified)"]
    assert LearnerCourseState.objects.get(user=learner).enrollment_mode == "verified"


def test_an_upgrade_in_a_later_commit_stays_an_upgrade(host, learner):
    host(services.enroll, learner, COURSE)
    host(services.change_mode, learner, COURSE, "verified")
    assert accepted() == [
        ("enrollment.created", {"course_key": COURSE, "org": "Demo", "mode": "audit"}),
        ("enrollment.mode_changed", {"course_key": COURSE, "to_mode": "verified", "from_mode": "audit",
                                     "is_active": True}),
        ("enrollment.upgraded", {"course_key": COURSE, "from_mode": "audit", "to_mode": "verified"}),
    ]


@pytest.mark.django_db(transaction=True)
def test_an_upgrade_committed_before_the_enrolment_is_dispatched_stays_an_upgrade(learner):
    with collecting_dispatches() as handed_over:  # two real commits; nothing dispatched meanwhile
        services.enroll(learner, COURSE)
        services.change_mode(learner, COURSE, "verified")
    dispatch_events([key for key, _type, _user in handed_over])
    assert [t for t, _ in accepted()] == ["enrollment.created", "enrollment.mode_changed", "enrollment.upgraded"]
    assert accepted("enrollment.created")[0][1]["mode"] == "audit"


def test_a_real_re_enrolment_that_changes_the_mode_is_a_mode_change(host, learner):
    host(services.enroll, learner, COURSE)
    host(services.enroll, learner, COURSE, mode="verified")  # active: CHANGED(verified) → CREATED again
    assert [t for t, _ in accepted()] == ["enrollment.created", "enrollment.mode_changed", "enrollment.upgraded"]


def test_re_enrolling_an_active_learner_is_not_a_new_enrolment(host, learner):
    host(services.enroll, learner, COURSE)
    host(services.enroll, learner, COURSE)  # the LMS sends CREATED again
    assert len(accepted("enrollment.created")) == 1
    assert Event.objects.filter(dispatch_note__startswith="already enrolled").count() == 1


def test_unenrol_and_enrol_again_is_a_second_enrolment(host, learner):
    host(services.enroll, learner, COURSE)
    host(services.unenroll, learner, COURSE)
    host(services.enroll, learner, COURSE)
    assert [t for t, _ in accepted()] == ["enrollment.created", "enrollment.deactivated", "access.ended",
                                          "enrollment.created"]
    assert LearnerCourseState.objects.get(user=learner).activation_count == 2


def test_downgrade_is_a_mode_change_but_not_an_upgrade(host, learner):
    host(services.enroll, learner, COURSE, mode="verified")
    host(services.change_mode, learner, COURSE, "audit")
    assert accepted("enrollment.mode_changed")[-1][1]["from_mode"] == "verified"
    assert not accepted("enrollment.upgraded"), "enrolling in verified was no upgrade, and a downgrade is none"


def test_passing_status_repeated_on_every_recompute_is_one_pass_and_one_fail(host, learner):
    host(services.enroll, learner, COURSE)
    host(services.set_grade, learner, COURSE, 0.3, False)  # never passed: not a "failed" transition
    host(services.set_grade, learner, COURSE, 0.7, True)
    host(services.set_grade, learner, COURSE, 0.8, True)
    host(services.set_grade, learner, COURSE, 0.4, False)
    assert [t for t, _ in accepted() if t.startswith("course.")] == ["course.passed", "course.failed"]
    assert [p["percent"] for _, p in accepted("grade.changed")] == [30.0, 70.0, 80.0, 40.0]


def test_a_re_saved_certificate_is_awarded_once_and_again_after_revocation(host, learner):
    host(services.enroll, learner, COURSE, mode="verified")
    host(services.award_certificate, learner, COURSE)
    host(services.award_certificate, learner, COURSE)
    host(services.revoke_certificate, learner, COURSE)
    host(services.award_certificate, learner, COURSE)
    assert [t for t, _ in accepted() if t.startswith("certificate.")] == [
        "certificate.awarded", "certificate.revoked", "certificate.awarded"]


def test_completions_derive_lessons_thresholds_and_course_completion(host, learner, settings):
    settings.LMS_AUTOMATIONS = {**settings.LMS_AUTOMATIONS, "PROGRESS_THRESHOLDS": [50, 100]}
    course = services.get_course(COURSE)
    a, b, c = course.block_keys()
    host(services.enroll, learner, COURSE)
    host(services.complete_block, learner, a)
    host(services.complete_block, learner, b)
    host(services.complete_block, learner, c)
    unit_1, unit_2 = (unit["key"] for unit in get_host().get_course_outline(COURSE))
    derived = [(t, p.get("lesson_key") or p.get("percent")) for t, p in accepted() if t.startswith("progress.")
               and t != "progress.block_completed"]
    assert derived == [
        ("progress.lesson_started", unit_1),
        ("progress.lesson_completed", unit_1),
        ("progress.threshold_reached", 50),
        ("progress.lesson_started", unit_2),
        ("progress.lesson_completed", unit_2),
        ("progress.threshold_reached", 100),
        ("progress.course_completed", None),
    ]


def lessons(event_type):
    return [p["lesson_key"] for _, p in accepted(event_type)]


def test_blocks_of_a_unit_completed_at_once_start_and_complete_the_lesson_once(host, learner):
    a, b, _c = services.get_course(COURSE).block_keys()
    host(services.enroll, learner, COURSE)

    def view_unit():  # the LMS marks a unit's html blocks viewed in one request
        services.complete_block(learner, a)
        services.complete_block(learner, b)

    host(view_unit)
    unit_1 = get_host().get_course_outline(COURSE)[0]["key"]
    assert lessons("progress.lesson_started") == [unit_1]
    assert lessons("progress.lesson_completed") == [unit_1]


@pytest.mark.django_db(transaction=True)
def test_completions_committed_apart_but_dispatched_together_start_and_complete_the_lesson_once(learner):
    a, b, _c = services.get_course(COURSE).block_keys()
    with collecting_dispatches() as handed_over:  # both visible to the host before either is dispatched
        services.complete_block(learner, a)
        services.complete_block(learner, b)
    dispatch_events([key for key, _type, _user in handed_over])
    dispatch_events([key for key, _type, _user in handed_over])  # a second delivery changes nothing
    unit_1 = get_host().get_course_outline(COURSE)[0]["key"]
    assert lessons("progress.lesson_started") == [unit_1]
    assert lessons("progress.lesson_completed") == [unit_1]
