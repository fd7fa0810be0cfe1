"""Account receivers: registration and login (openedx-events), activation (an LMS Django signal)."""
from ..models import Event
from ..recording import record_event
from .base import business_key, never_raises, record_openedx_event


@never_raises
def on_registration_completed(sender, signal=None, **kwargs):
    """STUDENT_REGISTRATION_COMPLETED → ``account.registered``."""
    user = kwargs["user"]
    record_openedx_event(
        "account.registered", kwargs, user_id=user.id, username=user.pii.username, email=user.pii.email
    )


@never_raises
def on_session_login_completed(sender, signal=None, **kwargs):
    """SESSION_LOGIN_COMPLETED → ``account.logged_in``."""
    record_openedx_event("account.logged_in", kwargs, user_id=kwargs["user"].id)


@never_raises
def on_account_activated(sender, signal=None, **kwargs):
    """USER_ACCOUNT_ACTIVATED (``Registration.activate``, sent with ``send_robust``) → ``account.activated``.

    An account is activated once; the key makes a repeated activation link the same event.
    """
    user = kwargs["user"]
    record_event("account.activated", user_id=user.pk, payload={"user_id": user.pk},
                 source=Event.SOURCE.django_signal, idempotency_key=business_key("activated", user.pk))
