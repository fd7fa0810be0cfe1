"""Thresholds the course team chooses (ADR 0015), through the sandbox LMS and the tick: ten quiet
days, 60 % of the course, 120 points — none of them an operator default — and "only future
events": a learner already past the threshold when the automation is activated is not started."""
import datetime

import pytest

from lms_automations import api
from lms_automations.engine.tick import run_tick
from lms_automations.models import CustomEventType, EntryRefusal, Event, LearnerTag, Run
from sandbox.lms import services

W1 = "course-v1:Demo+W1+2026"
DAY = datetime.timedelta(days=1)
pytestmark = pytest.mark.django_db


def automation(name, event, *, params=None, event_filter=None, steps=None, scope=(W1,)):
    trigger = {"event": event, "filter": event_filter}
    if params is not None:
        trigger["params"] = params
    return api.import_automation({
        "format": "lms-automations/v1", "name": name, "status": "active",
        "scope": {"courses": list(scope), "orgs": []}, "triggers": [trigger],
        "steps": steps or [{"id": "tag", "type": "action", "action": "tag.add", "params": {"tags": [name]}}],
    })


def started(automation_row):
    return sorted(Run.objects.filter(automation=automation_row).values_list("user__username", flat=True))


# --- activity.inactive ----------------------------------------------------------------------------


def test_ten_quiet_days_start_the_learner_whose_streak_reaches_them_after_activation(clock, lms, settings):
    settings.LMS_AUTOMATIONS = {**settings.LMS_AUTOMATIONS, "INACTIVITY_DAYS": []}
    services.create_course(W1)
    ada, bob = services.create_learner("ada"), services.create_learner("bob")
    for learner in (ada, bob):
        lms(services.enroll, learner, W1)
    services.move_activity_back(ada, W1, 30)  # quiet for a month already
    services.move_activity_back(bob, W1, 3)
    ten = automation("quiet-10", "activity.inactive", params={"days": 10})
    for _ in range(10):
        clock.shift(DAY)
        lms(run_tick)
    assert started(ten) == ["bob"]
    assert list(Event.objects.filter(event_type="activity.inactive").values_list("payload__days", flat=True)) == [10]
    assert LearnerTag.objects.filter(user=bob, tag="quiet-10").exists()


def test_a_filter_on_days_still_works_and_its_days_are_scanned(clock, lms, settings):
    """An older document says it with a filter (``days eq 12``): 12 is scanned for, and it starts."""
    settings.LMS_AUTOMATIONS = {**settings.LMS_AUTOMATIONS, "INACTIVITY_DAYS": [7]}
    services.create_course(W1)
    ada = services.create_learner("ada")
    lms(services.enroll, ada, W1)
    twelve = automation("quiet-12", "activity.inactive", event_filter={
        "condition": "event.field", "params": {"path": "days", "op": "eq", "value": 12}})
    for _ in range(13):
        clock.shift(DAY)
        lms(run_tick)
    assert started(twelve) == ["ada"]
    assert sorted(Event.objects.filter(event_type="activity.inactive").values_list("payload__days", flat=True)) == [
        7, 12]


# --- progress.threshold_reached -------------------------------------------------------------------


def five_units():
    return services.create_course(W1, units=[[f"b{n}"] for n in range(1, 6)]).block_keys()


def test_sixty_percent_starts_the_learner_who_crosses_it(clock, lms):
    blocks = five_units()
    ada = services.create_learner("ada")
    lms(services.enroll, ada, W1)
    sixty = automation("at-60", "progress.threshold_reached", params={"percent": 60})
    for block in blocks[:3]:
        clock.shift(datetime.timedelta(hours=1))
        lms(services.complete_block, ada, block)
    assert started(sixty) == ["ada"]
    assert sorted(Event.objects.filter(event_type="progress.threshold_reached").values_list(
        "payload__percent", flat=True)) == [25, 50, 60]  # the operator's 25 and 50 too


