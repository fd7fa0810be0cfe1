"""The automation page offers only what the catalogue holds, and says what each step's params are."""
import pytest

from lms_automations.models import Step, Trigger

from .conftest import automation_url, make_automation

pytestmark = pytest.mark.django_db


def form_of(response, prefix, index):
    formset = next(f for f in response.context["inline_admin_formsets"] if f.formset.prefix == prefix)
    return formset.formset.forms[index]


def test_event_types_and_step_kinds_are_catalogue_dropdowns(admin_client, automation):
    page = admin_client.get(automation_url(automation, "change/?classic=1"))
    trigger = form_of(page, "triggers", 0)
    event_groups = dict(trigger.fields["event_type"].choices)
    assert ("custom.go", "Go (custom.go)") in event_groups["Custom"]
    assert any(key == "enrollment.created" for group in event_groups.values() if isinstance(group, list)
               for key, _label in group)
    step = form_of(page, "steps", 0)
    kinds = dict(step.fields["kind"].choices)
    assert ("tag.add", "Add tags (tag.add)") in kinds["Action · Learner data"]
    assert any(key == "duration" for group, options in kinds.items() if group.startswith("Wait")
               for key, _label in options)


def test_each_step_shows_what_its_params_are(admin_client, automation):
    html = admin_client.get(automation_url(automation, "change/?classic=1")).content.decode()
    assert "<code>tags</code> <em>required</em>" in html
    assert "<code>days</code> <em>optional</em>, integer" in html


def test_a_kind_the_catalogue_lost_is_kept_and_marked(admin_client, automation):
    Step.objects.filter(automation=automation, step_id="first").update(kind="crm.sync")
    Trigger.objects.filter(automation=automation).update(event_type="shop.refund")
    page = admin_client.get(automation_url(automation, "change/?classic=1"))
    assert ("crm.sync", "crm.sync — not in the catalogue") in form_of(page, "steps", 0).fields["kind"].choices
    assert ("shop.refund", "shop.refund — not in the catalogue") in \
        form_of(page, "triggers", 0).fields["event_type"].choices


def branch(step_id):
    return {"id": step_id, "type": "branch", "yes": [], "no": [],
            "condition": {"condition": "event.field", "params": {"path": "x", "op": "is_set"}}}


def test_a_step_can_only_hang_under_a_branch_of_its_own_automation(admin_client, automation):
    mine = make_automation("Mine with a branch", steps=[branch("mine-branch")])
    make_automation("Theirs", steps=[branch("their-branch")])
    page = admin_client.get(automation_url(mine, "change/?classic=1"))
    parents = [step.step_id for step in form_of(page, "steps", 0).fields["parent"].queryset]
    assert parents == ["mine-branch"]


def test_the_catalogue_page_lists_every_entry_with_its_params(staff_client, automation):
    page = staff_client.get("/admin/lms_automations/automation/catalogue/")
    assert page.status_code == 200
    html = page.content.decode()
    for key in ("enrollment.created", "custom.go", "learner.has_tag", "email.send", "course_date"):
        assert f"<code>{key}</code>" in html
    assert "<code>event.course_key</code>" in html and "<code>subject</code> <em>required</em>" in html
    assert 'href="/admin/lms_automations/automation/catalogue/"' in \
        staff_client.get(automation_url(automation, "change/?classic=1")).content.decode()


def test_the_catalogue_needs_the_view_permission(client, django_user_model):
    nobody = django_user_model.objects.create_user("intern", "i@example.com", "pw", is_staff=True)
    client.force_login(nobody)
    assert client.get("/admin/lms_automations/automation/catalogue/").status_code == 403
