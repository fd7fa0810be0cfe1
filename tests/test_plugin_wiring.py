"""The plugin as edx-platform loads it: entry points, plugin_app, settings and receivers."""
from importlib.metadata import entry_points
from types import SimpleNamespace

from django.apps import apps
from django.db.models.signals import post_save
from django.utils.module_loading import import_string
from edx_django_utils.plugins import get_plugin_apps

from lms_automations import handlers
from lms_automations.apps import LMS_RECEIVERS, LmsAutomationsConfig
from lms_automations.settings import common, production
from lms_automations.settings import test as test_settings


def test_registered_for_lms_and_cms_and_found_by_the_plugin_loader():
    for group in ("lms.djangoapp", "cms.djangoapp"):
        (entry,) = [ep for ep in entry_points(group=group) if ep.name == "lms_automations"]
        assert entry.load() is LmsAutomationsConfig
    assert "lms_automations.apps.LmsAutomationsConfig" in get_plugin_apps("lms.djangoapp")


def test_settings_modules_merge_defaults_under_operator_values():
    host = SimpleNamespace(LMS_AUTOMATIONS={"DEDUPE_SECONDS": 5})
    production.plugin_settings(host)
    assert host.LMS_AUTOMATIONS["DEDUPE_SECONDS"] == 5
    assert host.LMS_AUTOMATIONS["CELERY_QUEUE"] == "edx.lms.core.default"
    assert set(common.DEFAULTS) <= set(host.LMS_AUTOMATIONS)

    bare = SimpleNamespace()
    test_settings.plugin_settings(bare)
    assert bare.LMS_AUTOMATIONS["EMAIL_TRACKING"] is False


#: Signals that only edx-platform defines (imported through its stand-in in tests/host/).
EDX_PLATFORM = ("openedx.core.", "lms.", "common.")


def test_every_declared_receiver_exists_and_its_signal_imports():
    for receiver in LMS_RECEIVERS:
        assert callable(getattr(handlers, receiver["receiver_func_name"])), receiver
        if not receiver["signal_path"].startswith(EDX_PLATFORM):
            assert import_string(receiver["signal_path"]) is not None


def test_block_completion_receiver_is_connected_in_the_running_lms():
    from completion.models import BlockCompletion

    assert apps.is_installed("lms_automations")
    assert post_save.has_listeners(BlockCompletion)


def test_importing_the_plugin_reads_no_settings_and_no_edx_platform():
    import subprocess
    import sys

    code = (
        "import sys; import lms_automations.apps, lms_automations.settings.common, "
        "lms_automations.settings.production; "
        "assert 'django.conf' not in sys.modules or not __import__('django.conf').conf.settings.configured; "
        "assert not any(m.split('.')[0] in ('lms', 'openedx', 'common', 'xmodule') for m in sys.modules)"
    )
    subprocess.run([sys.executable, "-c", code], check=True, env={"PATH": "/usr/bin:/bin"})
