"""Settings for the host's test runs: the same defaults, with tracking off."""
from . import common


def plugin_settings(settings):
    common.plugin_settings(settings)
    settings.LMS_AUTOMATIONS["EMAIL_TRACKING"] = False
