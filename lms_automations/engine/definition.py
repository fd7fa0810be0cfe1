"""The v1 automation document ⇄ the relational definition (SPEC §3).

``load_document`` writes a checked document into rows (atomically, with every error reported);
``dump_document`` reads the rows back into the same document, so export → import → export is
identical. Step ids are kept as given; missing ones are generated from the step's kind.
"""
import itertools
import re

from django.db import transaction
from django.utils import timezone

from ..exceptions import InvalidAutomation
from ..models import Automation, ExitCondition, Step, Trigger
from . import listening, trigger_index
from .document_checks import FORMAT
from .entry_periods import format_entry_period, parse_entry_period
from .json_values import json_value_errors
from .secret_params import masked_step_params, restore_secrets, revealed_step_params, seal_secrets
from .validation import automation_start_cycles, validate_document


def load_document(document, *, owner=None, automation=None, actor=None):
    """Create (or, given ``automation``, replace the definition of) an automation from ``document``.

    Replacing keeps every step whose id is still there (its row is updated in place), so runs keep
    their place; runs at a removed step are moved to the next step that remains. A secret param
    that carries the export's mask keeps the secret the step already holds (``secret_params``).
    """
    # Storable, bounded JSON before anything (copying secrets included) walks the document.
    errors = json_value_errors(document)
    if errors:
        raise InvalidAutomation(errors)
    document = restore_secrets(document, automation)
    errors = validate_document(document, automation_id=automation.pk if automation else None, actor=actor)
    if errors:
        raise InvalidAutomation(errors)
    with transaction.atomic():
        created = automation is None
        if created:
            automation = Automation(owner=owner)
        _apply_top_level(automation, document)
        automation.save()
        if created:
            # Only now is the id known that another automation's automation.start may already name.
            errors = automation_start_cycles(document, automation.pk)
            if errors:
                raise InvalidAutomation(errors)
        # A trigger the edit keeps as it was keeps the moment it began to listen (ADR 0015).
        since = {listening.trigger_identity(trigger): trigger.listening_since for trigger in automation.triggers.all()}
        automation.triggers.all().delete()
        automation.exit_conditions.all().delete()
        # One save each (at most 10 + 10), not bulk_create: each row gets its history record (ADR 0013).
        for index, item in enumerate(document["triggers"]):
            trigger = Trigger(automation=automation, position=index, event_type=item["event"],
                              params=item.get("params") or {}, filter=item.get("filter"))
            trigger.listening_since = since.get(listening.trigger_identity(trigger))
            trigger.save()
        for index, item in enumerate(document.get("exit_conditions", [])):
            ExitCondition.objects.create(automation=automation, position=index, event_type=item["event"],
                                         params=item.get("params") or {}, filter=item.get("filter"),
                                         outcome=item.get("outcome", ExitCondition.OUTCOME.converted))
        ids = _StepIds(document.get("steps", []))
        existing = {step.step_id: step for step in automation.steps.all()}
        # Where each soon-removed step led, read before positions change (generated ids are all new).
        old_next = {step_id: steps_after(step) for step_id, step in existing.items()
                    if step_id not in ids.taken}
        kept = set()
        _save_steps(automation, document.get("steps", []), parent=None, side="", ids=ids, existing=existing,
                    kept=kept)
        removed = [step for step_id, step in existing.items() if step_id not in kept]
        if removed:
            move_runs_off_removed_steps(automation, removed, kept, old_next)
            Step.objects.filter(pk__in=[step.pk for step in removed]).delete()
        if automation.status in listening.LISTENING:
            listening.start_watermarks(automation, timezone.now())
        transaction.on_commit(trigger_index.invalidate)
    trigger_index.invalidate()
    return automation


def _apply_top_level(automation, document):
    scope = document.get("scope", {})
    entry = document.get("entry", {})
    automation.name = document["name"].strip()
    automation.description = document.get("description", "")
    automation.scope_courses = list(scope.get("courses", []))
    automation.scope_orgs = list(scope.get("orgs", []))
    automation.status = document.get("status") or Automation.STATUS.draft
    automation.execution = document.get("execution") or Automation.EXECUTION.async_
    automation.entry_policy = entry.get("policy") or Automation.ENTRY_POLICY.each_time
    months, length = parse_entry_period(entry["period"]) if entry.get("period") else (0, None)
    automation.entry_period = length or None
    automation.entry_period_months = months or None


class _StepIds:
    """Hands out the given step ids and generates unique ones (``tag-add``, ``tag-add-2``) for the rest."""

    def __init__(self, steps):
        self.taken = set(_given_ids(steps))

    def take(self, step):
        if step.get("id"):
            return step["id"]
        base = re.sub(r"[^a-z0-9]+", "-", (step.get("action") or step.get("wait") or step["type"]).lower()).strip("-")
        for number in itertools.count(1):
            candidate = base if number == 1 else f"{base}-{number}"
            if candidate not in self.taken:
                self.taken.add(candidate)
                return candidate
        raise AssertionError("unreachable")


