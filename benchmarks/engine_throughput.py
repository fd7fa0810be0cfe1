"""Engine figures, each beside its baseline measured in the same run (issue 9).

``results(options)`` returns rows for ``run_all.py``; run alone it prints them::

    python benchmarks/engine_throughput.py [--events 200,1000] [--broker URL]

- dispatch in one process: events → first action (match, start, tag.add, wait) per second, with
  the statements and commits per event, beside the database's bulk insert rate;
- refusals (``refusal_cost``): statements per event when a trigger holds and the entry policy keeps
  the learner out (an ``EntryRefusal`` each), beside events whose filter does not hold;
- with ``--broker`` (Redis): 2 Celery prefork worker processes drain one message per event
  (events → first action), beside a no-op task's drain rate and a hand-written minimal task's
  (one per task), then the p95 event → first-action latency at half that load.

The wake-ups (due runs resumed, the tick's claim cost) are ``wake_ups.py``'s; the host's cost per
operation is ``host_cost.py``'s.
"""
import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_env

FLOW = {
    "format": "lms-automations/v1", "name": "bench", "status": "active",
    "triggers": [{"event": "custom.bench", "filter": {"all": [
        {"condition": "event.field", "params": {"path": "n", "op": "gte", "value": 0}}]}}],
    "steps": [{"id": "tag", "type": "action", "action": "tag.add", "params": {"tags": ["bench"]}},
              {"id": "wait", "type": "wait", "wait": "duration", "params": {"days": 1}}],
}
QUEUE = "edx.lms.core.default"
#: The figures ``--parts`` chooses from: in-process dispatch, dispatch through Celery.
PARTS = ("dispatch", "celery")


def row(name, size, value, unit, baseline_name=None, baseline_value=None, statements=None, commits=None):
    print(f"  {name} [{size}]: {value:.3f} {unit}" + (f" vs {baseline_name} {baseline_value:.3f}" if baseline_value
                                                      else ""), file=sys.stderr, flush=True)
    return {"name": name, "size": size, "value": value, "unit": unit, "baseline_name": baseline_name,
            "baseline_value": baseline_value,
            "ratio": value / baseline_value if baseline_value else None,
            "statements_per_event": statements, "commits_per_event": commits}


def _reset():
    from django.core.cache import cache
    from django.core.management import call_command

    from lms_automations import api
    from lms_automations.models import CustomEventType

    call_command("flush", interactive=False, verbosity=0)
    cache.clear()
    for slug in ("bench", "never"):
        CustomEventType.objects.get_or_create(slug=slug, defaults={"label": slug})
    api.import_automation(FLOW)


def _learners(count):
    from django.contrib.auth import get_user_model

    model = get_user_model()
    start = model.objects.count()
    return model.objects.bulk_create((model(username=f"bench{start + i}") for i in range(count)), batch_size=2000)


def _backlog(users, prefix="bench"):
    """Events as the receivers record them, their hand-offs held back (a backlog): the keys."""
    from django.utils import timezone

    from lms_automations.models import Event

    now = timezone.now()
    Event.objects.bulk_create((Event(event_type="custom.bench", user_id=user.pk, payload={"n": 1}, occurred_at=now,
                                     source="api", idempotency_key=f"{prefix}:{user.pk}") for user in users),
                              batch_size=2000)
    return [f"{prefix}:{user.pk}" for user in users]


def bulk_insert_rate(count=20000):
    """The database's bulk insert rate: Event rows per second, bulk_create in one transaction."""
    from django.db import transaction
    from django.utils import timezone

    from lms_automations.models import Event

    users = _learners(1)
    now = timezone.now()
    started = time.perf_counter()
    with transaction.atomic():
        Event.objects.bulk_create((Event(event_type="custom.never", user_id=users[0].pk, payload={}, occurred_at=now,
                                         source="api", idempotency_key=f"bulk:{i}", dispatched_at=now)
                                   for i in range(count)), batch_size=2000)
    rate = count / (time.perf_counter() - started)
    Event.objects.filter(idempotency_key__startswith="bulk:").delete()
    return rate


def in_process_dispatch(size):
    from bench_env import StatementCounter
    from django.db import connection

    from lms_automations.engine.dispatch import dispatch_events
    from lms_automations.models import ActionExecution

    _reset()
    keys = _backlog(_learners(size))
    started = time.perf_counter()
    with StatementCounter(connection) as counted:
        for start in range(0, size, 200):  # one message per 200 keys: a busy host's commits
            dispatch_events(keys[start:start + 200])
    elapsed = time.perf_counter() - started
    done = ActionExecution.objects.count()
    return done / elapsed, counted.statements / size, counted.commits / size


# --- Celery --------------------------------------------------------------------------------------


