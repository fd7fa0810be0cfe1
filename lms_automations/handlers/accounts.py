"""Account receivers: registration and login (openedx-events)."""
from .base import never_raises, record_openedx_event


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
