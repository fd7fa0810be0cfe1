"""The ``openedx`` backend's certificates, cohorts, notifications and e-mail."""
import pytest
from django.core import mail
from openedx_events.learning.data import UserNotificationData
from openedx_events.learning.signals import USER_NOTIFICATION_REQUESTED

from lms_automations.engine.errors import PermanentError, SilentFailure
from sandbox.lms import services

from .conftest import COURSE

pytestmark = pytest.mark.django_db


@pytest.fixture
def ada():
    return services.create_learner("ada", email="ada@example.com")


def test_a_learner_the_lms_finds_ineligible_gets_no_certificate_and_a_reason(lms, host, ada):
    with pytest.raises(PermanentError, match="not eligible"):
        host.generate_certificate(ada.pk, str(COURSE))
    assert host.get_certificate(ada.pk, str(COURSE)) is None
    assert lms.called("generate_certificate_task")[0][1] == {"generation_mode": "batch"}


def test_the_allowlist_lifts_the_grade_requirement_and_says_who_added_the_learner(lms, host, ada):
    host.generate_certificate(ada.pk, str(COURSE), allowlist=True)
    (args, kwargs), = lms.called("create_or_update_certificate_allowlist_entry")
    assert args[1] == COURSE and "automation" in args[2] and kwargs == {"enabled": True}
    assert host.get_certificate(ada.pk, str(COURSE))["status"] == "downloadable"


def test_an_eligible_learner_gets_the_certificate(lms, host, ada):
    lms.eligible.add((ada.pk, COURSE))
    host.generate_certificate(ada.pk, str(COURSE))
    assert not lms.called("create_or_update_certificate_allowlist_entry")
    assert host.get_certificate(ada.pk, str(COURSE)) == {"status": "downloadable", "mode": "verified",
                                                         "grade": "0.9", "download_url": ""}


@pytest.fixture
def cohorts(lms):
    from standin_rows import CohortRow  # pylint: disable=import-outside-toplevel

    for name in ("Morning", "Evening"):
        lms.cohorts[(COURSE, name)] = CohortRow(COURSE, name)


def test_joining_moving_and_leaving_cohorts(lms, host, ada, cohorts):  # pylint: disable=unused-argument
    assert host.get_cohort(ada.pk, str(COURSE)) is None
    host.add_to_cohort(ada.pk, str(COURSE), "Morning")
    host.add_to_cohort(ada.pk, str(COURSE), "Morning")  # already there: no second call, no error
    assert len(lms.called("add_user_to_cohort")) == 1
    host.add_to_cohort(ada.pk, str(COURSE), "Evening")
    assert host.get_cohort(ada.pk, str(COURSE)) == "Evening"
    assert lms.called("get_cohort")[0][1] == {"assign": False}, "reading must not auto-assign a cohort"
    with pytest.raises(PermanentError, match="not in the cohort 'Morning'"):
        host.remove_from_cohort(ada.pk, str(COURSE), "Morning")
    host.remove_from_cohort(ada.pk, str(COURSE), "Evening")
    assert host.get_cohort(ada.pk, str(COURSE)) is None


def test_a_cohort_that_does_not_exist_is_named_in_the_error(lms, host, ada, cohorts):  # pylint: disable=unused-argument
    with pytest.raises(PermanentError, match="has no cohort named 'Night'"):
        host.add_to_cohort(ada.pk, str(COURSE), "Night")


def test_notifications_go_through_user_notification_requested(lms, host, ada):
    lms.notification_flags["courses"] = {COURSE}
    received = []

    def receiver(signal, sender, notification_data, metadata, **kwargs):  # pylint: disable=unused-argument
        received.append(notification_data)

    USER_NOTIFICATION_REQUESTED.connect(receiver)
    try:
        host.send_notification(ada.pk, str(COURSE), "course_updates",
                               {"course_update_content": "Week 2 is open", "content_url": "https://lms/x"})
    finally:
        USER_NOTIFICATION_REQUESTED.disconnect(receiver)
    (data,), = [received]
    assert isinstance(data, UserNotificationData)
    assert (data.user_ids, data.app_name, data.course_key, data.content_url, data.context) == (
        [ada.pk], "updates", COURSE, "https://lms/x", {"course_update_content": "Week 2 is open"})


def test_a_notification_type_the_lms_lacks_is_refused_with_the_known_ones(lms, host, ada):  # pylint: disable=unused-argument
    with pytest.raises(PermanentError, match="no notification type 'promo'.*course_updates, ora_grade_assigned"):
        host.send_notification(ada.pk, str(COURSE), "promo", {})


def test_a_notification_while_the_course_flag_is_off_fails_silently_naming_the_flag(lms, host, ada):
    received = []

    def receiver(signal, sender, notification_data, metadata, **kwargs):  # pylint: disable=unused-argument
        received.append(notification_data)

    USER_NOTIFICATION_REQUESTED.connect(receiver)
    try:
        with pytest.raises(SilentFailure, match="notifications.enable_notifications is off"):
            host.send_notification(ada.pk, str(COURSE), "course_updates", {"course_update_content": "x"})
        lms.notification_flags["everyone"] = True
        host.send_notification(ada.pk, str(COURSE), "course_updates", {"course_update_content": "x"})
    finally:
        USER_NOTIFICATION_REQUESTED.disconnect(receiver)
    assert len(received) == 1, "nothing is sent while the flag is off; everything once it is on"


def test_email_goes_through_ace_to_the_learners_address(lms, host, ada):  # pylint: disable=unused-argument
    host.send_email(to_user_id=ada.pk, subject="Welcome", body_html="<p>Hello <b>Ada</b></p>",
                    message_id="<lms-automations.1.2.3@lms>", transactional=False)
    (sent,) = mail.outbox
    assert sent.to == ["ada@example.com"] and sent.subject == "Welcome"
    assert sent.extra_headers["Message-ID"] == "<lms-automations.1.2.3@lms>"


def test_a_release_with_only_the_private_notification_table(lms, host, ada, monkeypatch):  # pylint: disable=unused-argument
    from openedx.core.djangoapps.notifications import base_notification  # pylint: disable=import-outside-toplevel

    monkeypatch.setattr(base_notification, "_COURSE_NOTIFICATION_TYPES", base_notification.COURSE_NOTIFICATION_TYPES,
                        raising=False)
    monkeypatch.delattr(base_notification, "COURSE_NOTIFICATION_TYPES")
    with pytest.raises(PermanentError, match="no notification type 'promo'.*course_updates"):
        host.send_notification(ada.pk, str(COURSE), "promo", {})
