"""Engine throughput figures: ``python benchmarks/engine_throughput.py [--learners N] [--waiting N]``.

Prints figures and ratios (never asserts): events dispatched per second through matching and a
two-step flow, and the time to claim a batch of due runs among many waiting ones. Runs on the
sandbox settings with its own database (``DATABASE_URL`` to use MariaDB/PostgreSQL).
"""
import argparse
import datetime
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_env  # noqa: F401  (the sandbox settings, DEBUG off, the benchmark database)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=500)
    parser.add_argument("--waiting", type=int, default=20000)
    args = parser.parse_args()

    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    from lms_automations import api
    from lms_automations.engine.dispatch import dispatch_learner_events
    from lms_automations.engine.tick import claim_due_runs
    from lms_automations.models import Automation, CustomEventType, Event, Run, RunWake

    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    CustomEventType.objects.get_or_create(slug="bench", defaults={"label": "Bench"})
    api.import_automation({
        "format": "lms-automations/v1", "name": "bench", "status": "active",
        "triggers": [{"event": "custom.bench", "filter": {"all": [
            {"condition": "event.field", "params": {"path": "n", "op": "gte", "value": 0}}]}}],
        "steps": [{"id": "tag", "type": "action", "action": "tag.add", "params": {"tags": ["bench"]}},
                  {"id": "wait", "type": "wait", "wait": "duration", "params": {"days": 1}}],
    })
    users = get_user_model().objects.bulk_create(
        get_user_model()(username=f"bench{i}") for i in range(args.learners))
    now = timezone.now()
    Event.objects.bulk_create(
        Event(event_type="custom.bench", user_id=user.pk, payload={"n": 1}, occurred_at=now, source="api",
              idempotency_key=f"bench:{user.pk}") for user in users)
    started = time.perf_counter()
    for user in users:
        dispatch_learner_events(user.pk)
    elapsed = time.perf_counter() - started
    runs = Run.objects.filter(status="pending").count()
    print(f"dispatch: {args.learners} events → {runs} runs waiting in {elapsed:.2f} s "
          f"= {args.learners / elapsed:.0f} events/s (match + tag.add + wait, one process)")

    automation = Automation.objects.get(name="bench")
    filler = [Run(automation=automation, user=users[i % len(users)], started_at=now) for i in range(args.waiting)]
    Run.objects.bulk_create(filler, batch_size=2000)
    future = now + datetime.timedelta(days=30)
    RunWake.objects.bulk_create((RunWake(run=run, due_at=future) for run in filler), batch_size=2000)
    due_now = now + datetime.timedelta(days=2)
    from lms_automations.engine import tick

    tick.enqueue_resume = lambda run_ids, token: None
    with transaction.atomic():
        started = time.perf_counter()
        claimed = claim_due_runs(due_now, limit=1000)
        elapsed = time.perf_counter() - started
    total = RunWake.objects.count()
    print(f"claim: {claimed} due runs among {total} waiting in {elapsed * 1000:.1f} ms "
          f"({elapsed * 1e6 / max(claimed, 1):.0f} µs per claimed run)")


if __name__ == "__main__":
    main()
