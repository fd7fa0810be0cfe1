"""A hostile value typed into a JSON field of the classic automation form is a form error, never a 500."""
import pytest

from lms_automations.models import Automation

pytestmark = pytest.mark.django_db
ADD_URL = "/admin/lms_automations/automation/add/?classic=1"


def form_data(**changes):
    data = {"name": "Hostile", "description": "", "status": "draft", "owner": "", "scope_courses": "[]",
            "scope_orgs": "[]", "entry_policy": "each_time", "entry_period": "", "execution": "async"}
    for prefix in ("triggers", "steps", "exit_conditions", "test_learners"):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    data.update(changes)
    return data


@pytest.mark.parametrize("value", ["[" * 20000 + "]" * 20000, "1e400", '["\\u0000"]', '["\\ud800"]'])
def test_a_hostile_json_value_is_a_form_error(admin_client, value):
    response = admin_client.post(ADD_URL, form_data(scope_courses=value))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["scope_courses"]
    assert not Automation.objects.exists()


def test_a_hostile_step_params_value_is_a_form_error(admin_client):
    response = admin_client.post(ADD_URL, form_data(**{
        "steps-TOTAL_FORMS": "1", "steps-0-step_id": "a", "steps-0-step_type": "action", "steps-0-kind": "tag.add",
        "steps-0-position": "0", "steps-0-side": "", "steps-0-params": "[" * 20000 + "]" * 20000,
        "steps-0-condition": "null"}))
    assert response.status_code == 200
    formset = next(f for f in response.context["inline_admin_formsets"] if f.formset.prefix == "steps")
    assert formset.formset.forms[0].errors["params"]
    assert not Automation.objects.exists()
