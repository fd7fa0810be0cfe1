"""``execution: sync`` runs in the host's process right after its commit, up to the first wait."""
from unittest import mock

import pytest

from lms_automations import api
from lms_automations.models import Event, LearnerTag, Run
from sandbox.lms import services

COURSE = "course-v1:Demo+W1+2026"
pytestmark = pytest.mark.django_db


def automation(name, execution):
    return api.import_automation({
        "format": "lms-automations/v1", "name": name, "status": "active", "execution": execution,
        "triggers": [{"event": "enrollment.created", "filter": None}],
        "steps": [{"id": "tag", "type": "action", "action": "tag.add", "params": {"tags": [name]}},
                  {"id": "wait", "type": "wait", "wait": "duration", "params": {"days": 1}},
                  {"id": "later", "type": "action", "action": "tag.add", "params": {"tags": [f"{name}-later"]}}],
    })


def test_sync_runs_before_the_host_returns_and_async_waits_for_a_worker(django_capture_on_commit_callbacks):
    automation("instant", "sync")
    automation("queued", "async")
    services.create_course(COURSE)
    ada = services.create_learner("ada", "ada@example.com")
    with mock.patch("lms_automations.tasks.dispatch_events.apply_async") as dispatch_task, \
            mock.patch("lms_automations.tasks.resume_runs.apply_async") as resume_task, \
            django_capture_on_commit_callbacks(execute=True):
        services.enroll(ada, COURSE)
    assert list(LearnerTag.objects.values_list("tag", flat=True)) == ["instant"]  # up to the first wait
    assert Run.objects.get(automation__name="instant").current_step_id == "wait"
    # Matched in this process although no Celery task ran (other events still go to Celery).
    assert Event.objects.get(event_type="enrollment.created").dispatched_at is not None
    # The learner's events were all dispatched here: no dispatch task was needed for them.
    assert not dispatch_task.called
    (queued_run,) = resume_task.call_args.kwargs["args"][0]
    assert Run.objects.get(pk=queued_run).automation.name == "queued"
