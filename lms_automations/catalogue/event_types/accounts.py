"""Account event types: registration, activation, login."""
from ..events import EventType


class AccountRegistered(EventType):
    key = "account.registered"
    label = "Registered an account"
    category = "Account"
    description = "Fires when a learner finishes registering in the LMS (STUDENT_REGISTRATION_COMPLETED), once per account."
    payload_fields = {
        "username": "the learner's username",
        "email": "the learner's e-mail address",
    }


class AccountActivated(EventType):
    key = "account.activated"
    label = "Activated an account"
    category = "Account"
    description = "Fires when a learner confirms their e-mail address and the account becomes active (the LMS's USER_ACCOUNT_ACTIVATED Django signal)."


class AccountLoggedIn(EventType):
    key = "account.logged_in"
    label = "Logged in"
    category = "Account"
    description = "Fires on every login to the LMS (SESSION_LOGIN_COMPLETED); use an entry policy to act only on some."
