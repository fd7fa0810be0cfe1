"""Matching an event: exits first, then event waits, then triggers (SPEC §5.1–§5.4, §5.8).

Runs that this event starts or resumes are returned; the caller advances them after its
transaction commits, so a slow action never holds the event's lock.
"""
import logging

from django.utils import timezone

from .. import authority
from ..host import get_host
from ..models import Automation, Run, RunLog, TestLearner
from .conditions import evaluate_tree
from .context import StepContext
from .errors import StepError
from .flow import get_step, next_step_id
from .runs import add_log, end_run, schedule_wake, start_run
from .trigger_index import exits_for, triggers_for

log = logging.getLogger(__name__)


def match_event(event, *, now=None):
    """Apply ``event`` to the learner's open runs and to every trigger; returns runs ready to advance."""
    now = now or timezone.now()
    context = StepContext(user_id=event.user_id, event_type=event.event_type, event=event.payload, now=now,
                          event_id=event.pk)
    apply_exit_conditions(event, context, now)
    ready = resume_event_waits(event, context, now)
    ready.extend(start_matching_runs(event, context, now))
    return ready


def apply_exit_conditions(event, context, now):
    """End every open run of the learner whose automation exits on this event."""
    automation_ids = exits_for(event.event_type)
    if not automation_ids:
        return
    runs = Run.objects.filter(user_id=event.user_id, status__in=Run.OPEN_STATUSES, automation_id__in=automation_ids)
    for run in runs.select_for_update():
        if not authority.event_course_in_scope(run.automation, event.payload):
            continue  # SPEC §5.16: an event of another course is not heard
        for position, exit_condition in enumerate(run.automation.exit_conditions.order_by("position")):
            if exit_condition.event_type != event.event_type:
                continue
            evaluation = _safe_evaluate(exit_condition.filter, context, f"exit_conditions[{position}].filter")
            if evaluation is not None and evaluation.result:
                end_run(run, exit_condition.outcome, f"exit condition {position + 1} met: {event.event_type}",
                        now=now, detail={**evaluation.as_detail(), "event_id": event.pk})
                break


def resume_event_waits(event, context, now):
    """Runs waiting for this kind of event whose wait filter holds move to their next step."""
    ready = []
    waiting = Run.objects.filter(user_id=event.user_id, status=Run.STATUS.pending, awaited_event_type=event.event_type)
    for run in waiting.select_for_update():
        if not authority.event_course_in_scope(run.automation, event.payload):
            continue  # SPEC §5.16: an event of another course is not heard
        step = get_step(run.automation_id, run.current_step_id)
        params = (step.params or {}) if step else {}
        run_context = StepContext.for_run(run, now=now)
        run_context.event_type, run_context.event = event.event_type, dict(event.payload)
        run_context.event_id = event.pk
        evaluation = _safe_evaluate(params.get("filter"), run_context, f"steps.{run.current_step_id}.params.filter")
        if evaluation is None or not evaluation.result:
            continue
        add_log(run, RunLog.KIND.resumed, f"{event.event_type} arrived", step_id=run.current_step_id, at=now,
                detail={**evaluation.as_detail(), "event_id": event.pk})
        run.awaited_event_type = ""
        run.current_step_id = (next_step_id(step) if step else "") or ""
        run.visit += 1
        run.attempts = 0
        run.save(update_fields=["awaited_event_type", "current_step_id", "visit", "attempts", "modified"])
        schedule_wake(run, now, "start")
        ready.append(run)
    return ready


def start_matching_runs(event, context, now):
    """For each active (or testing) automation, the first trigger whose filter holds starts a run."""
    started = []
    for automation_id, triggers in triggers_for(event.event_type).items():
        automation = Automation.objects.filter(pk=automation_id).first()
        if automation is None or not _in_scope(automation, event.payload, event.user_id):
            continue
        is_test = automation.status == Automation.STATUS.testing
        if is_test and not TestLearner.objects.filter(automation=automation, user_id=event.user_id).exists():
            continue
        context.automation = automation
        for position, trigger_filter in triggers:
            evaluation = _safe_evaluate(trigger_filter, context, f"triggers[{position}].filter")
            if evaluation is None or not evaluation.result:
                continue
            run, refusal = start_run(automation, event.user_id, event=event, trigger_position=position, now=now,
                                     is_test=is_test)
            if run is None:
                log.info("lms_automations: %s did not start for user %s: %s", automation, event.user_id, refusal)
            else:
                run.context["trigger"] = evaluation.as_detail()
                run.save(update_fields=["context"])
                started.append(run)
            break
    return started


def _in_scope(automation, payload, user_id):
    """SPEC §5.16: events of the automation's courses; course-less ones only for its enrolled learners."""
    return authority.event_in_scope(automation, payload, user_id, get_host())


def _safe_evaluate(tree, context, path):
    """Evaluate a filter; a broken filter is logged and treated as not matching (never raises)."""
    try:
        return evaluate_tree(tree, context, path)
    except StepError as error:
        log.warning("lms_automations: %s could not be evaluated: %s", path, error.message)
        return None
