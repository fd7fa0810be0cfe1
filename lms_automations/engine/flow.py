"""Moving through an automation's step tree: the first step, and what comes after a step.

Steps are read from the database each time (SPEC §5.5): an edit to a step a learner has not reached
yet is what that learner will get.
"""
from ..models import Step


def first_step_id(automation_id):
    """The id of the first top-level step, or None for an empty flow."""
    return (
        Step.objects.filter(automation_id=automation_id, parent__isnull=True)
        .order_by("position", "pk")
        .values_list("step_id", flat=True)
        .first()
    )


def get_step(automation_id, step_id):
    return Step.objects.filter(automation_id=automation_id, step_id=step_id).first() if step_id else None


def first_child_id(branch, side):
    """The first step on the ``yes`` / ``no`` side of a branch, or None when that side is empty."""
    return (
        Step.objects.filter(parent=branch, side=side).order_by("position", "pk").values_list("step_id", flat=True)
        .first()
    )


def next_step_id(step):
    """The step after ``step``: its next sibling, else the step after its branch (None at the end)."""
    while step is not None:
        sibling = (
            Step.objects.filter(
                automation_id=step.automation_id, parent_id=step.parent_id, side=step.side,
                position__gt=step.position,
            )
            .order_by("position", "pk")
            .values_list("step_id", flat=True)
            .first()
        )
        if sibling:
            return sibling
        step = step.parent
    return None


def flow_step_ids(automation_id):
    """Every step id in flow order (depth first), for ordering and validation."""
    steps = list(Step.objects.filter(automation_id=automation_id).order_by("position", "pk"))
    children = {}
    for step in steps:
        children.setdefault((step.parent_id, step.side), []).append(step)
    ordered = []

    def walk(parent_id, side):
        for step in children.get((parent_id, side), []):
            ordered.append(step.step_id)
            walk(step.pk, "yes")
            walk(step.pk, "no")

    walk(None, "")
    return ordered
