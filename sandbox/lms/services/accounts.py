"""Learner accounts in the sandbox LMS: made quietly, registered, logged in."""
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from openedx_events.learning.signals import SESSION_LOGIN_COMPLETED, STUDENT_REGISTRATION_COMPLETED

from .. import payloads
from ..models import UserAttribute, UserProfile

_USER_FIELDS = {"first_name", "last_name", "is_active", "is_staff", "is_superuser", "date_joined"}
_PROFILE_FIELDS = {"name", "language", "country", "time_zone", "year_of_birth", "meta"}


def create_learner(username, email=None, **profile):
    """Make a user with a profile, sending nothing (like a user loaded by a script, not registered).

    ``profile`` takes profile fields (name, language, country, time_zone, year_of_birth, meta), user
    fields (first_name, last_name, is_active, is_staff, is_superuser, date_joined), ``password`` and
    ``is_marketable`` (bool, stored as the ``is_marketable`` user attribute). ``name`` defaults to the
    username; first and last name stay empty unless given, as after an Open edX registration.
    """
    unknown = set(profile) - _USER_FIELDS - _PROFILE_FIELDS - {"password", "is_marketable"}
    if unknown:
        raise TypeError(f"create_learner() got unexpected fields: {', '.join(sorted(unknown))}")
    password = profile.pop("password", None)
    is_marketable = profile.pop("is_marketable", None)
    user_fields = {k: profile.pop(k) for k in list(profile) if k in _USER_FIELDS}
    profile.setdefault("name", username)
    with transaction.atomic():
        user = get_user_model()(username=username, email=email or f"{username}@example.com", **user_fields)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save()
        UserProfile.objects.create(user=user, **profile)
        if is_marketable is not None:
            UserAttribute.set_user_attribute(user, "is_marketable", "true" if is_marketable else "false")
    return user


def register(username, email):
    """Register through the LMS: user and profile, then ``STUDENT_REGISTRATION_COMPLETED``.

    The account is active at once, as on an LMS that skips e-mail activation (``SKIP_EMAIL_VALIDATION``);
    the profile name is the username, since the sandbox has no registration form.
    """
    with transaction.atomic():
        user = create_learner(username, email)
        STUDENT_REGISTRATION_COMPLETED.send_event(user=payloads.user_data(user))
    return user


def login(user):
    """Log in: ``last_login`` moves to now, then ``SESSION_LOGIN_COMPLETED``.

    Django's ``user_logged_in`` is not sent: there is no request or session in the sandbox.
    """
    with transaction.atomic():
        user.last_login = timezone.now()
        user.save(update_fields=["last_login"])
        SESSION_LOGIN_COMPLETED.send_event(user=payloads.user_data(user))
    return user
