"""Conditions on the learner's engagement with the plugin's e-mail (sent, opened, clicked)."""
from django.db.models import Q

from ..catalogue import Condition
from .event import past_events
from .params import AUTOMATION_ID, DURATION, params, rendered_automation_id


class EmailEngagement(Condition):
    key = "email.engagement"
    label = "E-mail engagement"
    category = "Messages"
    description = ("Whether the learner was sent, opened or clicked an e-mail of an automation, from the plugin's "
                   "email.sent / email.opened / email.clicked events. Narrow it to one automation (automation_id) "
                   "and one of its steps (step_id; alone, it means a step of this automation), and to a period "
                   "such as P7D (within). Opens are only known for tracked e-mail that the reader's mail client "
                   "loaded images for.")
    params_schema = params(("what",), what={"type": "string", "enum": ["sent", "opened", "clicked"]},
                           step_id={"type": "string", "minLength": 1, "maxLength": 100},
                           automation_id=AUTOMATION_ID, within=DURATION)

    def evaluate(self, params, context):
        events = past_events(context, f"email.{params['what']}", params.get("within"))
        automation_id = rendered_automation_id(params) if "automation_id" in params else None
        if automation_id is None and params.get("step_id") and context.automation is not None:
            automation_id = context.automation.pk
        if automation_id is not None:
            # Payloads hold the id as a number; one ingested through REST may hold it as text.
            events = events.filter(
                Q(payload__automation_id=automation_id) | Q(payload__automation_id=str(automation_id)))
        if params.get("step_id"):
            events = events.filter(payload__step_id=params["step_id"])
        count = events.count()
        return count > 0, count

