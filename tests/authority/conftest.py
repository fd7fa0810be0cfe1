"""Two course teams, an organisation-wide role and platform staff, with an automation of each course.

The sandbox host is told who is on which course team (``staff_course_keys`` / ``staff_orgs``) by
username, as the Open edX host reads ``CourseAccessRole`` rows.
"""
import copy

import pytest
from django.contrib.auth.models import Permission

from lms_automations import api
from lms_automations.models import CustomEventType
from sandbox.lms import services
from sandbox.lms.host_backend import SandboxHost

COURSE_A = "course-v1:Mine+A+2026"
SIBLING = "course-v1:Mine+Z+2027"  # another course of the same organisation
COURSE_B = "course-v1:Other+B+2026"

#: username -> (course keys of their course team roles, organisations of their org-wide roles)
ROLES = {
    "teacher_a": ({COURSE_A}, set()),
    "org_lead": ({COURSE_A}, {"Mine"}),
    "teacher_b": ({COURSE_B}, set()),
}

DOCUMENT = {
    "format": "lms-automations/v1", "name": "Tags", "status": "active",
    "scope": {"courses": [COURSE_A], "orgs": []},
    "triggers": [{"event": "custom.go", "filter": None}],
    "steps": [
        {"id": "first", "type": "action", "action": "tag.add", "params": {"tags": ["one"]}},
        {"id": "wait", "type": "wait", "wait": "duration", "params": {"days": 1}},
        {"id": "second", "type": "action", "action": "tag.add", "params": {"tags": ["two"]}},
    ],
}


def document(name="Tags", courses=(COURSE_A,), orgs=(), **changes):
    doc = copy.deepcopy(DOCUMENT)
    doc.update(name=name, scope={"courses": list(courses), "orgs": list(orgs)}, **changes)
    return doc


@pytest.fixture(autouse=True)
def course_team_roles(monkeypatch):
    monkeypatch.setattr(SandboxHost, "staff_course_keys",
                        lambda self, who: None if who.is_superuser else set(ROLES.get(who.username, ((), ()))[0]))
    monkeypatch.setattr(SandboxHost, "staff_orgs",
                        lambda self, who: set(ROLES.get(who.username, ((), ()))[1]))


@pytest.fixture
def courses(db):
    for key in (COURSE_A, SIBLING, COURSE_B):
        services.create_course(key)
    CustomEventType.objects.get_or_create(slug="go", defaults={"label": "Go"})


def _staff(django_user_model, username):
    user = django_user_model.objects.create_user(username, f"{username}@example.com", "pw", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="lms_automations"))
    return user


@pytest.fixture
def teacher_a(db, django_user_model):
    """On the course team of COURSE_A only, with every model permission of the plugin."""
    return _staff(django_user_model, "teacher_a")


@pytest.fixture
def org_lead(db, django_user_model):
    """On the course team of COURSE_A and holding an org-wide role for its organisation, Mine."""
    return _staff(django_user_model, "org_lead")


@pytest.fixture
def teacher_b(db, django_user_model):
    return _staff(django_user_model, "teacher_b")


@pytest.fixture
def platform_staff(db, django_user_model):
    return django_user_model.objects.create_superuser("platform", "platform@example.com", "pw")


@pytest.fixture
def alice(courses):
    """A learner of COURSE_A."""
    user = services.create_learner("alice_of_a", "alice@example.com")
    services.enroll(user, COURSE_A)
    return user


@pytest.fixture
def bob(courses):
    """A learner of COURSE_B only."""
    user = services.create_learner("bob_of_b", "bob@example.com")
    services.enroll(user, COURSE_B)
    return user


@pytest.fixture
def automation_a(courses):
    return api.import_automation(document("Automation of A"))


@pytest.fixture
def automation_b(courses):
    return api.import_automation(document("Automation of B", courses=(COURSE_B,)))


@pytest.fixture
def org_automation(courses):
    """Scoped to the organisation Mine: it reaches learners of every course of Mine."""
    return api.import_automation(document("Automation of the org", courses=(), orgs=("Mine",)))
