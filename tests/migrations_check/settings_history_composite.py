"""The test settings with django-simple-history's composite history_date index."""
from sandbox.test_settings import *  # noqa: F403  pylint: disable=wildcard-import,unused-wildcard-import

SIMPLE_HISTORY_DATE_INDEX = "composite"
