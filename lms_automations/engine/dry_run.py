"""A dry run: what an automation would do with one learner now, with no side effect at all.

    report = dry_run(automation, document, learner_id)   # document: the saved one, or unsaved edits

It answers with the engine's own evaluators, so it cannot say something the engine would not do:
the scope hook (``matching.event_in_scope``), the trigger filters and branch conditions
(``conditions.evaluate_tree``, every leaf with the value it saw), the entry policy and the 60 s
guard (``runs.entry_refusal_reason``), each step's successor (``trigger_index.Definitions``, built
in memory from the document), params rendered as the stepper renders them (``StepContext.render``,
the webhook's ``render_body``) and each wait's ``due_at``. Actions are never executed: an e-mail
is shown rendered (subject, HTML, text), a webhook as the request it would send, secrets masked.

The learner is the learner as they are now; after a wait, time moves on to when the wait ends, but
conditions still read today's values (they are evaluated again when the learner gets there), and
the actions the dry run passes are not applied (a later ``learner.has_tag`` does not see a tag the
flow would add). ``dry_run_guards`` refuses every host call that changes something and every
database write while it runs.
"""
import copy
import itertools

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..host import get_host
from ..models import Automation, Event, ExitCondition, LearnerEntry, Run, Step, TestLearner, Trigger
from .conditions import evaluate_tree
from .context import StepContext
from .definition import _apply_top_level
from .dry_run_guards import ReadOnlyHost, no_writes
from .errors import StepError
from .matching import LearnerCourses, event_in_scope, happened_at
from .runs import entry_refusal_reason
from .secret_params import masked_params
from .trigger_index import Definitions

#: Steps a dry run walks at most (the stepper's own bound per pass is higher; a flow is ≤ 200 steps).
MAX_STEPS = 250
#: The learner's recent events of a trigger's type looked at for the one a trigger is tried with.
RECENT_EVENTS = 20
_UNSAVED_PK = 0


def dry_run(automation, document, learner_id, *, event_id=None, may_use_course=lambda course_key: True, now=None):
    """The report of what would happen to ``learner_id`` now (a JSON-ready dict); writes nothing.

    ``document`` is a valid v1 document (the caller validates it) with its secrets revealed;
    ``automation`` the saved automation it belongs to, or None for a new one. ``may_use_course``
    keeps a course team member's dry run to the events of their courses.
    """
    host = ReadOnlyHost(get_host())
    now = now or timezone.now()
    # The guards refuse any write before it is made; the savepoint keeps the caller's transaction
    # usable should one be refused (DryRunWriteRefused leaves it rolled back).
    with transaction.atomic(), no_writes():
        subject = _in_memory_automation(automation, document)
        snapshot = _definitions(subject, document)
        learner = host.get_learner(learner_id) or {"id": learner_id}
        report = {
            "learner": _learner_summary(learner),
            "automation": {"id": getattr(automation, "pk", None), "name": subject.name, "status": subject.status},
            "now": now.isoformat(),
            "notes": _status_notes(subject),
        }
        triggers, started = _triggers(snapshot, subject, learner_id, host, now, event_id, may_use_course)
        report["triggers"] = triggers
        report["entry"] = _entry(subject, automation, learner_id, now, started, triggers)
        report["start"] = _start_summary(started)
        walk = _Walk(snapshot, subject, learner_id, host, now, started, is_test=report["entry"].get("test", False))
        report["steps"], report["outcome"] = walk.steps, walk.run()
        report["time_zone"] = str(walk.tzinfo)
        report["exit_conditions"] = [{"position": position, "event_type": event_type, "outcome": outcome}
                                     for position, event_type, _filter, outcome in snapshot.automations[
                                         subject.pk].exits]
    return report


# --- the definition, in memory -------------------------------------------------------------------

def _in_memory_automation(automation, document):
    """An unsaved ``Automation`` carrying the document's settings (the saved row is not touched)."""
    subject = copy.copy(automation) if automation is not None else Automation(owner=None)
    subject.pk = automation.pk if automation is not None else _UNSAVED_PK
    _apply_top_level(subject, document)
    return subject


