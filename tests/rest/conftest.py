"""Fixtures of the REST tests: an API client, users with and without permissions, a clock."""
import datetime

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.core.cache import cache
from rest_framework.test import APIClient

from lms_automations.models import CustomEventType

T0 = datetime.datetime(2026, 7, 1, 9, 0, tzinfo=datetime.UTC)
EVENTS_URL = "/api/automations/v1/events/"
AUTOMATIONS_URL = "/api/automations/v1/automations/"
#: The course the REST tests' course team works on, and one of another team.
MINE = "course-v1:Mine+A+2026"
THEIRS = "course-v1:Other+B+2026"


@pytest.fixture(autouse=True)
def clean_throttle_counts():
    """Throttle counts live in the cache, keyed by user id: ids are reused between tests."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def clock():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


@pytest.fixture
def api_client():
    return APIClient()


def _user_with(django_user_model, username, *codenames, is_staff=False):
    user = django_user_model.objects.create_user(username, f"{username}@example.com", "pw", is_staff=is_staff)
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="lms_automations",
                                                        codename__in=codenames))
    return user


@pytest.fixture
def integrator(django_user_model):
    """A service user allowed to ingest events (and nothing else)."""
    return _user_with(django_user_model, "integrator", "add_event")


@pytest.fixture
def learner(django_user_model):
    return django_user_model.objects.create_user("ada", "ada@example.com", "pw")


@pytest.fixture
def webinar_type():
    return CustomEventType.objects.create(
        slug="webinar_attended", label="Attended a webinar",
        fields=[{"name": "webinar", "type": "string", "required": True}, {"name": "minutes", "type": "integer"}])


@pytest.fixture
def user_with():
    def make(django_user_model, username, *codenames, is_staff=False):
        return _user_with(django_user_model, username, *codenames, is_staff=is_staff)
    return make


@pytest.fixture
def course_team(monkeypatch):
    """Every user who is not a superuser is on the course team of MINE only."""
    from sandbox.lms.host_backend import SandboxHost  # pylint: disable=import-outside-toplevel

    monkeypatch.setattr(SandboxHost, "staff_course_keys", lambda self, who: None if who.is_superuser else {MINE})
