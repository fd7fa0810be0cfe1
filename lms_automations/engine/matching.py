"""Matching a wave of events — at most one per learner — against the cached definitions.

For each event: exit conditions first, then event waits, then triggers (SPEC §5.1–§5.4, §5.8). The
decisions go into the batch (``engine.batch``); entries are decided under the ``LearnerEntry`` rows,
locked in bulk in (automation, learner) order so two workers never deadlock on them (SPEC §5.3).
The runs started or resumed are returned; the caller advances them after its transaction commits.
"""
import datetime
import logging

from ..host import get_host
from ..models import Automation, LearnerEntry, Run, RunLog, RunWake, TestLearner
from .conditions import evaluate_tree
from .context import StepContext
from .entry_locks import locked_entries
from .errors import StepError
from .runs import entry_refusal_reason
from .sequences import sequence_refusal

log = logging.getLogger(__name__)


class LearnerCourses:
    """The learners' active course keys, asked of the host once per learner per batch and only when
    a course-scoped automation meets an event without a course."""

    def __init__(self, host=None):
        self.host = host or get_host()
        self._known = {}

    def __call__(self, user_id):
        if user_id not in self._known:
            try:
                self._known[user_id] = set(self.host.active_course_keys(user_id) or ())
            except Exception:  # pylint: disable=broad-except
                log.warning("lms_automations: no enrolments for user %s; course-scoped automations skip them",
                            user_id, exc_info=True)
                self._known[user_id] = set()
        return self._known[user_id]


def event_in_scope(automation, event, learner_courses):
    """Whether ``automation`` hears ``event`` (SPEC §5.16), asked once per (automation, event).

    A site-wide automation hears everything; one scoped to courses or orgs hears the events of its
    courses, and events without a course only for learners enrolled in one of its courses.
    ``learner_courses(user_id)`` returns the learner's active course keys (fetched lazily).
    """
    if not (automation.scope_courses or automation.scope_orgs):
        return True
    course_key = (event.payload or {}).get("course_key")
    if course_key:
        return _course_in_scope(automation, course_key, (event.payload or {}).get("org"))
    return any(_course_in_scope(automation, key) for key in learner_courses(event.user_id))


def event_course_heard(automation, event):
    """For runs already in the flow (exit conditions, event waits): an event that names a course
    outside a scoped automation's scope is not heard; a course-less one is (the learner is in)."""
    course_key = (event.payload or {}).get("course_key")
    if not course_key or not (automation.scope_courses or automation.scope_orgs):
        return True
    return _course_in_scope(automation, course_key, (event.payload or {}).get("org"))


def _course_in_scope(automation, course_key, org=None):
    if course_key in automation.scope_courses:
        return True
    org = org or _org_of(course_key)
    return bool(org and org in automation.scope_orgs)


def _org_of(course_key):
    from opaque_keys import InvalidKeyError  # pylint: disable=import-outside-toplevel
    from opaque_keys.edx.keys import CourseKey  # pylint: disable=import-outside-toplevel

    try:
        return CourseKey.from_string(str(course_key)).org
    except InvalidKeyError:
        return None


def match_wave(batch, definitions, events, learner_courses):
    """Match ``events`` (one per learner); returns the runs started or resumed."""
    now = batch.now
    open_runs = _lock_open_runs(definitions, events)
    ready, candidates = [], []
    testing = _TestLearners(definitions, events)
    for event in events:
        context = StepContext(user_id=event.user_id, event_type=event.event_type, event=event.payload, now=now,
                              event_id=event.pk)
        runs = open_runs.get(event.user_id, [])
        apply_exit_conditions(batch, definitions, event, context, runs)
        ready.extend(resume_event_waits(batch, definitions, event, runs))
        candidates.extend(matching_triggers(batch, definitions, event, context, learner_courses, testing))
    if candidates:
        ready.extend(enter(batch, definitions, candidates, open_runs))
    return ready


def _lock_open_runs(definitions, events):
    """The open runs of learners whose events an exit condition or an event wait may concern, locked."""
    users = {event.user_id for event in events
             if event.event_type in definitions.exits_by_type or event.event_type in definitions.awaited_types}
    if not users:
        return {}
    runs = {}
    for run in Run.objects.select_for_update().filter(user_id__in=users, status__in=Run.OPEN_STATUSES).order_by("pk"):
        automation = definitions.automation(run.automation_id)
        if automation is not None:
            run.automation = automation
            runs.setdefault(run.user_id, []).append(run)
    return runs


