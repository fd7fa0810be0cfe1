"""A webhook's signing secret is never shown: exports, the API and admin show a mask, and a document or
form that carries the mask back keeps the secret that is stored."""
import io
import json

import pytest
from django.core.management import call_command

from lms_automations import api
from lms_automations.engine.secret_box import is_sealed, unseal
from lms_automations.exceptions import InvalidAutomation
from lms_automations.models import Step

pytestmark = pytest.mark.django_db
SECRET = "s3cret-signing-key-0123456789"
MASK = "********"


def document(secret=SECRET, name="CRM sync"):
    return {
        "format": "lms-automations/v1", "name": name, "description": "",
        "scope": {"courses": [], "orgs": []}, "status": "draft", "execution": "async",
        "entry": {"policy": "each_time", "period": None},
        "triggers": [{"event": "enrollment.created", "filter": None}],
        "steps": [
            {"id": "check", "type": "branch",
             "condition": {"condition": "event.field", "params": {"path": "mode", "op": "eq", "value": "verified"}},
             "yes": [{"id": "hook", "type": "action", "action": "webhook.send",
                      "params": {"url": "https://crm.example.com/hook", "secret": secret,
                                 "body": '{"user": "{{ learner.username }}"}'}}],
             "no": []},
        ],
        "exit_conditions": [],
    }


def hook_params(exported):
    return exported["steps"][0]["yes"][0]["params"]


def stored_secret(automation):
    """The secret the step holds, decrypted (the row itself holds it encrypted)."""
    stored = Step.objects.get(automation=automation, step_id="hook").params["secret"]
    assert is_sealed(stored)
    return unseal(stored, scope=automation.pk)


def test_the_export_shows_a_mask_instead_of_the_secret():
    automation = api.import_automation(document())
    exported = api.export_automation(automation)
    assert hook_params(exported) == {"url": "https://crm.example.com/hook", "secret": MASK,
                                     "body": '{"user": "{{ learner.username }}"}'}
    assert SECRET not in json.dumps(exported)
    assert stored_secret(automation) == SECRET  # still signs with the real one


def test_the_export_command_writes_no_secret():
    automation = api.import_automation(document())
    out = io.StringIO()
    call_command("automations_export", "-", stdout=out)
    call_command("automations_export", "-", "--id", str(automation.pk), stdout=out)
    assert SECRET not in out.getvalue()
    assert MASK in out.getvalue()


def test_updating_with_the_exported_document_keeps_the_secret():
    automation = api.import_automation(document())
    exported = api.export_automation(automation)
    exported["name"] = "CRM sync (renamed)"
    api.update_automation(automation, exported)
    assert stored_secret(automation) == SECRET
    assert api.export_automation(automation) == exported
    api.activate(automation)  # valid: the stored secret is checked, not the mask


def test_updating_with_a_new_secret_replaces_it():
    automation = api.import_automation(document())
    api.update_automation(automation, document(secret="another-secret-0123456789"))
    assert stored_secret(automation) == "another-secret-0123456789"


def test_importing_a_masked_document_as_a_new_automation_asks_for_the_secret():
    exported = api.export_automation(api.import_automation(document()))
    with pytest.raises(InvalidAutomation) as refused:
        api.import_automation({**exported, "name": "copy"})
    assert [error["path"] for error in refused.value.errors] == ["steps[0].yes[0].params.secret"]
    assert "mask" in refused.value.errors[0]["message"]


def admin_change_form(client, automation):
    """The change page's URL, its HTML, the form data it would post, and the hook step's index."""
    url = f"/admin/lms_automations/automation/{automation.pk}/change/"
    builder = client.get(url).content.decode()
    assert SECRET not in builder and MASK in builder
    response = client.get(url + "?classic=1")
    page = response.content.decode()
    assert SECRET not in page
    assert MASK in page

    form = response.context["adminform"].form
    data = {name: form[name].value() or "" for name in form.fields}
    data.update(scope_courses="[]", scope_orgs="[]")
    for prefix in ("triggers", "exit_conditions", "test_learners"):
        rows = list(getattr(automation, prefix).all()) if prefix != "test_learners" else []
        data.update({f"{prefix}-TOTAL_FORMS": len(rows), f"{prefix}-INITIAL_FORMS": len(rows)})
        for index, row in enumerate(rows):
            data.update({f"{prefix}-{index}-id": row.pk, f"{prefix}-{index}-automation": automation.pk,
                         f"{prefix}-{index}-position": row.position, f"{prefix}-{index}-event_type": row.event_type,
                         f"{prefix}-{index}-filter": json.dumps(row.filter)})
    steps_formset = next(f for f in response.context["inline_admin_formsets"] if f.formset.prefix == "steps")
    steps = steps_formset.formset.forms
    data.update({"steps-TOTAL_FORMS": len(steps), "steps-INITIAL_FORMS": len(steps)})
    for index, step_form in enumerate(steps):
        for name in step_form.fields:
            value = step_form[name].value()
            data[f"steps-{index}-{name}"] = "" if value is None else value
        data[f"steps-{index}-automation"] = automation.pk
    hook_index = next(i for i, f in enumerate(steps) if f.instance.step_id == "hook")
    return url, response.content.decode(), data, hook_index


def post_hook_params(client, url, data, hook_index, **changes):
    data[f"steps-{hook_index}-params"] = json.dumps({**json.loads(data[f"steps-{hook_index}-params"]), **changes})
    response = client.post(url, data)
    assert response.status_code == 302, [response.context["adminform"].form.errors] + [
        formset.formset.errors for formset in response.context["inline_admin_formsets"]]


def test_admin_shows_the_mask_and_a_save_with_it_keeps_the_secret(client, admin_user):
    automation = api.import_automation(document())
    client.force_login(admin_user)
    url, page, data, hook_index = admin_change_form(client, automation)
    assert SECRET not in page
    assert "enc:v1:" not in page  # nor the encrypted form
    assert MASK in page
    assert json.loads(data[f"steps-{hook_index}-params"])["secret"] == MASK
    post_hook_params(client, url, data, hook_index, timeout=5)
    hook = Step.objects.get(automation=automation, step_id="hook")
    assert {**hook.params, "secret": unseal(hook.params["secret"], scope=automation.pk)} == {
        "url": "https://crm.example.com/hook", "secret": SECRET, "body": '{"user": "{{ learner.username }}"}',
        "timeout": 5}


def test_a_secret_typed_in_the_admin_is_stored_encrypted(client, admin_user):
    automation = api.import_automation(document())
    client.force_login(admin_user)
    url, _page, data, hook_index = admin_change_form(client, automation)
    post_hook_params(client, url, data, hook_index, secret="typed-in-the-admin-0123456789")
    stored = Step.objects.filter(automation=automation, step_id="hook").values_list("params", flat=True).get()
    assert is_sealed(stored["secret"]) and unseal(stored["secret"], scope=automation.pk) == \
        "typed-in-the-admin-0123456789"
    assert "typed-in-the-admin" not in json.dumps(list(Step.history.values_list("params", flat=True)))
