"""The public Python API of lms-automations (SPEC §7.1) — the place to start reading.

    from lms_automations import api

    automation = api.import_automation(document)      # a v1 JSON document, atomically validated
    api.activate(automation)                          # events now start runs
    api.emit("custom.webinar_attended", user, {"webinar": "intro"})
    api.process_due()                                 # resume runs whose wait is over (the tick does this)
    api.explain(run)                                  # every step the learner went through, and why
    api.dry_run(automation, user)                     # what would happen to them now, changing nothing

Everything here is safe to call from a request or a task; events are dispatched after commit.
"""
import logging
import uuid

from django.db import transaction
from django.utils import timezone

from .engine import lifecycle
from .engine.definition import dump_document, load_document
from .engine.stepping import advance_run, advance_runs, claim_run
from .engine.tick import hand_to_workers
from .exceptions import InvalidAutomation
from .happened.recording import record_event
from .models import Automation, Event, RunWake
from .retirement import is_retired

__all__ = [
    "InvalidAutomation", "activate", "advance_waiting", "cancel", "deactivate", "delete", "dry_run", "emit", "explain",
    "export_automation", "import_automation", "preview_start", "process_due", "replay", "start_enrolled",
    "start_learners", "update_automation",
]
log = logging.getLogger(__name__)


def import_automation(document, *, owner=None, actor=None):
    """Create an automation from a v1 document; raises ``InvalidAutomation`` listing every error.

    ``actor`` (default: ``owner``) is the person importing: unless they are platform staff, the
    scope and every course or automation the steps name must be theirs (SPEC §5.16). Without either,
    the caller is the operator (a script, a management command) and nothing is refused for authority.
    """
    return load_document(document, owner=owner, actor=actor if actor is not None else owner)


def export_automation(automation):
    """The v1 document of ``automation`` (import it again to get the same automation).

    Secret params (a webhook's signing secret) read ``"********"``: updating the automation with the
    document keeps the stored secret; importing it as a new automation asks for the secret.
    """
    return dump_document(automation)


def update_automation(automation, document, *, actor=None):
    """Replace the definition in place; runs keep their place and see steps they have not reached.

    ``actor``: the person updating, who must be allowed to change the automation and to give it the
    new document's scope and effects (SPEC §5.16); None is the operator."""
    if automation.status == Automation.STATUS.finishing:
        raise InvalidAutomation([{"path": "status", "message": "this automation is being deleted; it is read-only"}])
    return load_document(document, automation=automation, actor=actor)


def activate(automation, *, testing=False, actor=None):
    """Validate and switch on (``testing=True``: only for the automation's test learners); ``actor``
    (None: the operator) must be allowed to change it and everything it affects."""
    return lifecycle.set_status(automation, Automation.STATUS.testing if testing else Automation.STATUS.active,
                                actor=actor)


def deactivate(automation):
    """Stop new runs; learners already in the flow continue."""
    return lifecycle.set_status(automation, Automation.STATUS.inactive)


def delete(automation, *, mode="finish"):
    """``finish`` lets learners finish first; ``remove`` cancels their runs and deletes now."""
    return lifecycle.delete(automation, mode=mode)


def emit(event_type, user, payload=None, *, occurred_at=None, idempotency_key=None):
    """Record an event for ``user`` (a user or a user id); dispatched once the caller commits.

    Emitting twice with the same ``idempotency_key`` records one event and returns it both times.
    For a learner the LMS has retired nothing is recorded and None is returned (ADR 0011): the
    caller's request goes on as if the event had been dropped by a filter.
    """
    user_id = getattr(user, "pk", user)
    if is_retired(user_id):
        log.info("lms_automations: %s for retired learner %s was not recorded", event_type, user_id)
        return None
    key = idempotency_key or f"api:{uuid.uuid4()}"
    with transaction.atomic():
        record_event(
            event_type,
            user_id=user_id,
            payload={**(payload or {}), "user_id": user_id},
            occurred_at=occurred_at,
            source=Event.SOURCE.api,
            idempotency_key=key,
        )
        return Event.objects.get(idempotency_key=key[:255])


