"""A Redis event-bus consumer that stops: the real ``RedisEventConsumer`` loop, bounded for tests.

``consume_events`` runs ``consume_indefinitely()`` forever. The tests point ``EVENT_BUS_CONSUMER`` at
this subclass and pass ``max_messages`` / ``timeout`` through the command's ``--extra`` JSON, so the
command, ``make_single_consumer`` and the library's own read / deserialize / re-send / ack loop all
run unchanged; the subclass only decides when to leave the loop (with the library's ``_shut_down``
test hook, checked at the top of every pass).
"""
import threading

from edx_event_bus_redis import RedisEventConsumer


class BoundedRedisEventConsumer(RedisEventConsumer):
    """Stop after ``max_messages`` messages, or after ``timeout`` seconds, whichever comes first."""

    #: Every consumer the command built, newest last, so a test can see what it did.
    instances = []

    def __init__(self, *args, max_messages, timeout=20.0, **kwargs):
        super().__init__(*args, **kwargs)
        self.max_messages = max_messages
        self.timeout = timeout
        self.processed = []  # openedx-events metadata ids, in the order the messages were re-sent
        self.timed_out = False
        BoundedRedisEventConsumer.instances.append(self)

    def emit_signals_from_message(self, msg):
        try:
            super().emit_signals_from_message(msg)
        finally:
            self.processed.append(str(msg.event_metadata.id))
            if len(self.processed) >= self.max_messages:
                self._shut_down()

    def consume_indefinitely(self):
        # A blocking read returns after EVENT_BUS_REDIS_CONSUMER_POLL_TIMEOUT at the latest; the loop
        # then sees the flag. The tests lower that poll timeout so a timeout ends promptly.
        timer = threading.Timer(self.timeout, self._time_out)
        timer.daemon = True
        timer.start()
        try:
            super().consume_indefinitely()
        finally:
            timer.cancel()

    def _time_out(self):
        self.timed_out = True
        self._shut_down()
