"""Shared fixtures for the whole suite."""
import pytest


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    """Run on-commit callbacks (the plugin's dispatch enqueue) as the host's commit would."""

    def _capture():
        return django_capture_on_commit_callbacks(execute=True)

    return _capture


@pytest.fixture(autouse=True)
def fresh_trigger_index():
    """A test's rolled-back automations must not linger in the per-process trigger index."""
    from lms_automations.engine import trigger_index

    trigger_index.invalidate()
    yield
    trigger_index.invalidate()
