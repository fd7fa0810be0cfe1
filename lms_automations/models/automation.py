"""The automation definition: the flow course staff build (SPEC §2, §3).

Definitions are relational so that the admin can edit one step, the engine can read a step's
configuration when a learner reaches it, and learners per step can be counted with one query.
The v1 JSON document is produced from and loaded into these rows (``engine.definition``).
"""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from model_utils import Choices
from model_utils.models import TimeStampedModel

from .history import PluginHistoricalRecords


class Automation(TimeStampedModel):
    """
    A named flow: triggers, steps, exit conditions, entry policy, execution mode and status.

    .. no_pii:
    """

    STATUS = Choices(
        ("draft", "Draft"),
        ("testing", "Testing"),
        ("active", "Active"),
        ("inactive", "Inactive"),
        ("finishing", "Finishing (deleted, letting learners finish)"),
    )
    EXECUTION = Choices(
        ("async", "async_", "Asynchronous (Celery)"), ("sync", "sync", "Synchronous (after the host commits)")
    )
    ENTRY_POLICY = Choices(
        ("each_time", "Each time"),
        ("once", "Once per learner, ever"),
        ("once_per", "Once per period"),
        ("skip_if_active", "Skip if the learner is already in it"),
        ("restart", "Restart the learner's run"),
    )

    name = models.CharField(max_length=255)
    status = models.CharField(max_length=10, choices=STATUS, default=STATUS.draft, db_index=True)
    description = models.TextField(blank=True, default="")
    execution = models.CharField(max_length=8, choices=EXECUTION, default=EXECUTION.async_)
    entry_policy = models.CharField(max_length=16, choices=ENTRY_POLICY, default=ENTRY_POLICY.each_time)
    entry_period = models.DurationField(
        null=True, blank=True, help_text="For 'once per period': the ISO-8601 period, e.g. P1D."
    )
    # Calendar months of a once-per period (P1M, P6M), before ``entry_period`` (ADR 0017): a month
    # has no fixed length, so it cannot live in the DurationField.
    entry_period_months = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="For 'once per period': calendar months, e.g. 1 for P1M."
    )
    scope_courses = models.JSONField(default=list, blank=True, help_text="Course keys this automation belongs to.")
    scope_orgs = models.JSONField(default=list, blank=True, help_text="Organisations this automation belongs to.")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # How course teams group their automations in the list (ADR 0013): names, not behaviour, so
    # they stay out of the v1 document.
    labels = models.JSONField(
        default=list, blank=True, verbose_name=_("labels"),
        help_text=_("Words that group automations in the list, e.g. onboarding, PY101."),
    )
    history = PluginHistoricalRecords()

    class Meta:
        app_label = "lms_automations"
        ordering = ["name", "id"]

    def __str__(self):
        return self.name


class Trigger(models.Model):
    """
    One way into an automation: an event type, its params (the threshold the course team chose, for
    the event types that take one) and a filter; evaluated in ``position`` order.

    ``listening_since`` is when this trigger began to hear events: when its automation last became
    active or testing, or when it was added to a live automation. An event that happened before then
    does not start a run through it (SPEC §5.1, ADR 0015); None for a draft's trigger, and for
    triggers older than the column (they hear everything, as before).

    .. no_pii:
    """

    automation = models.ForeignKey(Automation, on_delete=models.CASCADE, related_name="triggers")
    position = models.PositiveSmallIntegerField(default=0)
    event_type = models.CharField(max_length=100, db_index=True)
    params = models.JSONField(default=dict, blank=True)
    filter = models.JSONField(null=True, blank=True)
    listening_since = models.DateTimeField(null=True, blank=True)
    history = PluginHistoricalRecords()

    class Meta:
        app_label = "lms_automations"
        ordering = ["automation_id", "position"]

    def __str__(self):
        return f"{self.event_type} → {self.automation_id}"


class Step(models.Model):
    """
    One node of the flow: an action, a wait or a branch.

    The flow is a tree: top-level steps have no parent; a branch's children sit on its ``yes`` or
    ``no`` side. ``step_id`` is the stable public id (runs point at it, so edits keep their place).

    .. no_pii:
    """

    TYPE = Choices(("action", "Action"), ("wait", "Wait"), ("branch", "Branch"))
    SIDE = Choices(("", "main", "Main flow"), ("yes", "Yes"), ("no", "No"))

    automation = models.ForeignKey(Automation, on_delete=models.CASCADE, related_name="steps")
    step_id = models.CharField(max_length=100)
    step_type = models.CharField(max_length=8, choices=TYPE)
    kind = models.CharField(
        max_length=100, blank=True, default="", help_text="The catalogue key: an action or a wait key."
    )
    params = models.JSONField(default=dict, blank=True)
    condition = models.JSONField(null=True, blank=True, help_text="A branch's condition tree.")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children")
    side = models.CharField(max_length=3, choices=SIDE, default=SIDE.main, blank=True)
    position = models.PositiveIntegerField(default=0)
    history = PluginHistoricalRecords()

    class Meta:
        app_label = "lms_automations"
        ordering = ["automation_id", "parent_id", "side", "position"]
        constraints = [
            models.UniqueConstraint(fields=["automation", "step_id"], name="lmsauto_step_id_unique"),
        ]
        indexes = [models.Index(fields=["automation", "parent", "side", "position"], name="lmsauto_step_tree")]

    def __str__(self):
        return f"{self.step_id} ({' '.join(filter(None, (self.step_type, self.kind)))})"


class ExitCondition(models.Model):
    """
    An event (plus its params and filter) that ends a learner's run wherever it is, as ``converted`` or ``exited``.

    .. no_pii:
    """

    OUTCOME = Choices(("converted", "Converted"), ("exited", "Exited"))

    automation = models.ForeignKey(Automation, on_delete=models.CASCADE, related_name="exit_conditions")
    position = models.PositiveSmallIntegerField(default=0)
    event_type = models.CharField(max_length=100, db_index=True)
    params = models.JSONField(default=dict, blank=True)
    filter = models.JSONField(null=True, blank=True)
    outcome = models.CharField(max_length=9, choices=OUTCOME, default=OUTCOME.converted)
    history = PluginHistoricalRecords()

    class Meta:
        app_label = "lms_automations"
        ordering = ["automation_id", "position"]

    def __str__(self):
        return f"exit on {self.event_type} ({self.outcome})"


class TestLearner(models.Model):
    """
    A learner for whom an automation in ``testing`` status runs; messages go to ``redirect_to``.

    .. no_pii:
    """

    automation = models.ForeignKey(Automation, on_delete=models.CASCADE, related_name="test_learners")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    redirect_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        help_text="The staff member who receives the messages this learner would get.",
    )

    class Meta:
        app_label = "lms_automations"
        constraints = [models.UniqueConstraint(fields=["automation", "user"], name="lmsauto_testlearner_unique")]

    __test__ = False  # not a pytest test class, despite the name

    def __str__(self):
        return f"test learner {self.user_id} of automation {self.automation_id}"
