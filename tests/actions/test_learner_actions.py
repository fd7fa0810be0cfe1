"""Learner-data and messaging actions: effects, emitted events, exactly-once and consent."""
import datetime
from types import SimpleNamespace

import pytest
from django.core import mail

from lms_automations.actions.learner_data import ListAdd, PointsAward, PointsDeduct, TagAdd
from lms_automations.actions.messaging import EmailSend, LearnerUnsubscribe
from lms_automations.engine.errors import PermanentError, SilentFailure
from lms_automations.host import get_host
from lms_automations.models import Event, LearnerTag, ListMembership, MarketingConsent, PointsEntry
from sandbox.lms import services

pytestmark = pytest.mark.django_db
NOW = datetime.datetime(2026, 5, 1, tzinfo=datetime.UTC)


@pytest.fixture
def ada():
    return services.create_learner("ada", "ada@example.com", first_name="Ada")


def ctx(user, key="1:s:1", test_recipient_id=None):
    host = get_host()
    return SimpleNamespace(user_id=user.pk, idempotency_key=key, now=NOW, host=host, automation=None, run=None,
                           test_recipient_id=test_recipient_id, learner=host.get_learner(user.pk))


def events(kind):
    return list(Event.objects.filter(event_type=kind).order_by("id").values_list("payload", flat=True))


def test_tags_are_added_once_and_announced(ada):
    assert TagAdd().execute({"tags": ["vip", "active"]}, ctx(ada)) == {"added": ["vip", "active"]}
    assert TagAdd().execute({"tags": ["vip"]}, ctx(ada, "1:s:2")) == {"added": []}
    assert sorted(LearnerTag.objects.values_list("tag", flat=True)) == ["active", "vip"]
    assert sorted(p["tag"] for p in events("tag.added")) == ["active", "vip"]


def test_points_are_awarded_exactly_once_per_key_and_thresholds_fire_once(ada, settings):
    settings.LMS_AUTOMATIONS = {**settings.LMS_AUTOMATIONS, "POINTS_THRESHOLDS": [100]}
    PointsAward().execute({"amount": 60}, ctx(ada, "1:a:1"))
    PointsAward().execute({"amount": 60}, ctx(ada, "1:a:1"))  # a retry of the same step visit
    assert PointsEntry.objects.count() == 1
    PointsAward().execute({"amount": 60}, ctx(ada, "1:a:2"))
    PointsDeduct().execute({"amount": 50}, ctx(ada, "1:d:1"))
    PointsAward().execute({"amount": 60}, ctx(ada, "1:a:3"))
    assert [p["threshold"] for p in events("points.threshold_reached")] == [100]
    assert events("points.awarded")[-1]["balance"] == 130
    with pytest.raises(PermanentError, match="cannot deduct 500"):
        PointsDeduct().execute({"amount": 500}, ctx(ada, "1:d:2"))


def test_lists_are_created_on_first_use(ada):
    assert ListAdd().execute({"list": "beta-testers"}, ctx(ada)) == {"joined": True}
    assert ListAdd().execute({"list": "beta-testers"}, ctx(ada, "k2")) == {"joined": False}
    assert ListMembership.objects.get().learner_list.slug == "beta-testers"


def test_marketing_email_respects_consent_and_transactional_does_not(ada):
    LearnerUnsubscribe().execute({}, ctx(ada))
    assert MarketingConsent.objects.get(user=ada).subscribed is False
    with pytest.raises(SilentFailure, match="does not accept marketing"):
        EmailSend().execute({"subject": "Sale", "body_html": "<p>!</p>"}, ctx(ada))
    assert mail.outbox == []
    EmailSend().execute({"subject": "Receipt", "body_html": "<p>Paid</p>", "category": "transactional"}, ctx(ada))
    assert [m.subject for m in mail.outbox] == ["Receipt"]
    assert mail.outbox[0].extra_headers["Message-ID"] == "<lms-automations.1:s:1@lms>"


def test_host_is_marketable_false_blocks_marketing(ada):
    from sandbox.lms.models import UserAttribute

    UserAttribute.objects.create(user=ada, name="is_marketable", value="false")
    with pytest.raises(SilentFailure):
        EmailSend().execute({"subject": "Sale", "body_html": "<p>!</p>"}, ctx(ada))


def test_testing_mode_sends_to_the_staff_member(ada):
    staff = services.create_learner("coach", "coach@example.com")
    EmailSend().execute({"subject": "Hello", "body_html": "<p>x</p>"}, ctx(ada, test_recipient_id=staff.pk))
    assert [(m.subject, m.to) for m in mail.outbox] == [("[TEST for ada] Hello", ["coach@example.com"])]
