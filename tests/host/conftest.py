"""The stand-in edx-platform module tree (``standin/``) and the ``openedx`` host backend over it."""
import datetime
import sys
from pathlib import Path

import pytest
from django.core.cache import cache
from opaque_keys.edx.keys import CourseKey

from lms_automations.host import clear_host_cache, get_host

STANDIN = str(Path(__file__).parent / "standin")
#: Top-level names of the stand-in tree; ``openedx`` is matched whole, so ``openedx_events`` stays.
STANDIN_PACKAGES = {"common", "lms", "openedx", "xmodule", "edx_when", "standin_state", "standin_rows"}
COURSE = CourseKey.from_string("course-v1:Demo+OX1+2026")
NOW = datetime.datetime(2026, 11, 2, 9, 0, tzinfo=datetime.UTC)


def _forget_standin_modules():
    for name in [name for name in sys.modules if name.split(".")[0] in STANDIN_PACKAGES]:
        del sys.modules[name]


@pytest.fixture
def lms(settings):
    """The stand-in LMS's state (``standin_state.StandinLms``), with the ``openedx`` backend configured."""
    sys.path.insert(0, STANDIN)
    _forget_standin_modules()
    import standin_state  # pylint: disable=import-outside-toplevel
    from standin_rows import OverviewRow  # pylint: disable=import-outside-toplevel

    state = standin_state.reset()
    state.overviews.rows.append(OverviewRow(COURSE, "Open edX 101", "Demo", NOW, NOW + datetime.timedelta(days=90),
                                            modified=NOW))
    settings.LMS_AUTOMATIONS = {**settings.LMS_AUTOMATIONS, "HOST_BACKEND": "lms_automations.host.openedx.OpenEdxHost"}
    clear_host_cache()
    cache.clear()
    yield state
    sys.path.remove(STANDIN)
    _forget_standin_modules()
    clear_host_cache()


@pytest.fixture
def host(lms):  # pylint: disable=unused-argument,redefined-outer-name
    return get_host()
