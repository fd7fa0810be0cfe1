"""Staff starts of many learners at once, in sets (ADR 0014): one chunk of learners costs a fixed
handful of statements — one read of the accounts, one insert of the missing entry rows, one locked
read of the entries, bulk inserts of the runs, their timeline lines and their wake-ups, and one
update of the entries — instead of a dozen statements per learner.

The entry policy is that of ``runs.start_run`` for staff starts: the time-based rules (the 60 s
guard, once per period) do not apply, "once per learner, ever" does, and a learner already in the
automation is restarted (their open run exits) — or, for the admin's starts, skipped. Entry is
decided under a lock on the chunk's ``LearnerEntry`` rows (taken in learner order), so a trigger
starting one of these learners at the same moment waits for the chunk and then sees its run.

The new runs are left due now (a ``RunWake`` each): the tick's batched resume, or the caller,
advances them. Call inside a transaction (``start_chunk`` commits nothing itself).
"""
import dataclasses

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models.constants import OnConflict
from django.utils import timezone

from ..happened.recording import record_new_events
from ..models import Automation, Event, LearnerEntry, Run, RunLog, RunWake, TestLearner
from ..recording import record_events
from .entry_locks import locked_entries
from .flow import first_step_id
from .sequences import started_event

#: Why a learner of a chunk did not start (the admin words them for staff).
UNKNOWN, INACTIVE, ALREADY_IN, ONCE, NOT_TESTER = "unknown", "inactive", "already_in", "once", "not_tester"
RESTARTED = "restarted: the learner entered the automation again"


@dataclasses.dataclass
class Outcome:
    """What one chunk did: the runs started (in the order the learners were given) and who was not."""

    runs: list = dataclasses.field(default_factory=list)
    refused: dict = dataclasses.field(default_factory=dict)  # {user_id: reason}


@dataclasses.dataclass(frozen=True)
class Rules:
    """How a start treats learners already in the automation, and whom it leaves out.

    ``open_runs``: ``"restart"`` (the API's ``start_learners``) or ``"skip"`` (the admin's starts,
    whose preview promised to skip them); ``active_accounts_only`` and ``testers_only`` are the
    admin's rules too (the latter when the automation is in ``testing``)."""

    open_runs: str = "restart"
    active_accounts_only: bool = False
    testers_only: bool = False
    #: Learners who entered at or after this instant are skipped as already in: a range handed to
    #: a worker twice (a redelivered task) starts nobody twice, even whose first run has ended.
    entered_since: object = None

    @classmethod
    def for_staff(cls, automation, entered_since=None):
        """The admin's rules: skip learners in the flow and inactive accounts; in testing, test learners only."""
        return cls(open_runs="skip", active_accounts_only=True, entered_since=entered_since,
                   testers_only=automation.status == Automation.STATUS.testing)


def accounts_of(user_ids):
    """``{user_id: is_active}`` of the accounts that exist among ``user_ids``."""
    return dict(get_user_model().objects.filter(pk__in=user_ids).values_list("pk", "is_active"))