def apply_exit_conditions(batch, definitions, event, context, runs):
    """End every open run of the learner whose automation exits on this event."""
    concerned = definitions.exits_by_type.get(event.event_type)
    if not concerned:
        return
    for run in sorted(runs, key=lambda r: (r.started_at, r.pk), reverse=True):
        if run.automation_id not in concerned or run.status not in Run.OPEN_STATUSES:
            continue
        if not event_course_heard(run.automation, event):
            continue  # SPEC §5.16: an event of another course is not heard
        automation_def = definitions.automations[run.automation_id]
        for position, event_type, exit_filter, outcome in automation_def.exits:
            if event_type != event.event_type:
                continue
            evaluation = _safe_evaluate(exit_filter, context, f"exit_conditions[{position}].filter")
            if evaluation is not None and evaluation.result:
                batch.end(run, outcome, f"exit condition {position + 1} met: {event.event_type}",
                          detail={**evaluation.as_detail(), "event_id": event.pk}, automation=run.automation)
                break


def resume_event_waits(batch, definitions, event, runs):
    """Runs waiting for this kind of event whose wait filter holds move to their next step."""
    ready = []
    for run in runs:
        if run.status != Run.STATUS.pending or run.awaited_event_type != event.event_type:
            continue
        if not event_course_heard(run.automation, event):
            continue  # SPEC §5.16: an event of another course is not heard
        step = definitions.step(run.automation_id, run.current_step_id)
        params = step.params if step else {}
        run_context = StepContext.for_run(run, now=batch.now)
        run_context.event_type, run_context.event = event.event_type, dict(event.payload)
        run_context.event_id = event.pk
        evaluation = _safe_evaluate(params.get("filter"), run_context, f"steps.{run.current_step_id}.params.filter")
        if evaluation is None or not evaluation.result:
            continue
        batch.log(run, RunLog.KIND.resumed, f"{event.event_type} arrived", step_id=run.current_step_id,
                  detail={**evaluation.as_detail(), "event_id": event.pk})
        run.awaited_event_type = ""
        run.current_step_id = (step.next_id if step else "") or ""
        run.visit += 1
        run.attempts = 0
        batch.changed(run)
        batch.wake(run, batch.now, RunWake.REASON.start)
        ready.append(run)
    return ready


class _TestLearners:
    """Which learners of this wave are test learners of automations in testing (one read, if needed)."""

    def __init__(self, definitions, events):
        self.definitions, self.events, self._pairs = definitions, events, None

    def __contains__(self, pair):
        if self._pairs is None:
            testing = [definition.automation.pk for definition in self.definitions.automations.values()
                       if definition.automation.status == Automation.STATUS.testing]
            self._pairs = set(TestLearner.objects.filter(
                automation_id__in=testing, user_id__in={event.user_id for event in self.events}).values_list(
                "automation_id", "user_id")) if testing else set()
        return pair in self._pairs


def matching_triggers(batch, definitions, event, context, learner_courses, testing):
    """``(automation, event, position, evaluation)`` for each automation whose first holding trigger
    lets the learner in; the refusals of scope and testing mode are recorded."""
    found = []
    for automation_id in definitions.triggers_by_type.get(event.event_type, ()):
        automation = definitions.automation(automation_id)
        in_scope = event_in_scope(automation, event, learner_courses)
        if not in_scope and (event.payload or {}).get("course_key"):
            continue  # another course's event: nothing this automation was asked to hear
        context.automation = automation
        too_early = None
        for position, trigger_filter, since in definitions.automations[automation_id].triggers[event.event_type]:
            evaluation = _safe_evaluate(trigger_filter, context, f"triggers[{position}].filter")
            if evaluation is None or not evaluation.result:
                continue
            if since is not None and happened_at(event) < since:
                too_early = too_early or (position, since)  # SPEC §5.1: only events since it listens
                continue
            too_early = None
            if not in_scope:
                batch.refuse(automation_id, event.user_id, "scope",
                             f"{event.event_type}: not enrolled in a course of the automation", event=event)
            elif automation.status == Automation.STATUS.testing and (automation_id, event.user_id) not in testing:
                batch.refuse(automation_id, event.user_id, "testing", f"{event.event_type}: not a test learner",
                             event=event)
            elif refusal := sequence_refusal(automation, event, definitions):
                batch.refuse(automation_id, event.user_id, *refusal, event=event)  # automation.started (ADR 0017)
            else:
                found.append((automation, event, position, evaluation))
            break
        if too_early is not None:
            batch.refuse(automation_id, event.user_id, "before",
                         f"{event.event_type} happened at {_utc(happened_at(event))}, before trigger "
                         f"{too_early[0] + 1} listened (since {_utc(too_early[1])})", event=event)
    return found


