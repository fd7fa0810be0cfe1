"""The daily inactivity scan: once per quiet streak per threshold, run by the tick once a day."""
import datetime

import pytest
import time_machine

from lms_automations.engine.tick import run_tick
from lms_automations.models import Event, Run
from sandbox.lms import services

COURSE = "course-v1:Demo+W1+2026"
T0 = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
pytestmark = pytest.mark.django_db


def at(days):
    return time_machine.travel(T0 + datetime.timedelta(days=days), tick=False)


def inactive_events():
    return sorted((e.user.username, e.payload["days"], e.payload["last_activity_at"][:10])
                  for e in Event.objects.filter(event_type="activity.inactive"))


@pytest.fixture
def listening():
    """An automation that starts on activity.inactive: the scan runs only when someone listens."""
    import json
    from pathlib import Path

    from lms_automations import api

    document = json.loads((Path(api.__file__).parent / "examples" / "inactivity_reengagement.json").read_text())
    with time_machine.travel(T0 - datetime.timedelta(seconds=1), tick=False):
        return api.import_automation(document)  # activated at T0: streaks reach their days later


@pytest.fixture
def learners():
    services.create_course(COURSE)
    with at(0):
        ada, grace = (services.create_learner(n, f"{n}@example.com") for n in ("ada", "grace"))
        services.enroll(ada, COURSE)
        services.enroll(grace, COURSE)
        services.record_activity(ada, COURSE)
    return ada, grace


def test_once_per_streak_per_threshold_and_once_a_day(learners, listening, settings,
                                                     django_capture_on_commit_callbacks):
    ada, grace = learners
    settings.LMS_AUTOMATIONS = {**settings.LMS_AUTOMATIONS, "INACTIVITY_DAYS": [7, 14]}
    with at(7), django_capture_on_commit_callbacks(execute=True):
        assert run_tick().scanned == 2
        assert run_tick().scanned == 0  # the scan already ran today
    with at(8):
        services.record_activity(grace, COURSE)  # grace comes back: a new streak
    with at(15), django_capture_on_commit_callbacks(execute=True):
        run_tick()
    with at(16), django_capture_on_commit_callbacks(execute=True):
        run_tick()  # the same streaks again: nothing new
    assert inactive_events() == [
        ("ada", 7, "2026-03-02"), ("ada", 14, "2026-03-02"), ("grace", 7, "2026-03-02"), ("grace", 7, "2026-03-10")]
    assert set(Event.objects.filter(event_type="activity.inactive").values_list("source", flat=True)) == {"scan"}


def test_the_win_back_example_starts_from_the_real_scan(learners, listening, django_capture_on_commit_callbacks):
    automation = listening
    with at(7), django_capture_on_commit_callbacks(execute=True):
        run_tick()
    assert sorted(Run.objects.filter(automation=automation).values_list("user__username", flat=True)) == [
        "ada", "grace"]


def test_nobody_listening_means_no_scan(learners, monkeypatch, django_capture_on_commit_callbacks):
    from sandbox.lms.host_backend import SandboxHost

    def unread(self, *args):
        raise AssertionError("the host's enrolments were read although no automation listens")

    monkeypatch.setattr(SandboxHost, "enrollment_activity", unread)
    with at(30), django_capture_on_commit_callbacks(execute=True):
        assert run_tick().scanned == 0
    assert not Event.objects.filter(event_type="activity.inactive").exists()


def test_one_hand_over_per_learner_dispatches_all_their_thresholds(learners, listening, monkeypatch,
                                                                    django_capture_on_commit_callbacks):
    from lms_automations.happened import recording

    handed = []
    original = recording.hand_over
    monkeypatch.setattr(recording, "hand_over", lambda items: handed.append(items) or original(items))
    with at(15), django_capture_on_commit_callbacks(execute=True):
        assert run_tick().scanned == 4  # ada and grace: 7 and 14 days each
    # One hand-over for the scan's commit, carrying every new event.
    assert len([items for items in handed if any(key.startswith("inactive:") for key, _, _ in items)]) == 1
    assert not Event.objects.filter(event_type="activity.inactive", dispatched_at__isnull=True).exists()
