"""Sequences between automations: the next automation looks at how far the learner got in the last."""
import datetime

import pytest

from lms_automations import api
from lms_automations.models import LearnerTag
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
