"""The dry run: no side effect of any kind, and the same answer as the engine — which trigger, who
enters (entry policies, the 60 s guard, testing mode, scope), the path, the values, the due time."""
import datetime
import socket
from unittest import mock

import pytest
import time_machine
from django.apps import apps
from django.core import mail
from django.db import connection, transaction

from lms_automations import api
from lms_automations.engine import dispatch, trigger_index
from lms_automations.engine.definition import dump_document
from lms_automations.engine.dry_run import dry_run
from lms_automations.engine.dry_run_guards import DryRunWriteRefused, ReadOnlyHost, no_writes
from lms_automations.host import get_host
from lms_automations.models import (
    CustomEventType,
    EntryRefusal,
    Event,
    MarketingConsent,
    Run,
    RunLog,
    TestLearner,
    Trigger,
)
from sandbox.lms import services
from sandbox.lms.host_backend import SandboxHost

pytestmark = pytest.mark.django_db
T0 = datetime.datetime(2026, 7, 1, 9, 0, tzinfo=datetime.UTC)
COURSE = "course-v1:Demo+DR+2026"
WRITES = ("enroll", "unenroll", "change_mode", "mark_blocks_complete", "generate_certificate", "extend_due_dates",
          "add_to_cohort", "remove_from_cohort", "send_email", "send_notification")
EVERY_STEP = [
    {"id": "hello", "type": "action", "action": "email.send",
     "params": {"subject": "Hi {{ learner.first_name }}", "body_html": "<p>{{ course.display_name }} & you</p>",
                "category": "transactional"}},
    {"id": "enrol", "type": "action", "action": "enrollment.enroll",
     "params": {"course_key": COURSE, "mode": "verified"}},
    {"id": "tag", "type": "action", "action": "tag.add", "params": {"tags": ["seen"]}},
    {"id": "points", "type": "action", "action": "points.award", "params": {"amount": 5}},
    {"id": "hook", "type": "action", "action": "webhook.send",
     "params": {"url": "https://crm.example.com/hook", "secret": "a-very-long-shared-secret",
                "headers": {"Authorization": "Bearer token-123", "X-Team": "py"},
                "body": '{"name": "{{ learner.first_name }}"}'}},
    {"id": "wait", "type": "wait", "wait": "duration", "params": {"hours": 12}},
    {"id": "started", "type": "branch",
     "condition": {"any": [{"condition": "course.progress",
                            "params": {"course_key": COURSE, "op": "gt", "value": 0}}]},
     "yes": [{"id": "more", "type": "action", "action": "tag.add", "params": {"tags": ["active"]}}],
     "no": [{"id": "nudge", "type": "action", "action": "email.send",
             "params": {"subject": "Need a hand?", "body_html": "<p>Hi</p>"}}]},
    {"id": "upgrade", "type": "wait", "wait": "event", "params": {"event": "enrollment.upgraded", "timeout": "P3D"}},
    {"id": "bye", "type": "action", "action": "automation.exit", "params": {"automation_id": 999}},
]


def document(*, steps=None, policy="each_time", status="active", scope=(COURSE,), trigger_filter=None):
    return {"format": "lms-automations/v1", "name": "Dry", "status": status,
            "scope": {"courses": list(scope), "orgs": []}, "entry": {"policy": policy, "period": None},
            "triggers": [{"event": "custom.go", "filter": trigger_filter}],
            "steps": steps if steps is not None else [
                {"id": "tag", "type": "action", "action": "tag.add", "params": {"tags": ["x"]}},
                {"id": "wait", "type": "wait", "wait": "duration", "params": {"days": 1}}]}


@pytest.fixture
def course(db):
    CustomEventType.objects.create(slug="go", label="Go")
    services.create_course(COURSE, units=[["b1"], ["b2"]])


@pytest.fixture
def ada(course):
    learner = services.create_learner("ada", first_name="Ada", time_zone="America/New_York")
    services.enroll(learner, COURSE)
    return learner


