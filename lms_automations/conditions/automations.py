"""Conditions on the learner's runs through other automations."""
from ..catalogue import Condition
from ..engine.errors import PermanentError
from ..models import Automation, Run
from .params import AUTOMATION_ID, params, rendered_automation_id

STATES = ["active", "finished", "converted", "never"]


class AutomationRunState(Condition):
    key = "automation.run"
    label = "State in another automation"
    category = "Automations"
    description = ("The learner's state in an automation: active (in it now, waiting or between steps), finished "
                   "(a run of it has ended, whatever the outcome), converted (a run reached its goal) or never "
                   "(never entered it). Test runs count too.")
    params_schema = params(("automation_id", "state"), automation_id=AUTOMATION_ID,
                           state={"type": "string", "enum": STATES})

    def evaluate(self, params, context):
        automation_id = rendered_automation_id(params)
        statuses = set(Run.objects.filter(user_id=context.user_id, automation_id=automation_id)
                       .values_list("status", flat=True).distinct())
        if not statuses and not Automation.objects.filter(pk=automation_id).exists():
            raise PermanentError(f"params.automation_id: there is no automation {automation_id}")
        open_statuses = set(Run.OPEN_STATUSES)
        result = {
            "active": bool(statuses & open_statuses),
            "finished": bool(statuses - open_statuses),
            "converted": Run.STATUS.converted in statuses,
            "never": not statuses,
        }[params["state"]]
        return result, sorted(statuses)
