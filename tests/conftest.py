"""Shared fixtures for the whole suite."""
import os

import pytest
from hypothesis import settings as hypothesis_settings

# CI runs the property tests on a fixed sequence of examples (HYPOTHESIS_PROFILE=ci, set by .ci/run), so
# a red CI is reproducible; a developer's runs keep searching new examples and print how to replay them.
# No per-example deadline: the properties assert behaviour, not speed, and this machine is shared (a
# loaded core made a 200 ms deadline fail a correct example).
hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True, deadline=None)
hypothesis_settings.register_profile("dev", print_blob=True, deadline=None)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


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


@pytest.fixture(autouse=True)
def fresh_publishing():
    """A test that made a publish fail (a broker at a closed port) leaves this process's publishing
    paused for PUBLISH_PAUSE_SECONDS, as it should in production; the next test starts afresh."""
    from lms_automations import publishing  # pylint: disable=import-outside-toplevel

    publishing.reset()
    yield
    publishing.reset()
