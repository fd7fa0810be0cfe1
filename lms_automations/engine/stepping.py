"""Taking a run through its steps: actions, branches and waits (SPEC §5.5–§5.7, §5.14–§5.15).

A run is claimed through its ``RunWake`` row (the tick leases it; inline callers claim it directly),
then advanced one step per transaction until it waits, fails or ends. While it advances, the wake
row holds a lease: a worker that dies mid-run leaves a wake that falls due again, and the tick
resumes the run at the step it had reached.
"""
import datetime
import logging

from django.db import transaction
from django.utils import timezone

from ..conf import get_setting
from ..models import ActionExecution, Run, RunLog, RunWake
from .conditions import evaluate_tree
from .context import StepContext
from .errors import EndRun, StepError, TransientError
from .flow import first_child_id, get_step, next_step_id
from .runs import add_log, end_run, schedule_wake
from .secret_params import revealed_step_params

log = logging.getLogger(__name__)
MAX_STEPS_PER_PASS = 250


def claim_run(run_id, *, token=None, now=None):
    """Lock a due run for advancing; returns the run or None (not due, already taken, or over).

    ``token`` is the lease the tick wrote into the wake row; a resume carrying a stale token (the
    run moved on since) does nothing.
    """
    now = now or timezone.now()
    with transaction.atomic():
        wake = RunWake.objects.select_for_update().filter(run_id=run_id).first()
        if wake is None or (wake.due_at.isoformat() != token if token else wake.due_at > now):
            return None
        run = Run.objects.select_for_update().get(pk=run_id)  # automation loads lazily: lock runs only
        if run.status not in Run.OPEN_STATUSES:
            wake.delete()
            return None
        if wake.reason in (RunWake.REASON.wait, RunWake.REASON.timeout) and not _leave_wait(run, wake.reason, now):
            return None
        wake.reason = RunWake.REASON.start
        wake.due_at = now + datetime.timedelta(seconds=get_setting("RUN_LEASE_SECONDS"))
        wake.save()
        run.status = Run.STATUS.executing
        run.save(update_fields=["status", "current_step_id", "visit", "attempts", "awaited_event_type", "modified"])
        return run


def _leave_wait(run, reason, now):
    """Move a run past the wait it was in; False when the run ended there instead."""
    step = get_step(run.automation_id, run.current_step_id)
    if reason == RunWake.REASON.timeout:
        awaited = run.awaited_event_type
        run.awaited_event_type = ""
        if step is not None and (step.params or {}).get("on_timeout") == "end":
            end_run(run, Run.STATUS.exited, f"no {awaited} event before the timeout", now=now, step_id=step.step_id)
            return False
        add_log(run, RunLog.KIND.resumed, f"no {awaited} event before the timeout; continuing",
                step_id=run.current_step_id, at=now)
    else:
        add_log(run, RunLog.KIND.resumed, "the wait is over", step_id=run.current_step_id, at=now)
    _point_to(run, next_step_id(step) if step else None)
    return True


def _point_to(run, step_id):
    run.current_step_id = step_id or ""
    run.visit += 1
    run.attempts = 0


def advance_run(run, *, now=None):
    """Run steps until the run waits, fails or ends. ``run`` must come from ``claim_run``.

    Before each step the run's status is read again: an exit condition, another automation's
    ``automation.exit`` or staff may have ended the run while a step was running (in another
    process), and an ended run takes no further step.
    """
    for index in range(MAX_STEPS_PER_PASS):
        # The claim has just set the run executing under its row lock: the first step needs no re-read.
        if index and not _still_executing(run):
            return run
        now_step = now or timezone.now()
        if not run.current_step_id:
            with transaction.atomic():
                if _locked_still_executing(run):
                    end_run(run, Run.STATUS.fulfilled, "reached the end of the flow", now=now_step)
            return run
        step = get_step(run.automation_id, run.current_step_id)
        if step is None:
            with transaction.atomic():
                if _locked_still_executing(run):
                    end_run(run, Run.STATUS.failed, f"step {run.current_step_id!r} no longer exists", now=now_step)
            return run
        context = StepContext.for_run(run, now=now_step)
        try:
            carry_on = _STEP_HANDLERS[step.step_type](run, step, context)
        except EndRun as stop:
            with transaction.atomic():
                if _locked_still_executing(run):
                    end_run(run, stop.status, stop.message, now=now_step, step_id=step.step_id)
            return run
        except StepError as error:
            _handle_failure(run, step, error, now_step)
            return run
        except Exception as error:  # pylint: disable=broad-except
            # Deadlocks, dropped connections, bugs: retried like a transient error, then failed.
            log.exception("lms_automations: step %s of run %s raised", step.step_id, run.pk)
            _handle_failure(run, step, _as_transient(error), now_step)
            return run
        if not carry_on:
            return run
    with transaction.atomic():
        schedule_wake(run, timezone.now(), RunWake.REASON.start)
        Run.objects.filter(pk=run.pk, status=Run.STATUS.executing).update(status=Run.STATUS.pending)
    return run


