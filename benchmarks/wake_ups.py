"""Wake-ups (issue 9, criterion 3): due runs resumed through their next step, and the tick's claim.

``results(options)`` returns rows for ``run_all.py``; run alone it prints them::

    python benchmarks/wake_ups.py [--waiting 10000,1000000] [--due 10000,100000] [--broker URL]

For each ``--waiting`` W with its ``--due`` D (paired by position): W runs waiting at a 1-day wait
(``wait1 → tag.add → wait2``), D of them due. Measured, each beside its baseline in the same run:

- the resume rate: with ``--broker`` (Redis), the tick leases the D runs and 2 Celery prefork workers
  take them to ``wait2``; without, this process does (``process_due``), its statements and commits
  per run counted — beside the database's bulk insert rate;
- one claim of ``TICK_BATCH_SIZE`` due runs (the tick's unit of work; the median of 3 ticks) at
  each W: flat in W;
- the long tick's lease batches, **the median of its first k and of its last k full batches** (a
  single batch is one sample of a noisy machine; the ratio of two medians says whether late batches
  cost more), once while the workers run beside it and once alone (hand-off stubbed: the claim's own
  cost, the workers' CPU left out);
- how long the tick took to lease and hand over all D runs.
"""
import argparse
import datetime
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_env  # noqa: F401  (the sandbox settings, DEBUG off)

WAKE_FLOW = {
    "format": "lms-automations/v1", "name": "wakes", "status": "active",
    "triggers": [{"event": "custom.never"}],
    "steps": [{"id": "wait1", "type": "wait", "wait": "duration", "params": {"days": 1}},
              {"id": "tag", "type": "action", "action": "tag.add", "params": {"tags": ["woke"]}},
              {"id": "wait2", "type": "wait", "wait": "duration", "params": {"days": 1}}],
}
#: How many lease batches at each end of the tick the medians take (fewer when the tick is short).
EDGE_BATCHES = 10
#: How many single-batch claims the claim cost is the median of.
CLAIMS = 3


