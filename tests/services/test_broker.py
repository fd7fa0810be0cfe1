"""The plugin's Celery pipeline over a real broker (Redis, then RabbitMQ, in `make test-services`)
and a real worker.

Each test commits its rows (``transactional_db``): the worker runs in its own thread with its own
database connection and sees only committed data. A test waits for the condition it needs, re-checked
each time the worker finishes a task (``celery_worker.wait_for``), never for a fixed time.
"""
import datetime
import json
from pathlib import Path

from django.core import mail
from django.db import transaction
from django.utils import timezone

from lms_automations import api
from lms_automations.engine.tick import run_tick
from lms_automations.models import Event, Run, RunWake
from lms_automations.recording import enqueue_dispatch
from sandbox.lms import services

from .support import HOST_QUEUE, SERVICES

pytestmark = SERVICES
EXAMPLES = Path(api.__file__).parent / "examples"
COURSE = "course-v1:Demo+W1+2026"  # the course the welcome example is scoped to


def waiting_run(automation, learner):
    """The learner's run once it waits at the wait step: its wake-up is the wait's (the run reaches the
    step, then starts waiting, in two transactions — so the wake-up row is part of the condition)."""
    return Run.objects.filter(automation=automation, user=learner, current_step_id="wait-2-days",
                              status=Run.STATUS.pending, wake__reason=RunWake.REASON.wait).first()


def test_the_plugin_queue_is_the_lms_default_queue():
    from lms_automations.conf import get_setting

    assert get_setting("CELERY_QUEUE") == HOST_QUEUE


def test_an_enqueued_dispatch_is_consumed_from_the_broker_and_marks_the_event(celery_worker, django_user_model):
    learner = django_user_model.objects.create(username="ada")
    event = Event.objects.create(event_type="custom.signup", user=learner, payload={}, source=Event.SOURCE.api,
                                 idempotency_key="redis-1", occurred_at=timezone.now())

    enqueue_dispatch("redis-1")

    celery_worker.wait_for(lambda: Event.objects.filter(pk=event.pk, dispatched_at__isnull=False).exists(),
                           "the worker dispatching the event")
    assert Event.objects.get(pk=event.pk).dispatch_status == Event.DISPATCH.dispatched


def test_an_enrolment_committed_by_the_lms_runs_the_welcome_flow_in_the_worker(celery_worker):
    document = json.loads((EXAMPLES / "welcome_and_nudge.json").read_text())
    automation = api.import_automation(document)
    services.create_course(COURSE)
    ada = services.create_learner("ada", "ada@example.com", first_name="Ada")

    with transaction.atomic():  # the host's request: the plugin enqueues on commit
        services.enroll(ada, COURSE, mode="audit")

    run = celery_worker.wait_for(lambda: waiting_run(automation, ada), "Ada's run waiting at the wait step")
    assert RunWake.objects.get(run=run).reason == RunWake.REASON.wait
    assert [m.subject for m in mail.outbox] == ["Welcome, Ada"]
    # The enrolment's events and the plugin's own (email.sent) are all dispatched by the worker.
    celery_worker.wait_for(lambda: not Event.objects.filter(user=ada, dispatched_at__isnull=True).exists(),
                           "every event of Ada dispatched")


def test_the_tick_hands_due_runs_to_the_worker(celery_worker):
    document = json.loads((EXAMPLES / "welcome_and_nudge.json").read_text())
    automation = api.import_automation(document)
    services.create_course(COURSE)
    grace = services.create_learner("grace", "grace@example.com", first_name="Grace")
    with transaction.atomic():
        services.enroll(grace, COURSE)
    run = celery_worker.wait_for(lambda: waiting_run(automation, grace), "Grace's run waiting at the wait step")

    # Two days pass: the wait is due now.
    RunWake.objects.filter(run=run).update(due_at=timezone.now() - datetime.timedelta(minutes=1))
    report = run_tick()
    assert report.resumed_runs == 1

    celery_worker.wait_for(lambda: Run.objects.get(pk=run.pk).status == Run.STATUS.fulfilled, "the run finishing")
    assert [m.subject for m in mail.outbox] == ["Welcome, Grace", "Need a hand getting started?"]