def go(learner, key="go", at=T0, payload=None):
    return Event.objects.create(event_type="custom.go", user=learner, payload=payload or {}, occurred_at=at,
                                source="api", idempotency_key=key)


def every_row():
    return {model._meta.label: model.objects.count() for model in apps.get_models()}


def try_saved(automation, learner, **kwargs):
    return dry_run(automation, dump_document(automation, reveal_secrets=True), learner.pk, **kwargs)


# --- no side effect --------------------------------------------------------------------------------

@time_machine.travel(T0, tick=False)
def test_a_dry_run_through_every_kind_of_step_changes_nothing_anywhere(ada, monkeypatch):
    automation = api.import_automation(document(steps=EVERY_STEP))
    go(ada)
    host_writes = []
    for name in WRITES:
        monkeypatch.setattr(SandboxHost, name, lambda self, *a, _name=name, **k: host_writes.append(_name))
    before = every_row()
    with mock.patch.object(socket.socket, "connect", side_effect=AssertionError("no network")) as connect, \
            mock.patch("lms_automations.actions.webhook.deliver") as deliver:
        report = try_saved(automation, ada)
    assert every_row() == before
    assert mail.outbox == [] and host_writes == [] and not deliver.called and not connect.called
    assert [row["id"] for row in report["steps"]] == [
        "hello", "enrol", "tag", "points", "hook", "wait", "started", "nudge", "upgrade", "bye"]
    assert report["outcome"]["status"] == "fulfilled"
    hello = report["steps"][0]["email"]
    assert (hello["subject"], hello["to"]) == ("Hi Ada", "ada@example.com")
    assert hello["body_html"] == "<p>Demo DR 2026 & you</p>" and hello["body_text"] == "Demo DR 2026 & you"
    hook = report["steps"][4]["webhook"]
    assert hook["headers"]["Authorization"] == "********" and hook["headers"]["X-Team"] == "py"
    assert "a-very-long-shared-secret" not in str(report) and "token-123" not in str(report)
    assert hook["body"] == '{"name": "Ada"}'
    wait = report["steps"][5]
    assert wait["due_at"] == "2026-07-01T17:00:00-04:00", "12 hours later, in the learner's time zone"
    assert report["time_zone"] == "America/New_York"
    branch = report["steps"][6]
    assert branch["side"] == "no" and branch["leaves"][0]["observed"] == 0
    assert report["steps"][8]["timeout_at"] == "2026-07-04T17:00:00-04:00", "after the 12 h wait, 3 days"


def test_the_guards_refuse_host_writes_and_database_writes(ada):
    host = ReadOnlyHost(get_host())
    assert host.get_learner(ada.pk)["username"] == "ada"
    for name in WRITES + ("something_a_backend_added",):
        with pytest.raises(DryRunWriteRefused):
            getattr(host, name)
    events = Event.objects.count()
    with no_writes():
        assert Event.objects.count() == events
        with pytest.raises(DryRunWriteRefused), transaction.atomic():
            go(ada)
        if connection.features.has_select_for_update:  # SQLite has no row locks: Django sends none
            with pytest.raises(DryRunWriteRefused), transaction.atomic():
                list(Run.objects.select_for_update().all())
    assert go(ada).pk, "outside the block, writes work again"


@time_machine.travel(T0, tick=False)
def test_a_marketing_email_to_an_unsubscribed_learner_ends_the_dry_run_as_the_engine_would(ada):
    automation = api.import_automation(document(steps=[EVERY_STEP[6]["no"][0], EVERY_STEP[2]]))
    MarketingConsent.objects.create(user=ada, subscribed=False, source="admin")
    report = try_saved(automation, ada)
    assert report["steps"][0]["email"]["would_send"] is False
    assert report["outcome"]["status"] == Run.STATUS.failed_silently
    assert [row["id"] for row in report["steps"]] == ["nudge"]


# --- the same answer as the engine ---------------------------------------------------------------

