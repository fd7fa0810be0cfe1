"""The host adapter: everything the plugin asks of the LMS goes through one backend object.

    from lms_automations.host import get_host
    get_host().get_enrollment(user, "course-v1:Demo+W1+2026")

The backend class is the ``LMS_AUTOMATIONS["HOST_BACKEND"]`` setting: ``openedx`` for a real LMS,
the sandbox's in the sandbox, a recording fake in tests.
"""
from functools import cache

from django.utils.module_loading import import_string

from ..conf import get_setting
from .base import HostBackend

__all__ = ["HostBackend", "clear_host_cache", "get_host"]


def get_host():
    """The configured host backend (one instance per process and setting)."""
    return _host_for(get_setting("HOST_BACKEND"))


@cache
def _host_for(path):
    backend_class = import_string(path)
    if not issubclass(backend_class, HostBackend):
        raise TypeError(f"LMS_AUTOMATIONS['HOST_BACKEND'] = {path!r} is not a HostBackend subclass")
    return backend_class()


def clear_host_cache():
    _host_for.cache_clear()
