"""HMAC-signed requests from commerce sources (a store that has no LMS account).

A source named in ``LMS_AUTOMATIONS["INGEST_HMAC_SECRETS"]`` signs each request with its shared secret::

    X-Automations-Source: shop
    X-Automations-Timestamp: 1767225600                 (Unix seconds, when the request was made)
    X-Automations-Signature: sha256=<hex HMAC-SHA256 of b"<timestamp>." + raw body>

A request whose timestamp is more than ``INGEST_HMAC_MAX_AGE_SECONDS`` away from the server's clock is
refused, so a captured request cannot be replayed later; within that window the event's idempotency key
(required from signed sources) makes a replay the same event. The caller is no Django user:
``request.user`` stays anonymous and ``request.auth`` is the ``SignedSource``.
"""
import hashlib
import hmac
import time

from django.contrib.auth.models import AnonymousUser
from rest_framework import authentication, exceptions

from ..conf import get_setting

SOURCE_HEADER = "X-Automations-Source"
TIMESTAMP_HEADER = "X-Automations-Timestamp"
SIGNATURE_HEADER = "X-Automations-Signature"
SIGNATURE_PREFIX = "sha256="


class SignedSource:
    """The ``request.auth`` of a correctly signed request: which configured source sent it."""

    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return f"SignedSource({self.name!r})"


def sign(secret, timestamp, body):
    """The hex signature a source sends for ``body`` (bytes) made at ``timestamp`` (Unix seconds)."""
    message = str(timestamp).encode("ascii") + b"." + body
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def _meta_key(header):
    return "HTTP_" + header.upper().replace("-", "_")


class HmacSourceAuthentication(authentication.BaseAuthentication):
    """Authenticates requests carrying the three signature headers; ignores requests without any."""

    def authenticate(self, request):
        meta = request.META
        values = [meta.get(_meta_key(header), "").strip() for header in (SOURCE_HEADER, TIMESTAMP_HEADER,
                                                                          SIGNATURE_HEADER)]
        if not any(values):
            return None  # not a signed request: let the other authenticators decide
        source, timestamp, signature = values
        if not all(values):
            raise exceptions.AuthenticationFailed(
                f"A signed request needs all of {SOURCE_HEADER}, {TIMESTAMP_HEADER} and {SIGNATURE_HEADER}.")
        secrets = get_setting("INGEST_HMAC_SECRETS") or {}
        secret = secrets.get(source)
        if not secret:
            raise exceptions.AuthenticationFailed(
                f"Unknown source {source!r}: the operator must add it to LMS_AUTOMATIONS['INGEST_HMAC_SECRETS'].")
        try:
            sent_at = int(timestamp)
        except ValueError:
            raise exceptions.AuthenticationFailed(
                f"{TIMESTAMP_HEADER} must be Unix time in whole seconds (got {timestamp[:40]!r}).") from None
        max_age = int(get_setting("INGEST_HMAC_MAX_AGE_SECONDS"))
        if abs(time.time() - sent_at) > max_age:
            raise exceptions.AuthenticationFailed(
                f"{TIMESTAMP_HEADER} is more than {max_age} seconds away from the server's clock: sign each "
                f"request when you send it (and check the sender's clock).")
        given = signature.removeprefix(SIGNATURE_PREFIX).strip().lower()
        expected = sign(secret, timestamp, request.body)  # over the header exactly as sent
        if not hmac.compare_digest(expected.encode("ascii"), given.encode("ascii", "replace")):
            raise exceptions.AuthenticationFailed(
                "The signature does not match: sign b\"<timestamp>.\" + the raw body with HMAC-SHA256 and the "
                "source's shared secret, hex-encoded.")
        return AnonymousUser(), SignedSource(source)

    def authenticate_header(self, request):
        return 'HMAC-SHA256 realm="lms_automations"'
