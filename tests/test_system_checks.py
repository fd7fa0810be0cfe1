"""``manage.py check`` tells an operator what is wrong with LMS_AUTOMATIONS before anything runs."""
import pytest
from django.core import management
from django.core.management.base import SystemCheckError

from lms_automations.checks import check_settings


@pytest.fixture
def ids(settings):
    """The check ids for the test settings with some keys changed (each call starts afresh)."""
    base = dict(settings.LMS_AUTOMATIONS)

    def _ids(changes):
        settings.LMS_AUTOMATIONS = {**base, **changes}
        return [message.id for message in check_settings()]

    return _ids


def test_the_sandbox_configuration_is_clean(ids):
    assert ids({}) == []


def test_a_misspelt_key_is_named_with_the_likely_one(settings):
    settings.LMS_AUTOMATIONS = {**settings.LMS_AUTOMATIONS, "INACTIVITY_DAY": [3]}
    [warning] = check_settings()
    assert warning.id == "lms_automations.W001" and "'INACTIVITY_DAY'" in warning.msg
    assert warning.hint == "did you mean 'INACTIVITY_DAYS'?"


def test_a_host_backend_that_is_not_one(ids):
    assert ids({"HOST_BACKEND": "lms_automations.host.nope.Host"}) == ["lms_automations.E001"]
    assert ids({"HOST_BACKEND": "lms_automations.models.Event"}) == ["lms_automations.E002"]
    assert ids({"HOST_BACKEND": "lms_automations.host.openedx.OpenEdxHost"}) == [], \
        "the Open edX backend imports where edx-platform is absent"


def test_tracking_without_a_public_url_private_webhooks_and_short_secrets(ids, settings):
    settings.LMS_ROOT_URL = ""
    assert ids({"EMAIL_TRACKING": True}) == ["lms_automations.W002"]
    assert ids({"EMAIL_TRACKING": True, "TRACKING_BASE_URL": "https://lms.example.com"}) == []
    assert ids({"WEBHOOK_ALLOW_PRIVATE_ADDRESSES": True}) == ["lms_automations.W003"]
    assert ids({"INGEST_HMAC_SECRETS": {"shop": "short", "crm": "x" * 32}}) == ["lms_automations.E004"]


def test_manage_py_check_refuses_an_error(settings):
    settings.LMS_AUTOMATIONS = {**settings.LMS_AUTOMATIONS, "HOST_BACKEND": "nowhere.Host"}
    with pytest.raises(SystemCheckError, match="lms_automations.E001"):
        management.call_command("check")
