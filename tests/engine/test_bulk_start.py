"""Starting many learners in sets (ADR 0014): the entry policies of a staff start, held in bulk;
learner-id ranges that start everyone enrolled exactly once; runs left due for the tick."""
import datetime

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.db import transaction
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from lms_automations import api
from lms_automations.engine import bulk_start, lifecycle
from lms_automations.engine.runs import end_run, start_run
from lms_automations.models import Automation, Event, LearnerEntry, Run, RunLog, RunWake, Step, TestLearner
from sandbox.lms import models as lms

pytestmark = pytest.mark.django_db
T0 = datetime.datetime(2026, 6, 1, 8, 0, tzinfo=datetime.UTC)
COURSE = "course-v1:Bulk+B1+2026"


def make_automation(policy="each_time", status="active", period=None):
    automation = Automation.objects.create(name=policy, status=status, entry_policy=policy, entry_period=period,
                                           scope_courses=[COURSE])
    Step.objects.create(automation=automation, step_id="wait", step_type="wait", kind="duration", params={"days": 1})
    return automation


@pytest.fixture
def people():
    return get_user_model().objects.bulk_create(get_user_model()(username=f"learner{i}") for i in range(6))


def bulk(automation, users, rules=None, at=T0):
    with time_machine.travel(at, tick=False), transaction.atomic():
        return bulk_start.start_chunk(automation, [user.pk for user in users], started_by="staff",
                                      rules=rules or bulk_start.Rules(), now=at)


def test_a_bulk_start_writes_what_a_staff_start_of_one_learner_writes(people):
    automation = make_automation()
    with time_machine.travel(T0, tick=False), transaction.atomic():
        one, _reason = start_run(automation, people[0].pk, now=T0, started_by="staff")
    [many] = bulk(automation, people[1:2]).runs

    def written(run):
        run = Run.objects.get(pk=run.pk)
        entry = LearnerEntry.objects.get(automation=automation, user_id=run.user_id)
        return ((run.status, run.current_step_id, run.context, run.is_test, run.started_at, run.visit),
                [(log.kind, log.message, log.detail) for log in run.log.all()],
                (run.wake.due_at, run.wake.reason),
                (entry.entry_count, entry.first_entered_at, entry.last_entered_at, entry.active_run_id == run.pk))

    assert written(many) == written(one)
    assert written(many)[2] == (T0, RunWake.REASON.start), "due now: the tick's batched resume advances it"


def test_once_per_learner_ever_holds_and_the_time_based_rules_do_not(people):
    once = make_automation("once")
    first = bulk(once, people[:2]).runs[0]
    end_run(first, Run.STATUS.fulfilled, "done", now=T0)
    outcome = bulk(once, people[:4], at=T0 + datetime.timedelta(days=400))
    assert sorted(run.user_id for run in outcome.runs) == [people[2].pk, people[3].pk]
    assert outcome.refused == {people[0].pk: bulk_start.ONCE, people[1].pk: bulk_start.ONCE}
    weekly = make_automation("once_per", period=datetime.timedelta(days=7))
    bulk(weekly, people[:2])
    later = bulk(weekly, people[:2], at=T0 + datetime.timedelta(seconds=5))
    assert len(later.runs) == 2 and not later.refused, "staff starts ignore the 60 s guard and the period"


def test_a_learner_in_the_flow_is_restarted_by_the_api_and_skipped_by_the_admin(people):
    automation = make_automation("skip_if_active")
    [old] = bulk(automation, people[:1]).runs
    outcome = bulk(automation, people[:2], at=T0 + datetime.timedelta(minutes=5))
    assert len(outcome.runs) == 2
    old.refresh_from_db()
    assert old.status == Run.STATUS.exited and not RunWake.objects.filter(run=old).exists()
    assert old.log.filter(kind=RunLog.KIND.ended, message=bulk_start.RESTARTED).exists()
    assert Event.objects.filter(event_type="automation.finished", idempotency_key=f"automation.finished:{old.pk}:0",
                                payload__outcome="exited").exists()
    entry = LearnerEntry.objects.get(automation=automation, user=people[0])
    assert entry.entry_count == 2 and entry.active_run_id == outcome.runs[0].pk

    staff = bulk(automation, people[:3], rules=bulk_start.Rules.for_staff(automation),
                 at=T0 + datetime.timedelta(minutes=10))
    assert [run.user_id for run in staff.runs] == [people[2].pk]
    assert staff.refused == {people[0].pk: bulk_start.ALREADY_IN, people[1].pk: bulk_start.ALREADY_IN}


def test_the_admins_rules_leave_out_inactive_accounts_and_in_testing_learners_not_under_test(people):
    automation = make_automation(status="testing")
    TestLearner.objects.create(automation=automation, user=people[0])
    TestLearner.objects.create(automation=automation, user=people[1])
    get_user_model().objects.filter(pk=people[1].pk).update(is_active=False)
    outcome = bulk(automation, people[:3] + [people[0]], rules=bulk_start.Rules.for_staff(automation))
    assert [run.user_id for run in outcome.runs] == [people[0].pk] and outcome.runs[0].is_test
    assert outcome.refused == {people[1].pk: bulk_start.INACTIVE, people[2].pk: bulk_start.NOT_TESTER}
    assert bulk(automation, [get_user_model()(pk=999999)]).refused == {999999: bulk_start.UNKNOWN}