def _definitions(subject, document):
    """The engine's ``Definitions`` of this one document: the successors the stepper would use."""
    # A saved trigger keeps when it began to listen through edits (ADR 0015): the matcher refuses
    # events from before then, and so does the dry run.
    since = dict(Trigger.objects.filter(automation_id=subject.pk).values_list("position", "listening_since")
                 ) if subject.pk != _UNSAVED_PK else {}
    triggers = [Trigger(automation_id=subject.pk, position=index, event_type=item["event"], filter=item.get("filter"),
                        params=item.get("params") or {}, listening_since=since.get(index))
                for index, item in enumerate(document.get("triggers") or [])]
    exits = [ExitCondition(automation_id=subject.pk, position=index, event_type=item["event"],
                           filter=item.get("filter"), params=item.get("params") or {},
                           outcome=item.get("outcome") or ExitCondition.OUTCOME.converted)
             for index, item in enumerate(document.get("exit_conditions") or [])]
    steps, numbers = [], itertools.count(1)

    def add(items, parent, side):
        for position, item in enumerate(items or []):
            step_type = item["type"]
            step = Step(pk=next(numbers), automation_id=subject.pk, step_id=item["id"], step_type=step_type,
                        kind=item.get(step_type, "") if step_type in ("action", "wait") else "",
                        params=item.get("params") or {} if step_type != "branch" else {},
                        condition=item.get("condition") if step_type == "branch" else None,
                        side=side, position=position)
            step.parent_id = parent.pk if parent is not None else None
            steps.append(step)
            if step_type == "branch":
                add(item.get("yes"), step, "yes")
                add(item.get("no"), step, "no")

    add(document.get("steps"), None, "")
    return Definitions([subject], triggers, exits, steps)


def _status_notes(subject):
    if subject.status == Automation.STATUS.active:
        return []
    if subject.status == Automation.STATUS.testing:
        return [_("The automation is in testing: only its test learners would enter.")]
    return [_("The automation is %(status)s: nothing would start now. Shown as if it were active.")
            % {"status": subject.get_status_display().lower()}]


def _learner_summary(learner):
    return {key: learner.get(key) for key in ("id", "username", "email", "name", "first_name", "time_zone")}


# --- triggers and entry ----------------------------------------------------------------------------

def _triggers(snapshot, subject, learner_id, host, now, event_id, may_use_course):
    """Each trigger tried with the learner's latest event of its type (as the matcher would try it);
    returns the rows and ``(position, event, evaluation)`` of the first that would start a run."""
    definition = snapshot.automations[subject.pk]
    learner_courses = LearnerCourses(host=host)
    rows, started, decided = [], None, False
    chosen = Event.objects.filter(pk=event_id, user_id=learner_id).first() if event_id else None
    if chosen is not None and (chosen.payload or {}).get("course_key") and not may_use_course(
            str(chosen.payload["course_key"])):
        chosen = None
    events = {event_type: chosen if chosen is not None and chosen.event_type == event_type
              else _event_for(learner_id, event_type, may_use_course) for event_type in definition.triggers}
    ordered = sorted((position, event_type, trigger_filter, since)
                     for event_type, positions in definition.triggers.items()
                     for position, trigger_filter, since in positions)
    for position, event_type, trigger_filter, since in ordered:
        event = events[event_type]
        row = {"position": position, "event_type": event_type, "event": _event_summary(event), "heard": False,
               "evaluation": None, "error": None, "matched": False, "reason": None}
        rows.append(row)
        if event is None:
            row["reason"] = _("the learner has had no %(event)s event") % {"event": event_type}
            continue
        in_scope = event_in_scope(subject, event, learner_courses)
        if not in_scope and (event.payload or {}).get("course_key"):
            row["reason"] = _("the event is of %(course)s, outside the automation's scope: not heard") % {
                "course": event.payload["course_key"]}
            continue
        row["heard"] = True
        context = StepContext(user_id=learner_id, automation=subject, event_type=event.event_type,
                              event=event.payload, now=now, host=host, event_id=event.pk)
        try:
            evaluation = evaluate_tree(trigger_filter, context, f"triggers[{position}].filter")
        except StepError as error:
            row["error"] = error.message
            row["reason"] = _("the filter cannot be evaluated (the engine treats it as not holding)")
            continue
        row["evaluation"] = evaluation.as_detail()
        if not evaluation.result:
            row["reason"] = _("the filter does not hold with the values seen")
            continue
        if since is not None and happened_at(event) < since:
            row["reason"] = _("the event happened before the trigger started listening (only future events count)")
            row["refusal"] = "before"
            continue
        if not in_scope:
            row["reason"] = _("the learner is not enrolled in a course of the automation (scope)")
            row["refusal"] = "scope"
        else:
            row["matched"] = True
        if not decided:  # the first trigger that holds decides, as in the matcher: a run, or the scope's refusal
            decided, row["decides"] = True, True
            started = (position, event, evaluation) if in_scope else None
    return rows, started


def _event_for(learner_id, event_type, may_use_course):
    """The learner's latest event of ``event_type`` (of a course the viewer may use), or None."""
    recent = Event.objects.filter(user_id=learner_id, event_type=event_type)
    for event in recent.order_by("-occurred_at", "-pk")[:RECENT_EVENTS]:
        course_key = (event.payload or {}).get("course_key")
        if not course_key or may_use_course(str(course_key)):
            return event
    return None