def standing(automation, user_ids, rules, *, accounts=None, lock=False):
    """``(startable ids in the order given, {user_id: reason}, {user_id: open run})`` for
    ``user_ids`` (distinct): four reads whatever the chunk's size; ``lock`` takes the entry rows'
    locks (the start), without it this is the preview's reading."""
    refused = {}
    accounts = accounts_of(user_ids) if accounts is None else accounts
    if lock:
        rows = [(row.user_id, row.entry_count, row.active_run_id, row.last_entered_at)
                for row in locked_entries([automation.pk], user_ids)]
    else:
        rows = LearnerEntry.objects.filter(automation=automation, user_id__in=user_ids).values_list(
            "user_id", "entry_count", "active_run_id", "last_entered_at")
    entries = {user_id: (count, active_run_id, last) for user_id, count, active_run_id, last in rows}
    open_runs = {run["user_id"]: run for run in Run.objects.filter(
        pk__in=[run_id for _count, run_id, _last in entries.values() if run_id], status__in=Run.OPEN_STATUSES)
        .values("pk", "user_id", "visit", "current_step_id")}
    testers = set(TestLearner.objects.filter(automation=automation, user_id__in=user_ids)
                  .values_list("user_id", flat=True)) if rules.testers_only else None
    once = automation.entry_policy == Automation.ENTRY_POLICY.once
    since = rules.entered_since
    for user_id in user_ids:
        count, _run_id, last = entries.get(user_id, (0, None, None))
        reason = (
            UNKNOWN if user_id not in accounts else
            INACTIVE if rules.active_accounts_only and not accounts[user_id] else
            ALREADY_IN if rules.open_runs == "skip" and user_id in open_runs else
            ALREADY_IN if since is not None and last is not None and last >= since else
            ONCE if once and count else
            NOT_TESTER if testers is not None and user_id not in testers else
            None
        )
        if reason:
            refused[user_id] = reason
    startable = [user_id for user_id in user_ids if user_id not in refused]
    return startable, refused, {user_id: open_runs[user_id] for user_id in startable if user_id in open_runs}


def start_chunk(automation, user_ids, *, started_by, rules=Rules(), now=None, staff_note=""):
    """Start the learners ``user_ids`` (a chunk: thousands at most) whom the entry policy admits;
    returns an ``Outcome``. ``staff_note``: a staff line written first into each new timeline (who
    asked). Must be called inside a transaction."""
    now = now or timezone.now()
    user_ids = list(dict.fromkeys(int(user_id) for user_id in user_ids))
    if not user_ids:
        return Outcome()
    accounts = accounts_of(user_ids)
    # Lock the entries that exist before creating the missing ones: an insert that meets an existing
    # row takes a shared lock on it, and two transactions each upgrading a shared lock deadlock on
    # InnoDB (two overlapping chunks, or a chunk and the dispatcher). See ``entry_locks``.
    existing = {row.user_id for row in locked_entries([automation.pk], list(accounts))}
    _insert_select(LearnerEntry, {"automation": automation.pk, "user": "u.id", "entry_count": 0},
                   f"{_quoted(get_user_model())} u", "u.id", [user for user in accounts if user not in existing],
                   ignore_conflicts=True)
    startable, refused, previous = standing(automation, user_ids, rules, accounts=accounts, lock=True)
    if previous:
        _end_restarted(automation, list(previous.values()), now)
    step_id = first_step_id(automation.pk) or ""
    runs = Run.objects.bulk_create([
        Run(automation=automation, user_id=user_id, status=Run.STATUS.pending, current_step_id=step_id,
            context={"event_type": None, "event": {}, "event_id": None, "sequence": [automation.pk]},
            is_test=automation.status == Automation.STATUS.testing, started_at=now)
        for user_id in startable
    ])
    if runs and runs[0].pk is None:  # a database that returns no ids from a bulk insert
        ids = dict(Run.objects.filter(automation=automation, user_id__in=startable, started_at=now)
                   .values_list("user_id", "pk"))
        for run in runs:
            run.pk = run.id = ids[run.user_id]
    run_of = {run.user_id: run.pk for run in runs}
    if not run_of:
        return Outcome(refused=refused)
    _enter(automation, run_of, now)
    run_ids, source = list(run_of.values()), f"{_quoted(Run)} r"
    lines = ([(RunLog.KIND.staff, staff_note, {})] if staff_note else []) + [
        (RunLog.KIND.started, f"started by {started_by}", {"event_id": None})]
    for kind, message, detail in lines:  # the staff line first: the timeline reads by (at, id)
        _insert_select(RunLog, {"run": "r.id", "at": now, "step_id": "", "kind": kind, "message": message,
                                "detail": detail}, source, "r.id", run_ids)
    _insert_select(RunWake, {"run": "r.id", "due_at": now, "reason": RunWake.REASON.start}, source, "r.id", run_ids)
    record_new_events([started_event(run, started_by="staff", now=now) for run in runs])
    return Outcome(runs=runs, refused=refused)


