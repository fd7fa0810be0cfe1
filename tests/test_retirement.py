"""A retired learner's data is gone, and nobody else's is touched."""
import datetime

import pytest
from django.core import mail

from lms_automations import api
from lms_automations.models import Event, LearnerTag, PointsEntry, Run, RunLog, RunWake
from lms_automations.retirement import retire_learner
from sandbox.lms import services

COURSE = "course-v1:Demo+W1+2026"
pytestmark = pytest.mark.django_db


def test_retirement_removes_the_learners_data_only(django_capture_on_commit_callbacks):
    api.import_automation({
        "format": "lms-automations/v1", "name": "tag and wait", "status": "active",
        "triggers": [{"event": "enrollment.created", "filter": None}],
        "steps": [{"id": "tag", "type": "action", "action": "tag.add", "params": {"tags": ["new"]}},
                  {"id": "wait", "type": "wait", "wait": "duration", "params": {"days": 1}},
                  {"id": "mail", "type": "action", "action": "email.send",
                   "params": {"subject": "Hi", "body_html": "<p>x</p>", "category": "transactional"}}],
    })
    services.create_course(COURSE)
    ada, grace = (services.create_learner(n, f"{n}@example.com") for n in ("ada", "grace"))
    for learner in (ada, grace):
        with django_capture_on_commit_callbacks(execute=True):
            services.enroll(learner, COURSE)
    PointsEntry.objects.create(user=ada, amount=5)

    removed = retire_learner(ada.pk)

    assert removed["runs"] == 1 and removed["events"] >= 2 and removed["tags"] == 1 and removed["points"] == 1
    for model in (Event, Run, LearnerTag, PointsEntry):
        assert not model.objects.filter(user=ada).exists(), model
    assert not RunLog.objects.filter(run__user=ada).exists()
    assert Run.objects.filter(user=grace).exists() and LearnerTag.objects.filter(user=grace).exists()
    # The retired learner's pending wait is gone with the run: nothing is sent later.
    api.process_due(now=datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=2))
    assert [m.to for m in mail.outbox] == [["grace@example.com"]]
    assert RunWake.objects.count() == 0
