"""Fixtures for wait tests: learners of the sandbox LMS and due times computed as the engine does."""
import pytest

from lms_automations.catalogue import get_waits
from lms_automations.engine.context import StepContext
from sandbox.lms import services


@pytest.fixture
def ada(db):
    """A learner in Paris (her profile's time zone preference)."""
    return services.create_learner("ada", "ada@example.com", time_zone="Europe/Paris")


@pytest.fixture
def bob(db):
    """A learner who never set a time zone: waits fall back to UTC."""
    return services.create_learner("bob", "bob@example.com")


@pytest.fixture
def due():
    """``due(user, key, params, event=None) -> datetime`` the way the engine asks a wait: the entry
    point's class, params rendered against the step context, ``now`` from the (travelled) clock."""

    def _due(user, key, params, *, event=None):
        context = StepContext(user_id=user.pk, event=event or {})
        rendered = context.render(params)
        return get_waits()[key]().due_at(rendered, context)

    return _due