def _still_executing(run):
    """Whether the run is still ours to advance (one indexed read of its status)."""
    status = Run.objects.filter(pk=run.pk).values_list("status", flat=True).first()
    if status == Run.STATUS.executing:
        return True
    if status is not None:
        run.refresh_from_db()
    log.info("lms_automations: run %s is %s; it takes no further step", run.pk, status or "deleted")
    return False


def _locked_still_executing(run):
    """Inside a transaction, before writing the run's status: lock its row and check it is still
    executing — a run ended elsewhere while its step ran is neither reopened nor ended twice."""
    status = Run.objects.select_for_update().filter(pk=run.pk).values_list("status", flat=True).first()
    return status == Run.STATUS.executing


def _as_transient(error):
    return TransientError(f"{type(error).__name__}: {error}")


def _move_on(run, step, target, kind, message, detail=None):
    """Record a finished step and point the run at ``target`` (inside the caller's transaction)."""
    _point_to(run, target)
    run.save(update_fields=["current_step_id", "visit", "attempts", "modified"])
    add_log(run, kind, message, step_id=step.step_id, detail=detail)


# --- actions -------------------------------------------------------------------------------------


def _run_action(run, step, context):
    from ..catalogue import get_actions  # pylint: disable=import-outside-toplevel

    action_class = get_actions().get(step.kind)
    if action_class is None:
        raise StepError(f"unknown action {step.kind!r}")
    key = f"{run.pk}:{step.step_id}:{run.visit}"
    context.idempotency_key = key
    params = _rendered_action_params(action_class, step, context)
    if not action_class.external:
        # Database-local: the effect, its record and the move to the next step commit together.
        with transaction.atomic():
            execution, _ = ActionExecution.objects.get_or_create(
                idempotency_key=key,
                defaults={"run": run, "step_id": step.step_id, "visit": run.visit, "action": step.kind},
            )
            result = execution.result if execution.status == ActionExecution.STATUS.succeeded else (
                action_class().execute(params, context) or {})
            _record_success(execution, result)
            _move_on(run, step, next_step_id(step), RunLog.KIND.action, f"{step.kind} done",
                     {"params": _loggable(params), "result": result})
        return True
    with transaction.atomic():
        execution, _ = ActionExecution.objects.get_or_create(
            idempotency_key=key,
            defaults={"run": run, "step_id": step.step_id, "visit": run.visit, "action": step.kind},
        )
        execution.attempts += 1
        execution.save(update_fields=["attempts", "modified"])
    # External: at least once, with the key passed on (webhook header, Message-ID).
    result = execution.result if execution.status == ActionExecution.STATUS.succeeded else (
        action_class().execute(params, context) or {})
    with transaction.atomic():
        _record_success(execution, result)
        _move_on(run, step, next_step_id(step), RunLog.KIND.action, f"{step.kind} done",
                 {"params": _loggable(params), "result": result, "idempotency_key": key})
    return True


def _rendered_action_params(action_class, step, context):
    """The step's params with templates rendered, except those the action renders itself."""
    raw_names = set(getattr(action_class, "raw_params", ()) or ())
    params = revealed_step_params(step, strict=True)
    rendered = context.render({name: value for name, value in params.items() if name not in raw_names},
                              f"steps.{step.step_id}.params")
    return {name: params[name] if name in raw_names else rendered[name] for name in params}


def _record_success(execution, result):
    execution.status = ActionExecution.STATUS.succeeded
    execution.result = result if isinstance(result, dict) else {"value": result}
    execution.error = ""
    execution.save(update_fields=["status", "result", "error", "modified"])


