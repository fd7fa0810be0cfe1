"""Signals that exist only inside edx-platform, sent as the LMS sends them, through the stand-in tree,
and ORA submissions, whose payload names the learner only by an anonymous id."""

import pytest
from openedx_events.learning.data import ORASubmissionAnswer, ORASubmissionData
from openedx_events.learning.signals import ORA_SUBMISSION_CREATED

from lms_automations.apps import _connect_host_only_receivers
from lms_automations.models import Event, LearnerTag
from sandbox.lms import services

from .conftest import COURSE, NOW

pytestmark = pytest.mark.django_db


@pytest.fixture
def host_signals(lms):  # pylint: disable=unused-argument
    """Connect the receivers of edx-platform's own signals as they are inside the LMS."""
    from openedx.core.djangoapps.signals.signals import USER_ACCOUNT_ACTIVATED  # pylint: disable=import-outside-toplevel
    from openedx.core.djangoapps.user_api.accounts.signals import (  # pylint: disable=import-outside-toplevel
        USER_RETIRE_LMS_MISC,
    )

    from sandbox.lms.apps import connect_plugin_receivers  # pylint: disable=import-outside-toplevel

    connect_plugin_receivers()  # as edx-platform's PluginsConfig.ready(): signals_config, now importable
    assert _connect_host_only_receivers() == ["USER_RETIRE_LMS_MISC"]
    return USER_ACCOUNT_ACTIVATED, USER_RETIRE_LMS_MISC


def test_the_app_loads_without_edx_platform_and_connects_nothing_there():
    assert _connect_host_only_receivers() == []


def test_an_activation_records_account_activated_once(host_signals, run_on_commit):
    from common.djangoapps.student.models import Registration  # pylint: disable=import-outside-toplevel

    activated, _ = host_signals
    ada = services.create_learner("ada", is_active=False)
    with run_on_commit():
        responses = activated.send_robust(Registration, user=ada)
        activated.send_robust(Registration, user=ada)  # the activation link clicked twice
    assert [response for _, response in responses if isinstance(response, Exception)] == []
    assert list(Event.objects.filter(user_id=ada.pk).values_list("event_type", "source")) == [
        ("account.activated", "django_signal")]


def test_retirement_through_the_lms_signal_removes_the_learners_data(host_signals):
    _, retire = host_signals
    ada = services.create_learner("ada")
    LearnerTag.objects.create(user=ada, tag="vip")
    retire.send(sender=None, user=ada)
    assert not LearnerTag.objects.filter(user=ada).exists()


def _submission(anonymous_id):
    return ORASubmissionData(
        uuid="3f1d2c9e-0000-4000-8000-000000000001", anonymous_user_id=anonymous_id,
        location=str(COURSE.make_usage_key("openassessment", "essay")), attempt_number=1,
        created_at=NOW, submitted_at=NOW, answer=ORASubmissionAnswer(parts=[{"text": "My essay"}]),
    )


def test_an_ora_submission_is_recorded_for_the_learner_behind_the_anonymous_id(lms, run_on_commit):
    ada = services.create_learner("ada")
    lms.anonymous_ids["5e3c0ffee"] = ada.pk
    with run_on_commit():
        ORA_SUBMISSION_CREATED.send_event(submission=_submission("5e3c0ffee"), time=NOW)
    event = Event.objects.get(user_id=ada.pk)
    assert event.event_type == "assignment.submitted"
    assert event.payload == {"user_id": ada.pk, "course_key": str(COURSE),
                             "block_key": str(COURSE.make_usage_key("openassessment", "essay"))}
    assert event.occurred_at == NOW


def test_an_ora_submission_by_an_unknown_anonymous_id_is_not_guessed(lms, caplog):  # pylint: disable=unused-argument
    ORA_SUBMISSION_CREATED.send_event(submission=_submission("nobody"), time=NOW)
    assert not Event.objects.exists()
    assert "unknown anonymous id" in caplog.text


def test_ora_receivers_are_declared_for_connect_plugin_receivers():
    from lms_automations.apps import LMS_RECEIVERS  # pylint: disable=import-outside-toplevel

    assert {"receiver_func_name": "on_ora_submission_created",
            "signal_path": "openedx_events.learning.signals.ORA_SUBMISSION_CREATED",
            "dispatch_uid": "lms_automations.on_ora_submission_created"} in LMS_RECEIVERS


def test_every_declared_signal_imports_inside_the_lms(lms):  # pylint: disable=unused-argument
    from django.utils.module_loading import import_string  # pylint: disable=import-outside-toplevel

    from lms_automations.apps import LMS_RECEIVERS  # pylint: disable=import-outside-toplevel

    for receiver in LMS_RECEIVERS:
        assert import_string(receiver["signal_path"]) is not None, receiver