SCENARIOS = {
    # name: (document changes, what happened before the event, seconds after T0 for the event)
    "enters": ({}, None, 0),
    "filter false": ({"trigger_filter": {"all": [{"condition": "event.field",
                                                   "params": {"path": "plan", "op": "eq", "value": "pro"}}]}},
                     None, 0),
    "once": ({"policy": "once"}, "entered", 3600),
    "guard": ({}, "entered", 30),
    "skip if active": ({"policy": "skip_if_active"}, "entered", 3600),
    "restart": ({"policy": "restart"}, "entered", 3600),
    "testing, not a test learner": ({"status": "testing"}, None, 0),
    "testing, a test learner": ({"status": "testing"}, "test learner", 0),
    "scope": ({"scope": ("course-v1:Else+X+2026",)}, None, 0),
}


@pytest.mark.parametrize("name", SCENARIOS)
def test_the_dry_run_predicts_what_the_engine_does(name, ada, course):
    changes, before, seconds = SCENARIOS[name]
    if changes.get("scope"):
        services.create_course(changes["scope"][0])
    automation = api.import_automation(document(**changes))
    # Activated before T0, so the learner's events at T0 are ones its triggers listened for (SPEC §5.1).
    Trigger.objects.filter(automation=automation).update(listening_since=T0 - datetime.timedelta(days=1))
    trigger_index.invalidate()
    if before == "entered":
        with time_machine.travel(T0, tick=False):
            go(ada, "first")
            dispatch.dispatch_events(["first"])
    elif before == "test learner":
        TestLearner.objects.create(automation=automation, user=ada)
    at = T0 + datetime.timedelta(seconds=seconds)
    with time_machine.travel(at, tick=False):
        event = go(ada, "now", at=at, payload={"plan": "free"})
        predicted = try_saved(automation, ada)
        runs_before = set(Run.objects.values_list("pk", flat=True))
        dispatch.dispatch_events(["now"])
    new_runs = list(Run.objects.exclude(pk__in=runs_before))
    refusal = EntryRefusal.objects.filter(event=event).first()
    assert predicted["triggers"][0]["event"]["id"] == event.pk
    assert predicted["entry"]["would_enter"] is bool(new_runs), name
    expected_reason = refusal.reason if refusal else (None if new_runs else "no_trigger")
    assert predicted["entry"]["reason"] == expected_reason, name
    if new_runs:
        run, = new_runs
        logged = [entry.step_id for entry in RunLog.objects.filter(run=run).exclude(step_id="").order_by("at", "pk")]
        assert [row["id"] for row in predicted["steps"]][:len(logged)] == logged
        assert predicted["steps"][1]["due_at"] == run.wake.due_at.astimezone(
            datetime.timezone(datetime.timedelta(hours=-4))).isoformat()


def test_an_event_from_before_the_trigger_listened_starts_nothing_in_the_dry_run_as_in_the_engine(ada, course):
    automation = api.import_automation(document())
    Trigger.objects.filter(automation=automation).update(listening_since=T0 + datetime.timedelta(hours=1))
    trigger_index.invalidate()
    with time_machine.travel(T0 + datetime.timedelta(hours=2), tick=False):
        event = go(ada, "late", at=T0, payload={"plan": "free"})  # relayed late: it happened at T0
        predicted = try_saved(automation, ada)
        dispatch.dispatch_events(["late"])
    assert predicted["triggers"][0]["refusal"] == "before"
    assert predicted["entry"]["would_enter"] is False and predicted["entry"]["reason"] == "before"
    assert not Run.objects.exists() and EntryRefusal.objects.get(event=event).reason == "before"


def test_the_trigger_params_are_tried_as_the_conditions_they_stand_for(ada, course):
    from lms_automations.catalogue import get_event_types  # pylint: disable=import-outside-toplevel

    assert get_event_types()["progress.threshold_reached"].param_conditions({"percent": 50})
    doc = document()
    doc["triggers"] = [{"event": "progress.threshold_reached", "params": {"percent": 50}, "filter": None}]
    with time_machine.travel(T0, tick=False):
        Event.objects.create(event_type="progress.threshold_reached", user=ada, occurred_at=T0, source="plugin",
                             payload={"course_key": COURSE, "percent": 25}, idempotency_key="p25")
        report = dry_run(None, doc, ada.pk)
    assert report["triggers"][0]["evaluation"]["result"] is False
    assert report["entry"]["would_enter"] is False


