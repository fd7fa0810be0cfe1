"""Call-time access to the ``LMS_AUTOMATIONS`` settings (never read at import time)."""
from django.conf import settings

from .settings.common import DEFAULTS


def get_setting(name):
    """The operator's value of ``LMS_AUTOMATIONS[name]``, else the default."""
    configured = getattr(settings, "LMS_AUTOMATIONS", None) or {}
    if name in configured:
        return configured[name]
    return DEFAULTS[name]
