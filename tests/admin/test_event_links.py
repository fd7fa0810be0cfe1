"""The events page shows the runs each event moved; the catalogue shows what each event type starts and stops."""
import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lms_automations import api
from lms_automations.models import CustomEventType, Event, Run

from .conftest import MINE, OTHER, make_automation

pytestmark = pytest.mark.django_db
EVENTS = "/admin/lms_automations/event/"
T0 = datetime.datetime(2026, 4, 1, 9, 0, tzinfo=datetime.UTC)


def go(user, key, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return api.emit("custom.go", user, {"course_key": MINE}, idempotency_key=key)


def test_each_event_shows_the_runs_it_started_advanced_and_ended(admin_client, automation, learners,
                                                                 django_capture_on_commit_callbacks):
    waiting = make_automation("Waits for go", steps=[
        {"id": "hold", "type": "wait", "wait": "event", "params": {"event": "custom.go", "timeout": "P7D"}},
        {"id": "after", "type": "action", "action": "tag.add", "params": {"tags": ["went"]}}],
        triggers=[{"event": "enrollment.created", "filter": None}],
        exit_conditions=[])
    ender = make_automation("Ends on go", triggers=[{"event": "enrollment.created", "filter": None}],
                            exit_conditions=[{"event": "custom.go", "filter": None, "outcome": "converted"}])
    ada = learners[0]
    for automation_obj in (waiting, ender):
        api.start_learners(automation_obj, [ada])
    event = go(ada, "go-1", django_capture_on_commit_callbacks)
    started = Run.objects.get(automation=automation, user=ada)
    advanced = Run.objects.get(automation=waiting, user=ada)
    ended = Run.objects.get(automation=ender, user=ada)
    assert ended.status == "converted"
    html = admin_client.get(EVENTS).content.decode()
    for verb, run in (("started", started), ("advanced", advanced), ("ended", ended)):
        assert f'{verb} <a href="/admin/lms_automations/run/{run.pk}/change/">' in html, verb
    detail = admin_client.get(f"{EVENTS}{event.pk}/change/").content.decode()
    assert f"/admin/lms_automations/run/{started.pk}/change/" in detail


def test_the_events_page_costs_the_same_queries_for_2_or_20_events(admin_client, automation, learners,
                                                                 django_capture_on_commit_callbacks):
    def page_queries():
        with CaptureQueriesContext(connection) as queries:
            assert admin_client.get(EVENTS).status_code == 200
        return len(queries)

    for index in range(2):
        go(learners[index % 3], f"a-{index}", django_capture_on_commit_callbacks)
    few = page_queries()
    for index in range(18):
        go(learners[index % 3], f"b-{index}", django_capture_on_commit_callbacks)
    assert Event.objects.filter(event_type="custom.go").count() == 20
    assert page_queries() == few


def test_a_course_team_sees_only_the_runs_of_automations_they_may_change(staff_client, automation, learners,
                                                                        django_capture_on_commit_callbacks):
    theirs = make_automation("Theirs", course=OTHER)
    Run.objects.create(automation=theirs, user=learners[0], started_at=T0)  # a run the team may not see
    event = go(learners[0], "go-x", django_capture_on_commit_callbacks)
    mine = Run.objects.get(automation=automation, user=learners[0])
    from lms_automations.models import RunLog

    RunLog.objects.create(run=Run.objects.get(automation=theirs), kind="ended", at=T0, event_id=event.pk)
    html = staff_client.get(EVENTS).content.decode()
    assert f"/admin/lms_automations/run/{mine.pk}/change/" in html
    assert f"/admin/lms_automations/run/{Run.objects.get(automation=theirs).pk}/change/" not in html


def test_the_catalogue_and_the_custom_type_page_say_what_a_type_starts_and_stops(admin_client, automation):
    stopper = make_automation("Stops on go", triggers=[{"event": "enrollment.created", "filter": None}],
                              exit_conditions=[{"event": "custom.go", "filter": None, "outcome": "exited"}])
    html = admin_client.get("/admin/lms_automations/automation/catalogue/").content.decode()
    assert f'Starts: <a href="/admin/lms_automations/automation/{automation.pk}/change/">Two tags</a>' in html
    assert f'Stops: <a href="/admin/lms_automations/automation/{stopper.pk}/change/">Stops on go</a>' in html
    declared = CustomEventType.objects.get(slug="go")
    page = admin_client.get(f"/admin/lms_automations/customeventtype/{declared.pk}/change/").content.decode()
    assert "Two tags" in page and "Stops on go" in page
