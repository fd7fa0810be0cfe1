"""What a new definition would do to learners in the flow, asked before it is saved.

Saving a document that removes steps where learners are moves them on to the next step that remains
(SPEC §5.12, ``api.update_automation``). The builder and the REST API ask first: they answer 409 with
who is where and where they will go, and save only when the caller confirms (``move_learners_on``).
"""
from django.db.models import Count

from .engine.definition import steps_after
from .models import Run


def learners_at_removed_steps(automation, document):
    """``[{"step_id", "count", "next"}]`` for steps ``document`` removes where learners are now."""
    kept = set(step_ids(document.get("steps") or []))
    holding = dict(Run.objects.filter(automation=automation, status__in=Run.OPEN_STATUSES)
                   .exclude(current_step_id__in=kept).exclude(current_step_id="")
                   .values("current_step_id").annotate(n=Count("pk")).values_list("current_step_id", "n"))
    found = []
    for step in automation.steps.filter(step_id__in=list(holding)).order_by("pk"):
        following = next((step_id for step_id in steps_after(step) if step_id in kept), None)
        found.append({"step_id": step.step_id, "count": holding[step.step_id], "next": following})
    return found


def step_ids(steps):
    """Every step id of a document's step list, branches' sides included (malformed items skipped)."""
    for step in steps if isinstance(steps, list) else []:
        if isinstance(step, dict):
            if isinstance(step.get("id"), str) and step["id"]:
                yield step["id"]
            for side in ("yes", "no"):
                yield from step_ids(step.get(side) or [])
