"""Runs: one learner's pass through one automation, with its timeline (SPEC §2, §5)."""
from django.conf import settings
from django.db import models
from model_utils import Choices
from model_utils.models import TimeStampedModel

from .automation import Automation
from .events import Event


class Run(TimeStampedModel):
    """
    One learner's pass through one automation.

    .. pii: ``context`` keeps the triggering event's payload for templates (can hold username and
       e-mail address); ``error`` can quote a rendered value.
    .. pii_types: username, email_address, other
    .. pii_retirement: local_api
    """

    STATUS = Choices(
        ("pending", "Pending"),
        ("executing", "Executing"),
        ("fulfilled", "Fulfilled"),
        ("converted", "Converted"),
        ("exited", "Exited"),
        ("failed", "Failed"),
        ("failed_silently", "Failed silently"),
        ("cancelled", "Cancelled"),
    )
    OPEN_STATUSES = (STATUS.pending, STATUS.executing)

    automation = models.ForeignKey(Automation, on_delete=models.CASCADE, related_name="runs")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=16, choices=STATUS, default=STATUS.pending)
    current_step_id = models.CharField(max_length=100, blank=True, default="")
    trigger_position = models.PositiveSmallIntegerField(null=True, blank=True)
    event = models.ForeignKey(Event, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    context = models.JSONField(default=dict, blank=True)
    is_test = models.BooleanField(default=False)
    # Counts step visits, so that a step reached twice (replay, loop) gets a new idempotency key.
    visit = models.PositiveIntegerField(default=0)
    attempts = models.PositiveSmallIntegerField(default=0, help_text="Transient failures of the current step.")
    awaited_event_type = models.CharField(max_length=100, blank=True, default="")
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True, default="")

    class Meta:
        app_label = "lms_automations"
        ordering = ["-started_at", "-id"]
        indexes = [
            # Exit conditions and event waits: the learner's open runs.
            models.Index(fields=["user", "status"], name="lmsauto_run_learner"),
            # Learners per step, and "advance everyone waiting at this step".
            models.Index(fields=["automation", "status", "current_step_id"], name="lmsauto_run_step"),
        ]

    def __str__(self):
        return f"run {self.pk} of {self.automation_id} for user {self.user_id} ({self.status})"

    @property
    def is_open(self):
        return self.status in self.OPEN_STATUSES


class LearnerEntry(models.Model):
    """
    A learner's standing in one automation: the row entry policies lock (SPEC §5.3).

    Starting a run locks this row, so two workers handling the same event serialise here and the
    policy (once, once per period, skip if active, restart, the 60 s guard) is checked once.

    .. no_pii:
    """

    automation = models.ForeignKey(Automation, on_delete=models.CASCADE, related_name="learner_entries")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    entry_count = models.PositiveIntegerField(default=0)
    first_entered_at = models.DateTimeField(null=True, blank=True)
    last_entered_at = models.DateTimeField(null=True, blank=True)
    active_run = models.ForeignKey(Run, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        app_label = "lms_automations"
        constraints = [
            models.UniqueConstraint(fields=["automation", "user"], name="lmsauto_learnerentry_unique"),
        ]

    def __str__(self):
        return f"user {self.user_id} in automation {self.automation_id}"

class RunWake(models.Model):
    """
    When a run is due to resume (end of a wait, an event wait's timeout, a retry's backoff).

    Only runs that are due at some time have a row (an ended run's goes), so claiming reads a small
    index on every database (MySQL has no partial indexes). The tick leases the rows it claims by
    moving their due time to the lease's end; the round that resumes a run replaces its row.

    .. no_pii:
    """

    REASON = Choices(
        ("start", "Ready to run"),
        ("wait", "Wait elapsed"),
        ("timeout", "Event wait timed out"),
        ("retry", "Retry after failure"),
    )

    run = models.OneToOneField(Run, on_delete=models.CASCADE, primary_key=True, related_name="wake")
    due_at = models.DateTimeField()
    reason = models.CharField(max_length=8, choices=REASON, default=REASON.wait)

    class Meta:
        app_label = "lms_automations"
        # The tick claims in this order, each batch from where the last ended (``engine.tick``).
        indexes = [models.Index(fields=["due_at", "run"], name="lmsauto_wake_due")]

    def __str__(self):
        return f"run {self.run_id} due {self.due_at:%Y-%m-%d %H:%M} ({self.reason})"

class RunLog(models.Model):
    """
    One line of a run's timeline: what happened at which step and why.

    .. pii: ``message`` and ``detail`` can quote values rendered for the learner (e.g. an address).
    .. pii_types: other
    .. pii_retirement: local_api
    """

    KIND = Choices(
        ("started", "Started"),
        ("step", "Step reached"),
        ("action", "Action"),
        ("branch", "Branch evaluated"),
        ("wait", "Waiting"),
        ("resumed", "Resumed"),
        ("retry", "Retry scheduled"),
        ("ended", "Ended"),
        ("error", "Error"),
        ("staff", "Staff action"),
    )

    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="log")
    # The event that started, resumed or ended the run at this line (ADR 0017): the events page
    # lists the runs each event moved with one indexed read. No constraint: events are pruned
    # by retention while timelines stay.
    event_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    at = models.DateTimeField()
    step_id = models.CharField(max_length=100, blank=True, default="")
    kind = models.CharField(max_length=8, choices=KIND)
    message = models.TextField(blank=True, default="")
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        app_label = "lms_automations"
        ordering = ["run_id", "at", "id"]
        indexes = [models.Index(fields=["run", "at"], name="lmsauto_runlog_run")]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.kind} {self.step_id}: {self.message}"

