"""Production settings: defaults plus the operator's ``LMS_AUTOMATIONS`` from the LMS YAML config.

edx-platform loads the YAML into settings before calling production plugin settings, so the dict
found on ``settings`` already holds the operator's values; they win over the defaults.
"""
from . import common


def plugin_settings(settings):
    common.plugin_settings(settings)
