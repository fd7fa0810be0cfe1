"""The host's commits queue their dispatch keys; a thread of the process publishes them (ADR 0021).

The learner's request never waits for the broker, and the keys of commits made while a publish is
under way share the next message: one message per host commit at most, fewer under load."""
import threading

import pytest

from lms_automations import publishing


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(publishing, "_clock", clock)
    return clock


def manual(**options):
    sent = []
    return publishing.Coalescer(lambda task, keys, queue: sent.append((task, queue, keys)), start_thread=False,
                                **options), sent


def test_commits_queued_before_a_publish_share_one_message_per_task_and_queue(clock):
    coalescer, sent = manual()
    coalescer.submit("dispatch", ["a", "b"], "q")  # one host commit
    coalescer.submit("dispatch", ["c"], "q")  # the next, while the first is not yet published
    coalescer.submit("dispatch", ["d"], "other")
    assert sent == [], "submitting does not publish"

    coalescer.drain()

    assert sent == [("dispatch", "q", ["a", "b", "c"]), ("dispatch", "other", ["d"])]
    coalescer.drain()
    assert len(sent) == 2, "nothing is published twice"


def test_a_long_queue_goes_in_messages_of_at_most_chunk_keys(clock):
    coalescer, sent = manual(chunk=2)
    coalescer.submit("dispatch", ["a", "b", "c", "d", "e"], "q")
    coalescer.drain()
    assert [keys for _task, _queue, keys in sent] == [["a", "b"], ["c", "d"], ["e"]]


def test_beyond_the_limit_keys_are_left_to_the_relay_rather_than_held_in_memory(clock, caplog):
    coalescer, sent = manual(limit=3)
    coalescer.submit("dispatch", ["a", "b"], "q")
    coalescer.submit("dispatch", ["c", "d"], "q")  # would make 4: left undispatched for the tick's relay
    coalescer.drain()
    assert sent == [("dispatch", "q", ["a", "b"])]
    assert "the relay delivers these 2" in caplog.text


def test_where_the_thread_never_runs_the_next_commit_publishes_keys_older_than_two_seconds(clock):
    # uWSGI without enable-threads: a thread starts but never runs.
    coalescer, sent = manual()
    coalescer.submit("dispatch", ["a"], "q")
    clock.now += 1
    coalescer.submit("dispatch", ["b"], "q")
    assert sent == []
    clock.now += 1.5
    coalescer.submit("dispatch", ["c"], "q")
    assert sent == [("dispatch", "q", ["a", "b", "c"])]


def test_a_failing_publish_is_logged_and_the_others_still_go(clock, caplog):
    sent = []

    def send(task, keys, queue):
        if queue == "down":
            raise ConnectionError("refused")
        sent.append(keys)

    coalescer = publishing.Coalescer(send, start_thread=False)
    coalescer.submit("dispatch", ["a"], "down")
    coalescer.submit("dispatch", ["b"], "q")
    coalescer.drain()
    assert sent == [["b"]] and "the tick's relay delivers them" in caplog.text


def test_the_thread_publishes_what_the_commits_queued():
    published = threading.Event()
    sent = []

    def send(task, keys, queue):
        sent.append(keys)
        published.set()

    coalescer = publishing.Coalescer(send)
    coalescer.submit("dispatch", ["a"], "q")
    assert published.wait(timeout=30), "the publisher thread did not publish"
    assert sent == [["a"]] and coalescer.thread.daemon


def test_a_forked_child_starts_with_an_empty_queue_and_no_thread(clock):
    coalescer, sent = manual()
    coalescer.submit("dispatch", ["parent's"], "q")
    coalescer._reset_after_fork()  # what os.register_at_fork runs in the child
    coalescer.drain()
    assert sent == [] and coalescer.thread is None