def _utc(moment):
    return f"{moment.astimezone(datetime.UTC):%Y-%m-%d %H:%M} UTC"


def happened_at(event):
    """When ``event`` happened, as its type tells (a quiet streak: when it reached its days)."""
    from ..catalogue import get_event_types  # pylint: disable=import-outside-toplevel

    entry = get_event_types().get(event.event_type)
    return entry.happened_at(event.payload or {}, event.occurred_at) if entry else event.occurred_at


def enter(batch, definitions, candidates, open_runs):
    """Decide each candidate's entry under its locked ``LearnerEntry``; returns the runs started."""
    entries = _lock_entries({(automation.pk, event.user_id) for automation, event, _, _ in candidates})
    known = {run.pk: run for runs in open_runs.values() for run in runs}
    wanted = [entry.active_run_id for entry in entries.values()
              if entry.active_run_id and entry.active_run_id not in known]
    if wanted:
        for run in Run.objects.select_for_update().filter(pk__in=wanted).order_by("pk"):
            run.automation = definitions.automation(run.automation_id) or run.automation
            known[run.pk] = run
    started = []
    for automation, event, position, evaluation in candidates:
        entry = entries[(automation.pk, event.user_id)]
        previous = known.get(entry.active_run_id)
        if previous is not None and previous.status not in Run.OPEN_STATUSES:
            previous = None
        refusal = entry_refusal_reason(automation, entry, batch.now, previous)
        if refusal:
            batch.refuse(automation.pk, event.user_id, refusal[0], refusal[1], event=event)
            log.info("lms_automations: %s did not start for user %s: %s", automation, event.user_id, refusal[1])
            continue
        if previous is not None and automation.entry_policy == Automation.ENTRY_POLICY.restart:
            batch.end(previous, Run.STATUS.exited, "restarted: the learner entered the automation again",
                      automation=automation)
        started.append(_new_run(batch, definitions, automation, event, position, evaluation, entry))
    return started


def _lock_entries(pairs):
    """The ``LearnerEntry`` rows of these (automation, learner) pairs, created if missing and locked in
    (automation, learner) order — one order for every worker, so none waits on another in a circle."""
    ordered = sorted(pairs)
    found = {(row.automation_id, row.user_id): row for row in locked_entries(
        {a for a, _ in ordered}, {u for _, u in ordered}) if (row.automation_id, row.user_id) in pairs}
    missing = [pair for pair in ordered if pair not in found]
    if missing:  # existing rows are locked first: an insert meeting one takes a shared lock (entry_locks)
        LearnerEntry.objects.bulk_create([LearnerEntry(automation_id=a, user_id=u) for a, u in missing],
                                         ignore_conflicts=True)
        found.update({(row.automation_id, row.user_id): row for row in locked_entries(
            {a for a, _ in missing}, {u for _, u in missing}) if (row.automation_id, row.user_id) in pairs})
    return found


def _new_run(batch, definitions, automation, event, position, evaluation, entry):
    now = batch.now
    run = Run(
        automation=automation, user_id=event.user_id, status=Run.STATUS.pending,
        current_step_id=definitions.automations[automation.pk].first_step_id or "", trigger_position=position,
        event=event, is_test=automation.status == Automation.STATUS.testing, started_at=now,
        context={"event_type": event.event_type, "event": dict(event.payload), "event_id": event.pk,
                 "trigger": evaluation.as_detail()},
    )
    batch.new_runs.append(run)
    entry.entry_count += 1
    entry.first_entered_at = entry.first_entered_at or now
    entry.last_entered_at = now
    batch.enter(entry, run)
    batch.log(run, RunLog.KIND.started, f"started by {event.event_type} (trigger {position + 1})",
              detail={"event_id": event.pk})
    batch.wake(run, now, RunWake.REASON.start)
    return run


def _safe_evaluate(tree, context, path):
    """Evaluate a filter; a broken filter is logged and treated as not matching (never raises)."""
    try:
        return evaluate_tree(tree, context, path)
    except StepError as error:
        log.warning("lms_automations: %s could not be evaluated: %s", path, error.message)
        return None
