"""Celery tasks: thin shells that load ids and call the engine (JSON arguments only)."""
from celery import shared_task
from edx_django_utils.monitoring import set_code_owner_attribute

from .engine import dispatch


@shared_task(name="lms_automations.dispatch_event", ignore_result=True)
@set_code_owner_attribute
def dispatch_event(idempotency_key):
    """Dispatch one recorded event to the engine."""
    dispatch.dispatch_event(idempotency_key)