def _waiting_runs(waiting, due, extra=0):
    """``waiting + extra`` runs at ``wait1`` in two statements (as ``bulk_support`` seeds), the
    ``due + extra`` lowest ids due a minute ago, the rest in a day; the planner's statistics
    refreshed, as a live site has them. Returns the automation."""
    from bulk_support import analyze, numbers
    from django.db import connection
    from django.utils import timezone
    from engine_throughput import _learners

    from lms_automations import api
    from lms_automations.models import Run, RunWake

    automation = api.import_automation(WAKE_FLOW)
    users = sorted(user.pk for user in _learners(min(waiting, 10000)))
    assert users[-1] - users[0] + 1 == len(users), "the benchmark's learners need consecutive ids"
    now = timezone.now()
    past, future = now - datetime.timedelta(minutes=1), now + datetime.timedelta(days=1)
    quote = connection.ops.quote_name
    stamp = connection.ops.adapt_datetimefield_value
    runs, wakes = quote(Run._meta.db_table), quote(RunWake._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {runs} (created, modified, automation_id, user_id, status, "
            "current_step_id, context, is_test, visit, attempts, awaited_event_type, started_at, error) "
            f"SELECT %s, %s, %s, {users[0]} + n.i %% {len(users)}, 'pending', 'wait1', '{{}}', FALSE, 1, 0, '', %s, '' "
            f"FROM {numbers(waiting + extra)}", [stamp(now), stamp(now), automation.pk, stamp(now)])
        last_due = Run.objects.filter(automation=automation).order_by("pk").values_list("pk", flat=True)[
            due + extra - 1]
        # Due or not from the start: no update afterwards, so no dead row versions in the claim's range.
        cursor.execute(f"INSERT INTO {wakes} (run_id, due_at, reason) "
                       f"SELECT id, CASE WHEN id <= %s THEN %s ELSE %s END, 'wait' FROM {runs} "
                       "WHERE automation_id = %s", [last_due, stamp(past), stamp(future), automation.pk])
    analyze(Run, RunWake)
    return automation


class LeaseTimer:
    """Times every lease batch of the tick (``tick._lease``): ``(ms, runs leased)`` in order."""

    def __init__(self):
        self.batches = []

    def __enter__(self):
        from lms_automations.engine import tick

        self.tick, self.original = tick, tick._lease

        def timed(*args, **kwargs):
            began = time.perf_counter()
            leased = self.original(*args, **kwargs)
            self.batches.append(((time.perf_counter() - began) * 1000, len(leased[0])))
            return leased

        tick._lease = timed
        return self

    def __exit__(self, *exc):
        self.tick._lease = self.original

    def edges(self):
        """``(median ms of the first k full batches, median of the last k, k)``, or None."""
        full = [ms for ms, count in self.batches if count == self.batches[0][1]]
        k = min(EDGE_BATCHES, len(full) // 3)
        if k < 1:
            return None
        return statistics.median(full[:k]), statistics.median(full[-k:]), k


class _NoHandOff:
    """The tick with the hand-off stubbed: what leasing alone costs."""

    def __enter__(self):
        from lms_automations.engine import tick

        self.tick, self.original = tick, tick.enqueue_resume
        tick.enqueue_resume = lambda run_ids, token: None
        return self

    def __exit__(self, *exc):
        self.tick.enqueue_resume = self.original


def claim_cost(limit, times=CLAIMS):
    """Median ms to lease one batch of ``limit`` due runs (one tick pass, ``times`` ticks), the
    hand-off left out."""
    from django.utils import timezone

    from lms_automations.engine import tick

    samples = []
    with _NoHandOff():
        for _ in range(times):
            started = time.perf_counter()
            tick.claim_due_runs(timezone.now(), limit=limit, passes=1)
            samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def _due_again(automation):
    """Every run of the benchmark at ``wait2`` due again (for the tick alone): one statement, and
    the statistics refreshed."""
    from bulk_support import analyze
    from django.utils import timezone

    from lms_automations.models import Run, RunWake

    RunWake.objects.filter(run__automation=automation, run__current_step_id="wait2").update(
        due_at=timezone.now() - datetime.timedelta(minutes=1))
    analyze(Run, RunWake)


def wake_ups(waiting, due, workers):
    """The figures of one size (see the module's docstring), as a dict."""
    from bench_env import StatementCounter
    from django.db import connection
    from django.utils import timezone
    from engine_throughput import _reset, _wait_for

    from lms_automations.api import process_due
    from lms_automations.conf import get_setting
    from lms_automations.engine import tick
    from lms_automations.models import Run

    limit = get_setting("TICK_BATCH_SIZE")
    _reset()
    automation = _waiting_runs(waiting, due, extra=CLAIMS * limit)
    claim_ms = claim_cost(limit)  # leases the ``extra``: ``due`` of ``waiting`` are left due
    woken = Run.objects.filter(automation=automation, status="pending", current_step_id="wait2")  # an index
    figures = {"claim_ms": claim_ms, "statements": None, "commits": None, "tick_seconds": None,
               "beside_workers": None, "alone": None}
    started = time.perf_counter()
    if workers:
        with LeaseTimer() as timer:
            tick.claim_due_runs(timezone.now())
        figures["tick_seconds"] = time.perf_counter() - started
        finished = _wait_for(woken.count, due, interval=0.1)
        figures["beside_workers"] = timer.edges()
    else:
        with StatementCounter(connection) as counted:
            process_due()
        finished = time.perf_counter()
        figures["statements"], figures["commits"] = counted.statements / due, counted.commits / due
    figures["rate"] = due / (finished - started)
    _due_again(automation)
    with LeaseTimer() as timer, _NoHandOff():
        tick.claim_due_runs(timezone.now())
    figures["alone"] = timer.edges()
    return figures


def results(options):
    from engine_throughput import Workers, bulk_insert_rate, row

    broker = getattr(options, "broker", "")
    insert_rate = bulk_insert_rate()
    rows = [row("database bulk insert (baseline)", 20000, insert_rate, "rows/s")]
    if broker:
        with Workers(broker):
            rows.extend(_rows(options, insert_rate, workers=True))
    else:
        rows.extend(_rows(options, insert_rate, workers=False))
    return rows


def _rows(options, insert_rate, workers):
    from engine_throughput import row

    from lms_automations.conf import get_setting

    limit = get_setting("TICK_BATCH_SIZE")
    rows, claims = [], []
    where = "2 workers" if workers else "1 process"
    for waiting, due in zip(options.waiting, options.due, strict=True):
        figures = wake_ups(waiting, due, workers=workers)
        claims.append((waiting, figures["claim_ms"]))
        rows.append(row(f"due runs resumed, {where} ({waiting:,} waiting)", due, figures["rate"], "runs/s",
                        "bulk insert", insert_rate, figures["statements"], figures["commits"]))
        rows.append(row(f"claim of {limit} due runs ({waiting:,} waiting), median of {CLAIMS}", due,
                        figures["claim_ms"], "ms"))
        for label, edges in (("beside the workers", figures["beside_workers"]), ("alone", figures["alone"])):
            if edges:
                first, last, k = edges
                rows.append(row(f"the tick's last {k} lease batches, {label} ({waiting:,} waiting), median", due,
                                last, "ms", f"its first {k}", first))
        if figures["tick_seconds"] is not None:
            rows.append(row(f"the tick: lease and hand over {due:,} due runs", due, figures["tick_seconds"], "s"))
    if len(claims) > 1:
        (small, small_ms), (large, large_ms) = min(claims), max(claims)
        rows.append(row(f"claim of {limit} due runs, {large:,} waiting", large, large_ms, "ms",
                        f"{small:,} waiting", small_ms))
    return rows


def add_arguments(parser):
    def sizes(text):
        return [int(n) for n in text.split(",")]

    parser.add_argument("--waiting", type=sizes, default=[10000, 100000])
    parser.add_argument("--due", type=sizes, default=[2000, 2000])
    parser.add_argument("--broker", default=os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/12"),
                        help="a Redis URL: measure with 2 Celery prefork workers (empty: in this process only)")


def main():
    import run_all

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="sqlite", help="sqlite, postgres, mariadb or a DATABASE_URL")
    add_arguments(parser)
    options = parser.parse_args()
    run_all.setup(options)
    run_all.print_table(results(options))


if __name__ == "__main__":
    main()
