"""Shared fixtures for the whole suite."""
import pytest


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    """Run on-commit callbacks (the plugin's dispatch enqueue) as the host's commit would."""

    def _capture():
        return django_capture_on_commit_callbacks(execute=True)

    return _capture
