"""What recording "why not" costs (issue 10): statements per event when a trigger holds and the
learner is kept out (one ``EntryRefusal`` row each, one bulk INSERT per batch), beside the same
events when the trigger's filter does not hold (no refusal, nothing to record), in the same run.

``engine_throughput.results`` adds these rows to its table; run alone::

    python benchmarks/refusal_cost.py [--events 200,1000]
"""
import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

ONCE = {
    "format": "lms-automations/v1", "name": "refusals", "status": "active", "entry": {"policy": "once", "period": None},
    "triggers": [{"event": "custom.bench", "filter": {"all": [
        {"condition": "event.field", "params": {"path": "n", "op": "gte", "value": 0}}]}}],
    "steps": [{"id": "wait", "type": "wait", "wait": "duration", "params": {"days": 1}}],
}
#: The same flow whose filter the benchmark's events (n = 1) never meet.
NEVER = {**ONCE, "name": "filter false", "triggers": [{"event": "custom.bench", "filter": {"all": [
    {"condition": "event.field", "params": {"path": "n", "op": "gte", "value": 5}}]}}]}


class RefusalInserts:
    """Counts the INSERTs into the refusals table (besides every statement, counted elsewhere)."""

    def __init__(self):
        self.inserts = 0

    def __call__(self, execute, sql, params, many, context):
        if sql.lstrip().upper().startswith("INSERT") and "entryrefusal" in sql.lower():
            self.inserts += 1
        return execute(sql, params, many, context)


def _reset(flow):
    from django.core.cache import cache
    from django.core.management import call_command

    from lms_automations import api
    from lms_automations.models import CustomEventType

    call_command("flush", interactive=False, verbosity=0)
    cache.clear()
    CustomEventType.objects.get_or_create(slug="bench", defaults={"label": "bench"})
    api.import_automation(flow)


def _dispatch(keys):
    """``(events/s, statements per event, refusal INSERTs per event)`` of dispatching ``keys``."""
    from bench_env import StatementCounter
    from django.db import connection

    from lms_automations.engine.dispatch import dispatch_events

    inserts = RefusalInserts()
    started = time.perf_counter()
    with StatementCounter(connection) as counted, connection.execute_wrapper(inserts):
        for start in range(0, len(keys), 200):  # one message per 200 keys, as in engine_throughput
            dispatch_events(keys[start:start + 200])
    elapsed = time.perf_counter() - started
    return len(keys) / elapsed, counted.statements / len(keys), inserts.inserts / len(keys)


def refusal_cost(size):
    """Refused (policy once, the learners' second events) vs filter false, ``size`` learners each."""
    from engine_throughput import _backlog, _learners

    from lms_automations.models import EntryRefusal

    _reset(ONCE)
    users = _learners(size)
    _dispatch(_backlog(users, "first"))  # they enter
    refused = _dispatch(_backlog(users, "again"))
    assert EntryRefusal.objects.count() == size, "every second event is refused"
    _reset(NEVER)
    not_matching = _dispatch(_backlog(_learners(size), "never"))
    assert not EntryRefusal.objects.exists()
    return refused, not_matching


def results(options):
    from engine_throughput import row

    rows = []
    for size in options.events:
        (refused_rate, refused_statements, inserts), (plain_rate, plain_statements, _none) = refusal_cost(size)
        rows.append(row("events whose filter does not hold (nothing recorded)", size, plain_rate, "events/s",
                        statements=plain_statements, commits=None))
        rows.append(row("events refused by the entry policy (one EntryRefusal each)", size, refused_rate,
                        "events/s", "filter does not hold", plain_rate, refused_statements, None))
        rows.append(row("  of which refusal INSERTs", size, inserts, "statements/event"))
    return rows


def main():
    import run_all

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=lambda text: [int(n) for n in text.split(",")], default=[200, 1000])
    parser.add_argument("--database", default="sqlite")
    options = parser.parse_args()
    options.broker = ""
    run_all.setup(options)
    run_all.print_table(results(options))


if __name__ == "__main__":
    main()