@time_machine.travel(T0, tick=False)
def test_a_branch_sees_the_values_the_stepper_sees(ada):
    steps = [{"id": "started", "type": "branch", "condition": EVERY_STEP[6]["condition"],
              "yes": [{"id": "more", "type": "action", "action": "tag.add", "params": {"tags": ["a"]}}],
              "no": [{"id": "wait", "type": "wait", "wait": "duration", "params": {"days": 1}}]}]
    automation = api.import_automation(document(steps=steps))
    services.complete_block(ada, "block-v1:Demo+DR+2026+type@html+block@b1")
    go(ada)
    predicted = try_saved(automation, ada)
    dispatch.dispatch_events(["go"])
    branch_log = RunLog.objects.get(kind=RunLog.KIND.branch)
    assert predicted["steps"][0]["leaves"] == branch_log.detail["leaves"]
    assert predicted["steps"][0]["side"] == branch_log.detail["side"] == "yes"


@time_machine.travel(T0, tick=False)
def test_a_condition_that_would_write_stops_the_dry_run_and_leaves_the_transaction_usable(ada, monkeypatch):
    from lms_automations.conditions.learner import LearnerHasTag  # pylint: disable=import-outside-toplevel
    from lms_automations.dry_runs import DryRunRefused, dry_run_for  # pylint: disable=import-outside-toplevel

    steps = [{"id": "tagged", "type": "branch", "condition": {"all": [
        {"condition": "learner.has_tag", "params": {"tag": "x"}}]}, "yes": [], "no": []}]
    automation = api.import_automation(document(steps=steps))
    monkeypatch.setattr(LearnerHasTag, "evaluate", lambda self, params, context: bool(go(ada, "sneaky")))
    admin = services.create_learner("root")
    admin.is_superuser = True
    admin.save()
    with pytest.raises(DryRunRefused) as refused:
        dry_run_for(admin, automation, None, ada.pk)
    assert refused.value.status == 409 and "INSERT" in refused.value.body["detail"]
    assert not Event.objects.filter(idempotency_key="sneaky").exists()


@time_machine.travel(T0, tick=False)
def test_the_python_api_dry_runs_saved_and_unsaved_definitions(ada):
    automation = api.import_automation(document())
    go(ada)
    assert api.dry_run(automation, ada)["entry"]["would_enter"] is True
    edited = api.export_automation(automation)
    edited["steps"][1]["params"] = {"days": 2}
    assert api.dry_run(automation, ada, document=edited)["steps"][1]["due_at"] == "2026-07-03T05:00:00-04:00"
    edited["steps"][1]["params"] = {"days": 0}
    with pytest.raises(api.InvalidAutomation) as invalid:
        api.dry_run(automation, ada, document=edited)
    assert [error["path"] for error in invalid.value.errors] == ["steps[1].params.days"]


@time_machine.travel(T0, tick=False)
def test_the_first_trigger_that_holds_starts_the_run_as_in_the_matcher(ada):
    flow = document()
    flow["triggers"] = [{"event": "custom.go", "filter": {"all": [
        {"condition": "event.field", "params": {"path": "plan", "op": "eq", "value": "pro"}}]}},
        {"event": "custom.go", "filter": None}, {"event": "custom.go", "filter": None}]
    automation = api.import_automation(flow)
    go(ada, payload={"plan": "free"})
    predicted = try_saved(automation, ada)
    dispatch.dispatch_events(["go"])
    assert predicted["start"]["trigger"] == Run.objects.get().trigger_position == 1
    assert [row["matched"] for row in predicted["triggers"]] == [False, True, True]