def _loggable(params):
    return {key: value for key, value in params.items() if key not in ("secret", "headers")}


# --- branches ------------------------------------------------------------------------------------


def _run_branch(run, step, context):
    evaluation = evaluate_tree(step.condition, context, path=f"steps.{step.step_id}.condition")
    side = "yes" if evaluation.result else "no"
    target = first_child_id(step, side) or next_step_id(step)
    with transaction.atomic():
        _move_on(run, step, target, RunLog.KIND.branch, f"condition {'held' if evaluation.result else 'did not hold'}"
                 f" → {side}", {**evaluation.as_detail(), "side": side})
    return True


# --- waits ---------------------------------------------------------------------------------------


def _run_wait(run, step, context):
    from ..catalogue import get_waits  # pylint: disable=import-outside-toplevel

    wait_class = get_waits().get(step.kind)
    if wait_class is None:
        raise StepError(f"unknown wait {step.kind!r}")
    params = context.render(step.params or {}, f"steps.{step.step_id}.params")
    due_at = wait_class().due_at(params, context)
    awaited = getattr(wait_class, "awaited_event", lambda p: None)(params)
    with transaction.atomic():
        if not _locked_still_executing(run):
            return False
        if awaited:
            run.awaited_event_type = awaited
            run.status = Run.STATUS.pending
            run.save(update_fields=["awaited_event_type", "status", "modified"])
            if due_at:
                schedule_wake(run, due_at, RunWake.REASON.timeout)
            else:
                RunWake.objects.filter(run=run).delete()
            until = f" until {due_at.isoformat()}" if due_at else ""
            add_log(run, RunLog.KIND.wait, f"waiting for {awaited}{until}", step_id=step.step_id,
                    detail={"event": awaited, "timeout_at": due_at.isoformat() if due_at else None})
            return False
        if due_at is None or due_at <= context.now:
            _move_on(run, step, next_step_id(step), RunLog.KIND.wait, "the wait was already over",
                     {"due_at": due_at.isoformat() if due_at else None})
            return True
        run.status = Run.STATUS.pending
        run.save(update_fields=["status", "modified"])
        schedule_wake(run, due_at, RunWake.REASON.wait)
        add_log(run, RunLog.KIND.wait, f"waiting until {due_at.isoformat()}", step_id=step.step_id,
                detail={"due_at": due_at.isoformat()})
    return False


_STEP_HANDLERS = {"action": _run_action, "branch": _run_branch, "wait": _run_wait}


# --- failures ------------------------------------------------------------------------------------


def _handle_failure(run, step, error, now):
    """Fail the run for a permanent error; retry a transient one with exponential backoff."""
    with transaction.atomic():
        ActionExecution.objects.filter(run=run, step_id=step.step_id, visit=run.visit).exclude(
            status=ActionExecution.STATUS.succeeded).update(status=ActionExecution.STATUS.failed, error=error.message)
        if not _locked_still_executing(run):
            add_log(run, RunLog.KIND.error, f"{error.message} (the run had already ended; nothing retried)",
                    step_id=step.step_id, at=now, detail=error.detail)
            return
        max_attempts = get_setting("RETRY_MAX_ATTEMPTS")
        if error.permanent or run.attempts + 1 >= max_attempts:
            status = Run.STATUS.failed_silently if error.silent else Run.STATUS.failed
            message = error.message if error.permanent else f"gave up after {max_attempts} attempts: {error.message}"
            end_run(run, status, message, now=now, step_id=step.step_id, detail=error.detail)
            return
        run.attempts += 1
        delay = error.retry_after or retry_delay(run.attempts)
        run.status = Run.STATUS.pending
        run.save(update_fields=["attempts", "status", "modified"])
        schedule_wake(run, now + datetime.timedelta(seconds=delay), RunWake.REASON.retry)
        add_log(run, RunLog.KIND.retry, f"{error.message}; retrying in {int(delay)} s (attempt {run.attempts + 1})",
                step_id=step.step_id, at=now, detail=error.detail)


def retry_delay(attempt):
    """Seconds before retry number ``attempt``: exponential from RETRY_BASE_SECONDS, capped."""
    base = get_setting("RETRY_BASE_SECONDS")
    return min(base * (2 ** (attempt - 1)), get_setting("RETRY_MAX_DELAY_SECONDS"))
