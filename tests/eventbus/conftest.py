"""Fixtures for the event-bus tests: a reachable Redis, and a bus with a topic prefix of its own.

Redis is found at ``EVENT_BUS_REDIS_CONNECTION_URL``, else at ``CELERY_BROKER_URL`` when that is a
Redis URL (`make test-services` sets it), else at redis://127.0.0.1:6379/5. When it cannot be
reached the tests skip, unless ``LMS_AUTOMATIONS_REQUIRE_SERVICES`` is set: then they fail.
"""
import dataclasses
import json
import os
import uuid

import pytest
from django.core.management import call_command

REDIS_SCHEMES = ("redis://", "rediss://")
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/5"
CONSUMER_PATH = "tests.eventbus.bounded.BoundedRedisEventConsumer"


def redis_url():
    for name in ("EVENT_BUS_REDIS_CONNECTION_URL", "CELERY_BROKER_URL"):
        url = os.environ.get(name, "")
        if url.startswith(REDIS_SCHEMES):
            return url
    return DEFAULT_REDIS_URL


@pytest.fixture(scope="session")
def redis_client():
    """A client of a Redis that answers PING; skip (or fail, when services are required) otherwise."""
    import redis

    url = redis_url()
    client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5)
    try:
        client.ping()
    except redis.RedisError as exc:
        reason = f"Redis is not reachable at {url} ({exc.__class__.__name__}: {exc})"
        if os.environ.get("LMS_AUTOMATIONS_REQUIRE_SERVICES"):
            pytest.fail(f"LMS_AUTOMATIONS_REQUIRE_SERVICES is set but {reason}")
        pytest.skip(f"{reason}; start Redis or run `make test-services`")
    yield client
    client.close()


@dataclasses.dataclass
class Bus:
    """The event bus as the LMS would see it, configured through Django settings."""

    client: object
    prefix: str

    def full_topic(self, topic):
        return f"{self.prefix}-{topic}"

    def produce(self, signal, metadata, **event_data):
        """Send one event through the configured producer (``EVENT_BUS_PRODUCER``), as Credentials
        or edx-exams would; the event key field is not used by the Redis bus."""
        from openedx_events.event_bus import get_producer

        get_producer().send(signal=signal, topic=self.topic_of(signal), event_key_field="",
                            event_data=event_data, event_metadata=metadata)

    @staticmethod
    def topic_of(signal):
        return TOPICS[signal.event_type]

    def stream_length(self, topic):
        return self.client.xlen(self.full_topic(topic))

    def create_group(self, topic, group):
        """What a consumer's first start does: the group reads what arrives from now on."""
        self.client.xgroup_create(self.full_topic(topic), group, id="$", mkstream=True)

    def consume(self, topic, group, *, max_messages, timeout=20.0, **extra):
        """Run the real ``consume_events`` command until ``max_messages`` were handled (or timeout);
        returns the consumer it built."""
        from openedx_events.management.commands.consume_events import Command

        from .bounded import BoundedRedisEventConsumer

        before = len(BoundedRedisEventConsumer.instances)
        options = {"consumer_name": f"{group}-1", "max_messages": max_messages, "timeout": timeout, **extra}
        call_command(Command(), "-t", topic, "-g", group, "--extra", json.dumps(options))
        built = BoundedRedisEventConsumer.instances[before:]
        assert built, "consume_events did not build the configured consumer (see the warnings above)"
        return built[-1]


#: The topics the producing services use by default for the events the plugin listens to.
TOPICS = {
    "org.openedx.learning.program.certificate.awarded.v1": "learning-program-certificate-lifecycle",
    "org.openedx.learning.badge.awarded.v1": "learning-badges-lifecycle",
    "org.openedx.learning.exam.attempt.submitted.v1": "learning-exam-attempt-lifecycle",
    "org.openedx.learning.exam.attempt.verified.v1": "learning-exam-attempt-lifecycle",
    "org.openedx.learning.exam.attempt.rejected.v1": "learning-exam-attempt-lifecycle",
}


@pytest.fixture
def bus(redis_client, settings, monkeypatch):
    """Producer and consumer settings pointing at Redis with a prefix unique to this test; every
    stream under the prefix is deleted afterwards."""
    from edx_event_bus_redis.internal import consumer as consumer_module

    prefix = f"lms-automations-test-{uuid.uuid4().hex[:12]}"
    settings.EVENT_BUS_PRODUCER = "edx_event_bus_redis.create_producer"
    settings.EVENT_BUS_CONSUMER = CONSUMER_PATH
    settings.EVENT_BUS_REDIS_CONNECTION_URL = redis_url()
    settings.EVENT_BUS_TOPIC_PREFIX = prefix
    # Read once at import by the library: a one-second blocking read keeps a timed-out test short.
    monkeypatch.setattr(consumer_module, "CONSUMER_POLL_TIMEOUT", 1)
    yield Bus(client=redis_client, prefix=prefix)
    keys = list(redis_client.scan_iter(match=f"{prefix}-*"))
    if keys:
        redis_client.delete(*keys)
    assert not list(redis_client.scan_iter(match=f"{prefix}-*"))