class ActionExecution(TimeStampedModel):
    """
    One execution of an action step, keyed by (run, step, visit) so that it happens exactly once
    (database-local actions) or at least once with the key passed on (external actions).

    .. no_pii:
    """

    STATUS = Choices(("started", "Started"), ("succeeded", "Succeeded"), ("failed", "Failed"))

    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="action_executions")
    step_id = models.CharField(max_length=100)
    visit = models.PositiveIntegerField()
    action = models.CharField(max_length=100)
    idempotency_key = models.CharField(max_length=255, unique=True)
    status = models.CharField(max_length=9, choices=STATUS, default=STATUS.started)
    attempts = models.PositiveSmallIntegerField(default=0)
    result = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True, default="")

    class Meta:
        app_label = "lms_automations"
        ordering = ["run_id", "created"]

    def __str__(self):
        # Not ``visit``: it counts the run's step moves (a step reached once may have visit 3).
        return f"{self.action} at {self.step_id}: {self.status}"


class EntryRefusal(models.Model):
    """
    Why a learner whose event matched a trigger did not enter the automation (SPEC §5.3, §5.16).

    One compact row per refusal (entry policy, the 60 s guard, testing mode, scope, an event that
    happened before the trigger listened), written in bulk with the batch that decided it, naming the
    event; not one per trigger filter that did not hold. Staff read them on the automation's and the
    learner's pages to answer "why did this learner not get the e-mail?". Retention removes them with
    the runs (``RUN_RETENTION_DAYS``).

    .. no_pii:
    """

    REASON = Choices(
        ("once", "Once per learner: already entered"),
        ("once_per", "Entered within the once-per period"),
        ("skip_if_active", "Already in the automation"),
        ("guard", "Entered less than the guard interval ago"),
        ("testing", "Testing mode: not a test learner"),
        ("scope", "Outside the automation's scope (e.g. not enrolled in its courses)"),
        ("before", "Happened before the trigger listened"),
        ("loop", "Already in this sequence of automations"),
    )

    automation = models.ForeignKey(Automation, on_delete=models.CASCADE, related_name="entry_refusals")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField()
    reason = models.CharField(max_length=16, choices=REASON)
    detail = models.CharField(max_length=255, blank=True, default="")
    # The event whose trigger held: its type stays when retention purges the event itself.
    event = models.ForeignKey(Event, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    event_type = models.CharField(max_length=100, blank=True, default="")

    class Meta:
        app_label = "lms_automations"
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["automation", "at"], name="lmsauto_refusal_automation"),
                   models.Index(fields=["user", "at"], name="lmsauto_refusal_learner")]

    def __str__(self):
        return f"user {self.user_id} kept out of {self.automation_id}: {self.reason}"
