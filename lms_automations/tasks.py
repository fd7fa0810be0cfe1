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


@shared_task(name="lms_automations.start_learner_range", ignore_result=True)
@set_code_owner_attribute
def start_learner_range(automation_id, after_user_id, upto_user_id, started_by, staff_note="", requested_at=None,
                        plan=False):
    """Start the learners enrolled in an automation's scope courses with ids in ``(after, upto]``
    (``None``: no bound). With ``plan``, split that span into ranges of a few thousand learners
    first and enqueue one task for each, so a start of a whole site fans out over the workers."""
    import datetime  # pylint: disable=import-outside-toplevel

    from .conf import get_setting  # pylint: disable=import-outside-toplevel
    from .engine import lifecycle  # pylint: disable=import-outside-toplevel
    from .models import Automation  # pylint: disable=import-outside-toplevel

    automation = Automation.objects.filter(pk=automation_id).first()
    if automation is None or automation.status not in (Automation.STATUS.active, Automation.STATUS.testing):
        return
    if plan:
        for after, upto in lifecycle.plan_enrolled_ranges(automation, after_user_id=after_user_id):
            start_learner_range.apply_async(args=[automation_id, after, upto, started_by, staff_note, requested_at],
                                            queue=get_setting("CELERY_QUEUE"))
        return
    lifecycle.start_enrolled_range(
        automation, after_user_id, upto_user_id, by=started_by, staff_note=staff_note,
        requested_at=datetime.datetime.fromisoformat(requested_at) if requested_at else None)
