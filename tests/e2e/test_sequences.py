"""Sequences between automations: the next automation looks at how far the learner got in the last."""
import datetime

import pytest

from lms_automations import api
from lms_automations.models import Event, LearnerTag, Run
from sandbox.lms import services

pytestmark = pytest.mark.django_db
COURSE = "course-v1:Demo+SEQ+2026"


def tags(user):
    return set(LearnerTag.objects.filter(user=user).values_list("tag", flat=True))


def test_the_follow_up_knows_who_needed_the_nudge(clock, lms, tick):
    course = services.create_course(COURSE)
    onboarding = api.import_automation({
        "format": "lms-automations/v1", "name": "Onboarding", "status": "active",
        "scope": {"courses": [COURSE], "orgs": []}, "triggers": [{"event": "enrollment.created"}],
        "steps": [{"id": "wait", "type": "wait", "wait": "duration", "params": {"days": 2}},
                  {"id": "nudge", "type": "action", "action": "tag.add", "params": {"tags": ["nudged"]}}],
        "exit_conditions": [{"event": "progress.block_completed", "filter": None, "outcome": "converted"}],
    })
    api.import_automation({
        "format": "lms-automations/v1", "name": "Follow-up", "status": "active",
        "scope": {"courses": [COURSE], "orgs": []},
        "triggers": [{"event": "automation.finished", "filter": {"all": [{"condition": "event.field", "params": {
            "path": "automation_id", "op": "eq", "value": onboarding.pk}}]}}],
        "steps": [{"id": "needed?", "type": "branch", "condition": {"all": [{
            "condition": "automation.step_reached", "params": {"automation_id": onboarding.pk, "step_id": "nudge"}}]},
            "yes": [{"id": "slow", "type": "action", "action": "tag.add", "params": {"tags": ["needed-a-nudge"]}}],
            "no": [{"id": "quick", "type": "action", "action": "tag.add", "params": {"tags": ["self-starter"]}}]}],
    })
    quick, slow = services.create_learner("quick"), services.create_learner("slow")
    lms(services.enroll, quick, COURSE)
    lms(services.enroll, slow, COURSE)
    clock.shift(datetime.timedelta(days=1))
    lms(services.complete_block, quick, course.block_keys()[0])
    clock.shift(datetime.timedelta(days=1, minutes=1))
    tick()
    assert tags(quick) == {"self-starter"}
    assert tags(slow) == {"nudged", "needed-a-nudge"}


def follows(automation_id, op="eq"):
    return {"all": [{"condition": "event.field", "params": {"path": "automation_id", "op": op,
                                                             "value": automation_id}}]}


def automation(name, triggers, steps, *, scope=(COURSE,), entry=None):
    return api.import_automation({
        "format": "lms-automations/v1", "name": name, "status": "active",
        "scope": {"courses": list(scope), "orgs": []}, "triggers": triggers, "steps": steps,
        **({"entry": entry} if entry else {}),
    })


def tag_step(tag, step_id=None):
    return {"id": step_id or f"tag-{tag}", "type": "action", "action": "tag.add", "params": {"tags": [tag]}}


def refusals(automation_obj):
    from lms_automations.models import EntryRefusal

    return list(EntryRefusal.objects.filter(automation=automation_obj).values_list("reason", flat=True))


def test_entering_one_automation_starts_the_next(clock, lms):
    services.create_course(COURSE)
    welcome = automation("Welcome", [{"event": "enrollment.created"}], [tag_step("welcomed")])
    automation("Buddy", [{"event": "automation.started", "filter": follows(welcome.pk)}], [tag_step("buddy")])
    learner = services.create_learner("ada")
    lms(services.enroll, learner, COURSE)
    assert tags(learner) == {"welcomed", "buddy"}
    started = Event.objects.get(event_type="automation.started", payload__automation_id=welcome.pk)
    assert started.payload["started_by"] == "enrollment.created"
    assert started.payload["course_key"] == COURSE
    assert started.payload["sequence"] == [welcome.pk]


def test_an_automation_started_by_its_own_start_runs_once(clock, lms, settings):
    settings.LMS_AUTOMATIONS = {**settings.LMS_AUTOMATIONS, "DEDUPE_SECONDS": 0}  # not the 60 s guard's doing
    services.create_course(COURSE)
    automation("Opener", [{"event": "enrollment.created"}], [tag_step("opened")])
    greedy = automation("Any entry", [{"event": "automation.started"}], [tag_step("seen")])
    learner = services.create_learner("ada")
    lms(services.enroll, learner, COURSE)
    # Opener's start starts "Any entry"; its own start is heard, and refused as a loop.
    assert Run.objects.filter(automation=greedy, user=learner).count() == 1
    assert refusals(greedy) == ["loop"]


