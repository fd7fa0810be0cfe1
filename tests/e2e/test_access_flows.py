"""Access lifecycle flows through the sandbox: audit access expiring, a course ending, unenrolment,
and deadlines extended — with the clock moved, the daily scans and the tick run."""
import datetime

import pytest
from django.core import mail

from lms_automations import api, scans
from lms_automations.models import Event, Run
from sandbox.lms import dates, services

from .conftest import T0

PY101 = "course-v1:Demo+PY101+2026"
QUIZ = "block-v1:Demo+PY101+2026+type@problem+block@quiz"
pytestmark = pytest.mark.django_db
WEEKS_4 = datetime.timedelta(weeks=4)


@pytest.fixture
def course():
    return services.create_course(PY101, units=[["html:intro", "problem:quiz"]], start=T0 - datetime.timedelta(days=30),
                                  end=T0 + datetime.timedelta(days=60))


@pytest.fixture
def daily(lms):
    """The tick's daily scans, as they run at ``now``."""
    return lambda: lms(scans.run_due_scans, datetime.datetime.now(tz=datetime.UTC))


def ends(user):
    return [(event.payload["reason"], event.payload["ended_at"])
            for event in Event.objects.filter(user=user, event_type="access.ended").order_by("pk")]


def test_audit_access_expiry_reminds_then_ends_the_reminder(clock, lms, tick, daily, load_example, course):
    automation = load_example("certificate_reminder")
    daily()  # the scans' first day: from here on, access ends are announced
    ada = services.create_learner("ada", "ada@example.com")
    lms(services.enroll, ada, PY101)  # audit, in a course that offers verified: four weeks of access
    run = Run.objects.get(automation=automation)
    assert run.wake.due_at == T0 + WEEKS_4 - datetime.timedelta(days=3)

    clock.move_to(run.wake.due_at + datetime.timedelta(minutes=1))
    tick()
    assert mail.outbox[-1].subject == "3 days left to earn your certificate"
    assert "ends in 3 days" in str(mail.outbox[-1].message())

    clock.move_to(T0 + WEEKS_4 + datetime.timedelta(hours=2))
    daily()
    assert ends(ada) == [("audit_expired", (T0 + WEEKS_4).isoformat())]
    daily()  # the same day again: nothing twice
    clock.move_to(T0 + WEEKS_4 + datetime.timedelta(days=1, hours=3))
    daily()
    assert len(ends(ada)) == 1


def test_a_learner_who_loses_access_before_the_reminder_leaves_the_automation(clock, lms, daily, load_example, course):
    automation = load_example("certificate_reminder")
    ada = services.create_learner("ada", "ada@example.com")
    lms(services.enroll, ada, PY101, mode="verified")
    lms(services.unenroll, ada, PY101)
    assert ends(ada) == [("unenrolled", T0.isoformat())]
    run = Run.objects.get(automation=automation)
    assert run.status == Run.STATUS.exited
    lms(services.unenroll, ada, PY101)  # the LMS repeating itself ends nothing twice
    assert len(ends(ada)) == 1


def test_the_course_end_ends_access_of_everyone_still_enrolled(clock, lms, daily, course):
    api.import_automation({
        "format": "lms-automations/v1", "name": "Course over", "status": "active",
        "scope": {"courses": [PY101], "orgs": []},
        "triggers": [{"event": "access.ended", "filter": {"all": [
            {"condition": "event.field", "params": {"path": "reason", "op": "eq", "value": "course_ended"}}]}}],
        "steps": [{"id": "thanks", "type": "action", "action": "email.send",
                   "params": {"subject": "The course has ended", "body_html": "<p>Thank you.</p>",
                              "category": "transactional"}}]})
    daily()
    ada, bob, cy = (services.create_learner(name, f"{name}@example.com") for name in ("ada", "bob", "cy"))
    for learner in (ada, bob, cy):
        lms(services.enroll, learner, PY101, mode="verified")
    lms(services.unenroll, cy, PY101)
    clock.move_to(course.end + datetime.timedelta(hours=1))
    daily()
    assert ends(ada) == ends(bob) == [("course_ended", course.end.isoformat())]
    assert ends(cy) == [("unenrolled", T0.isoformat())]
    assert sorted(message.to[0] for message in mail.outbox) == ["ada@example.com", "bob@example.com"]


def test_ends_before_the_scan_first_ran_are_not_announced(clock, lms, daily, course):
    load_automation_on("access.ended")
    ada = services.create_learner("ada", "ada@example.com")
    lms(services.enroll, ada, PY101)
    clock.move_to(T0 + WEEKS_4 + datetime.timedelta(days=5))  # expired five days ago; no scan ran since
    daily()
    assert ends(ada) == []


def test_deadlines_extended_a_week_for_a_learner_running_out_of_time(clock, lms, tick, course):
    due = T0 + datetime.timedelta(days=10)
    dates.set_due_date(PY101, QUIZ, due)
    api.import_automation({
        "format": "lms-automations/v1", "name": "A week more", "status": "active",
        "scope": {"courses": [PY101], "orgs": []},
        "triggers": [{"event": "enrollment.created", "filter": None}],
        "steps": [{"id": "wait", "type": "wait", "wait": "duration", "params": {"days": 8}},
                  {"id": "short-of-time", "type": "branch", "condition": {"all": [
                      {"condition": "course.days_left", "params": {"course_key": "{{ event.course_key }}",
                                                                   "op": "lte", "days": 20}}]},
                   "yes": [{"id": "extend", "type": "action", "action": "dates.extend",
                            "params": {"course_key": "{{ event.course_key }}", "days": 7}}],
                   "no": []}]})
    told = load_automation_on("access.extended")
    ada, bob = (services.create_learner(name, f"{name}@example.com") for name in ("ada", "bob"))
    lms(services.enroll, ada, PY101)  # audit: access ends in 28 days
    lms(services.enroll, bob, PY101, mode="verified")  # until the course ends, in 60
    clock.move_to(T0 + datetime.timedelta(days=8, minutes=1))
    tick()  # ada reaches the branch with 20 days of access left, bob with 52
    assert dates.due_dates(ada, PY101) == {QUIZ: due + datetime.timedelta(days=7)}
    assert dates.due_dates(bob, PY101) == {QUIZ: due}
    event = Event.objects.get(event_type="access.extended")
    assert (event.user, event.payload["days"], event.payload["blocks"]) == (ada, 7, 1)
    assert event.payload["access_ends_at"] == (T0 + WEEKS_4).isoformat()
    assert Run.objects.get(automation=told).user == ada


def test_extending_a_course_without_due_dates_fails_the_run_with_the_reason(clock, lms, course):
    automation = api.import_automation({
        "format": "lms-automations/v1", "name": "Extend", "status": "active", "execution": "sync",
        "scope": {"courses": [PY101], "orgs": []},
        "triggers": [{"event": "enrollment.created", "filter": None}],
        "steps": [{"id": "extend", "type": "action", "action": "dates.extend",
                   "params": {"course_key": "{{ event.course_key }}", "days": 7}}]})
    ada = services.create_learner("ada", "ada@example.com")
    lms(services.enroll, ada, PY101)
    run = Run.objects.get(automation=automation)
    assert run.status == Run.STATUS.failed
    assert "has no due dates to extend" in run.error


def load_automation_on(event_type):
    return api.import_automation({
        "format": "lms-automations/v1", "name": f"On {event_type}", "status": "active",
        "scope": {"courses": [PY101], "orgs": []},
        "triggers": [{"event": event_type, "filter": None}],
        "steps": [{"id": "tag", "type": "action", "action": "tag.add", "params": {"tags": ["seen"]}}]})
