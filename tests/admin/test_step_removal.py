"""Deleting a step in admin while learners wait at it moves them on (SPEC §5.12)."""
import json

import pytest

from lms_automations import api
from lms_automations.models import Run, RunLog, RunWake

from .conftest import automation_url, messages_of

pytestmark = pytest.mark.django_db


def change_form_data(client, automation, delete=()):
    """What the admin's change page posts back unchanged, with the steps in ``delete`` ticked."""
    page = client.get(automation_url(automation, "change/?classic=1"))
    form = page.context["adminform"].form
    data = {name: form[name].value() or "" for name in form.fields}
    data.update(scope_courses=json.dumps(automation.scope_courses), scope_orgs="[]")
    for formset in page.context["inline_admin_formsets"]:
        prefix, forms = formset.formset.prefix, formset.formset.forms
        data.update({f"{prefix}-TOTAL_FORMS": len(forms), f"{prefix}-INITIAL_FORMS": len(forms)})
        for index, inline in enumerate(forms):
            for name in inline.fields:
                if name in ("params", "filter", "condition"):
                    value = json.dumps(getattr(inline.instance, name))
                else:
                    value = inline[name].value()
                data[f"{prefix}-{index}-{name}"] = "" if value is None else value
            data[f"{prefix}-{index}-id"] = inline.instance.pk
            data[f"{prefix}-{index}-automation"] = automation.pk
            if prefix == "steps" and inline.instance.step_id in delete:
                data[f"{prefix}-{index}-DELETE"] = "on"
    return data


def test_learners_waiting_at_a_deleted_wait_step_move_on(admin_client, automation, learners):
    ada = learners[0]
    [run] = api.start_learners(automation, [ada])
    run.refresh_from_db()
    assert run.current_step_id == "wait"
    data = change_form_data(admin_client, automation, delete={"wait"})
    refused = admin_client.post(automation_url(automation, "change/"), data)
    assert refused.status_code == 200, "not saved without the editor's confirmation"
    assert "Learners are at steps you are deleting: 1 at &#x27;wait&#x27;, who will go on to &#x27;second&#x27;" \
        in refused.content.decode()
    assert automation.steps.filter(step_id="wait").exists()
    response = admin_client.post(automation_url(automation, "change/"), {**data, "move_learners_on": "on"})
    assert response.status_code == 302, response.content.decode()[:3000]
    assert "1 learner(s) at the removed step(s) wait moved on to the next step." in messages_of(response)
    run.refresh_from_db()
    assert run.current_step_id == "second" and run.status == Run.STATUS.pending
    assert RunWake.objects.get(run=run).reason == RunWake.REASON.start
    assert RunLog.objects.filter(run=run, message="step 'wait' was removed; moved to second").exists()
    assert not automation.steps.filter(step_id="wait").exists()
    api.process_due()
    run.refresh_from_db()
    assert run.status == Run.STATUS.fulfilled, "the learner finishes instead of failing at a missing step"


def test_deleting_a_step_nobody_is_at_needs_no_confirmation(admin_client, automation):
    response = admin_client.post(automation_url(automation, "change/"),
                                 change_form_data(admin_client, automation, delete={"second"}))
    assert response.status_code == 302
    assert not automation.steps.filter(step_id="second").exists()
