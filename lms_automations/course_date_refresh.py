"""Keeping course-date waits on time when a course's dates move (run by the tick once a day).

A ``course_date`` wait computes its moment when the learner reaches it. Course teams move course
ends, upgrade deadlines and starts after that; the daily refresh re-reads the anchor for every run
waiting at such a step and moves its wake-up (a moment now past makes it due at once), writing the
move on the run's timeline. A run whose anchor can no longer be read keeps its time.
"""
import logging

from django.db import transaction
from django.db.models import Exists, OuterRef

from .engine.context import StepContext
from .engine.errors import EndRun, StepError
from .engine.runs import add_log
from .models import Run, RunLog, RunWake, Step
from .waits.course_dates import CourseDateWait

log = logging.getLogger(__name__)
BATCH = 500


def refresh_course_date_waits(now):
    """Move the wake-up of runs waiting at a ``course_date`` step whose anchor moved; returns how many."""
    at_course_date_step = Step.objects.filter(
        automation_id=OuterRef("run__automation_id"), step_id=OuterRef("run__current_step_id"),
        step_type=Step.TYPE.wait, kind=CourseDateWait.key,
    )
    wakes = (RunWake.objects.filter(reason=RunWake.REASON.wait, due_at__gt=now, run__status=Run.STATUS.pending)
             .filter(Exists(at_course_date_step)).order_by("run_id"))
    moved = 0
    last_run_id = 0
    while True:
        batch = list(wakes.filter(run_id__gt=last_run_id).select_related("run", "run__automation")[:BATCH])
        if not batch:
            return moved
        for wake in batch:
            moved += _refresh(wake, now)
        last_run_id = batch[-1].run_id


def _refresh(wake, now):
    run = wake.run
    step = Step.objects.filter(automation_id=run.automation_id, step_id=run.current_step_id).first()
    context = StepContext.for_run(run, now=now)
    try:
        due_at = CourseDateWait().due_at(context.render(step.params or {}, f"steps.{step.step_id}.params"), context)
    except (StepError, EndRun) as error:
        log.info("lms_automations: run %s keeps its course-date wake-up (%s)", run.pk, getattr(error, "message", error))
        return 0
    if due_at == wake.due_at:
        return 0
    with transaction.atomic():
        updated = RunWake.objects.filter(run_id=run.pk, due_at=wake.due_at, reason=RunWake.REASON.wait).update(
            due_at=max(due_at, now))
        if updated:
            add_log(run, RunLog.KIND.wait, f"the course date moved: now waiting until {max(due_at, now).isoformat()}",
                    step_id=step.step_id, detail={"was": wake.due_at.isoformat(), "due_at": due_at.isoformat()},
                    at=now)
    return updated
