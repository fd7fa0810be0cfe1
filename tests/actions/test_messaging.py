"""E-mail, staff notices, notifications and opt-out: consent, testing mode, Message-IDs, events."""
import re

import pytest
from django.core import mail

from lms_automations.actions.messaging import (
    EmailNotifyStaff,
    EmailSend,
    LearnerUnsubscribe,
    NotificationSend,
)
from lms_automations.engine.errors import PermanentError, SilentFailure
from lms_automations.models import MarketingConsent, TestLearner
from sandbox.lms import services

from .conftest import COURSE, RecordingHost, context_for, make_automation, make_run, payloads

pytestmark = pytest.mark.django_db
MAIL = {"subject": "Welcome, Ada", "body_html": "<p>Hello <b>there</b></p>"}


def test_marketing_email_is_sent_with_a_message_id_from_the_step_and_announced(ada):
    run = make_run(make_automation(), ada)
    result = EmailSend().execute({**MAIL, "from_email": "Course Team <team@example.com>",
                                  "reply_to": "help@example.com"}, context_for(ada, "11:act:1", run=run))
    (message,) = mail.outbox
    assert message.to == ["ada@example.com"]
    assert message.subject == "Welcome, Ada"
    assert message.extra_headers["Message-ID"] == "<lms-automations.11.act.1@lms>"
    assert message.from_email == "Course Team <team@example.com>"
    assert message.reply_to == ["help@example.com"]
    assert "Hello there" in message.body  # the text part, from the HTML when no body_text is given
    assert result == {"message_id": "<lms-automations.11.act.1@lms>", "category": "marketing",
                      "to_user_id": ada.pk, "test": False}
    assert payloads("email.sent") == [{"message_id": "<lms-automations.11.act.1@lms>",
                                       "automation_id": run.automation_id, "step_id": "act"}]


def test_a_retried_send_keeps_its_message_id_and_is_announced_once(ada):
    run = make_run(make_automation(), ada)
    for _ in range(2):
        EmailSend().execute(MAIL, context_for(ada, "11:act:1", run=run))
    assert {m.extra_headers["Message-ID"] for m in mail.outbox} == {"<lms-automations.11.act.1@lms>"}
    assert len(payloads("email.sent")) == 1


DOT_ATOM_MSG_ID = re.compile(r"<[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@lms>")


@pytest.mark.parametrize("step_id", ["act", "started? now", "a.b", "a:b", "é..x@y", "100%"])
def test_the_message_id_is_an_rfc_5322_msg_id_for_any_step_id(ada, step_id):
    """RFC 5322 §3.6.4: the part before @ is a dot-atom — no ':', no space, no empty atom."""
    run = make_run(make_automation(), ada)
    EmailSend().execute(MAIL, context_for(ada, f"11:{step_id}:2", run=run))
    msg_id = mail.outbox[0].extra_headers["Message-ID"]
    assert DOT_ATOM_MSG_ID.fullmatch(msg_id), msg_id
    assert msg_id.startswith("<lms-automations.11.") and msg_id.endswith(".2@lms>")


def test_different_steps_never_share_a_message_id(ada):
    run = make_run(make_automation(), ada)
    for key in ("11:a.b:1", "11:a:b:1", "11:a-b:1", "11:a%2Eb:1", "11:a:b.1", "11:a:b:1:0"):
        EmailSend().execute(MAIL, context_for(ada, key, run=run))
    ids = [m.extra_headers["Message-ID"] for m in mail.outbox]
    assert len(set(ids)) == len(ids) == 6, ids


def test_marketing_email_to_a_learner_who_unsubscribed_is_a_silent_failure(ada):
    MarketingConsent.objects.create(user=ada, subscribed=False, source="link")
    with pytest.raises(SilentFailure, match="unsubscribed"):
        EmailSend().execute(MAIL, context_for(ada))
    assert mail.outbox == []
    assert payloads("email.sent") == []


def test_the_lms_is_marketable_false_counts_as_unsubscribed(db):
    bob = services.create_learner("bob", is_marketable=False)
    with pytest.raises(SilentFailure, match="unsubscribed"):
        EmailSend().execute({**MAIL, "category": "marketing"}, context_for(bob))
    assert mail.outbox == []


def test_the_plugins_own_consent_outranks_the_lms(db):
    bob = services.create_learner("bob", is_marketable=False)
    MarketingConsent.objects.create(user=bob, subscribed=True, source="admin")
    EmailSend().execute(MAIL, context_for(bob))
    assert len(mail.outbox) == 1


def test_transactional_email_ignores_consent(ada):
    MarketingConsent.objects.create(user=ada, subscribed=False)
    result = EmailSend().execute({"subject": "Your receipt", "body_html": "<p>Paid</p>",
                                  "category": "transactional"}, context_for(ada))
    assert result["category"] == "transactional"
    assert [m.subject for m in mail.outbox] == ["Your receipt"]


def test_testing_mode_sends_to_the_staff_member_instead_of_the_learner(ada, coach):
    automation = make_automation(status="testing", owner=coach)
    TestLearner.objects.create(automation=automation, user=ada)
    run = make_run(automation, ada, is_test=True)
    result = EmailSend().execute(MAIL, context_for(ada, run=run))
    assert [(m.subject, m.to) for m in mail.outbox] == [("[TEST for ada] Welcome, Ada", ["coach@example.com"])]
    assert result["test"] is True and result["to_user_id"] == coach.pk
    assert len(payloads("email.sent")) == 1  # the learner's run did send it


