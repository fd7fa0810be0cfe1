"""The event wait: what it waits for and until when; matching and on_timeout are the engine's."""
import datetime

import pytest
import time_machine

from lms_automations.catalogue import get_waits
from lms_automations.engine.errors import PermanentError
from lms_automations.waits.events import EventWait

from .support import context

UTC = datetime.UTC
NOW = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_it_waits_for_the_event_type_until_the_timeout():
    params = {"event": "enrollment.upgraded", "timeout": "P7D", "on_timeout": "end"}
    assert get_waits()["event"].awaited_event(params) == "enrollment.upgraded"
    assert EventWait().due_at(params, context(NOW)) == NOW + datetime.timedelta(days=7)
    assert EventWait().due_at({"event": "custom.webinar", "timeout": "PT12H"}, context(NOW)) == \
        NOW + datetime.timedelta(hours=12)


@pytest.mark.django_db
def test_without_a_timeout_there_is_no_due_time(ada, due):
    with time_machine.travel(NOW, tick=False):
        assert due(ada, "event", {"event": "certificate.awarded", "filter": None}) is None


def test_a_timeout_outside_the_bounds_fails_the_run():
    with pytest.raises(PermanentError, match="params.timeout: a timeout must be between 5 minutes and 365 days "
                                             r"\(got 1 minute\)"):
        EventWait().due_at({"event": "tag.added", "timeout": "PT1M"}, context(NOW))


def test_params():
    assert EventWait.check_params({"event": "enrollment.upgraded", "timeout": "P7D", "on_timeout": "continue",
                                   "filter": {"all": []}}) == []
    assert EventWait.check_params({"event": "tag.added", "timeout": "P400D"}) == [
        {"path": "params.timeout", "message": "a timeout must be between 5 minutes and 365 days (got 400 days)"}]
    assert EventWait.check_params({"event": "tag.added", "on_timeout": "end"}) == [
        {"path": "params.timeout", "message": "on_timeout needs a timeout: add one such as P7D, or remove on_timeout"}]
    [error] = EventWait.check_params({"event": "tag.added", "timeout": "7 days"})
    assert error["path"] == "params.timeout" and "P7D" in error["message"]
    assert EventWait.check_params({"event": "tag.added", "timeout": "P1M"})[0]["path"] == "params.timeout"
    assert EventWait.check_params({"event": "tag.added", "on_timeout": "retry", "timeout": "P1D"}) == [
        {"path": "params.on_timeout", "message": "must be one of continue, end (got 'retry')"}]
    assert EventWait.check_params({}) == [{"path": "params.event", "message": "required — add a value"}]
