"""The writes of one batch, gathered in memory and made with a few bulk statements.

The dispatcher and the stepper decide in memory — which run starts, which ends, where each run
goes next, when it wakes — and record their decisions here; ``flush`` writes them all inside the
caller's transaction: new runs, run changes, wake-ups, timeline rows, action executions, entry
rows, refusals and the events the engine itself records (``automation.started`` of each new run,
``automation.finished`` of each ended one). A crash before the commit loses the
whole batch's decisions together with their effects, so nothing is half done.
"""
import dataclasses
import datetime

from django.db import transaction
from django.utils import timezone

from ..happened.recording import record_events, record_new_events
from ..models import ActionExecution, Automation, EntryRefusal, Event, LearnerEntry, Run, RunLog, RunWake
from .bulk import insert_rows, update_rows
from .sequences import sequence_after, started_by_of, started_event

RUN_FIELDS = ["status", "current_step_id", "visit", "attempts", "awaited_event_type", "ended_at", "error", "modified"]
ENTRY_FIELDS = ["entry_count", "first_entered_at", "last_entered_at", "active_run"]
EXECUTION_FIELDS = ["status", "attempts", "result", "error", "modified"]
FAILED = (Run.STATUS.failed, Run.STATUS.failed_silently)


@dataclasses.dataclass
class Batch:
    """Decisions of one batch; ``now`` stamps them."""

    now: datetime.datetime
    new_runs: list = dataclasses.field(default_factory=list)
    dirty_runs: dict = dataclasses.field(default_factory=dict)
    logs: list = dataclasses.field(default_factory=list)
    wakes: dict = dataclasses.field(default_factory=dict)  # id(run) -> (run, (due_at, reason) or None)
    new_executions: list = dataclasses.field(default_factory=list)
    dirty_executions: dict = dataclasses.field(default_factory=dict)
    dirty_entries: dict = dataclasses.field(default_factory=dict)
    ended_runs: list = dataclasses.field(default_factory=list)
    refusals: list = dataclasses.field(default_factory=list)
    events: list = dataclasses.field(default_factory=list)
    finishing: set = dataclasses.field(default_factory=set)

    # --- decisions -----------------------------------------------------------------------------

    def log(self, run, kind, message, *, step_id="", detail=None, at=None):
        detail = detail or {}
        self.logs.append(RunLog(run=run, kind=kind, message=message, step_id=step_id or "", detail=detail,
                                at=at or self.now, event_id=_event_id(detail)))

    def changed(self, run):
        if run.pk is not None:
            self.dirty_runs[run.pk] = run

    def wake(self, run, due_at, reason):
        self.wakes[id(run)] = (run, (due_at, reason))

    def no_wake(self, run):
        self.wakes[id(run)] = (run, None)

    def enter(self, entry, run):
        """The learner's entry now points at ``run`` (None: at no open run)."""
        entry.batch_run = run
        self.dirty_entries[entry.pk] = entry

    def refuse(self, automation_id, user_id, reason, detail="", event=None):
        self.refusals.append(EntryRefusal(automation_id=automation_id, user_id=user_id, at=self.now, reason=reason,
                                          detail=str(detail)[:255], event_id=getattr(event, "pk", None),
                                          event_type=getattr(event, "event_type", "")[:100]))

    def end(self, run, status, message, *, step_id="", detail=None, automation=None):
        """As ``runs.end_run``: the run ends, its wake goes, its entry lets go, ``automation.finished``."""
        run.status = status
        run.ended_at = self.now
        run.awaited_event_type = ""
        if status in FAILED:
            run.error = message
        self.changed(run)
        self.no_wake(run)
        self.ended_runs.append(run)
        for entry in self.dirty_entries.values():
            if getattr(entry, "batch_run", None) is run:
                entry.batch_run = None
        kind = RunLog.KIND.error if status in FAILED else RunLog.KIND.ended
        self.log(run, kind, message, step_id=step_id or run.current_step_id, detail={"status": status,
                                                                                     **(detail or {})})
        self.events.append({
            "event_type": "automation.finished", "user_id": run.user_id,
            "payload": {"user_id": run.user_id, "automation_id": run.automation_id, "outcome": status},
            "occurred_at": self.now, "source": Event.SOURCE.plugin,
            "idempotency_key": f"automation.finished:{run.pk}:{run.visit}",
        })
        if automation is not None and automation.status == Automation.STATUS.finishing:
            self.finishing.add(run.automation_id)

    # --- the writes ----------------------------------------------------------------------------

    def flush(self):
        """Write every decision (inside the caller's transaction); the statements are few and fixed."""
        now = timezone.now()
        if self.new_runs:
            for run in self.new_runs:
                run.created = run.modified = now
                run.context["sequence"] = sequence_after(run.context.get("event_type"), run.context.get("event"),
                                                         run.automation_id)
            Run.objects.bulk_create(self.new_runs)
            for run in self.new_runs:
                if run.pk is None:  # a backend that cannot return the ids of a bulk insert
                    run.save(force_insert=True)
            # Keys new by construction (the new run's id): one insert, no read of known keys.
            record_new_events([started_event(run, started_by=started_by_of(run), now=self.now)
                               for run in self.new_runs])
        ended_ids = [run.pk for run in self.ended_runs]
        if ended_ids:
            LearnerEntry.objects.filter(active_run_id__in=ended_ids).exclude(
                pk__in=[entry.pk for entry in self.dirty_entries.values()]).update(active_run=None)
        if self.dirty_entries:
            for entry in self.dirty_entries.values():
                run = getattr(entry, "batch_run", None)
                entry.active_run_id = run.pk if run is not None and run.status in Run.OPEN_STATUSES else None
            update_rows(LearnerEntry, self.dirty_entries.values(), ENTRY_FIELDS)
        if self.dirty_runs:
            new = {id(run) for run in self.new_runs}
            dirty = [run for run in self.dirty_runs.values() if id(run) not in new]
            for run in dirty:
                run.modified = now
            if dirty:
                update_rows(Run, dirty, RUN_FIELDS)
        self._flush_wakes()
        if self.logs:
            for entry in self.logs:
                entry.run_id = entry.run.pk
            insert_rows(RunLog, self.logs)
        if self.new_executions:
            for execution in self.new_executions:
                execution.run_id = execution.run.pk
                # The engine's time, as the step's timeline row has: a wait cut short (the sandbox's
                # "let the days pass", a test's clock) is later than the wall clock.
                execution.created = execution.modified = self.now
            insert_rows(ActionExecution, self.new_executions, return_ids=True)
        if self.dirty_executions:
            for execution in self.dirty_executions.values():
                execution.modified = self.now
            update_rows(ActionExecution, self.dirty_executions.values(), EXECUTION_FIELDS)
        if self.refusals:
            EntryRefusal.objects.bulk_create(self.refusals)
        if self.events:
            record_events(self.events)
        for automation_id in self.finishing:
            transaction.on_commit(lambda automation_id=automation_id: _remove_if_done(automation_id))

    def _flush_wakes(self):
        if not self.wakes:
            return
        new = {id(run) for run in self.new_runs}
        existing = [run.pk for key, (run, _wake) in self.wakes.items() if key not in new]
        if existing:
            RunWake.objects.filter(run_id__in=existing).delete()
        rows = [RunWake(run_id=run.pk, due_at=wake[0], reason=wake[1]) for run, wake in self.wakes.values() if wake]
        if rows:
            insert_rows(RunWake, rows)


def _event_id(detail):
    """The event a timeline line names (``detail["event_id"]``), for ``RunLog.event_id``."""
    value = detail.get("event_id") if isinstance(detail, dict) else None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _remove_if_done(automation_id):
    """A deleted automation (``finishing``) is removed once its last learner is through."""
    Automation.objects.filter(pk=automation_id, status=Automation.STATUS.finishing).exclude(
        runs__status__in=Run.OPEN_STATUSES).delete()
