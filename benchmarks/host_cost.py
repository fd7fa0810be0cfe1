"""What the plugin adds to the host's own operations (issue 9, criterion 2), each beside the same
operation without the plugin's receivers, measured in the same run.

``results(options)`` returns rows for ``run_all.py``; run alone it prints them::

    python benchmarks/host_cost.py [--database sqlite|postgres|URL] [--host-samples 300] [--broker URL] [--broker-down]

Each operation is a real host code path of the sandbox's stand-in LMS (``sandbox.lms.services``),
one host transaction each, sending the real signals: an enrolment through the enrolment API
(CHANGED → CREATED, and → CHANGED(mode) for a verified enrolment), a block completion
(edx-completion's ``post_save``), a problem score (``PROBLEM_WEIGHTED_SCORE_CHANGED``, then the
problem's completion) and a course grade (PERSISTENT_GRADE_SUMMARY_CHANGED, COURSE_PASSING_STATUS_UPDATED).
An active automation listens to every event type recorded, so each event takes the whole path:
insert, on-commit hand-over, a publish queued for the publisher thread.

Samples are interleaved — one with the plugin's receivers, one without, the order alternating — after
a warm-up of both, each on a learner (and row) of its own, so caches, the database's state and the
machine's load fall on both alike; after each sample the benchmark waits for the publisher thread,
so that its publish (printed apart: wall and CPU per message) falls in no sample. Printed per
operation: both medians, the difference, the request thread's CPU added (``time.thread_time``, which
a loaded machine disturbs less than the wall clock), the SQL
statements the plugin added (counted on the connection, BEGIN/SAVEPOINT/COMMIT included), the
inserts into the event table, and the publishes queued per host commit (``Coalescer.submit``
calls; the thread sends at most that many messages, fewer when commits come faster). With
``--broker-down`` the same again with the broker at a closed port: the publishes queued then are
still one per commit at most and the request never waits for the broker (the thread's one attempt
fails, then it pauses).
"""
import argparse
import os
import socket
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_env  # noqa: F401  (the repository on the path, the sandbox settings)

COURSE = "course-v1:Bench+Host+2026"
PROBLEM = "block-v1:Bench+Host+2026+type@problem+block@quiz-1"
BLOCK = "block-v1:Bench+Host+2026+type@html+block@welcome"
FLOW = {
    "format": "lms-automations/v1", "name": "host-cost", "status": "active",
    "triggers": [{"event": event_type} for event_type in (
        "enrollment.created", "enrollment.mode_changed", "progress.block_completed", "problem.passed",
        "grade.changed", "course.passed")],
    "steps": [{"id": "tag", "type": "action", "action": "tag.add", "params": {"tags": ["host"]}}],
}


def _operations():
    """``(name, operation(user))``: one host transaction each, as the LMS runs it."""
    from sandbox.lms import services

    return [
        ("enrolment (audit: CHANGED, CREATED)", lambda user: services.enroll(user, COURSE, "audit")),
        ("enrolment (verified: CHANGED, CREATED, CHANGED)", lambda user: services.enroll(user, COURSE, "verified")),
        ("block completion", lambda user: services.complete_block(user, BLOCK)),
        ("problem score (score, then completion)", lambda user: services.score_problem(user, PROBLEM, 1.0)),
        ("course grade (grade, passing status)", lambda user: services.set_grade(user, COURSE, 0.8, True)),
    ]


class Receivers:
    """The plugin's LMS receivers, disconnected and connected again at will (as the sandbox connects them)."""

    def __init__(self):
        from sandbox.lms.apps import plugin_receivers

        self.items = list(plugin_receivers())
        self.on = True

    def switch(self, on):
        if on == self.on:
            return
        for signal, func, sender, uid in self.items:
            if on:
                signal.connect(func, sender=sender, dispatch_uid=uid)
            else:
                signal.disconnect(func, sender=sender, dispatch_uid=uid)
        self.on = on


class Counted:
    """Statements on the connection, inserts into the event table, and host commits, while active."""

    def __init__(self, connection, event_table):
        self.connection, self.event_table = connection, event_table
        self.statements = self.event_inserts = 0

    def __call__(self, execute, sql, params, many, context):
        self.statements += 1
        for statement in sql.split(";"):  # the plugin's savepoint travels with its statement
            if statement.lstrip().upper().startswith("INSERT") and self.event_table in statement.split("(", 1)[0]:
                self.event_inserts += 1
        return execute(sql, params, many, context)

    def __enter__(self):
        self._wrapper = self.connection.execute_wrapper(self)
        self._wrapper.__enter__()
        original = self.connection._commit  # pylint: disable=protected-access

        def counting_commit():
            self.statements += 1
            return original()

        self._original = original
        self.connection._commit = counting_commit  # pylint: disable=protected-access
        return self

    def __exit__(self, *exc):
        self.connection._commit = self._original  # pylint: disable=protected-access
        return self._wrapper.__exit__(*exc)


