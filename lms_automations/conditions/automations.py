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


class AutomationStepReached(Condition):
    """Read from the runs' timelines (a step the learner took is on it), plus where open runs stand now,
    so a learner waiting at the step has reached it too."""

    key = "automation.step_reached"
    label = "Reached a step of another automation"
    category = "Automations"
    description = ("Whether the learner has reached a step of an automation (by the step's id): taken it in any "
                   "run, or standing at it now. For sequences: start the next automation only for learners "
                   "who got as far as a step of this one.")
    params_schema = params(("automation_id", "step_id"), automation_id=AUTOMATION_ID,
                           step_id={"type": "string", "minLength": 1, "maxLength": 100,
                                    "description": "the id of a step of that automation"})

    def evaluate(self, params, context):
        from ..models import RunLog, Step  # pylint: disable=import-outside-toplevel

        automation_id = rendered_automation_id(params)
        step_id = str(params["step_id"])
        if not Step.objects.filter(automation_id=automation_id, step_id=step_id).exists():
            raise PermanentError(f"params.step_id: automation {automation_id} has no step {step_id!r}")
        runs = Run.objects.filter(user_id=context.user_id, automation_id=automation_id)
        reached = (runs.filter(current_step_id=step_id, status__in=Run.OPEN_STATUSES).exists()
                   or RunLog.objects.filter(run__in=runs, step_id=step_id).exists())
        return reached, step_id if reached else None
