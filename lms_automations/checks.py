"""Django system checks (``./manage.py lms check``): settings an operator got wrong, said at start-up
rather than discovered when the first automation fails."""
import difflib

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register  # pylint: disable=redefined-builtin
from django.utils.module_loading import import_string

from .conf import get_setting
from .settings.common import DEFAULTS

#: Shortest HMAC secret the ingestion endpoint should accept from a commerce source.
MIN_SECRET_LENGTH = 16


@register(Tags.compatibility)
def check_settings(app_configs=None, **kwargs):  # pylint: disable=unused-argument
    return [*_unknown_keys(), *_host_backend(), *_tracking(), *_webhooks(), *_hmac_secrets()]


def _unknown_keys():
    configured = getattr(settings, "LMS_AUTOMATIONS", None) or {}
    found = []
    for key in sorted(set(configured) - set(DEFAULTS)):
        close = difflib.get_close_matches(key, DEFAULTS, n=1)
        hint = f"did you mean {close[0]!r}?" if close else "see docs/operators/settings.md for the keys"
        found.append(Warning(f"LMS_AUTOMATIONS[{key!r}] is not a setting of the plugin and is ignored",
                             hint=hint, id="lms_automations.W001"))
    return found


def _host_backend():
    path = get_setting("HOST_BACKEND")
    from .host.base import HostBackend  # pylint: disable=import-outside-toplevel

    try:
        backend = import_string(path)
    except ImportError as error:
        return [Error(f"LMS_AUTOMATIONS['HOST_BACKEND'] = {path!r} cannot be imported: {error}",
                      hint="use lms_automations.host.openedx.OpenEdxHost in an Open edX LMS",
                      id="lms_automations.E001")]
    if not (isinstance(backend, type) and issubclass(backend, HostBackend)):
        return [Error(f"LMS_AUTOMATIONS['HOST_BACKEND'] = {path!r} is not a HostBackend subclass",
                      hint="subclass lms_automations.host.HostBackend", id="lms_automations.E002")]
    return []


def _tracking():
    base_url = get_setting("TRACKING_BASE_URL") or getattr(settings, "LMS_ROOT_URL", "")
    if get_setting("EMAIL_TRACKING") and not base_url:
        return [Warning("EMAIL_TRACKING is on, but neither LMS_AUTOMATIONS['TRACKING_BASE_URL'] nor LMS_ROOT_URL "
                        "is set: e-mails go out untracked and without an unsubscribe link",
                        hint="set LMS_ROOT_URL (Open edX sets it) or TRACKING_BASE_URL", id="lms_automations.W002")]
    return []


def _webhooks():
    if get_setting("WEBHOOK_ALLOW_PRIVATE_ADDRESSES"):
        return [Warning("WEBHOOK_ALLOW_PRIVATE_ADDRESSES is on: course teams' webhooks can reach internal services "
                        "and cloud metadata endpoints",
                        hint="list the internal hosts you need in WEBHOOK_ALLOWED_HOSTS instead",
                        id="lms_automations.W003")]
    return []


def _hmac_secrets():
    secrets = get_setting("INGEST_HMAC_SECRETS") or {}
    if not isinstance(secrets, dict):
        return [Error("LMS_AUTOMATIONS['INGEST_HMAC_SECRETS'] must be a dict {source name: shared secret}",
                      id="lms_automations.E003")]
    return [Error(f"the HMAC secret of ingestion source {source!r} is shorter than {MIN_SECRET_LENGTH} characters",
                  hint="use a long random secret, e.g. python -c 'import secrets; print(secrets.token_hex(32))'",
                  id="lms_automations.E004")
            for source, secret in sorted(secrets.items()) if len(str(secret or "")) < MIN_SECRET_LENGTH]