def test_a_learner_already_past_the_percentage_at_activation_is_not_started(clock, lms):
    blocks = five_units()
    ada = services.create_learner("ada")
    lms(services.enroll, ada, W1)
    for block in blocks[:4]:  # 80 %
        lms(services.complete_block, ada, block)
    clock.shift(DAY)
    half = automation("at-50", "progress.threshold_reached", params={"percent": 50})  # an operator default
    sixty = automation("at-60", "progress.threshold_reached", params={"percent": 60})  # new
    clock.shift(DAY)
    lms(services.complete_block, ada, blocks[4])
    assert started(half) == started(sixty) == []
    assert not Event.objects.filter(event_type="progress.threshold_reached", payload__percent=60).exists()


def test_progress_from_before_the_plugin_does_not_count_as_crossed_now(clock, lms):
    """The plugin installed on a live site: it never saw the learner's first three units."""
    from lms_automations.models import LearnerCourseState

    blocks = five_units()
    ada = services.create_learner("ada")
    lms(services.enroll, ada, W1)
    for block in blocks[:3]:
        lms(services.complete_block, ada, block)
    LearnerCourseState.objects.all().delete()
    Event.objects.filter(event_type="progress.threshold_reached").delete()
    lms(services.complete_block, ada, blocks[3])  # 60 % → 80 %
    assert list(Event.objects.filter(event_type="progress.threshold_reached").values_list(
        "payload__percent", flat=True)) == [75]


def test_a_percent_filter_of_an_older_document_is_computed_too(clock, lms):
    blocks = five_units()
    ada = services.create_learner("ada")
    lms(services.enroll, ada, W1)
    forty = automation("at-40", "progress.threshold_reached", event_filter={
        "condition": "event.field", "params": {"path": "percent", "op": "in", "value": [40]}})
    for block in blocks[:2]:
        lms(services.complete_block, ada, block)
    assert started(forty) == ["ada"]


# --- points.threshold_reached ---------------------------------------------------------------------


def earn_points():
    CustomEventType.objects.create(slug="quiz_passed", label="Quiz passed")
    return automation("earn", "custom.quiz_passed", scope=(), steps=[
        {"id": "award", "type": "action", "action": "points.award", "params": {"amount": 70}}])


def test_the_score_a_team_chooses_starts_the_learner_who_reaches_it(clock, lms):
    earn_points()
    ada = services.create_learner("ada")
    score = automation("score-120", "points.threshold_reached", params={"threshold": 120}, scope=())
    for _ in range(2):
        clock.shift(datetime.timedelta(hours=1))
        lms(api.emit, "custom.quiz_passed", ada)
    assert started(score) == ["ada"]
    assert sorted(Event.objects.filter(event_type="points.threshold_reached").values_list(
        "payload__threshold", flat=True)) == [100, 120]


def test_a_learner_who_had_the_score_before_activation_is_not_started(clock, lms):
    earn_points()
    ada = services.create_learner("ada")
    for _ in range(2):
        clock.shift(datetime.timedelta(hours=1))
        lms(api.emit, "custom.quiz_passed", ada)  # 140 points
    clock.shift(DAY)
    score = automation("score-130", "points.threshold_reached", params={"threshold": 130}, scope=())
    clock.shift(DAY)
    lms(api.emit, "custom.quiz_passed", ada)  # 210
    assert started(score) == []
    assert not EntryRefusal.objects.filter(automation=score).exists()  # no event at all: nothing to refuse


def test_an_event_recorded_before_activation_but_delivered_after_does_not_start_a_run(clock, lms,
                                                                                     django_capture_on_commit_callbacks):
    """The relay delivers an event late (the broker was down): it happened before the automation
    was activated, so it is refused with the reason, not started (SPEC §5.1)."""
    earn_points()
    ada = services.create_learner("ada")
    with django_capture_on_commit_callbacks(execute=False):
        api.emit("custom.quiz_passed", ada)  # recorded; its hand-over is lost
    clock.shift(datetime.timedelta(minutes=1))
    late = automation("late", "custom.quiz_passed", scope=())
    clock.shift(datetime.timedelta(minutes=5))
    lms(run_tick)  # the relay hands the event over
    assert started(late) == []
    assert EntryRefusal.objects.get(automation=late).reason == "before"
