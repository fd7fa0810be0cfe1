"""Publishing the plugin's Celery tasks without holding up the caller when the broker is away.

The plugin publishes from inside the learner's request (the dispatch of an enrolment, once the host
commits). Kombu's defaults suit a worker, not a request: a publish that cannot reach the broker
retries the connection for seconds (0.6 s to 6 s per publish to a closed port, measured; a
blackholed broker adds the socket's own wait). Here a publish is tried once, on a connection whose
connect and socket timeouts are ``PUBLISH_TIMEOUT_SECONDS``, and after a failure this process stops
publishing for ``PUBLISH_PAUSE_SECONDS`` (a circuit breaker): calls meanwhile return at once. Nothing
is lost — an unpublished dispatch is an undispatched event, which the tick's outbox relay enqueues
again, and an unpublished resume is a lease that runs out, after which the tick claims the runs again
(ADR 0011).

Each thread keeps one broker connection of its own (the host's producer pool keeps the host's
timeouts and retries, which its own tasks may want).
"""
import logging
import os
import threading
import time

from .conf import get_setting

log = logging.getLogger(__name__)
_clock = time.monotonic
_local = threading.local()
#: The monotonic instant until which this process does not try the broker (after a failed publish).
_paused = {"until": 0.0}


def publish(task, args, *, queue, **options):
    """Send ``task`` (a task, or a registered task's name) with ``args`` to ``queue``; True if the
    broker took it, False if it could not be reached now or recently (logged; the outbox delivers it
    later). ``options`` go to ``apply_async`` (``countdown``, ``kwargs``). In eager mode (tests, the
    demo) the task runs here, as ``apply_async`` does, and its errors are the caller's. A name lets
    code that must not import the tasks module (the "what happened" side) publish one."""
    if isinstance(task, str):
        from celery import current_app  # pylint: disable=import-outside-toplevel

        app, name = current_app, task
        task = app.tasks.get(name) if app.conf.task_always_eager else None
    else:
        app, name = task.app, task.name
    if app.conf.task_always_eager:
        if task is None:
            from celery import current_app  # pylint: disable=import-outside-toplevel,reimported

            from . import tasks as _tasks  # noqa: F401  pylint: disable=import-outside-toplevel,unused-import
            task = current_app.tasks[name]
        task.apply_async(args=list(args), queue=queue, retry=False, **options)
        return True
    if _clock() < _paused["until"]:
        return False
    for attempt in (1, 2):
        connection, reused = _connection(app)
        try:
            if task is None:
                app.send_task(name, args=list(args), queue=queue, connection=connection, retry=False, **options)
            else:
                task.apply_async(args=list(args), queue=queue, connection=connection, retry=False, **options)
            return True
        except Exception as error:  # pylint: disable=broad-except
            _drop(connection)
            # A kept connection may just be stale (the broker restarted): one fresh try, then stop.
            if reused and attempt == 1:
                continue
            pause = float(get_setting("PUBLISH_PAUSE_SECONDS"))
            _paused["until"] = _clock() + pause
            log.warning("lms_automations: could not publish %s (%s: %s); not publishing for %s s, the tick "
                        "delivers what is left", name, type(error).__name__, error, pause)
            return False
    return False  # not reached


def publish_options():
    """The connection options of the plugin's publishes: one attempt, short timeouts, for Redis
    (``socket_connect_timeout``, ``socket_timeout``) and AMQP (``connect_timeout``, read/write)."""
    timeout = float(get_setting("PUBLISH_TIMEOUT_SECONDS"))
    return {
        "connect_timeout": timeout,
        "transport_options": {
            "max_retries": 0,  # kombu's connection retries (interval 2 s, 4 s… by default)
            "socket_connect_timeout": timeout, "socket_timeout": timeout,  # Redis
            "read_timeout": timeout, "write_timeout": timeout,  # py-amqp
        },
    }


def reset():
    """Forget this thread's connection and any pause (tests; a broker URL changed at run time)."""
    held = getattr(_local, "held", None)
    if held is not None:
        _drop(held[1])
    _paused["until"] = 0.0


def _connection(app):
    """This thread's connection to ``app``'s broker, and whether it was used before."""
    key = (os.getpid(), id(app), app.conf.broker_write_url or app.conf.broker_url)
    held = getattr(_local, "held", None)
    if held is not None and held[0] == key:
        return held[1], True
    if held is not None:  # another process (forked) or another broker: never share its socket
        _local.held = None
    connection = app.connection_for_write(**publish_options())
    _local.held = (key, connection)
    return connection, False


def _drop(connection):
    """Forget a connection that failed, without talking to the broker (it may not answer)."""
    held = getattr(_local, "held", None)
    if held is not None and held[1] is connection:
        _local.held = None
    try:
        connection.collect()
    except Exception:  # pylint: disable=broad-except
        log.debug("lms_automations: closing a failed broker connection failed", exc_info=True)
