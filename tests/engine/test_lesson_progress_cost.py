"""Lesson progress is kept in the learner's course state row, already locked and written by the
batch: deriving lesson events costs no statement of its own (the batched engine's budget is ≤ 12
statements per event; ADR 0007, ADR 0018)."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lms_automations.engine import dispatch, trigger_index
from lms_automations.models import Event, LearnerCourseState
from sandbox.lms import services

pytestmark = pytest.mark.django_db
COURSE = "course-v1:Demo+LP1+2026"
BUDGET = 12


def statements_per_event(count, offset, django_capture_on_commit_callbacks):
    people = [services.create_learner(f"lp{offset + number}") for number in range(count)]
    with django_capture_on_commit_callbacks():  # recorded and committed, not yet dispatched
        for person in people:
            for block in services.get_course(COURSE).block_keys()[:2]:
                services.complete_block(person, block)
    keys = list(Event.objects.filter(user__in=people, dispatched_at__isnull=True)
                .values_list("idempotency_key", flat=True))
    with CaptureQueriesContext(connection) as queries:
        dispatch.dispatch_events(keys)
    handled = Event.objects.filter(user__in=people).count()  # the completions and what they derived
    assert LearnerCourseState.objects.filter(user__in=people, lessons={"unit-1": "c"}).count() == count
    return len(queries) / handled


def test_lesson_progress_costs_no_statement_per_event_of_its_own(django_capture_on_commit_callbacks):
    services.create_course(COURSE, units=[["html:a", "html:b"], ["html:c"]])
    trigger_index.definitions()
    small = statements_per_event(4, 0, django_capture_on_commit_callbacks)
    large = statements_per_event(40, 100, django_capture_on_commit_callbacks)
    print(f"statements per event: {small:.2f} (4 learners), {large:.2f} (40 learners)")
    assert large <= small
    assert large <= BUDGET
