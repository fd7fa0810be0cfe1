"""Each catalogue test starts from a fresh registry, so a patched loader never leaks into another test."""
import pytest

from lms_automations.catalogue import clear_cache


@pytest.fixture(autouse=True)
def fresh_catalogue():
    clear_cache()
    yield
    clear_cache()
