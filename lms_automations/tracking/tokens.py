"""Signed, URL-safe tokens for the tracking links; one salt per kind so a token of one kind is
worthless as another."""
from django.core import signing

KINDS = ("open", "click", "unsubscribe")


def make_token(kind, **data):
    assert kind in KINDS
    return signing.dumps(data, salt=f"lms_automations.email.{kind}", compress=True)


def read_token(kind, token):
    """The data a token was made with, or None when it was not made here (or was altered)."""
    try:
        return signing.loads(token, salt=f"lms_automations.email.{kind}")
    except signing.BadSignature:
        return None