def test_a_to_b_to_a_goes_round_once(clock, lms, settings):
    settings.LMS_AUTOMATIONS = {**settings.LMS_AUTOMATIONS, "DEDUPE_SECONDS": 0}
    services.create_course(COURSE)
    first = automation("A", [{"event": "enrollment.created"}], [tag_step("a")])
    second = automation("B", [{"event": "automation.started", "filter": follows(first.pk)}],
                        [tag_step("b")])
    # A also follows B: a cycle no single document shows.
    api.update_automation(first, {**api.export_automation(first), "triggers": [
        {"event": "enrollment.created", "filter": None},
        {"event": "automation.started", "filter": follows(second.pk)}]})
    learner = services.create_learner("ada")
    lms(services.enroll, learner, COURSE)
    assert Run.objects.filter(automation=first, user=learner).count() == 1
    assert Run.objects.filter(automation=second, user=learner).count() == 1
    assert refusals(first) == ["loop"]
    started_b = Event.objects.get(event_type="automation.started", payload__automation_id=second.pk)
    assert started_b.payload["sequence"] == [first.pk, second.pk]


def test_a_course_automation_does_not_follow_a_site_wide_one(clock, lms):
    services.create_course(COURSE)
    site_wide = automation("Site welcome", [{"event": "account.logged_in"}], [tag_step("site")], scope=())
    course_follow = automation("Course follow-up", [{"event": "automation.started", "filter": follows(site_wide.pk)}],
                               [tag_step("course")])
    learner = services.create_learner("ada")
    lms(services.enroll, learner, COURSE)
    lms(services.login, learner)
    assert tags(learner) == {"site"}
    assert refusals(course_follow) == ["scope"]


def test_once_a_month_counts_calendar_months_from_31_january(clock, lms, settings):
    """31 January + P1M is the end of February (the month has no 31st); then 28 March, and so on."""
    settings.LMS_AUTOMATIONS = {**settings.LMS_AUTOMATIONS, "DEDUPE_SECONDS": 0}
    services.create_course(COURSE)
    monthly = automation("Monthly digest", [{"event": "account.logged_in"}], [tag_step("digest")],
                         entry={"policy": "once_per", "period": "P1M"})
    assert api.export_automation(monthly)["entry"] == {"policy": "once_per", "period": "P1M"}
    learner = services.create_learner("ada")
    lms(services.enroll, learner, COURSE)

    def log_in_at(moment):
        clock.move_to(moment)
        lms(services.login, learner)
        return Run.objects.filter(automation=monthly, user=learner).count()

    utc = datetime.UTC
    assert log_in_at(datetime.datetime(2027, 1, 31, 10, 0, tzinfo=utc)) == 1
    assert log_in_at(datetime.datetime(2027, 2, 27, 23, 0, tzinfo=utc)) == 1   # February is not over
    assert log_in_at(datetime.datetime(2027, 2, 28, 9, 59, tzinfo=utc)) == 1   # a minute early
    assert log_in_at(datetime.datetime(2027, 2, 28, 10, 0, tzinfo=utc)) == 2   # a month later, clamped
    assert log_in_at(datetime.datetime(2027, 3, 27, 10, 0, tzinfo=utc)) == 2
    assert log_in_at(datetime.datetime(2027, 3, 28, 10, 0, tzinfo=utc)) == 3


def test_six_months_are_counted_on_the_site_clock(clock, lms, settings):
    """Site time Europe/Paris: 31 August 23:30 local (21:30 UTC) + P6M is 28 February 23:30 local,
    through the change to winter time (22:30 UTC)."""
    settings.TIME_ZONE = "Europe/Paris"
    settings.LMS_AUTOMATIONS = {**settings.LMS_AUTOMATIONS, "DEDUPE_SECONDS": 0}
    services.create_course(COURSE)
    half_yearly = automation("Half-yearly", [{"event": "account.logged_in"}], [tag_step("check-in")],
                             entry={"policy": "once_per", "period": "P6M"})
    learner = services.create_learner("ada")
    lms(services.enroll, learner, COURSE)
    utc = datetime.UTC
    for moment, runs in ((datetime.datetime(2026, 8, 31, 21, 30, tzinfo=utc), 1),
                         (datetime.datetime(2027, 2, 28, 22, 29, tzinfo=utc), 1),
                         (datetime.datetime(2027, 2, 28, 22, 30, tzinfo=utc), 2)):
        clock.move_to(moment)
        lms(services.login, learner)
        assert Run.objects.filter(automation=half_yearly, user=learner).count() == runs, moment
