"""Rate limiting of event ingestion: one bucket per client (user, or signing source), per process cache.

The rate is ``LMS_AUTOMATIONS["INGEST_THROTTLE_RATE"]`` (DRF's ``"<n>/<second|minute|hour|day>"``), read
per request; ``None`` turns throttling off. Counts live in Django's default cache (shared between
processes when the cache is, as the LMS's memcached/Redis cache is).
"""
from rest_framework.throttling import SimpleRateThrottle

from ..conf import get_setting
from .hmac_auth import SignedSource


class EventIngestThrottle(SimpleRateThrottle):
    scope = "lms_automations_events"

    def get_rate(self):
        return get_setting("INGEST_THROTTLE_RATE")

    def get_cache_key(self, request, view):
        if isinstance(request.auth, SignedSource):
            ident = f"source:{request.auth.name}"
        elif request.user and request.user.is_authenticated:
            ident = f"user:{request.user.pk}"
        else:
            ident = f"ip:{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}
