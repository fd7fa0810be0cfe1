"""Credential headers of a webhook (Authorization, X-Api-Key…) are secrets too: masked on export,
kept when the mask comes back for the same step, refused where nothing stored can stand in."""
import json

import pytest

from lms_automations import api
from lms_automations.engine.secret_box import unseal
from lms_automations.exceptions import InvalidAutomation
from lms_automations.models import Step

pytestmark = pytest.mark.django_db
TOKEN = "Bearer eyJhbGciOiJIUzI1NiJ9.crm-token"
MASK = "********"


def document(headers):
    return {
        "format": "lms-automations/v1", "name": "CRM push", "status": "draft",
        "triggers": [{"event": "enrollment.created"}],
        "steps": [{"id": "hook", "type": "action", "action": "webhook.send",
                   "params": {"url": "https://crm.example.com/hook", "headers": headers}}],
    }


def stored_headers():
    """The step's headers as the action gets them (credential values are stored encrypted)."""
    step = Step.objects.get(step_id="hook")
    return {name: unseal(value, scope=step.automation_id) for name, value in step.params["headers"].items()}


def exported_headers(automation):
    return api.export_automation(automation)["steps"][0]["params"]["headers"]


def test_credential_headers_are_masked_and_plain_ones_are_not():
    automation = api.import_automation(document({"Authorization": TOKEN, "X-Api-Key": "k-123",
                                                 "X-Tenant": "acme", "Content-Type": "application/json"}))
    assert exported_headers(automation) == {"Authorization": MASK, "X-Api-Key": MASK, "X-Tenant": "acme",
                                            "Content-Type": "application/json"}
    assert TOKEN not in json.dumps(api.export_automation(automation))
    assert stored_headers()["Authorization"] == TOKEN


def test_the_mask_sent_back_keeps_the_stored_value_and_a_new_value_replaces_it():
    automation = api.import_automation(document({"Authorization": TOKEN, "X-Tenant": "acme"}))
    edited = api.export_automation(automation)
    edited["steps"][0]["params"]["headers"]["X-Tenant"] = "globex"
    api.update_automation(automation, edited)
    assert stored_headers() == {"Authorization": TOKEN, "X-Tenant": "globex"}
    edited["steps"][0]["params"]["headers"]["Authorization"] = "Bearer new"
    api.update_automation(automation, edited)
    assert stored_headers()["Authorization"] == "Bearer new"


def test_a_masked_header_in_a_new_automation_is_refused_with_its_path():
    with pytest.raises(InvalidAutomation) as refused:
        api.import_automation(document({"Authorization": MASK}))
    assert {"path": "steps[0].params.headers.Authorization",
            "message": "this is the mask an export shows in place of the secret; type the secret itself"} \
        in refused.value.errors
