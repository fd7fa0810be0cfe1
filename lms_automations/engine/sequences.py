"""Sequences between automations: ``automation.started``, and the guard that keeps them finite.

Every run that starts records ``automation.started`` (key ``automation.started:<run id>``), so the
next automation of a sequence can start when a learner enters this one. The payload carries the
*sequence*: the ids of the automations entered one after the other, at once, through
``automation.started`` triggers and ``automation.start`` steps, ending with this one. A run that
was started by anything else (an LMS event, staff) begins a new sequence of one.

The guard (ADR 0017) is at run time, because a trigger's filter can say anything (``ne``, ``any``,
no filter at all) and no reading of it at validation can be sure: an automation already in the
sequence is never started again by it — neither by ``automation.started`` (the refusal is recorded,
reason ``loop``) nor by ``automation.start``. So "X starts when X starts" and A → B → A end after
one round, whatever the 60-second guard is set to. A sequence that passes through a wait (or
through ``automation.finished``) is not instantaneous and starts afresh: a monthly loop is allowed.

Scope (SPEC §5.16): an automation hears ``automation.started`` only of automations inside its own
scope — a site-wide one hears every automation, a course-scoped one only automations whose every
course (and org) is one of its own.
"""
from django.utils.translation import gettext as _

from ..authority import Scope
from ..models import Automation, Event

STARTED = "automation.started"
#: Longest sequence carried in a payload (a guard on the payload's size, not on the loop: the
#: loop guard needs no limit, since an automation appears in a sequence at most once).
MAX_SEQUENCE = 200


def sequence_after(context_event_type, context_event, automation_id):
    """The sequence of a run of ``automation_id`` started by an event of this type and payload."""
    earlier = []
    if context_event_type == STARTED:
        earlier = [int(item) for item in (context_event or {}).get("sequence") or () if _is_id(item)]
    return (earlier + [int(automation_id)])[-MAX_SEQUENCE:]


def run_sequence(run):
    """The sequence a run belongs to (stored in its context when it started; older runs: itself)."""
    stored = (run.context or {}).get("sequence")
    if isinstance(stored, list) and stored:
        return [int(item) for item in stored if _is_id(item)]
    return sequence_after((run.context or {}).get("event_type"), (run.context or {}).get("event"), run.automation_id)


def started_event(run, *, started_by, now):
    """The ``automation.started`` event of ``run`` (saved: it has a pk), as ``record_events`` takes it."""
    context = run.context or {}
    payload = {"user_id": run.user_id, "automation_id": run.automation_id, "run_id": run.pk,
               "started_by": started_by, "sequence": run_sequence(run)}
    course_key = (context.get("event") or {}).get("course_key")
    if course_key:
        payload["course_key"] = course_key  # the matcher's course scope then holds as for any event
    return {"event_type": STARTED, "user_id": run.user_id, "payload": payload, "occurred_at": now,
            "source": Event.SOURCE.plugin, "idempotency_key": f"{STARTED}:{run.pk}"}


def started_by_of(run):
    """What started a run, in words for the payload: the event type, or ``staff``."""
    return (run.context or {}).get("event_type") or "staff"


def sequence_refusal(automation, event, definitions=None):
    """``(EntryRefusal reason, detail)`` when ``automation`` may not start on this ``automation.started``
    event; None otherwise (and for every other event type)."""
    if event.event_type != STARTED:
        return None
    payload = event.payload or {}
    sequence = [int(item) for item in payload.get("sequence") or () if _is_id(item)]
    if automation.pk in sequence:
        return "loop", _("automation %(id)s is already in this sequence (%(path)s): it would start itself again") % {
            "id": automation.pk, "path": " → ".join(str(item) for item in sequence)}
    started_id = payload.get("automation_id")
    started = definitions.automation(started_id) if definitions is not None and _is_id(started_id) else None
    if started is None and _is_id(started_id):
        started = Automation.objects.filter(pk=started_id).only("scope_courses", "scope_orgs").first()
    if started is None or not scope_contains(automation, started):
        return "scope", _("automation %(id)s is outside this automation's scope") % {"id": started_id}
    return None


def scope_contains(listener, other):
    """Whether ``other``'s scope lies inside ``listener``'s: what ``listener`` may follow on from."""
    outer, inner = Scope.of(listener), Scope.of(other)
    if outer.site_wide:
        return True
    if inner.site_wide:
        return False
    return all(outer.contains_course(key) for key in inner.courses) and set(inner.orgs) <= set(outer.orgs)


def _is_id(value):
    return isinstance(value, int) and not isinstance(value, bool) or (isinstance(value, str) and value.isdigit())
