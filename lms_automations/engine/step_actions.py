"""Action steps (SPEC §5.14–§5.15): database-local actions in the round's transaction (one
``execute_many`` for a pass's set, or ``execute`` one by one in a savepoint each when the round is
done carefully), external actions after the commit, at least once, with their ``run:step:visit`` key.
"""
import dataclasses
import logging

from django.db import transaction

from ..models import ActionExecution, Run, RunLog
from .context import StepContext
from .errors import StepError
from .secret_params import masked_params, revealed_step_params
from .step_moves import as_transient, handle_failure, move_on, step_key

log = logging.getLogger(__name__)


class Careful(Exception):
    """A database-local action failed in a round run without savepoints: do the round again with them."""


#: What ``_step`` answers for a run left at a database-local action that runs with its set.
DEFERRED = object()


@dataclasses.dataclass
class Local:
    """A database-local action a run stands at, run with the others of its kind (``run_deferred``)."""

    run: Run
    step: object
    action_class: type
    params: dict
    context: StepContext
    execution: ActionExecution


@dataclasses.dataclass
class Call(Local):
    """An external action to perform after the round commits, and then its outcome."""

    result: object = None
    error: StepError = None


# --- actions -------------------------------------------------------------------------------------


def run_action(batch, run, step, context, executions, careful=True, deferred=None):
    from ..catalogue import get_actions  # pylint: disable=import-outside-toplevel

    action_class = get_actions().get(step.kind)
    if action_class is None:
        raise StepError(f"unknown action {step.kind!r}")
    key = step_key(run, step)
    context.idempotency_key = key
    params = rendered_action_params(action_class, step, context)
    execution = executions.get(key)
    if execution is None:
        execution = ActionExecution(run=run, step_id=step.step_id, visit=run.visit, action=step.kind,
                                    idempotency_key=key)
        executions[key] = execution
        batch.new_executions.append(execution)
    elif execution.pk is not None:
        batch.dirty_executions[execution.pk] = execution
    detail = {"params": loggable(step, params)}
    if execution.status == ActionExecution.STATUS.succeeded:
        result = execution.result
    elif not action_class.external and deferred is not None and action_class.execute_many is not None:
        deferred.append(Local(run=run, step=step, action_class=action_class, params=params, context=context,
                               execution=execution))
        return DEFERRED
    elif not action_class.external and careful:
        # Database-local: the effect commits with its record and the move (or goes with its savepoint).
        with transaction.atomic():
            result = action_class().execute(params, context) or {}
    elif not action_class.external:
        try:
            result = action_class().execute(params, context) or {}
        except Exception as error:  # pylint: disable=broad-except
            raise Careful() from error
    else:
        execution.attempts += 1
        return Call(run=run, step=step, action_class=action_class, params=params, context=context,
                     execution=execution)
    record_success(batch, execution, result)
    if action_class.external:
        detail["idempotency_key"] = key
    move_on(batch, run, step, step.next_id, RunLog.KIND.action, f"{step.kind} done", {**detail, "result":
                                                                                      execution.result})
    return True


def run_deferred(batch, deferred):
    """The database-local actions the runs of a pass stand at: one ``execute_many`` per kind, in
    the round's transaction (they commit with the records of their steps: exactly once). If one
    raises, the round is done again carefully, each action on its own in a savepoint."""
    by_kind = {}
    for item in deferred:
        by_kind.setdefault(item.action_class, []).append(item)
    for action_class, items in by_kind.items():
        try:
            results = action_class().execute_many([(item.params, item.context) for item in items])
            if len(results) != len(items):
                raise ValueError(f"{action_class.__name__}.execute_many answered {len(results)} of {len(items)}")
        except Exception as error:  # pylint: disable=broad-except
            raise Careful() from error
        for item, result in zip(items, results, strict=True):
            record_success(batch, item.execution, result or {})
            move_on(batch, item.run, item.step, item.step.next_id, RunLog.KIND.action, f"{item.step.kind} done",
                     {"params": loggable(item.step, item.params), "result": item.execution.result})


def perform(call):
    """An external action, outside any transaction: at least once, with the key passed on."""
    try:
        call.result = call.action_class().execute(call.params, call.context) or {}
    except StepError as error:
        call.error = error
    except Exception as error:  # pylint: disable=broad-except
        log.exception("lms_automations: step %s of run %s raised", call.step.step_id, call.run.pk)
        call.error = as_transient(error)


def record_call(batch, run, call):
    """Record last round's external call on the re-locked run; False when the run stops here."""
    executions = {call.execution.idempotency_key: call.execution}
    if call.execution.pk is not None:
        batch.dirty_executions[call.execution.pk] = call.execution
    if call.error is not None:
        handle_failure(batch, run, call.step, call.error, executions)
        return False
    record_success(batch, call.execution, call.result)
    move_on(batch, run, call.step, call.step.next_id, RunLog.KIND.action, f"{call.step.kind} done",
             {"params": loggable(call.step, call.params), "result": call.execution.result,
              "idempotency_key": call.execution.idempotency_key})
    return True


def rendered_action_params(action_class, step, context):
    """The step's params with templates rendered, except those the action renders itself."""
    raw_names = set(getattr(action_class, "raw_params", ()) or ())
    params = revealed_step_params(step, strict=True)  # secrets decrypted only here (ADR 0010)
    rendered = context.render({name: value for name, value in params.items() if name not in raw_names},
                              f"steps.{step.step_id}.params")
    return {name: params[name] if name in raw_names else rendered[name] for name in params}


def record_success(batch, execution, result):
    execution.status = ActionExecution.STATUS.succeeded
    execution.result = result if isinstance(result, dict) else {"value": result}
    execution.error = ""
    if execution.pk is not None:
        batch.dirty_executions[execution.pk] = execution


def loggable(step, params):
    """The params as the timeline shows them: every secret param the action declares
    (``secret_params``) and every credential header (``secret_header_params``) masked, as exports
    and the admin show them — the params here are decrypted, and the timeline is staff-visible."""
    return masked_params("action", step.kind, params)