def _quoted(model):
    return connection.ops.quote_name(model._meta.db_table)


def _insert_select(model, values, source, key, ids, *, ignore_conflicts=False):
    """``INSERT INTO model (…) SELECT … FROM source WHERE key IN (ids)``: one row per id, written by
    the database rather than built as Python objects. ``values`` maps fields to a column expression
    of ``source`` (a string naming ``r.`` / ``u.``) or to a constant, passed as a parameter."""
    if not ids:
        return
    columns, selected, params = [], [], []
    for name, value in values.items():
        field = model._meta.get_field(name)
        columns.append(connection.ops.quote_name(field.column))
        if isinstance(value, str) and value[:2] in ("r.", "u."):
            selected.append(value)
        else:
            selected.append("%s")
            params.append(field.get_db_prep_save(value, connection))
    conflict = OnConflict.IGNORE if ignore_conflicts else None
    sql = (f"{connection.ops.insert_statement(on_conflict=conflict)} {_quoted(model)} ({', '.join(columns)}) "
           f"SELECT {', '.join(selected)} FROM {source} WHERE {key} IN ({', '.join(str(int(i)) for i in ids)}) "
           f"{connection.ops.on_conflict_suffix_sql([], conflict, None, None) or ''}")
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _enter(automation, run_of, now):
    """One UPDATE of the chunk's entries: counted, dated, pointing at their new runs (a plain CASE of
    integer literals: Django's ``Case`` costs a millisecond of Python per learner, and a correlated
    subquery's plan depends on the tables' statistics)."""
    table, quote = LearnerEntry._meta.db_table, connection.ops.quote_name
    column = {name: quote(LearnerEntry._meta.get_field(name).column) for name in (
        "automation", "user", "entry_count", "first_entered_at", "last_entered_at", "active_run")}
    cases = " ".join(f"WHEN {int(user_id)} THEN {int(run_id)}" for user_id, run_id in run_of.items())
    users = ", ".join(str(int(user_id)) for user_id in run_of)
    stamp = connection.ops.adapt_datetimefield_value(now)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {quote(table)} SET {column['entry_count']} = {column['entry_count']} + 1, "
            f"{column['first_entered_at']} = COALESCE({column['first_entered_at']}, %s), "
            f"{column['last_entered_at']} = %s, {column['active_run']} = CASE {column['user']} {cases} END "
            f"WHERE {column['automation']} = %s AND {column['user']} IN ({users})", [stamp, stamp, automation.pk])


def _end_restarted(automation, runs, now):
    """``runs.end_run(run, exited, …)`` for the open runs of learners who start again, in sets."""
    run_ids = [run["pk"] for run in runs]
    Run.objects.filter(pk__in=run_ids).update(status=Run.STATUS.exited, ended_at=now, awaited_event_type="",
                                              modified=now)
    RunWake.objects.filter(run_id__in=run_ids).delete()
    LearnerEntry.objects.filter(active_run_id__in=run_ids).update(active_run=None)
    RunLog.objects.bulk_create([
        RunLog(run_id=run["pk"], kind=RunLog.KIND.ended, message=RESTARTED, step_id=run["current_step_id"],
               detail={"status": Run.STATUS.exited}, at=now) for run in runs])
    record_events([
        {"event_type": "automation.finished", "user_id": run["user_id"], "occurred_at": now,
         "source": Event.SOURCE.plugin, "idempotency_key": f"automation.finished:{run['pk']}:{run['visit']}",
         "payload": {"user_id": run["user_id"], "automation_id": automation.pk, "outcome": Run.STATUS.exited}}
        for run in runs])