def _given_ids(steps):
    for step in steps:
        if step.get("id"):
            yield step["id"]
        for side in ("yes", "no"):
            yield from _given_ids(step.get(side, []))


def _save_steps(automation, steps, *, parent, side, ids, existing, kept):
    for position, item in enumerate(steps):
        step_type = item["type"]
        step_id = ids.take(item)
        fields = {
            "step_type": step_type,
            "kind": item.get(step_type, "") if step_type in ("action", "wait") else "",
            "params": seal_secrets(item, existing.get(step_id)) if step_type != "branch" else {},
            "condition": item.get("condition") if step_type == "branch" else None,
            "parent": parent,
            "side": side,
            "position": position,
        }
        step = existing.get(step_id)
        if step is None:
            step = Step.objects.create(automation=automation, step_id=step_id, **fields)
        elif any(getattr(step, name) != value for name, value in fields.items()):
            for name, value in fields.items():
                setattr(step, name, value)
            step.save()
        kept.add(step_id)
        if step_type == "branch":
            _save_steps(automation, item.get("yes", []), parent=step, side="yes", ids=ids, existing=existing,
                        kept=kept)
            _save_steps(automation, item.get("no", []), parent=step, side="no", ids=ids, existing=existing,
                        kept=kept)


def steps_after(step):
    """The step ids a learner at ``step`` would go through next, in order (to the end of the flow)."""
    from .flow import next_step_id  # pylint: disable=import-outside-toplevel

    chain, current = [], step
    while current is not None:
        following = next_step_id(current)
        if not following:
            break
        chain.append(following)
        current = Step.objects.get(automation_id=step.automation_id, step_id=following)
    return chain


def move_runs_off_removed_steps(automation, removed, kept, old_next):
    """Runs standing at a step being removed continue at the next step that remains (SPEC §5.12)."""
    from ..models import Run, RunLog, RunWake  # pylint: disable=import-outside-toplevel
    from .runs import add_log, schedule_wake  # pylint: disable=import-outside-toplevel

    removed_ids = {step.step_id for step in removed}
    runs = Run.objects.select_for_update().filter(
        automation=automation, status__in=Run.OPEN_STATUSES, current_step_id__in=list(removed_ids))
    now = timezone.now()
    for run in runs:
        target = next((step_id for step_id in old_next.get(run.current_step_id, []) if step_id in kept), None)
        add_log(run, RunLog.KIND.staff, f"step {run.current_step_id!r} was removed; moved to "
                f"{target or 'the end of the flow'}", step_id=run.current_step_id, at=now)
        run.current_step_id = target or ""
        run.visit += 1
        run.awaited_event_type = ""
        run.save(update_fields=["current_step_id", "visit", "awaited_event_type", "modified"])
        schedule_wake(run, now, RunWake.REASON.start)


def dump_document(automation, *, reveal_secrets=False):
    """The v1 document of ``automation``, keys in the order the SPEC shows them.

    Secret params (a webhook's signing secret) are masked unless ``reveal_secrets`` — only for the
    engine's own checks, never for anything a person or another system reads.
    """
    steps = list(automation.steps.all())
    children = {}
    for step in sorted(steps, key=lambda s: (s.side, s.position, s.pk)):
        children.setdefault((step.parent_id, step.side), []).append(step)
    return {
        "format": FORMAT,
        "name": automation.name,
        "description": automation.description,
        "scope": {"courses": list(automation.scope_courses), "orgs": list(automation.scope_orgs)},
        "status": automation.status,
        "execution": automation.execution,
        "entry": {
            "policy": automation.entry_policy,
            "period": format_entry_period(automation.entry_period_months, automation.entry_period),
        },
        "triggers": [_event_row(t, event=t.event_type, filter=t.filter)
                     for t in automation.triggers.order_by("position")],
        "steps": _dump_steps(children, None, "", reveal_secrets),
        "exit_conditions": [
            _event_row(e, event=e.event_type, filter=e.filter, outcome=e.outcome)
            for e in automation.exit_conditions.order_by("position")
        ],
    }


def _event_row(row, **keys):
    """A trigger or exit condition; ``params`` only when it has some (older documents had none)."""
    if row.params:
        keys = {"event": keys.pop("event"), "params": row.params, **keys}
    return keys


def _dump_steps(children, parent_id, side, reveal_secrets):
    dumped = []
    for step in children.get((parent_id, side), []):
        if step.step_type == Step.TYPE.branch:
            dumped.append({
                "id": step.step_id,
                "type": "branch",
                "condition": step.condition,
                "yes": _dump_steps(children, step.pk, "yes", reveal_secrets),
                "no": _dump_steps(children, step.pk, "no", reveal_secrets),
            })
        else:
            params = revealed_step_params(step) if reveal_secrets else masked_step_params(step)
            dumped.append({"id": step.step_id, "type": step.step_type, step.step_type: step.kind, "params": params})
    return dumped