class Publishes:
    """Counts the publishes queued by host commits (the Coalescer's ``submit``) and the messages its
    thread sent, and lets the benchmark wait for the thread between samples: its publish (~1.5 ms of
    CPU, in this process) must not fall into the next sample, with or without the plugin."""

    def __init__(self):
        from lms_automations import publishing

        self.publishing = publishing
        self.submits = self.keys_submitted = self.messages = self.keys_sent = 0
        self.send_seconds = self.send_cpu_seconds = 0.0

    def __enter__(self):
        coalescer = self.publishing._coalescer  # pylint: disable=protected-access
        submit, send = coalescer.submit, coalescer.send

        def counted_submit(task, keys, queue):
            self.submits += 1
            self.keys_submitted += len(keys)
            return submit(task, keys, queue)

        def counted_send(task, keys, queue):  # in the publisher thread: its own CPU clock
            started, started_cpu = time.perf_counter(), time.thread_time()
            try:
                return send(task, keys, queue)
            finally:
                self.send_seconds += time.perf_counter() - started
                self.send_cpu_seconds += time.thread_time() - started_cpu
                self.messages += 1
                self.keys_sent += len(keys)

        coalescer.submit, coalescer.send = counted_submit, counted_send
        self._coalescer, self._send = coalescer, send
        return self

    def settle(self, timeout=0.5):
        """Wait until the publisher thread has sent every key queued so far."""
        deadline = time.perf_counter() + timeout
        while self.keys_sent < self.keys_submitted and time.perf_counter() < deadline:
            time.sleep(0.0005)

    def __exit__(self, *exc):
        del self._coalescer.submit
        self._coalescer.send = self._send


def _setup():
    from django.core.cache import cache
    from django.core.management import call_command

    from lms_automations import api
    from sandbox.lms import services

    call_command("flush", interactive=False, verbosity=0)
    cache.clear()
    services.create_course(COURSE)
    api.import_automation(FLOW)


def _learners(prefix, count):
    from django.contrib.auth import get_user_model

    model = get_user_model()
    return model.objects.bulk_create((model(username=f"{prefix}{i}", email=f"{prefix}{i}@example.com")
                                      for i in range(count)), batch_size=2000)


def measure(name, operation, samples, warmup, receivers, prefix):
    """Interleaved medians (ms) with and without the receivers, and per-operation counts."""
    from django.db import connection

    from lms_automations.models import Event

    users = iter(_learners(prefix, 2 * (samples + warmup) + 20))
    times, cpu = {True: [], False: []}, {True: [], False: []}
    with Publishes() as publishes:
        for index in range(samples + warmup):
            for with_plugin in ((True, False) if index % 2 == 0 else (False, True)):
                receivers.switch(with_plugin)
                user = next(users)
                started, started_cpu = time.perf_counter(), time.thread_time()
                operation(user)
                elapsed, elapsed_cpu = time.perf_counter() - started, time.thread_time() - started_cpu
                publishes.settle()
                if index >= warmup:
                    times[with_plugin].append(elapsed * 1000)
                    cpu[with_plugin].append(elapsed_cpu * 1000)
        send_ms = publishes.send_seconds * 1000 / max(publishes.messages, 1)
        send_cpu_ms = publishes.send_cpu_seconds * 1000 / max(publishes.messages, 1)
    counts = {}
    for with_plugin in (True, False):
        receivers.switch(with_plugin)
        with Counted(connection, Event._meta.db_table) as counted, Publishes() as publishes:
            for _ in range(10):
                operation(next(users))
                publishes.settle()
        counts[with_plugin] = (counted.statements / 10, counted.event_inserts / 10, publishes.submits / 10)
    receivers.switch(True)
    return {"name": name, "with": statistics.median(times[True]), "without": statistics.median(times[False]),
            "statements": counts[True][0] - counts[False][0], "event_inserts": counts[True][1],
            "publishes_per_commit": counts[True][2], "send_ms": send_ms, "send_cpu_ms": send_cpu_ms,
            "cpu_with": statistics.median(cpu[True]), "cpu_without": statistics.median(cpu[False])}


def _closed_port_url():
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    return f"redis://127.0.0.1:{port}/0"


