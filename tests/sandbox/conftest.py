"""Fixtures for the stand-in LMS: a recorder on the real signals, and no plugin receivers in the way."""
from dataclasses import dataclass
from typing import Any

import pytest
from completion.models import BlockCompletion
from django.db.models.signals import post_save
from openedx_events.tooling import OpenEdxPublicSignal

from sandbox.lms import services
from sandbox.lms.apps import plugin_receivers
from sandbox.lms.signals import PROBLEM_WEIGHTED_SCORE_CHANGED

COURSE = "course-v1:Demo+W1+2026"
_PREFIX = "org.openedx.learning."


@dataclass
class Sent:
    """One signal as a receiver saw it: a short name (``course.enrollment.created``), the data, the metadata."""

    name: str
    data: Any
    metadata: Any = None
    created: bool = False  # post_save only


class Recorder:
    def __init__(self):
        self.sent = []

    def names(self):
        return [item.name for item in self.sent]

    def clear(self):
        self.sent.clear()

    def on_event(self, sender, signal, metadata=None, from_event_bus=False, **data):
        (value,) = data.values()  # every learning signal declares one data kwarg
        name = signal.event_type.removeprefix(_PREFIX).removesuffix(".v1")
        self.sent.append(Sent(name, value, metadata))

    def on_problem_score(self, sender, signal=None, **kwargs):
        self.sent.append(Sent("PROBLEM_WEIGHTED_SCORE_CHANGED", kwargs))

    def on_completion_saved(self, sender, instance, created, **kwargs):
        self.sent.append(Sent("BlockCompletion.post_save", instance, created=created))


@pytest.fixture
def recorder():
    """Every openedx-events signal, BlockCompletion's post_save and the problem-score signal, in order."""
    rec = Recorder()
    signals = OpenEdxPublicSignal.all_events()
    for signal in signals:
        signal.connect(rec.on_event, weak=False, dispatch_uid=f"sandbox-test-{signal.event_type}")
    post_save.connect(rec.on_completion_saved, sender=BlockCompletion, weak=False, dispatch_uid="sandbox-test-bc")
    PROBLEM_WEIGHTED_SCORE_CHANGED.connect(rec.on_problem_score, weak=False, dispatch_uid="sandbox-test-score")
    yield rec
    PROBLEM_WEIGHTED_SCORE_CHANGED.disconnect(dispatch_uid="sandbox-test-score")
    for signal in signals:
        signal.disconnect(dispatch_uid=f"sandbox-test-{signal.event_type}")
    post_save.disconnect(sender=BlockCompletion, dispatch_uid="sandbox-test-bc")


@pytest.fixture(autouse=True)
def without_plugin_receivers():
    """These tests are about the stand-in LMS alone, so the plugin's receivers are off while they run."""
    removed = [
        (signal, func, sender, uid)
        for signal, func, sender, uid in plugin_receivers()
        if signal.disconnect(func, sender=sender, dispatch_uid=uid)
    ]
    yield
    for signal, func, sender, uid in removed:
        signal.connect(func, sender=sender, dispatch_uid=uid)


@pytest.fixture
def course(db):
    return services.create_course(COURSE)


@pytest.fixture
def ada(db):
    return services.create_learner("ada", "ada@example.com", name="Ada Lovelace", time_zone="Europe/London")
