"""Completion receiver: edx-completion has no openedx-event, so this listens to ``BlockCompletion`` saves.

Connected with ``sender=completion.models.BlockCompletion`` by the plugin wiring; nothing here imports
edx-completion, so the module loads where it is absent.
"""
from ..models import Event
from ..recording import record_event
from .base import business_key, never_raises

COMPLETE = 1.0


@never_raises
def on_block_completion_saved(sender, signal=None, **kwargs):
    """``post_save`` of a BlockCompletion at 1.0 → ``progress.block_completed``; partial values are ignored.

    The host gives no event id, so the key is the (learner, block) pair: the block's first completion
    is the event, and re-saves or re-completions of the same block are not new ones. Fixture loading
    (``raw``) is not learner activity.
    """
    completion = kwargs["instance"]
    if kwargs.get("raw") or completion.completion < COMPLETE:
        return
    block_key = completion.full_block_key
    user_id = completion.user_id
    record_event(
        "progress.block_completed",
        user_id=user_id,
        payload={
            "user_id": user_id,
            "course_key": str(completion.context_key),
            "block_key": str(block_key),
            "block_type": completion.block_type,
        },
        occurred_at=completion.modified,
        source=Event.SOURCE.django_signal,
        idempotency_key=business_key("completion", user_id, block_key),
    )
