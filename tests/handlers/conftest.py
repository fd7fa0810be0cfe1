"""Fixtures for the receiver tests: learners, and a host in DEBUG mode (openedx-events sends non-robustly)."""
import pytest


@pytest.fixture(autouse=True)
def host_in_debug(settings):
    """A receiver error would propagate out of ``send_event``: the tests must see it if one escapes."""
    settings.DEBUG = True


@pytest.fixture
def ada(django_user_model):
    return django_user_model.objects.create(username="ada", email="ada@example.com")


@pytest.fixture
def bob(django_user_model):
    return django_user_model.objects.create(username="bob", email="bob@example.com")