def _row(figures, suffix=""):
    from run_all import _number

    print(f"  {figures['name']}{suffix}: {figures['with']:.3f} vs {figures['without']:.3f} ms "
          f"(+{figures['with'] - figures['without']:.3f}), +{_number(figures['statements'])} statements, "
          f"{_number(figures['event_inserts'])} event inserts, {_number(figures['publishes_per_commit'])} "
          f"publishes/commit (the thread: {figures['send_ms']:.2f} ms, "
          f"{figures['send_cpu_ms']:.2f} ms CPU a message); this thread's CPU "
          f"{figures['cpu_with']:.3f} vs {figures['cpu_without']:.3f} ms", file=sys.stderr, flush=True)
    return {"name": f"host: {figures['name']}{suffix}", "size": figures.get("samples"),
            "value": figures["with"], "unit": "ms (median)", "baseline_name": "the same without the plugin",
            "baseline_value": figures["without"], "ratio": figures["with"] / figures["without"],
            "statements_per_event": figures["statements"], "commits_per_event": None,
            "added_ms": figures["with"] - figures["without"], "event_inserts": figures["event_inserts"],
            "publishes_per_commit": figures["publishes_per_commit"], "cpu_with": figures["cpu_with"],
            "cpu_without": figures["cpu_without"], "send_ms": figures["send_ms"], "send_cpu_ms": figures["send_cpu_ms"]}


def results(options):
    from lms_automations import publishing
    from sandbox.celery import app

    samples = getattr(options, "host_samples", None) or 300
    warmup = max(20, samples // 10)
    _setup()
    receivers = Receivers()
    rows = []
    for number, (name, operation) in enumerate(_operations()):
        figures = measure(name, operation, samples, warmup, receivers, prefix=f"h{number}_")
        figures["samples"] = samples
        rows.append(_row(figures))
    if getattr(options, "broker_down", False):
        saved = app.conf.broker_url, app.conf.broker_write_url, os.environ.get("CELERY_BROKER_URL")
        # Celery reads CELERY_BROKER_URL from the environment before its settings.
        os.environ["CELERY_BROKER_URL"] = app.conf.broker_url = _closed_port_url()
        app.conf.broker_write_url = None
        publishing.reset()
        try:
            for number, (name, operation) in enumerate(_operations()[:1]):
                figures = measure(name, operation, samples, warmup, receivers, prefix=f"d{number}_")
                figures["samples"] = samples
                rows.append(_row(figures, ", broker down"))
            print(f"  broker down: publishing paused until +{publishing._paused['until'] - publishing._clock():.0f} s "
                  "(the thread tried once; the events wait for the tick's relay)", file=sys.stderr)
        finally:
            app.conf.broker_url, app.conf.broker_write_url = saved[:2]
            if saved[2] is None:
                os.environ.pop("CELERY_BROKER_URL", None)
            else:
                os.environ["CELERY_BROKER_URL"] = saved[2]
            publishing.reset()
    publishing._coalescer.drain()  # pylint: disable=protected-access
    return rows


def print_rows(rows):
    from run_all import _number

    print("| operation | samples | with the plugin, median ms | without, median ms | added ms | "
          "added CPU ms (request thread) | statements added | event inserts | publishes queued per host commit | "
          "publisher thread per message: ms (CPU ms) |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for row in rows:
        print(f"| {row['name'].removeprefix('host: ')} | {row['size']} | {row['value']:.3f} | "
              f"{row['baseline_value']:.3f} | {row['added_ms']:+.3f} | {row['cpu_with'] - row['cpu_without']:+.3f} | "
              f"{_number(row['statements_per_event'])} | {_number(row['event_inserts'])} | "
              f"{_number(row['publishes_per_commit'])} | {row['send_ms']:.2f} ({row['send_cpu_ms']:.2f}) |")


def add_arguments(parser):
    parser.add_argument("--host-samples", type=int, default=300, help="interleaved samples per operation and side")
    parser.add_argument("--broker-down", action="store_true",
                        help="also measure the enrolment with the broker at a closed port")


def main():
    import run_all

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="sqlite", help="sqlite, postgres, mariadb or a DATABASE_URL")
    parser.add_argument("--broker", default=os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/12"),
                        help="the broker the publisher thread sends to (no workers consume it here)")
    add_arguments(parser)
    options = parser.parse_args()
    run_all.setup(options)
    print(f"# host cost: database {options.database}, broker {options.broker}, {options.host_samples} samples")
    print_rows(results(options))


if __name__ == "__main__":
    main()
