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
    assert client.get(f"/admin/lms_automations/automation/{theirs.pk}/change/").status_code == 302  # not found
    assert client.get(f"/admin/lms_automations/automation/{mine.pk}/change/").status_code == 200
    assert "Theirs" not in client.get("/admin/lms_automations/run/").content.decode()
    client.force_login(admin_user)
    assert "Theirs" in client.get("/admin/lms_automations/automation/").content.decode()
