"""Fixtures for flows through the sandbox: the LMS, the plugin, the clock and the tick together."""
import datetime
import json
from pathlib import Path

import pytest
import time_machine

from lms_automations import api

EXAMPLES = Path(api.__file__).parent / "examples"
T0 = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)  # a Monday


@pytest.fixture
def clock():
    """The test's clock, starting at T0; ``clock.move_to(...)`` / ``clock.shift(...)`` move it."""
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


@pytest.fixture
def lms(django_capture_on_commit_callbacks):
    """Runs a sandbox action as the LMS would: in a transaction, with on-commit work (dispatch) after."""

    def _do(action, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return action(*args, **kwargs)

    return _do


@pytest.fixture
def load_example():
    def _load(stem, **overrides):
        document = json.loads((EXAMPLES / f"{stem}.json").read_text())
        document.update(overrides)
        return api.import_automation(document)

    return _load


@pytest.fixture
def tick(django_capture_on_commit_callbacks):
    """One pass of the tick's due-run processing (what cron runs every minute)."""

    def _tick():
        with django_capture_on_commit_callbacks(execute=True):
            return api.process_due()

    return _tick