def process_due(now=None, limit=None):
    """Resume, in this process, every run due by ``now`` (at most ``limit``); returns how many ran.

    The tick does the same through Celery in batches; this is for scripts, tests and small sites.
    """
    now = now or timezone.now()
    due = RunWake.objects.filter(due_at__lte=now).order_by("due_at").values_list("run_id", flat=True)
    return advance_runs(list(due[:limit] if limit else due), now=now)


def start_learners(automation, users, *, in_background=False):
    """Start chosen learners now (after ``preview_start`` told staff how many will enter).

    ``in_background``: their first steps run in Celery workers, not in this process (many learners,
    or a web request)."""
    runs = lifecycle.start_learners(automation, users, advance=not in_background)
    if in_background:
        hand_to_workers([run.pk for run in runs])
    return runs


def start_enrolled(automation, *, by="staff", staff_note="", in_background=True):
    """Start every learner enrolled in the automation's scope courses (the admin's "everyone
    enrolled"), under the admin's rules: learners already in the flow, inactive accounts and, in
    testing, learners who are not test learners are skipped; "once per learner" holds.

    The learners are read in id ranges, never as one list: ``in_background`` hands a single task to
    the workers, which splits the site into ranges and starts each range in sets (one task per
    range); otherwise every range starts in this process (scripts, tests) and ``(started, skipped)``
    is returned. The runs are left due: the tick advances them."""
    if not automation.scope_courses:
        raise ValueError("the automation names no course in its scope (organisations cannot be listed)")
    requested_at = timezone.now()
    if in_background:
        from .conf import get_setting  # pylint: disable=import-outside-toplevel
        from .tasks import start_learner_range  # pylint: disable=import-outside-toplevel

        start_learner_range.apply_async(args=[automation.pk, None, None, by, staff_note, requested_at.isoformat()],
                                        kwargs={"plan": True}, queue=get_setting("CELERY_QUEUE"))
        return None
    started = skipped = 0
    for after, upto in lifecycle.plan_enrolled_ranges(automation):
        done, refused = lifecycle.start_enrolled_range(automation, after, upto, by=by, staff_note=staff_note,
                                                       requested_at=requested_at)
        started, skipped = started + done, skipped + refused
    return started, skipped


def preview_start(automation, users):
    return lifecycle.preview_start(automation, users)


def replay(run, from_step=None):
    run = lifecycle.replay(run, from_step)
    claimed = claim_run(run.pk)
    return advance_run(claimed) if claimed else run


def advance_waiting(automation, step_id, *, in_background=False):
    """Move every learner waiting at ``step_id`` on now; returns how many were moved.

    ``in_background``: their next steps run in Celery workers, not in this process."""
    moved = lifecycle.advance_waiting_runs(automation, step_id)
    if in_background:
        hand_to_workers(moved)
        return len(moved)
    for run_id in moved:  # these runs only, not every run of the site that happens to be due
        run = claim_run(run_id)
        if run is not None:
            advance_run(run)
    return len(moved)


def cancel(run):
    return lifecycle.cancel(run)


def explain(run):
    """The run's timeline: every step reached, every decision with the values it saw."""
    return lifecycle.explain(run)



def dry_run(automation, user, *, document=None, event=None, now=None):
    """What ``automation`` would do with ``user`` now — or ``document`` (a v1 document: unsaved edits,
    or a new automation with ``automation=None``) — with no side effect (``engine.dry_run``). Raises
    ``InvalidAutomation`` for a document that would not import. No authority check: callers acting
    for a person use ``lms_automations.dry_runs.dry_run_for``."""
    from .engine.dry_run import dry_run as run_dry  # pylint: disable=import-outside-toplevel
    from .engine.json_values import json_value_errors  # pylint: disable=import-outside-toplevel
    from .engine.secret_params import restore_secrets  # pylint: disable=import-outside-toplevel
    from .engine.validation import validate_document  # pylint: disable=import-outside-toplevel

    if document is None:
        document = dump_document(automation, reveal_secrets=True)
    else:
        errors = json_value_errors(document)
        if errors:
            raise InvalidAutomation(errors)
        document = restore_secrets(document, automation)
    errors = validate_document(document, automation_id=getattr(automation, "pk", None))
    if errors:
        raise InvalidAutomation(errors)
    return run_dry(automation, document, getattr(user, "pk", user), event_id=getattr(event, "pk", event), now=now)