def _event_summary(event):
    if event is None:
        return None
    return {"id": event.pk, "event_type": event.event_type, "occurred_at": event.occurred_at.isoformat(),
            "payload": event.payload}


def _entry(subject, automation, learner_id, now, started, triggers):
    """Whether the learner would enter: testing mode, then the entry policy and the guard, as the
    matcher decides them (on the learner's ``LearnerEntry`` row, read, never created)."""
    entry = (LearnerEntry.objects.filter(automation_id=automation.pk, user_id=learner_id).select_related(
        "active_run").first() if automation is not None else None) or LearnerEntry(entry_count=0)
    test = False
    deciding = next((row for row in triggers if row.get("decides")), None)
    if deciding is not None and deciding.get("refusal") == "scope":
        return {"would_enter": False, "reason": "scope", "test": False,
                "message": _("the learner is not enrolled in a course of the automation (scope)")}
    if deciding is None and any(row.get("refusal") == "before" for row in triggers):
        return {"would_enter": False, "reason": "before", "test": False,
                "message": _("the event happened before the trigger started listening (only future events count)")}
    if subject.status == Automation.STATUS.testing:
        test = TestLearner.objects.filter(automation_id=subject.pk, user_id=learner_id).exists()
        if not test:
            return {"would_enter": False, "reason": "testing", "message": _("testing mode: not a test learner"),
                    "test": False}
    previous = entry.active_run if entry.active_run_id else None
    if previous is not None and previous.status not in Run.OPEN_STATUSES:
        previous = None
    refusal = entry_refusal_reason(subject, entry, now, previous)
    answer = {"would_enter": started is not None and refusal is None, "test": test,
              "entered_before": entry.entry_count, "open_run": previous.pk if previous is not None else None}
    if refusal:
        answer.update(reason=refusal[0], message=refusal[1])
    elif started is None:
        answer.update(reason="no_trigger", message=_("no trigger would start a run now"))
    else:
        answer.update(reason=None, message=_("nothing keeps them out (entry policy, 60 s guard, testing mode, scope)"))
        if previous is not None and subject.entry_policy == Automation.ENTRY_POLICY.restart:
            answer["message"] = _("the learner would enter again; their open run would end (restart)")
    return answer


def _start_summary(started):
    if started is None:
        return {"by": "hand", "message": _("No trigger would start a run now; the steps below are what the learner "
                                           "would go through if staff started them by hand (Start learners).")}
    position, event, _evaluation = started
    return {"by": "trigger", "trigger": position, "event_id": event.pk, "event_type": event.event_type}


# --- the steps -------------------------------------------------------------------------------------

class _Walk:
    """The path through the steps, as the stepper would take it, without executing anything."""

    def __init__(self, snapshot, subject, learner_id, host, now, started, *, is_test):
        self.snapshot, self.subject, self.host, self.now = snapshot, subject, host, now
        event = started[1] if started else None
        payload = dict(event.payload) if event else {}
        self.run_ = Run(automation=subject, user_id=learner_id, status=Run.STATUS.executing, is_test=is_test,
                        started_at=now, context={"event_type": event.event_type if event else None,
                                                 "event": payload})
        self.steps = []
        self.tzinfo = StepContext.for_run(self.run_, now=now, host=host).tzinfo

    def run(self):
        from .dry_run_steps import walk_action, walk_branch, walk_wait  # pylint: disable=import-outside-toplevel

        handlers = {"action": walk_action, "branch": walk_branch, "wait": walk_wait}
        step_id = self.snapshot.automations[self.subject.pk].first_step_id
        for _count in range(MAX_STEPS):
            if not step_id:
                return {"status": Run.STATUS.fulfilled, "message": _("reached the end of the flow")}
            step = self.snapshot.step(self.subject.pk, step_id)
            context = StepContext.for_run(self.run_, now=self.now, host=self.host)
            row = {"id": step.step_id, "type": step.step_type, "kind": step.kind,
                   "at": self.now.astimezone(self.tzinfo).isoformat()}
            self.steps.append(row)
            try:
                step_id, ended, self.now = handlers[step.step_type](step, context, row, self.tzinfo)
            except StepError as error:
                row["error"] = error.message
                status = Run.STATUS.failed_silently if error.silent else Run.STATUS.failed
                return {"status": status, "message": error.message, "step_id": step.step_id}
            if ended:
                return {**ended, "step_id": step.step_id}
        return {"status": "stopped", "message": _("the dry run stopped after %(count)s steps") % {"count": MAX_STEPS}}


def masked(step, params):
    return masked_params(step.step_type, step.kind, params)
