"""Actions that move the learner between automations (database-local)."""
from ..catalogue import Action
from ..engine.errors import PermanentError
from ..models import Automation, Run
from .base import params

AUTOMATION_ID = {"type": ["integer", "string"], "description": "the id of another automation"}


def _target(params):
    try:
        return Automation.objects.get(pk=int(params["automation_id"]))
    except (Automation.DoesNotExist, ValueError, TypeError):
        raise PermanentError(f"there is no automation {params['automation_id']!r}") from None


class AutomationStart(Action):
    key = "automation.start"
    label = "Start another automation"
    category = "Automations"
    description = "Puts the learner into another automation (its entry policy applies); it must be active or testing."
    external = False
    params_schema = params(("automation_id",), automation_id=AUTOMATION_ID)

    def execute(self, params, context):
        from ..engine.runs import start_run  # pylint: disable=import-outside-toplevel

        target = _target(params)
        if target.status not in (Automation.STATUS.active, Automation.STATUS.testing):
            raise PermanentError(f"automation {target.pk} ({target.name}) is {target.status}; activate it first")
        run, refusal = start_run(target, context.user_id, started_by=f"automation {context.automation.pk}"
                                 if context.automation else "automation", now=context.now)
        if run is None:
            return {"skipped": refusal}
        from django.db import transaction  # pylint: disable=import-outside-toplevel

        from ..engine.dispatch import advance_runs  # pylint: disable=import-outside-toplevel

        transaction.on_commit(lambda: advance_runs([run.pk]))
        return {"run_id": run.pk}


class AutomationExit(Action):
    key = "automation.exit"
    label = "Take out of another automation"
    category = "Automations"
    description = "Ends the learner's open runs of another automation as exited."
    external = False
    params_schema = params(("automation_id",), automation_id=AUTOMATION_ID)

    def execute(self, params, context):
        from ..engine.runs import end_run  # pylint: disable=import-outside-toplevel

        target = _target(params)
        ended = []
        for run in Run.objects.select_for_update().filter(automation=target, user_id=context.user_id,
                                                          status__in=Run.OPEN_STATUSES):
            by = context.automation.pk if context.automation else ""
            end_run(run, Run.STATUS.exited, f"taken out by automation {by}", now=context.now)
            ended.append(run.pk)
        return {"ended_runs": ended}
