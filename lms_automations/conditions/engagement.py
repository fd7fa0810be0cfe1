"""Conditions on the learner's history with e-mail and other automations."""
from django.utils import timezone

from ..catalogue import Condition
from ..engine.durations import parse_duration
from ..models import Event, Run
from .schemas import DURATION, params


class EmailEngagement(Condition):
    key = "email.engagement"
    label = "E-mail engagement"
    category = "E-mail"
    description = "Whether the learner was sent, opened or clicked an automation e-mail (optionally of one step)."
    params_schema = params(("what",), what={"type": "string", "enum": ["sent", "opened", "clicked"]},
                           step_id={"type": "string"}, automation_id={"type": ["integer", "string"]}, within=DURATION)

    def evaluate(self, params, context):
        events = Event.objects.filter(user_id=context.user_id, event_type=f"email.{params['what']}")
        if params.get("within"):
            events = events.filter(occurred_at__gte=(context.now or timezone.now()) - parse_duration(params["within"]))
        step_id, automation_id = params.get("step_id"), params.get("automation_id")
        matches = [
            event for event in events.order_by("-occurred_at")[:500]
            if (not step_id or event.payload.get("step_id") == step_id)
            and (not automation_id or str(event.payload.get("automation_id")) == str(automation_id))
        ]
        return bool(matches), len(matches)


class AutomationRunState(Condition):
    key = "automation.run"
    label = "State in another automation"
    category = "Automations"
    description = ("The learner's state in an automation: active (in it now), finished (a run ended), converted "
                   "(a run reached its goal) or never (never entered).")
    params_schema = params(("automation_id", "state"), automation_id={"type": ["integer", "string"]},
                           state={"type": "string", "enum": ["active", "finished", "converted", "never"]})

    def evaluate(self, params, context):
        runs = Run.objects.filter(user_id=context.user_id, automation_id=int(params["automation_id"]))
        statuses = set(runs.values_list("status", flat=True))
        state = params["state"]
        if state == "active":
            result = bool(statuses & set(Run.OPEN_STATUSES))
        elif state == "finished":
            result = bool(statuses - set(Run.OPEN_STATUSES))
        elif state == "converted":
            result = Run.STATUS.converted in statuses
        else:
            result = not statuses
        return result, sorted(statuses)
