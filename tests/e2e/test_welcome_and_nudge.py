"""Welcome + nudge, as a course team builds it: e-mail now, check progress in two days."""
import datetime

import pytest
from django.core import mail

from lms_automations import api
from lms_automations.models import Event, LearnerTag, Run
from sandbox.lms import services

COURSE = "course-v1:Demo+W1+2026"
pytestmark = pytest.mark.django_db


@pytest.fixture
def course():
    return services.create_course(COURSE)


@pytest.fixture
def welcome(load_example):
    return load_example("welcome_and_nudge")


def test_learner_who_started_is_tagged_active_and_not_nudged(clock, lms, tick, course, welcome):
    ada = services.create_learner("ada", "ada@example.com", first_name="Ada")
    lms(services.enroll, ada, COURSE, mode="audit")

    run = Run.objects.get(automation=welcome, user=ada)
    assert run.status == Run.STATUS.pending and run.current_step_id == "wait-2-days"
    assert [m.subject for m in mail.outbox] == ["Welcome, Ada"]
    assert mail.outbox[0].to == ["ada@example.com"]

    clock.shift(datetime.timedelta(days=1))
    for block in course.block_keys()[:2]:  # the whole first lesson
        lms(services.complete_block, ada, block)
    assert tick() == 0  # the wait is not over yet

    clock.shift(datetime.timedelta(days=1, minutes=1))
    assert tick() == 1
    run.refresh_from_db()
    assert run.status == Run.STATUS.fulfilled
    assert LearnerTag.objects.filter(user=ada, tag="active").exists()
    assert len(mail.outbox) == 1  # no nudge

    timeline = api.explain(run)
    branch = next(entry for entry in timeline if entry["kind"] == "branch")
    assert branch["step_id"] == "started" and branch["detail"]["side"] == "yes"
    (leaf,) = branch["detail"]["leaves"]
    assert leaf["condition"] == "course.progress" and leaf["observed"] > 0
    assert [entry["step_id"] for entry in timeline if entry["kind"] == "action"] == ["welcome", "tag-active"]


def test_learner_who_did_not_start_gets_the_nudge(clock, lms, tick, course, welcome):
    grace = services.create_learner("grace", "grace@example.com", first_name="Grace")
    lms(services.enroll, grace, COURSE)
    clock.shift(datetime.timedelta(days=2, minutes=1))
    tick()
    run = Run.objects.get(automation=welcome, user=grace)
    assert run.status == Run.STATUS.fulfilled
    assert [m.subject for m in mail.outbox] == ["Welcome, Grace", "Need a hand getting started?"]
    assert not LearnerTag.objects.filter(user=grace).exists()
    assert Event.objects.filter(event_type="automation.finished", user=grace,
                                payload__outcome="fulfilled").exists()


def test_unenrolling_during_the_wait_exits_the_run(clock, lms, tick, course, welcome):
    alan = services.create_learner("alan", "alan@example.com")
    lms(services.enroll, alan, COURSE)
    clock.shift(datetime.timedelta(hours=5))
    lms(services.unenroll, alan, COURSE)
    run = Run.objects.get(automation=welcome, user=alan)
    assert run.status == Run.STATUS.exited
    clock.shift(datetime.timedelta(days=3))
    assert tick() == 0
    assert len(mail.outbox) == 1


def test_once_policy_keeps_a_re_enrolled_learner_from_a_second_welcome(clock, lms, course, welcome):
    kate = services.create_learner("katherine", "kate@example.com")
    lms(services.enroll, kate, COURSE)
    lms(services.unenroll, kate, COURSE)
    clock.shift(datetime.timedelta(days=10))
    lms(services.enroll, kate, COURSE)
    assert Run.objects.filter(automation=welcome, user=kate).count() == 1
    assert len(mail.outbox) == 1


def test_an_inactive_automation_starts_nobody(clock, lms, course, welcome):
    api.deactivate(welcome)
    lms(services.enroll, services.create_learner("mateo", "mateo@example.com"), COURSE)
    assert not Run.objects.exists()
    assert mail.outbox == []
