"""App config of the stand-in LMS."""
import importlib
import logging

from django.apps import AppConfig, apps
from django.utils.module_loading import import_string

log = logging.getLogger(__name__)
PROJECT_TYPE = "lms.djangoapp"


def plugin_receivers(*, apps_only=None):
    """``(signal, function, sender, dispatch_uid)`` of every plugin's declared LMS receivers, as
    edx-platform's PluginsConfig.ready() reads them (``apps_only``: only these app labels).

    A signal of an LMS module the sandbox does not have is the sandbox's own where it sends one
    (``signals.SIGNAL_PATHS``), else the receiver is skipped; edx-completion's problem-score receiver
    is replaced by what ``services.score_problem`` does. The benchmarks and tests that switch the
    plugin's receivers off and on use this list too.
    """
    from .signals import DONE_BY_SERVICES, SIGNAL_PATHS

    for app_config in apps.get_app_configs():
        if apps_only is not None and app_config.label not in apps_only:
            continue
        plugin_app = getattr(app_config, "plugin_app", None) or {}
        signals_config = plugin_app.get("signals_config", {}).get(PROJECT_TYPE)
        if not signals_config:
            continue
        module = importlib.import_module(f"{app_config.name}.{signals_config.get('relative_path', 'signals')}")
        for receiver in signals_config.get("receivers", []):
            if receiver["receiver_func_name"] in DONE_BY_SERVICES:
                continue
            try:
                try:
                    signal = import_string(receiver["signal_path"])
                except ImportError:
                    if receiver["signal_path"] not in SIGNAL_PATHS:
                        raise
                    signal = SIGNAL_PATHS[receiver["signal_path"]]
                sender = import_string(receiver["sender_path"]) if receiver.get("sender_path") else None
            except ImportError:
                log.debug("sandbox: no %s here; %s not connected", receiver["signal_path"], app_config.name)
                continue
            yield signal, getattr(module, receiver["receiver_func_name"]), sender, receiver.get("dispatch_uid")


def connect_plugin_receivers():
    """Connect every plugin's declared receivers, as edx-platform's PluginsConfig.ready() does."""
    for signal, function, sender, dispatch_uid in plugin_receivers():
        signal.connect(function, sender=sender, dispatch_uid=dispatch_uid)


def register_default_tracker():
    """Give event-tracking its default tracker, as the LMS does at start-up.

    edx-completion writes a tracking log on every ``submit_completion`` and fails without a tracker.
    Backends come from ``EVENT_TRACKING_BACKENDS`` (none by default: the logs go nowhere).
    """
    from eventtracking import tracker
    from eventtracking.django.django_tracker import DjangoTracker

    try:
        tracker.get_tracker()
    except KeyError:
        tracker.register_tracker(DjangoTracker())


class SandboxLmsConfig(AppConfig):
    name = "sandbox.lms"
    label = "sandbox_lms"
    verbose_name = "Sandbox LMS"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        register_default_tracker()
        connect_plugin_receivers()
