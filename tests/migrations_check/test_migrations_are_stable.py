"""The plugin's migrations describe its models in every LMS: ``makemigrations --check`` finds nothing
to do whatever ``SIMPLE_HISTORY_DATE_INDEX`` is (edx-platform sets it to False)."""
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("settings_module", [
    "sandbox.test_settings",
    "tests.migrations_check.settings_history_unindexed",
    "tests.migrations_check.settings_history_composite",
])
def test_makemigrations_finds_no_change(settings_module):
    result = subprocess.run(
        [sys.executable, "manage.py", "makemigrations", "lms_automations", "--check", "--dry-run",
         f"--settings={settings_module}"],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
