"""Baseline Celery tasks for the benchmarks, loaded by the benchmark's workers (``--include``).

``bench.noop`` does nothing but count itself (one Redis INCR): the broker's drain rate.
``bench.minimal`` is the hand-written minimal Django task the engine is compared with: read a row,
evaluate a condition, write two rows, in one transaction.
"""
import os

import redis
from celery import shared_task
from django.db import transaction

COUNTER = "lms_automations:bench:done"


def counter():
    return redis.Redis.from_url(os.environ["CELERY_BROKER_URL"])


@shared_task(name="bench.noop", ignore_result=True)
def noop():
    counter().incr(COUNTER)


@shared_task(name="bench.minimal", ignore_result=True)
def minimal(user_id):
    from django.contrib.auth import get_user_model  # pylint: disable=import-outside-toplevel
    from django.utils import timezone  # pylint: disable=import-outside-toplevel

    from lms_automations.models import Event, LearnerTag  # pylint: disable=import-outside-toplevel

    with transaction.atomic():
        user = get_user_model().objects.filter(pk=user_id).first()
        if user is not None and user.pk >= 0:
            LearnerTag.objects.create(user_id=user.pk, tag="minimal")
            Event.objects.create(event_type="tag.added", user_id=user.pk, payload={"tag": "minimal"},
                                 occurred_at=timezone.now(), source="plugin", idempotency_key=f"minimal:{user.pk}",
                                 dispatched_at=timezone.now())
    counter().incr(COUNTER)
