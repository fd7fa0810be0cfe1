"""Accounts: plain learner creation sends nothing; registration and login send their events."""
import datetime

import pytest
import time_machine
from openedx_events.learning.data import UserData, UserPersonalData

from sandbox.lms import services
from sandbox.lms.models import UserAttribute, UserProfile

pytestmark = pytest.mark.django_db
NOW = datetime.datetime(2026, 5, 4, 8, 0, tzinfo=datetime.UTC)


def test_create_learner_fills_user_profile_and_consent_and_sends_nothing(recorder):
    user = services.create_learner(
        "grace",
        name="Grace Hopper",
        language="en",
        country="US",
        time_zone="America/New_York",
        year_of_birth=1986,
        meta={"company": "Navy"},
        first_name="Grace",
        is_marketable=False,
        password="s3cret-pass",
    )

    assert recorder.sent == []
    assert user.email == "grace@example.com"
    assert user.first_name == "Grace" and user.last_name == ""
    assert user.check_password("s3cret-pass")
    profile = UserProfile.objects.get(user=user)
    assert (profile.name, profile.country, profile.time_zone, profile.year_of_birth, profile.meta) == (
        "Grace Hopper",
        "US",
        "America/New_York",
        1986,
        {"company": "Navy"},
    )
    assert UserAttribute.get_user_attribute(user, "is_marketable") == "false"


def test_create_learner_defaults_and_unknown_fields(recorder):
    user = services.create_learner("alan")
    assert user.profile.name == "alan"
    assert not user.has_usable_password()
    assert UserAttribute.get_user_attribute(user, "is_marketable") is None
    with pytest.raises(TypeError, match="shoe_size"):
        services.create_learner("bob", shoe_size=44)


def test_register_sends_registration_completed_once_with_the_new_user(recorder):
    user = services.register("linus", "linus@example.org")

    assert recorder.names() == ["student.registration.completed"]
    assert recorder.sent[0].data == UserData(
        id=user.id,
        is_active=True,
        pii=UserPersonalData(username="linus", email="linus@example.org", name="linus"),
    )
    assert UserProfile.objects.filter(user=user).exists()


def test_login_moves_last_login_then_sends_session_login_completed(recorder, ada):
    with time_machine.travel(NOW, tick=False):
        services.login(ada)

    ada.refresh_from_db()
    assert ada.last_login == NOW
    assert recorder.names() == ["auth.session.login.completed"]
    assert recorder.sent[0].data.pii == UserPersonalData(username="ada", email="ada@example.com", name="Ada Lovelace")
    assert recorder.sent[0].data.id == ada.id
