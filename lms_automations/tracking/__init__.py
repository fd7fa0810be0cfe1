"""Open and click tracking and the one-click unsubscribe link of the plugin's own e-mails.

Links carry signed tokens (``django.core.signing``), so the views need no table of sent messages,
cannot be pointed at another learner or another address (no open redirect), and a replayed link
only repeats an event the idempotency key already holds.
"""
