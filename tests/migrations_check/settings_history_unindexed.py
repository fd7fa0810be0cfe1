"""The test settings as edx-platform sets django-simple-history: no index on history_date."""
from sandbox.test_settings import *  # noqa: F403  pylint: disable=wildcard-import,unused-wildcard-import

SIMPLE_HISTORY_DATE_INDEX = False
