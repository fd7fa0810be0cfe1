"""Learner state in flows: the account's status, read when the learner reaches the branch."""
import pytest

from lms_automations import api
from lms_automations.models import LearnerTag
from sandbox.lms import services

pytestmark = pytest.mark.django_db


def test_a_new_account_is_tagged_by_its_status(clock, lms):
    api.import_automation({
        "format": "lms-automations/v1", "name": "Sort new accounts", "status": "active",
        "scope": {"courses": [], "orgs": []}, "triggers": [{"event": "account.registered"}],
        "steps": [{"id": "active?", "type": "branch",
                   "condition": {"all": [{"condition": "learner.account_status", "params": {"statuses": ["active"]}}]},
                   "yes": [{"id": "ok", "type": "action", "action": "tag.add", "params": {"tags": ["active-account"]}}],
                   "no": [{"id": "chase", "type": "action", "action": "tag.add",
                           "params": {"tags": ["needs-activation"]}}]}],
    })
    ada = lms(services.register, "ada", "ada@example.com")
    assert list(LearnerTag.objects.filter(user=ada).values_list("tag", flat=True)) == ["active-account"]
