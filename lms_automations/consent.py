"""Changing a learner's marketing consent, and the one event each change records.

Every path that opts a learner out or back in — the signed unsubscribe page, staff in admin, the
``learner.unsubscribe`` step — comes here: the consent row is locked, and only a real change (from
subscribed to unsubscribed or back) writes and records ``email.unsubscribed`` /
``email.resubscribed``, so a double click, a re-sent one-click POST or a second tab records
nothing more. A learner with no row is subscribed (the LMS's ``is_marketable`` is read by the
``learner.subscribed`` condition, not stored here).
"""
from django.db import transaction
from django.utils import timezone

from .happened.recording import record_event
from .models import Event, MarketingConsent


def set_subscribed(user_id, subscribed, *, source, payload=None, now=None):
    """Record the learner's choice; returns True when it changed anything (and an event was recorded)."""
    now = now or timezone.now()
    with transaction.atomic():
        consent = MarketingConsent.objects.select_for_update().filter(user_id=user_id).first()
        was_subscribed = True if consent is None else consent.subscribed
        if was_subscribed == subscribed:
            return False
        if consent is None:
            consent = MarketingConsent.objects.create(user_id=user_id, subscribed=subscribed, source=source)
        else:
            consent.subscribed, consent.source = subscribed, source
            consent.save(update_fields=["subscribed", "source", "changed_at"])
        record_change(consent, payload, now)
    return True


def record_change(consent, payload=None, now=None):
    """The event of a change already written to ``consent`` (the admin saves the row itself)."""
    event_type = "email.unsubscribed" if not consent.subscribed else "email.resubscribed"
    stamp = consent.changed_at.isoformat()
    record_event(event_type, user_id=consent.user_id, payload={**(payload or {}), "user_id": consent.user_id},
                 occurred_at=now or timezone.now(), source=Event.SOURCE.plugin,
                 idempotency_key=f"{event_type}:{consent.user_id}:{stamp}")
