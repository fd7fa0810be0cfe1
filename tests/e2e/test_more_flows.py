"""The other flows a course team builds first: win back quiet learners, upsell after completion,
and a certificate reminder before access ends — each with the clock moved and the tick run."""
import datetime

import pytest
from django.core import mail

from lms_automations import api
from lms_automations.models import PointsEntry, Run
from sandbox.lms import services

W1 = "course-v1:Demo+W1+2026"
PY101 = "course-v1:Demo+PY101+2026"
pytestmark = pytest.mark.django_db


def emit(lms, event_type, user, payload):
    # The inactivity scan and the course-completion detector are the host integration's job; here
    # their events are emitted the way they will be.
    return lms(api.emit, event_type, user, payload)


def test_quiet_learner_is_reminded_then_reported_to_staff(clock, lms, tick, load_example):
    services.create_course(W1)
    automation = load_example("inactivity_reengagement")
    ada = services.create_learner("ada", "ada@example.com")
    lms(services.enroll, ada, W1)
    emit(lms, "activity.inactive", ada, {"course_key": W1, "days": 7, "last_activity_at": "2026-02-23T09:00:00Z"})

    run = Run.objects.get(automation=automation)
    assert run.current_step_id == "wait-3-days"
    assert [m.subject for m in mail.outbox] == ["We saved your place"]

    clock.shift(datetime.timedelta(days=3, minutes=1))
    tick()
    run.refresh_from_db()
    assert run.status == Run.STATUS.fulfilled
    assert mail.outbox[-1].subject == "ada has been away for 10 days"
    assert mail.outbox[-1].to == ["staff@example.com"]


def test_quiet_learner_who_comes_back_is_converted_and_staff_hear_nothing(clock, lms, tick, load_example):
    course = services.create_course(W1)
    automation = load_example("inactivity_reengagement")
    ada = services.create_learner("ada", "ada@example.com")
    lms(services.enroll, ada, W1)
    emit(lms, "activity.inactive", ada, {"course_key": W1, "days": 7, "last_activity_at": "2026-02-23T09:00:00Z"})
    clock.shift(datetime.timedelta(days=1))
    lms(services.complete_block, ada, course.block_keys()[0])
    assert Run.objects.get(automation=automation).status == Run.STATUS.converted
    clock.shift(datetime.timedelta(days=3))
    assert tick() == 0
    assert [m.subject for m in mail.outbox] == ["We saved your place"]


def test_inactivity_below_the_threshold_starts_nothing(clock, lms, load_example):
    services.create_course(W1)
    load_example("inactivity_reengagement")
    ada = services.create_learner("ada", "ada@example.com")
    emit(lms, "activity.inactive", ada, {"course_key": W1, "days": 3, "last_activity_at": "2026-02-27T09:00:00Z"})
    assert not Run.objects.exists()


def test_upgrade_after_the_offer_earns_points(clock, lms, tick, load_example):
    services.create_course(W1)
    automation = load_example("upsell_after_completion")
    ada = services.create_learner("ada", "ada@example.com")
    lms(services.enroll, ada, W1, mode="audit")
    emit(lms, "progress.course_completed", ada, {"course_key": W1})
    run = Run.objects.get(automation=automation)
    assert run.awaited_event_type == "enrollment.upgraded"
    assert mail.outbox[-1].subject == "You finished! Make it count with a certificate"

    clock.shift(datetime.timedelta(days=2))
    lms(services.change_mode, ada, W1, "verified")
    emit(lms, "enrollment.upgraded", ada, {"course_key": W1, "from_mode": "audit", "to_mode": "verified"})
    run.refresh_from_db()
    assert run.status == Run.STATUS.fulfilled
    assert PointsEntry.objects.get(user=ada).amount == 50


def test_no_upgrade_within_a_week_gets_the_last_call(clock, lms, tick, load_example):
    services.create_course(W1)
    automation = load_example("upsell_after_completion")
    grace = services.create_learner("grace", "grace@example.com")
    lms(services.enroll, grace, W1, mode="audit")
    emit(lms, "progress.course_completed", grace, {"course_key": W1})
    clock.shift(datetime.timedelta(days=7, minutes=1))
    assert tick() == 1
    run = Run.objects.get(automation=automation)
    assert run.status == Run.STATUS.fulfilled
    assert mail.outbox[-1].subject == "Last call for your certificate"
    assert not PointsEntry.objects.exists()


def test_certificate_reminder_three_days_before_the_course_ends(clock, lms, tick, load_example):
    course_end = datetime.datetime(2026, 4, 30, 12, 0, tzinfo=datetime.UTC)
    services.create_course(PY101, end=course_end)
    automation = load_example("certificate_reminder")
    ada = services.create_learner("ada", "ada@example.com")
    lms(services.enroll, ada, PY101, mode="verified")
    run = Run.objects.get(automation=automation)
    assert run.status == Run.STATUS.pending
    wake_due = run.wake.due_at
    assert wake_due == course_end - datetime.timedelta(days=3)

    clock.move_to(wake_due + datetime.timedelta(minutes=1))
    tick()
    run.refresh_from_db()
    assert run.status == Run.STATUS.fulfilled
    assert mail.outbox[-1].subject == "3 days left to earn your certificate"


def test_certificate_awarded_before_the_reminder_converts(clock, lms, tick, load_example):
    services.create_course(PY101, end=datetime.datetime(2026, 4, 30, 12, 0, tzinfo=datetime.UTC))
    automation = load_example("certificate_reminder")
    grace = services.create_learner("grace", "grace@example.com")
    lms(services.enroll, grace, PY101, mode="verified")
    lms(services.set_grade, grace, PY101, 0.9, True)
    lms(services.award_certificate, grace, PY101)
    assert Run.objects.get(automation=automation).status == Run.STATUS.converted
    clock.move_to(datetime.datetime(2026, 4, 28, tzinfo=datetime.UTC))
    assert tick() == 0
    assert mail.outbox == []
