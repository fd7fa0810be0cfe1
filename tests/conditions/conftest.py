"""Fixtures for condition tests: a course in the sandbox LMS and a learner, evaluated as the engine does."""
import pytest

from lms_automations.engine.conditions import evaluate_tree
from lms_automations.engine.context import StepContext
from sandbox.lms import services

from .support import COURSE, COURSE_END


@pytest.fixture
def course():
    """Three units: two blocks, one block, one block."""
    return services.create_course(COURSE, units=[["html:a", "html:b"], ["problem:c"], ["video:d"]], end=COURSE_END)


@pytest.fixture
def ada():
    return services.create_learner("ada", "ada@example.com", country="FR", language="fr", time_zone="Europe/Paris")


@pytest.fixture
def evaluate():
    """``evaluate(user, key, params, event=..., now=...) -> (result, observed)`` through the engine's evaluator
    (entry-point lookup, template rendering, the recorded explanation)."""

    def _evaluate(user, key, params=None, *, event=None, event_type=None, automation=None, run=None, now=None):
        context = StepContext(user_id=user.pk, automation=automation, run=run, event_type=event_type,
                              event={"course_key": COURSE} if event is None else event, now=now)
        evaluation = evaluate_tree({"condition": key, "params": params or {}}, context)
        leaf = evaluation.leaves[0]
        assert leaf["result"] is evaluation.result
        return leaf["result"], leaf["observed"]

    return _evaluate