def test_a_chunk_costs_the_same_statements_whatever_its_size(people, django_user_model):
    """(Fifty learners: SQLite's limit on query parameters splits larger inserts; PostgreSQL and
    MariaDB write a chunk of any size in one statement per table.)"""
    crowd = django_user_model.objects.bulk_create(django_user_model(username=f"crowd{i}") for i in range(53))
    automation = make_automation()
    from django.db import connection

    from lms_automations.engine import trigger_index

    trigger_index.definitions()  # once per definitions version (is anything listening?), not per chunk
    counts = []
    for users in (crowd[:3], crowd[3:]):
        with CaptureQueriesContext(connection) as queries:
            assert len(bulk(automation, users).runs) == len(users)
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 12


def test_api_start_learners_still_advances_a_small_list_in_process(people):
    automation = make_automation()
    Step.objects.filter(automation=automation).update(position=1)
    Step.objects.create(automation=automation, step_id="tag", step_type="action", kind="tag.add",
                        params={"tags": ["bulk"]}, position=0)
    runs = api.start_learners(automation, people[:2])
    assert [run.user_id for run in runs] == [people[0].pk, people[1].pk]
    assert set(Run.objects.filter(pk__in=[run.pk for run in runs]).values_list("current_step_id", flat=True)) == {
        "wait"}, "each learner's first step ran; they now wait"


def _enrol(user_ids, course):
    lms.CourseEnrollment.objects.bulk_create(
        lms.CourseEnrollment(user_id=user_id, course=course, is_active=True) for user_id in user_ids)


@pytest.fixture
def pool(django_user_model):
    users = django_user_model.objects.bulk_create(django_user_model(username=f"pool{i}") for i in range(40))
    course = lms.Course.objects.create(course_key=COURSE, display_name="Bulk", org="Bulk")
    other = lms.Course.objects.create(course_key="course-v1:Bulk+Other+2026", display_name="Other", org="Bulk")
    return [user.pk for user in users], course, other


@hypothesis_settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), size=st.integers(min_value=1, max_value=9), chunk=st.integers(min_value=1, max_value=7))
def test_ranges_start_everyone_enrolled_exactly_once(pool, data, size, chunk):
    ids, course, other = pool
    enrolled = data.draw(st.sets(st.sampled_from(ids)), label="enrolled")
    elsewhere = data.draw(st.sets(st.sampled_from(ids)), label="enrolled in another course")
    lms.CourseEnrollment.objects.all().delete()
    Automation.objects.all().delete()
    _enrol(enrolled, course)
    _enrol(elsewhere, other)
    automation = make_automation()
    ranges = list(lifecycle.plan_enrolled_ranges(automation, size=size))
    assert ranges[-1][1] is None and all(a[1] == b[0] for a, b in zip(ranges, ranges[1:], strict=False))
    started = sum(lifecycle.start_enrolled_range(automation, after, upto, chunk=chunk)[0] for after, upto in ranges)
    assert started == len(enrolled)
    assert sorted(Run.objects.filter(automation=automation).values_list("user_id", flat=True)) == sorted(enrolled)


def test_a_range_handed_out_twice_starts_nobody_twice_even_whose_run_ended(pool):
    ids, course, _other = pool
    _enrol(ids[:5], course)
    automation = make_automation()
    asked = T0 - datetime.timedelta(seconds=1)
    with time_machine.travel(T0, tick=False):
        assert lifecycle.start_enrolled_range(automation, None, None, requested_at=asked) == (5, 0)
        end_run(Run.objects.filter(automation=automation).first(), Run.STATUS.fulfilled, "done")
        assert lifecycle.start_enrolled_range(automation, None, None, requested_at=asked) == (0, 5)
    assert Run.objects.filter(automation=automation).count() == 5


def test_start_enrolled_fans_the_ranges_out_to_workers(pool, monkeypatch, settings):
    from lms_automations import tasks

    ids, course, _other = pool
    _enrol(ids, course)
    monkeypatch.setattr(lifecycle, "RANGE", 15)
    handed = []
    original = tasks.start_learner_range.apply_async
    monkeypatch.setattr(tasks.start_learner_range, "apply_async",
                        lambda args, kwargs=None, **options: handed.append(args[1:3]) or original(
                            args=args, kwargs=kwargs, **options))
    automation = make_automation()
    assert api.start_enrolled(automation, staff_note="learner started by ada (Django admin)") is None
    assert handed[0] == [None, None], "the request hands over one task: the planning is a worker's"
    assert [bounds for bounds in handed[1:]] == [[None, ids[14]], [ids[14], ids[29]], [ids[29], None]]
    assert Run.objects.filter(automation=automation).count() == 40
    assert RunLog.objects.filter(run__automation=automation, kind=RunLog.KIND.staff,
                                 message="learner started by ada (Django admin)").count() == 40
    assert RunWake.objects.filter(run__automation=automation, reason=RunWake.REASON.start).count() == 40


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_two_workers_starting_overlapping_chunks_of_a_once_automation_start_each_learner_once(django_user_model):
    from django.db import connection

    from tests.engine.test_concurrency import in_parallel

    if connection.vendor == "sqlite":
        pytest.skip("needs row locks: run with make test-services")
    users = django_user_model.objects.bulk_create(django_user_model(username=f"both{i}") for i in range(30))
    automation = make_automation("once")
    ids = [user.pk for user in users]

    def start(chunk):
        def run():
            with transaction.atomic():
                bulk_start.start_chunk(automation, chunk, started_by="staff")
        return run

    def trigger():
        with transaction.atomic():
            start_run(automation, ids[15])

    in_parallel([start(ids[:20]), start(ids[10:]), trigger])
    assert sorted(Run.objects.filter(automation=automation).values_list("user_id", flat=True)) == ids
