"""Django app config and the Open edX plugin wiring (edx-django-utils ``plugin_app`` format)."""
from django.apps import AppConfig

_LMS = "lms.djangoapp"
_CMS = "cms.djangoapp"
_OPENEDX_LEARNING = "openedx_events.learning.signals."


def _receiver(func_name, signal_path, sender_path=None):
    config = {
        "receiver_func_name": func_name,
        "signal_path": signal_path,
        "dispatch_uid": f"lms_automations.{func_name}",
    }
    if sender_path:
        config["sender_path"] = sender_path
    return config


#: Receivers connected by ``connect_plugin_receivers`` in every LMS process (web and Celery workers).
#: Signals that only exist inside edx-platform are connected by the host backend at ``ready()``
#: instead, so that the app also loads where they are absent.
LMS_RECEIVERS = [
    _receiver("on_registration_completed", _OPENEDX_LEARNING + "STUDENT_REGISTRATION_COMPLETED"),
    _receiver("on_session_login_completed", _OPENEDX_LEARNING + "SESSION_LOGIN_COMPLETED"),
    _receiver("on_enrollment_created", _OPENEDX_LEARNING + "COURSE_ENROLLMENT_CREATED"),
    _receiver("on_enrollment_changed", _OPENEDX_LEARNING + "COURSE_ENROLLMENT_CHANGED"),
    _receiver("on_unenrollment_completed", _OPENEDX_LEARNING + "COURSE_UNENROLLMENT_COMPLETED"),
    _receiver("on_persistent_grade_changed", _OPENEDX_LEARNING + "PERSISTENT_GRADE_SUMMARY_CHANGED"),
    _receiver("on_passing_status_updated", _OPENEDX_LEARNING + "COURSE_PASSING_STATUS_UPDATED"),
    _receiver("on_certificate_created", _OPENEDX_LEARNING + "CERTIFICATE_CREATED"),
    _receiver("on_certificate_revoked", _OPENEDX_LEARNING + "CERTIFICATE_REVOKED"),
    _receiver("on_cohort_membership_changed", _OPENEDX_LEARNING + "COHORT_MEMBERSHIP_CHANGED"),
    _receiver("on_forum_thread_created", _OPENEDX_LEARNING + "FORUM_THREAD_CREATED"),
    _receiver("on_forum_response_created", _OPENEDX_LEARNING + "FORUM_THREAD_RESPONSE_CREATED"),
    _receiver("on_forum_comment_created", _OPENEDX_LEARNING + "FORUM_RESPONSE_COMMENT_CREATED"),
    _receiver("on_exam_submitted", _OPENEDX_LEARNING + "EXAM_ATTEMPT_SUBMITTED"),
    _receiver("on_exam_verified", _OPENEDX_LEARNING + "EXAM_ATTEMPT_VERIFIED"),
    _receiver("on_exam_rejected", _OPENEDX_LEARNING + "EXAM_ATTEMPT_REJECTED"),
    _receiver("on_idv_approved", _OPENEDX_LEARNING + "IDV_ATTEMPT_APPROVED"),
    _receiver("on_idv_denied", _OPENEDX_LEARNING + "IDV_ATTEMPT_DENIED"),
    _receiver("on_ora_submission_created", _OPENEDX_LEARNING + "ORA_SUBMISSION_CREATED"),
    _receiver("on_badge_awarded", _OPENEDX_LEARNING + "BADGE_AWARDED"),
    _receiver("on_program_certificate_awarded", _OPENEDX_LEARNING + "PROGRAM_CERTIFICATE_AWARDED"),
    # A Django signal of edx-platform (Registration.activate); connect_plugin_receivers imports it in the LMS.
    _receiver("on_account_activated", "openedx.core.djangoapps.signals.signals.USER_ACCOUNT_ACTIVATED"),
    # A Django signal of edx-platform's grades app, sent for every scored problem attempt.
    _receiver("on_problem_score_changed", "lms.djangoapps.grades.signals.signals.PROBLEM_WEIGHTED_SCORE_CHANGED"),
    _receiver(
        "on_block_completion_saved",
        "django.db.models.signals.post_save",
        sender_path="completion.models.BlockCompletion",
    ),
]


class LmsAutomationsConfig(AppConfig):
    """The ``lms_automations`` plugin app."""

    name = "lms_automations"
    verbose_name = "Automations"
    default_auto_field = "django.db.models.BigAutoField"

    plugin_app = {
        "url_config": {
            _LMS: {
                "namespace": "lms_automations",
                "regex": r"^api/automations/",
                "relative_path": "urls",
            },
        },
        "settings_config": {
            _LMS: {
                "common": {"relative_path": "settings.common"},
                "test": {"relative_path": "settings.test"},
                "production": {"relative_path": "settings.production"},
            },
            _CMS: {
                "common": {"relative_path": "settings.common"},
                "test": {"relative_path": "settings.test"},
                "production": {"relative_path": "settings.production"},
            },
        },
        "signals_config": {
            _LMS: {"relative_path": "handlers", "receivers": LMS_RECEIVERS},
        },
    }

    def ready(self):
        # Definition edits must reach the cached trigger index of every worker; step secrets are
        # encrypted on every save of a step (a pre_save receiver); triggers note since when they
        # listen (``listening``).
        from . import checks  # noqa: F401  pylint: disable=import-outside-toplevel,unused-import
        from .engine import listening, secret_params, trigger_index  # noqa: F401  pylint: disable=import-outside-toplevel,unused-import

        _connect_host_only_receivers()


#: Signals of edx-platform connected at ``ready()`` rather than through ``signals_config`` (their
#: receivers live outside ``handlers``): (module, signal name, receiver).
HOST_ONLY_RECEIVERS = [
    ("openedx.core.djangoapps.user_api.accounts.signals", "USER_RETIRE_LMS_MISC",
     "lms_automations.retirement.on_user_retired"),
]


def _connect_host_only_receivers():
    """Receivers of signals that exist only inside edx-platform (each skipped where it is absent, so
    the app loads in the sandbox, in tests and in management commands of other services)."""
    import importlib  # pylint: disable=import-outside-toplevel

    from django.utils.module_loading import import_string  # pylint: disable=import-outside-toplevel

    connected = []
    for module_path, signal_name, receiver_path in HOST_ONLY_RECEIVERS:
        try:
            signal = getattr(importlib.import_module(module_path), signal_name)
        except (ImportError, AttributeError):
            continue
        receiver = import_string(receiver_path)
        signal.connect(receiver, dispatch_uid=f"lms_automations.{receiver.__name__}")
        connected.append(signal_name)
    return connected
