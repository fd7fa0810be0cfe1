"""Actions that move the learner between automations (database-local: exactly once).

``automation.start`` enters the learner exactly as an event would — the target's entry policy and
the 60-second guard apply — so a flow cannot force a learner through an automation meant to run
once. The new run sees the starting run's triggering event as its own (``{{ event.course_key }}``
works in both), its timeline says who started it, and it is advanced after this step commits: in
this process for a ``sync`` target, through Celery otherwise.
"""
from django.db import transaction

from ..catalogue import Action
from ..engine.errors import PermanentError
from ..engine.sequences import run_sequence
from ..models import Automation, Run, RunLog, TestLearner
from .params import AUTOMATION_ID, params, rendered_automation_id

STARTABLE = (Automation.STATUS.active, Automation.STATUS.testing)


def _target(params):
    automation_id = rendered_automation_id(params)
    target = Automation.objects.filter(pk=automation_id).first()
    if target is None:
        raise PermanentError(f"params.automation_id: there is no automation {automation_id} (was it deleted?)")
    return target


def _origin(context):
    automation = context.automation
    return f"automation {automation.pk} ({automation.name})" if automation else "another automation"


class AutomationStart(Action):
    key = "automation.start"
    label = "Start another automation"
    category = "Automations"
    description = ("Puts the learner into another automation, which must be active or testing. Its entry policy "
                   "applies (e.g. once per learner), so the learner may be kept out; that is not an error. A test run "
                   "starts a test run, whose messages go to staff.")
    external = False
    params_schema = params(("automation_id",), automation_id=AUTOMATION_ID)

    def execute(self, params, context):
        from ..engine.runs import start_run  # pylint: disable=import-outside-toplevel

        target = _target(params)
        if context.automation and target.pk == context.automation.pk:
            raise PermanentError("an automation cannot start itself; that would loop forever")
        if target.status not in STARTABLE:
            raise PermanentError(f"automation {target.pk} ({target.name}) is {target.status}; "
                                 "set it to active or testing first")
        source = context.run
        if target.status == Automation.STATUS.testing and not TestLearner.objects.filter(
                automation=target, user_id=context.user_id).exists():
            return {"started": False, "reason": f"automation {target.pk} is testing and the learner is not one of "
                                                "its test learners"}
        if source is not None and target.pk in run_sequence(source):
            # A sequence through automation.started triggers came back here (ADR 0017): one round is enough.
            return {"started": False, "reason": f"automation {target.pk} is already in this sequence "
                                                f"({' → '.join(map(str, run_sequence(source)))}); not started again"}
        is_test = target.status == Automation.STATUS.testing or bool(source and source.is_test)
        run, refusal = start_run(target, context.user_id, now=context.now, is_test=is_test, origin_run=source)
        if run is None:
            return {"started": False, "reason": refusal}
        RunLog.objects.filter(run=run, kind=RunLog.KIND.started).update(message=f"started by {_origin(context)}")
        _advance_after_commit(run.pk, target.execution)
        return {"started": True, "run_id": run.pk, "automation_id": target.pk}


def _advance_after_commit(run_id, execution):
    # pylint: disable=import-outside-toplevel
    from ..engine.dispatch import advance_runs
    from ..engine.tick import enqueue_resume

    if execution == Automation.EXECUTION.sync:
        transaction.on_commit(lambda: advance_runs([run_id]))
    else:
        transaction.on_commit(lambda: enqueue_resume([run_id], None))


class AutomationExit(Action):
    key = "automation.exit"
    label = "Take out of another automation"
    category = "Automations"
    description = ("Ends the learner's open runs of another automation with the outcome exited (a pending wait there "
                   "is cancelled). Nothing happens if the learner is not in it.")
    external = False
    params_schema = params(("automation_id",), automation_id=AUTOMATION_ID)

    def execute(self, params, context):
        from ..engine.runs import end_run  # pylint: disable=import-outside-toplevel

        target = _target(params)
        if context.automation and target.pk == context.automation.pk:
            raise PermanentError("automation.exit takes the learner out of another automation; this run ends at "
                                 "the end of its own flow")
        open_runs = Run.objects.select_for_update().filter(
            automation=target, user_id=context.user_id, status__in=Run.OPEN_STATUSES).order_by("pk")
        ended = []
        for run in open_runs:
            end_run(run, Run.STATUS.exited, f"taken out by {_origin(context)}", now=context.now)
            ended.append(run.pk)
        return {"ended_runs": ended}
