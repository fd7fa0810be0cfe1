"""Where a run goes next, decided in memory: past the wait it leaves, through a branch, into a
wait, or back after a failure (SPEC §5.5–§5.7). Nothing here writes: each decision is recorded in
the round's ``Batch``, which writes them all at once (``engine.batch``); the action steps are
``step_actions``'.
"""
import datetime

from ..conf import get_setting
from ..models import ActionExecution, Run, RunLog, RunWake
from .conditions import evaluate_tree
from .errors import StepError, TransientError


def step_key(run, step):
    return f"{run.pk}:{step.step_id}:{run.visit}"


def leave_wait(batch, snapshot, run, reason):
    """Move a run past the wait it was in; False when the run ended there instead."""
    step = snapshot.step(run.automation_id, run.current_step_id)
    if reason == RunWake.REASON.timeout:
        awaited = run.awaited_event_type
        run.awaited_event_type = ""
        if step is not None and (step.params or {}).get("on_timeout") == "end":
            batch.end(run, Run.STATUS.exited, f"no {awaited} event before the timeout", step_id=step.step_id,
                      automation=run.automation)
            return False
        batch.log(run, RunLog.KIND.resumed, f"no {awaited} event before the timeout; continuing",
                  step_id=run.current_step_id)
    else:
        batch.log(run, RunLog.KIND.resumed, "the wait is over", step_id=run.current_step_id)
    point_to(run, step.next_id if step else None)
    batch.changed(run)
    return True


def point_to(run, step_id):
    run.current_step_id = step_id or ""
    run.visit += 1
    run.attempts = 0


def move_on(batch, run, step, target, kind, message, detail=None):
    """Record a finished step and point the run at ``target``."""
    batch.log(run, kind, message, step_id=step.step_id, detail=detail)
    point_to(run, target)
    batch.changed(run)


def as_transient(error):
    return TransientError(f"{type(error).__name__}: {error}")


# --- branches ------------------------------------------------------------------------------------


def run_branch(batch, run, step, context, executions, careful=True, deferred=None):
    evaluation = evaluate_tree(step.condition, context, path=f"steps.{step.step_id}.condition")
    side = "yes" if evaluation.result else "no"
    target = (step.yes_first if evaluation.result else step.no_first) or step.next_id
    move_on(batch, run, step, target, RunLog.KIND.branch,
             f"condition {'held' if evaluation.result else 'did not hold'} → {side}",
             {**evaluation.as_detail(), "side": side})
    return True


# --- waits ---------------------------------------------------------------------------------------


def run_wait(batch, run, step, context, executions, careful=True, deferred=None):
    from ..catalogue import get_waits  # pylint: disable=import-outside-toplevel

    wait_class = get_waits().get(step.kind)
    if wait_class is None:
        raise StepError(f"unknown wait {step.kind!r}")
    params = context.render(step.params or {}, f"steps.{step.step_id}.params")
    due_at = wait_class().due_at(params, context)
    awaited = getattr(wait_class, "awaited_event", lambda p: None)(params)
    if awaited:
        run.awaited_event_type = awaited
        run.status = Run.STATUS.pending
        batch.changed(run)
        if due_at:
            batch.wake(run, due_at, RunWake.REASON.timeout)
        else:
            batch.no_wake(run)
        until = f" until {due_at.isoformat()}" if due_at else ""
        batch.log(run, RunLog.KIND.wait, f"waiting for {awaited}{until}", step_id=step.step_id,
                  detail={"event": awaited, "timeout_at": due_at.isoformat() if due_at else None})
        return False
    if due_at is None or due_at <= context.now:
        move_on(batch, run, step, step.next_id, RunLog.KIND.wait, "the wait was already over",
                 {"due_at": due_at.isoformat() if due_at else None})
        return True
    run.status = Run.STATUS.pending
    batch.changed(run)
    batch.wake(run, due_at, RunWake.REASON.wait)
    batch.log(run, RunLog.KIND.wait, f"waiting until {due_at.isoformat()}", step_id=step.step_id,
              detail={"due_at": due_at.isoformat()})
    return False


# --- failures ------------------------------------------------------------------------------------


def handle_failure(batch, run, step, error, executions):
    """Fail the run for a permanent error; retry a transient one with exponential backoff."""
    execution = executions.get(step_key(run, step))
    if execution is not None and execution.status != ActionExecution.STATUS.succeeded:
        execution.status, execution.error = ActionExecution.STATUS.failed, error.message
        if execution.pk is not None:
            batch.dirty_executions[execution.pk] = execution
    max_attempts = get_setting("RETRY_MAX_ATTEMPTS")
    if error.permanent or run.attempts + 1 >= max_attempts:
        status = Run.STATUS.failed_silently if error.silent else Run.STATUS.failed
        message = error.message if error.permanent else f"gave up after {max_attempts} attempts: {error.message}"
        batch.end(run, status, message, step_id=step.step_id, detail=error.detail, automation=run.automation)
        return
    run.attempts += 1
    delay = error.retry_after or retry_delay(run.attempts)
    run.status = Run.STATUS.pending
    batch.changed(run)
    batch.wake(run, batch.now + datetime.timedelta(seconds=delay), RunWake.REASON.retry)
    batch.log(run, RunLog.KIND.retry, f"{error.message}; retrying in {int(delay)} s (attempt {run.attempts + 1})",
              step_id=step.step_id, detail=error.detail)



def retry_delay(attempt):
    """Seconds before retry number ``attempt``: exponential from RETRY_BASE_SECONDS, capped."""
    base = get_setting("RETRY_BASE_SECONDS")
    return min(base * (2 ** (attempt - 1)), get_setting("RETRY_MAX_DELAY_SECONDS"))
