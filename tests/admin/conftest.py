"""An automation of a course team's course, learners, and the staff who act on them in admin."""
import copy

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages

from lms_automations import api
from lms_automations.models import CustomEventType
from sandbox.lms import services
from sandbox.lms.host_backend import SandboxHost

MINE = "course-v1:Mine+A+2026"
OTHER = "course-v1:Other+B+2026"
DOCUMENT = {
    "format": "lms-automations/v1", "name": "Two tags", "status": "active",
    "scope": {"courses": [MINE], "orgs": []},
    "triggers": [{"event": "custom.go", "filter": None}],
    "steps": [
        {"id": "first", "type": "action", "action": "tag.add", "params": {"tags": ["one"]}},
        {"id": "wait", "type": "wait", "wait": "duration", "params": {"days": 1}},
        {"id": "second", "type": "action", "action": "tag.add", "params": {"tags": ["two"]}},
    ],
}


def make_automation(name="Two tags", course=MINE, **changes):
    document = copy.deepcopy(DOCUMENT)
    document.update(name=name, scope={"courses": [course], "orgs": []}, **changes)
    return api.import_automation(document)


@pytest.fixture
def automation(db):
    CustomEventType.objects.get_or_create(slug="go", defaults={"label": "Go"})
    return make_automation()


@pytest.fixture
def other_automation(automation):
    """An automation of a course the ``staff`` fixture does not teach."""
    return make_automation("Theirs", course=OTHER)


@pytest.fixture
def learners(db):
    """Three learners of MINE (course teams may start only learners enrolled in their courses)."""
    services.create_course(MINE)
    users = [services.create_learner(name, f"{name}@example.com") for name in ("ada", "grace", "alan")]
    for user in users:
        services.enroll(user, MINE)
    return users


@pytest.fixture
def staff(django_user_model, monkeypatch):
    """A course team member of MINE with every model permission of the plugin."""
    user = django_user_model.objects.create_user("teacher", "teacher@example.com", "pw", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="lms_automations"))
    monkeypatch.setattr(SandboxHost, "staff_course_keys",
                        lambda self, who: None if who.is_superuser else {MINE})
    return user


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


def messages_of(response):
    """The messages ``response`` shows, used up (as a page showing them would) for the next request."""
    shown = [str(message) for message in get_messages(response.wsgi_request)]
    response.client.cookies.pop("messages", None)
    return shown


def automation_url(automation, action=""):
    return f"/admin/lms_automations/automation/{automation.pk}/{action}"


def run_url(run, action=""):
    return f"/admin/lms_automations/run/{run.pk}/{action}"
