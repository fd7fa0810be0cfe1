"""Course-date waits follow the course when its dates move (the tick's daily refresh)."""
import datetime

import pytest
import time_machine

from lms_automations import api
from lms_automations.engine.tick import run_tick
from lms_automations.models import LearnerTag, Run, RunLog, RunWake
from sandbox.lms import services

UTC = datetime.UTC
COURSE = "course-v1:Demo+W1+2026"
T0 = datetime.datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
END = datetime.datetime(2026, 6, 30, 17, 0, tzinfo=UTC)
pytestmark = pytest.mark.django_db


def at(moment):
    return time_machine.travel(moment, tick=False)


@pytest.fixture
def waiting(django_capture_on_commit_callbacks):
    """A verified learner waiting until three days before the course ends."""
    services.create_course(COURSE, start=T0, end=END)
    with at(T0 - datetime.timedelta(hours=1)):  # activated before the enrolment (SPEC §5.1)
        activate_last_call()
    ada = services.create_learner("ada", "ada@example.com")
    with at(T0), django_capture_on_commit_callbacks(execute=True):
        services.enroll(ada, COURSE, mode="verified")
    run = Run.objects.get(user=ada)
    assert run.wake.due_at == END - datetime.timedelta(days=3)
    return ada, run


def activate_last_call():
    api.import_automation({
        "format": "lms-automations/v1", "name": "Last call", "status": "active",
        "scope": {"courses": [COURSE], "orgs": []},
        "triggers": [{"event": "enrollment.created"}],
        "steps": [{"id": "before-end", "type": "wait", "wait": "course_date",
                   "params": {"course_key": "{{ event.course_key }}", "anchor": "end", "offset": "-P3D"}},
                  {"id": "tag", "type": "action", "action": "tag.add", "params": {"tags": ["last-call"]}}],
    })


def test_a_later_course_end_moves_the_wait_and_says_so_on_the_timeline(waiting, django_capture_on_commit_callbacks):
    ada, run = waiting
    services.create_course(COURSE, start=T0, end=END + datetime.timedelta(days=14))
    with at(T0 + datetime.timedelta(days=1)), django_capture_on_commit_callbacks(execute=True):
        run_tick()
    assert RunWake.objects.get(run=run).due_at == END + datetime.timedelta(days=11)
    moved = RunLog.objects.filter(run=run, message__startswith="the course date moved").get()
    assert moved.detail["was"] == (END - datetime.timedelta(days=3)).isoformat()
    with at(END), django_capture_on_commit_callbacks(execute=True):
        run_tick()
    assert not LearnerTag.objects.filter(user=ada).exists(), "the old moment is no longer the one"


def test_an_earlier_end_already_past_makes_the_run_go_on_now(waiting, django_capture_on_commit_callbacks):
    ada, run = waiting
    services.create_course(COURSE, start=T0, end=T0 + datetime.timedelta(days=2))
    with at(T0 + datetime.timedelta(days=1, hours=1)), django_capture_on_commit_callbacks(execute=True):
        run_tick()  # the refresh makes it due now
        run_tick()  # and the next pass resumes it (the tick also runs every minute)
    run.refresh_from_db()
    assert run.status == Run.STATUS.fulfilled
    assert LearnerTag.objects.filter(user=ada, tag="last-call").exists()


def test_unchanged_dates_change_nothing(waiting, django_capture_on_commit_callbacks):
    _, run = waiting
    with at(T0 + datetime.timedelta(days=1)), django_capture_on_commit_callbacks(execute=True):
        run_tick()
    assert RunWake.objects.get(run=run).due_at == END - datetime.timedelta(days=3)
    assert not RunLog.objects.filter(run=run, message__startswith="the course date moved").exists()