class Workers:
    """Two Celery prefork worker processes on the benchmark database and broker."""

    def __init__(self, broker, processes=2):
        self.broker, self.processes, self.process = broker, processes, None

    def __enter__(self):
        env = {**os.environ, "CELERY_BROKER_URL": self.broker, "SANDBOX_CONN_MAX_AGE": "600",
               "PYTHONPATH": os.pathsep.join([str(bench_env.ROOT), str(Path(__file__).resolve().parent)])}
        self._purge()
        self.process = subprocess.Popen(
            [str(Path(sys.executable).with_name("celery")), "-A", "sandbox.celery", "worker", "-P", "prefork",
             "-c", str(self.processes), "-Q", QUEUE, "--include", "bench_tasks", "-l", "WARNING",
             "--without-gossip", "--without-mingle", "--without-heartbeat"],
            cwd=bench_env.ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(6)  # the worker's boot (Django setup in each child)
        return self

    def _purge(self):
        from sandbox.celery import app

        with app.connection_for_write() as conn:
            conn.default_channel.queue_purge(QUEUE)

    def __exit__(self, *exc):
        self.process.terminate()
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:  # a loaded machine: the warm shutdown did not finish
            self.process.kill()
            self.process.wait(timeout=30)


def _wait_for(check, target, timeout=900, interval=0.05):
    started = time.perf_counter()
    while check() < target:
        if time.perf_counter() - started > timeout:
            raise TimeoutError(f"{check()} of {target} after {timeout} s")
        time.sleep(interval)
    return time.perf_counter()


def celery_baselines(size, broker):
    import redis
    from bench_tasks import COUNTER, minimal, noop

    client = redis.Redis.from_url(broker)
    client.set(COUNTER, 0)
    started = time.perf_counter()
    for _ in range(size):
        noop.apply_async(queue=QUEUE)
    noop_rate = size / (_wait_for(lambda: int(client.get(COUNTER)), size) - started)
    users = _learners(size)
    client.set(COUNTER, 0)
    started = time.perf_counter()
    for user in users:
        minimal.apply_async(args=[user.pk], queue=QUEUE)
    minimal_rate = size / (_wait_for(lambda: int(client.get(COUNTER)), size) - started)
    return noop_rate, minimal_rate


def celery_engine(size):
    """Events → first action through the workers: one message per event, as one host commit each."""
    from lms_automations.engine.dispatch import publish
    from lms_automations.models import ActionExecution

    _reset()
    keys = _backlog(_learners(size))
    started = time.perf_counter()
    for key in keys:
        publish([key])
    finished = _wait_for(ActionExecution.objects.count, size)
    return size / (finished - started)


def celery_latency(rate, count):
    """p95 seconds from an event's recording to its first action, events recorded at ``rate``/s."""
    from django.db import transaction
    from django.utils import timezone

    from lms_automations.happened.recording import record_event
    from lms_automations.models import ActionExecution

    _reset()
    users = _learners(count)
    interval = 1 / rate
    started = time.perf_counter()
    for index, user in enumerate(users):
        with transaction.atomic():  # a host commit: the plugin publishes after it
            record_event("custom.bench", user_id=user.pk, payload={"n": 1}, occurred_at=timezone.now(),
                         source="api", idempotency_key=f"late:{user.pk}")
        pause = started + (index + 1) * interval - time.perf_counter()
        if pause > 0:
            time.sleep(pause)
    _wait_for(ActionExecution.objects.count, count)
    latencies = sorted(
        (created - recorded).total_seconds()
        for created, recorded in ActionExecution.objects.values_list("created", "run__event__recorded_at"))
    return latencies[int(0.95 * (len(latencies) - 1))]


def results(options):
    parts = set(getattr(options, "parts", None) or PARTS)
    rows = []
    insert_rate = bulk_insert_rate()
    rows.append(row("database bulk insert (baseline)", 20000, insert_rate, "rows/s"))
    if "dispatch" in parts:
        for size in options.events:
            rate, statements, commits = in_process_dispatch(size)
            rows.append(row("events → first action, 1 process", size, rate, "events/s", "bulk insert", insert_rate,
                            statements, commits))
        import refusal_cost  # statements per event with and without refusals (issue 10)

        rows.extend(refusal_cost.results(options))
    if options.broker and "celery" in parts:
        with Workers(options.broker):
            rows.extend(_celery_rows(options))
    return rows


def _celery_rows(options):
    rows = []
    for size in options.events:
        _reset()
        noop_rate, minimal_rate = celery_baselines(size, options.broker)
        rate = celery_engine(size)
        rows.append(row("events → first action, 2 workers", size, rate, "events/s", "Celery no-op task", noop_rate))
        rows.append(row("events → first action, 2 workers", size, rate, "events/s",
                        "minimal Django task, one per task", minimal_rate))
    rate = rows[-1]["value"]
    p95 = celery_latency(rate / 2, min(options.events[-1] // 2, int(rate / 2 * 20)))
    rows.append(row("p95 event → first action at half load", f"{rate / 2:.0f}/s", p95, "s"))
    return rows


def add_arguments(parser):
    parser.add_argument("--events", type=lambda text: [int(n) for n in text.split(",")], default=[200, 1000])
    # --waiting and --due are wake_ups.py's; declared here too because run_all.py reads its options from here.
    parser.add_argument("--waiting", type=lambda text: [int(n) for n in text.split(",")], default=[10000, 100000])
    parser.add_argument("--due", type=lambda text: [int(n) for n in text.split(",")], default=[2000, 2000])
    parser.add_argument("--parts", type=lambda text: text.split(","), default=list(PARTS),
                        help=f"which figures: {','.join(PARTS)} (comma separated; all by default)")
    parser.add_argument("--broker", default=os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/12"),
                        help="a Redis URL: measure with 2 Celery prefork workers (empty: in this process only)")


def main():
    import run_all

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_arguments(parser)
    options = parser.parse_args()
    run_all.setup(options)
    run_all.print_table(results(options))


if __name__ == "__main__":
    main()
