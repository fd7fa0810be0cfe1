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
import atexit
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


def publish_options(broker_url="redis://"):
    """The connection options of the plugin's publishes to ``broker_url``: one attempt, short
    timeouts — Redis takes ``socket_connect_timeout``/``socket_timeout``, py-amqp ``read_timeout``/
    ``write_timeout``. Other transports get only the one attempt: the SQLAlchemy transport of the
    sandbox's zero-setup broker hands its options to ``create_engine``, which refuses unknown ones
    (every demo publish failed so, and waited for the tick's relay)."""
    timeout = float(get_setting("PUBLISH_TIMEOUT_SECONDS"))
    scheme = str(broker_url or "").partition("://")[0].partition("+")[0].lower()
    transport = {"max_retries": 0}  # kombu's connection retries (interval 2 s, 4 s… by default)
    if scheme in REDIS_SCHEMES:
        transport.update(socket_connect_timeout=timeout, socket_timeout=timeout)
    elif scheme in AMQP_SCHEMES:
        transport.update(read_timeout=timeout, write_timeout=timeout)
    return {"connect_timeout": timeout, "transport_options": transport}


REDIS_SCHEMES = frozenset({"redis", "rediss", "sentinel", "redis-socket", "socket"})
AMQP_SCHEMES = frozenset({"amqp", "amqps", "pyamqp"})


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
    connection = app.connection_for_write(**publish_options(key[2]))
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


# --- publishing after the host's request has moved on ---------------------------------------------


class Coalescer:
    """Keys handed over at host commits, published by a thread of this process, many commits a message.

    A publish costs the request ~1.5 ms of Python and a broker round trip; here the commit only
    appends its keys (microseconds) and wakes the thread, which takes everything queued since its
    last publish and sends it as one message per ``(task, queue)`` (at most ``chunk`` keys each):
    one publish per host commit at most, fewer when commits come faster than publishes. Nothing is
    lost if the process dies with keys queued: their events are undispatched rows, which the tick's
    outbox relay hands over later. Where threads never run (uWSGI without ``enable-threads``), keys
    older than ``stale_seconds`` are published by the next hand-over itself.
    """

    def __init__(self, send=None, *, chunk=1000, limit=20000, stale_seconds=2.0, start_thread=True):
        send = send or _send_keys
        self.send, self.chunk, self.limit, self.stale_seconds = send, chunk, limit, stale_seconds
        self.start_thread = start_thread
        self._reset_after_fork()
        if hasattr(os, "register_at_fork"):
            os.register_at_fork(after_in_child=self._reset_after_fork)

    def _reset_after_fork(self):
        # A forked child has no copy of the thread, and a lock it may have held stays held.
        self.lock, self.wakeup = threading.Lock(), threading.Event()
        self.pending, self.count, self.since, self.thread = {}, 0, None, None

    def submit(self, task, keys, queue):
        """Queue ``keys`` for one publish of ``task`` to ``queue`` soon; never blocks on the broker."""
        with self.lock:
            if self.count + len(keys) > self.limit:
                log.warning("lms_automations: %d keys waiting to be published; the relay delivers these %d",
                            self.count, len(keys))
                return
            self.pending.setdefault((task, queue), []).extend(keys)
            self.count += len(keys)
            now = _clock()
            stale = self.since is not None and now - self.since > self.stale_seconds
            self.since = self.since if self.since is not None else now
            started = self._ensure_thread()
        if stale or not started:
            self.drain()
        else:
            self.wakeup.set()

    def _ensure_thread(self):
        """Whether a thread will publish (``start_thread=False``: whoever calls ``drain``, e.g. a test)."""
        if not self.start_thread:
            return True
        if self.thread is None or not self.thread.is_alive():
            try:
                self.thread = threading.Thread(target=self._run, name="lms_automations-publisher", daemon=True)
                self.thread.start()
            except RuntimeError:  # the interpreter is shutting down
                self.thread = None
                return False
        return True

    def drain(self):
        """Publish everything queued (in the thread; or by the caller when the thread cannot)."""
        with self.lock:
            taken, self.pending, self.count, self.since = self.pending, {}, 0, None
        for (task, queue), keys in taken.items():
            for start in range(0, len(keys), self.chunk):
                try:
                    self.send(task, keys[start:start + self.chunk], queue)
                except Exception:  # pylint: disable=broad-except
                    log.exception("lms_automations: could not publish %d key(s); the tick's relay delivers them",
                                  len(keys))

    def _run(self):
        while True:
            self.wakeup.wait()
            self.wakeup.clear()
            self.drain()


def _send_keys(task, keys, queue):
    publish(task, [keys], queue=queue)


_coalescer = Coalescer(_send_keys)
atexit.register(_coalescer.drain)  # a clean shutdown publishes what is queued (the relay covers the rest)


def publish_keys_soon(task, keys, *, queue):
    """``task`` with one argument, a list of keys, for these keys and those of other commits of this
    process queued meanwhile. In eager mode (tests, the demo) or with ``PUBLISH_IN_BACKGROUND`` off,
    published here and now, as ``publish`` does."""
    from celery import current_app  # pylint: disable=import-outside-toplevel

    app = current_app if isinstance(task, str) else task.app
    if app.conf.task_always_eager or not get_setting("PUBLISH_IN_BACKGROUND"):
        publish(task, [list(keys)], queue=queue)
        return
    _coalescer.submit(task, list(keys), queue)
