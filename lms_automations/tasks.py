"""Celery tasks: thin shells that load ids and call the engine (JSON arguments only)."""
from celery import shared_task
from edx_django_utils.monitoring import set_code_owner_attribute

from .engine import dispatch, stepping


@shared_task(name="lms_automations.dispatch_events", ignore_result=True)
@set_code_owner_attribute
def dispatch_events(idempotency_keys=None, attempt=0):
    """Dispatch the events one host commit recorded (their learners' pending events); None: the outbox."""
    dispatch.dispatch_events(idempotency_keys, attempt=attempt)


@shared_task(name="lms_automations.dispatch_event", ignore_result=True)
@set_code_owner_attribute
def dispatch_event(idempotency_key):
    """Dispatch one recorded event (messages published before the batched engine)."""
    dispatch.dispatch_events([idempotency_key])


@shared_task(name="lms_automations.resume_runs", ignore_result=True)
@set_code_owner_attribute
def resume_runs(run_ids, token):
    """Advance a batch of runs the tick claimed; ``token`` is the claim's lease end."""
    stepping.advance_runs(run_ids, token=token)
