"""Course staff see only their courses' automations and runs in admin."""
import datetime

import pytest
from django.contrib.auth.models import Permission

from lms_automations.models import Automation, Run
from sandbox.lms.host_backend import SandboxHost

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(django_user_model, monkeypatch):
    user = django_user_model.objects.create_user("teacher", "t@example.com", "pw", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="lms_automations"))
    monkeypatch.setattr(SandboxHost, "staff_course_keys",
                        lambda self, who: None if who.is_superuser else {"course-v1:Mine+A+2026"})
    return user


def test_staff_see_only_automations_of_their_courses(client, staff, admin_user):
    mine = Automation.objects.create(name="Mine", scope_courses=["course-v1:Mine+A+2026"])
    Automation.objects.create(name="Org wide", scope_orgs=["Mine"])
    theirs = Automation.objects.create(name="Theirs", scope_courses=["course-v1:Other+B+2026"])
    Run.objects.create(automation=theirs, user=admin_user, started_at=datetime.datetime.now(datetime.UTC))
    client.force_login(staff)
    page = client.get("/admin/lms_automations/automation/").content.decode()
    assert "Mine" in page and "Org wide" in page and "Theirs" not in page
    assert client.get(f"/admin/lms_automations/automation/{theirs.pk}/change/").status_code == 404
    assert client.get(f"/admin/lms_automations/automation/{mine.pk}/change/").status_code == 200
    assert "Theirs" not in client.get("/admin/lms_automations/run/").content.decode()
    client.force_login(admin_user)
    assert "Theirs" in client.get("/admin/lms_automations/automation/").content.decode()


def test_an_invalid_edit_in_admin_is_refused_and_changes_nothing(client, admin_user):
    import json
    from pathlib import Path

    from lms_automations import api

    document = json.loads((Path(api.__file__).parent / "examples" / "welcome_and_nudge.json").read_text())
    automation = api.import_automation(document)
    client.force_login(admin_user)
    url = f"/admin/lms_automations/automation/{automation.pk}/change/"
    api.activate(automation)
    form = client.get(url + "?classic=1").context["adminform"].form
    data = {name: form[name].value() or "" for name in form.fields}
    data.update(scope_courses=json.dumps(automation.scope_courses), scope_orgs="[]", status="active",
                name="Renamed")
    for prefix, rows in (("triggers", automation.triggers.all()), ("steps", automation.steps.all()),
                         ("exit_conditions", automation.exit_conditions.all()), ("test_learners", [])):
        data.update({f"{prefix}-TOTAL_FORMS": len(rows), f"{prefix}-INITIAL_FORMS": len(rows)})
        for index, row in enumerate(rows):
            data[f"{prefix}-{index}-id"] = row.pk
            data[f"{prefix}-{index}-automation"] = automation.pk
            for field in ("position", "event_type", "outcome", "step_id", "step_type", "kind", "side"):
                if hasattr(row, field):
                    data[f"{prefix}-{index}-{field}"] = getattr(row, field)
            for field in ("filter", "params", "condition"):
                if hasattr(row, field):
                    value = getattr(row, field)
                    if field == "params" and getattr(row, "step_id", "") == "wait-2-days":
                        value = {"days": 0}
                    data[f"{prefix}-{index}-{field}"] = json.dumps(value)
            if getattr(row, "parent_id", None):
                data[f"{prefix}-{index}-parent"] = row.parent_id
    response = client.post(url, data, follow=True)
    automation.refresh_from_db()
    assert automation.steps.get(step_id="wait-2-days").params == {"days": 2}, "the running definition is kept"
    assert (automation.status, automation.name) == (Automation.STATUS.active, document["name"])
    assert response.redirect_chain == [], "the form is shown again with the edit, not 'changed successfully'"
    assert "steps[1].params.days: a wait must be between 5 minutes and 365 days" in response.content.decode()
    assert response.context["adminform"].form["name"].value() == "Renamed"


def _add_form_data(client, **fields):
    """What the admin's add page posts for an automation with no triggers or steps yet."""
    data = {"name": "Nudge", "description": "", "status": "draft", "owner": "", "entry_policy": "once",
            "entry_period": "", "execution": "async", "scope_courses": "[]", "scope_orgs": "[]", **fields}
    for prefix in ("triggers", "steps", "exit_conditions", "test_learners"):
        data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})
    return client.post("/admin/lms_automations/automation/add/", data)


def test_course_staff_can_scope_automations_only_to_their_courses(client, staff):
    client.force_login(staff)
    refused = _add_form_data(client, scope_courses='["course-v1:Other+B+2026"]')
    assert refused.status_code == 200
    assert "not yours: course-v1:Other+B+2026" in refused.content.decode()
    unscoped = _add_form_data(client)
    assert "without a scope it would run in every course" in unscoped.content.decode()
    assert not Automation.objects.exists()
    accepted = _add_form_data(client, scope_courses='["course-v1:Mine+A+2026"]')
    assert accepted.status_code == 302, accepted.content.decode()[:2000]
    assert Automation.objects.get().scope_courses == ["course-v1:Mine+A+2026"]


def test_an_org_wide_team_role_covers_the_org_and_its_courses(client, staff, monkeypatch):
    monkeypatch.setattr(SandboxHost, "staff_orgs", lambda self, who: {"Mine"})
    Automation.objects.create(name="Sibling course", scope_courses=["course-v1:Mine+Z+2027"])
    client.force_login(staff)
    assert "Sibling course" in client.get("/admin/lms_automations/automation/").content.decode()
    assert _add_form_data(client, scope_orgs='["Mine"]').status_code == 302
    assert "not yours: Other" in _add_form_data(client, scope_orgs='["Other"]').content.decode()


def test_superusers_may_save_automations_for_every_course(client, admin_user):
    client.force_login(admin_user)
    assert _add_form_data(client).status_code == 302


def test_course_staff_see_their_courses_events_and_no_site_wide_learner_data(client, staff, admin_user):
    from lms_automations.models import Event, LearnerTag  # pylint: disable=import-outside-toplevel

    now = datetime.datetime.now(datetime.UTC)
    for key, event_type, course in (("a", "enrollment.created", "course-v1:Mine+A+2026"),
                                    ("b", "enrollment.created", "course-v1:Other+B+2026"),
                                    ("c", "account.registered", None)):
        payload = {"user_id": admin_user.pk, **({"course_key": course} if course else {})}
        Event.objects.create(event_type=event_type, user=admin_user, payload=payload, occurred_at=now,
                             source="openedx_events", idempotency_key=key)
    LearnerTag.objects.create(user=admin_user, tag="vip")
    client.force_login(staff)
    page = client.get("/admin/lms_automations/event/").content.decode()
    assert "1 event" in page and "enrollment.created" in page and "account.registered" not in page
    assert client.get("/admin/lms_automations/learnertag/").status_code == 403
    assert "Learner tags" not in client.get("/admin/").content.decode()
    client.force_login(admin_user)
    assert "3 events" in client.get("/admin/lms_automations/event/").content.decode()
    assert "Learner tags" in client.get("/admin/").content.decode()
    assert client.get("/admin/lms_automations/learnertag/").status_code == 200
