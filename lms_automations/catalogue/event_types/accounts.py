"""Account event types: registration, activation, login."""
from ..events import EventType


class AccountRegistered(EventType):
    key = "account.registered"
    label = "Account registered"
    category = "Account"
    description = "A learner finished registering (STUDENT_REGISTRATION_COMPLETED)."
    payload_fields = {
        "username": "the learner's username",
        "email": "the learner's e-mail address",
    }


class AccountActivated(EventType):
    key = "account.activated"
    label = "Account activated"
    category = "Account"
    description = "A learner confirmed their e-mail address and the account became active (USER_ACCOUNT_ACTIVATED)."


class AccountLoggedIn(EventType):
    key = "account.logged_in"
    label = "Logged in"
    category = "Account"
    description = "A learner logged in to the LMS (SESSION_LOGIN_COMPLETED)."