def test_testing_mode_honours_the_test_learners_recipient(ada, coach):
    other = services.create_learner("reviewer", "reviewer@example.com")
    automation = make_automation(status="testing", owner=coach)
    TestLearner.objects.create(automation=automation, user=ada, redirect_to=other)
    EmailSend().execute(MAIL, context_for(ada, run=make_run(automation, ada, is_test=True)))
    assert mail.outbox[0].to == ["reviewer@example.com"]


def test_testing_mode_still_applies_the_learners_consent(ada, coach):
    MarketingConsent.objects.create(user=ada, subscribed=False)
    automation = make_automation(status="testing", owner=coach)
    with pytest.raises(SilentFailure):
        EmailSend().execute(MAIL, context_for(ada, run=make_run(automation, ada, is_test=True)))
    assert mail.outbox == []


def test_a_test_run_with_nobody_to_receive_its_messages_never_reaches_the_learner(ada):
    automation = make_automation(status="testing", owner=None)
    with pytest.raises(PermanentError, match="no staff member to receive"):
        EmailSend().execute(MAIL, context_for(ada, run=make_run(automation, ada, is_test=True)))
    assert mail.outbox == []


def test_a_rendered_subject_stays_on_one_line(ada):
    EmailSend().execute({**MAIL, "subject": "Hello\r\nBcc: everyone@example.com"}, context_for(ada))
    assert mail.outbox[0].subject == "Hello Bcc: everyone@example.com"


def test_a_rendered_address_that_is_not_one_fails_the_step(ada):
    with pytest.raises(PermanentError, match="params.reply_to: 'nobody' is not an e-mail address"):
        EmailSend().execute({**MAIL, "reply_to": "nobody"}, context_for(ada))
    assert mail.outbox == []


def test_staff_are_notified_by_username_and_address(ada, coach):
    result = EmailNotifyStaff().execute({"to": ["coach", "team@example.com"], "subject": "Ada is stuck",
                                         "body_html": "<p>14 days</p>"}, context_for(ada, "9:n:1"))
    assert result == {"sent_to": ["coach", "team@example.com"]}
    assert [m.to for m in mail.outbox] == [["coach@example.com"], ["team@example.com"]]
    assert [m.extra_headers["Message-ID"] for m in mail.outbox] == ["<lms-automations.9.n.1.0@lms>",
                                                                   "<lms-automations.9.n.1.1@lms>"]
    assert payloads("email.sent") == []  # not the learner's e-mail


def test_notifying_an_unknown_username_fails(ada):
    with pytest.raises(PermanentError, match="there is no user 'nobody'"):
        EmailNotifyStaff().execute({"to": ["nobody"], "subject": "x", "body_html": "y"}, context_for(ada))


def test_staff_notices_of_a_test_run_go_once_to_the_tester(ada, coach):
    automation = make_automation(status="testing", owner=coach)
    EmailNotifyStaff().execute({"to": ["team@example.com", "boss@example.com"], "subject": "Ada is stuck",
                                "body_html": "<p>!</p>"}, context_for(ada, run=make_run(automation, ada, is_test=True)))
    assert [(m.subject, m.to) for m in mail.outbox] == [
        ("[TEST for ada, to team@example.com, boss@example.com] Ada is stuck", ["coach@example.com"])]


def test_notifications_go_through_the_host(ada, coach):
    host = RecordingHost()
    NotificationSend().execute({"course_key": COURSE, "notification_type": "course_updates",
                                "context": {"course_update_content": "New unit"}}, context_for(ada, host=host))
    automation = make_automation(status="testing", owner=coach)
    NotificationSend().execute({"course_key": COURSE, "notification_type": "course_updates"},
                               context_for(ada, run=make_run(automation, ada, is_test=True), host=host))
    assert host.calls == [
        ("send_notification", ada.pk, COURSE, "course_updates", {"course_update_content": "New unit"}),
        ("send_notification", coach.pk, COURSE, "course_updates", {}),
    ]


def test_a_host_without_notifications_says_so(ada):
    with pytest.raises(PermanentError, match="no in-platform notifications"):
        NotificationSend().execute({"course_key": COURSE, "notification_type": "course_updates"}, context_for(ada))


def test_unsubscribe_opts_out_once_and_blocks_marketing(ada):
    assert LearnerUnsubscribe.external is False
    assert LearnerUnsubscribe().execute({}, context_for(ada, "3:u:1")) == {"changed": True}
    assert LearnerUnsubscribe().execute({}, context_for(ada, "3:u:2")) == {"changed": False}
    consent = MarketingConsent.objects.get(user=ada)
    assert (consent.subscribed, consent.source) == (False, "automation")
    assert payloads("email.unsubscribed") == [{}]
    with pytest.raises(SilentFailure):
        EmailSend().execute(MAIL, context_for(ada))


def test_unsubscribe_overrides_an_earlier_opt_in(ada):
    MarketingConsent.objects.create(user=ada, subscribed=True, source="admin")
    assert LearnerUnsubscribe().execute({}, context_for(ada))["changed"] is True
    assert MarketingConsent.objects.get(user=ada).subscribed is False


@pytest.mark.parametrize(("action", "params", "path"), [
    (EmailSend, {"subject": "x"}, "params.body_html"),
    (EmailSend, {**MAIL, "category": "newsletter"}, "params.category"),
    (EmailSend, {**MAIL, "track": "yes"}, "params.track"),
    (EmailSend, {**MAIL, "to": "someone@example.com"}, "params"),
    (EmailNotifyStaff, {"to": [], "subject": "x", "body_html": "y"}, "params.to"),
    (NotificationSend, {"course_key": COURSE, "notification_type": "Not A Type"}, "params.notification_type"),
    (LearnerUnsubscribe, {"reason": "x"}, "params"),
])
def test_params_are_checked_where_staff_type_them(action, params, path):
    assert path in [error["path"] for error in action.check_params(params)]
