"""Events: what happened to a learner, recorded once, then dispatched to the engine (SPEC §2, §5.4).

The ``Event`` table doubles as the outbox: a row with no ``dispatched_at`` has not been handed to the
engine yet, and the tick re-enqueues such rows if the on-commit enqueue was lost.
"""
from django.conf import settings
from django.db import models
from model_utils import Choices
from model_utils.models import TimeStampedModel

from .history import PluginHistoricalRecords


class Event(models.Model):
    """
    One occurrence of a catalogue event type for one learner.

    ``idempotency_key`` is unique: the host's event id where it has one (openedx-events metadata id),
    else a business key, so a re-sent host signal is recorded once.

    .. pii: ``payload`` can hold the learner's username and e-mail address (registration events) and
       whatever a custom event carries.
    .. pii_types: username, email_address, other
    .. pii_retirement: local_api
    """

    SOURCE = Choices(
        ("openedx_events", "openedx-events signal"),
        ("django_signal", "Django signal"),
        ("event_bus", "Open edX event bus"),
        ("rest", "REST ingestion"),
        ("api", "Python API"),
        ("plugin", "lms-automations itself"),
        ("scan", "Scheduled scan"),
    )
    DISPATCH = Choices(
        ("pending", "Waiting for dispatch"),
        ("dispatched", "Dispatched to the engine"),
        ("ignored", "Ignored (not a change the learner made)"),
    )

    event_type = models.CharField(max_length=100)
    # No database constraint: the row is inserted inside the host's transaction, and a deferred
    # foreign-key check failing at the host's COMMIT would break the host's request. Dispatch ignores
    # events of learners that do not exist.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    payload = models.JSONField(default=dict, blank=True)
    occurred_at = models.DateTimeField()
    source = models.CharField(max_length=16, choices=SOURCE, default=SOURCE.api)
    idempotency_key = models.CharField(max_length=255, unique=True)
    recorded_at = models.DateTimeField(auto_now_add=True)
    dispatch_status = models.CharField(max_length=10, choices=DISPATCH, default=DISPATCH.pending)
    dispatched_at = models.DateTimeField(null=True, blank=True)
    # Last time a dispatch task was enqueued by the outbox relay (not by the on-commit hand-off).
    relayed_at = models.DateTimeField(null=True, blank=True)
    dispatch_note = models.CharField(max_length=255, blank=True, default="")
    dispatch_attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        app_label = "lms_automations"
        ordering = ["-occurred_at", "-id"]
        indexes = [
            # The outbox relay: undispatched rows form the NULL prefix of this index on every backend.
            models.Index(fields=["dispatched_at", "recorded_at"], name="lmsauto_event_outbox"),
            # "Has this learner had such an event (within …)?" conditions and the learner timeline.
            models.Index(fields=["user", "event_type", "occurred_at"], name="lmsauto_event_learner"),
        ]

    def __str__(self):
        return f"{self.event_type} for user {self.user_id} at {self.occurred_at:%Y-%m-%d %H:%M}"


class LearnerDispatchLock(models.Model):
    """
    One row per learner, locked while that learner's events are dispatched.

    A learner's events are matched one at a time, in the order they were recorded, whichever worker
    picks them up: "enrolled then unenrolled" is never seen the other way round.

    .. no_pii:
    """

    user_id = models.BigIntegerField(primary_key=True)

    class Meta:
        app_label = "lms_automations"

    def __str__(self):
        return f"dispatch lock of user {self.user_id}"

class PeriodicScan(models.Model):
    """
    When a periodic scan (e.g. the daily inactivity scan) last ran, so that ticks run it once a day.

    .. no_pii:
    """

    name = models.CharField(max_length=50, primary_key=True)
    last_run_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        app_label = "lms_automations"

    def __str__(self):
        return f"{self.name} (last run {self.last_run_at})"


class CustomEventType(TimeStampedModel):
    """
    A ``custom.<slug>`` event type declared in admin, ingested through REST or ``api.emit``.

    .. no_pii:
    """

    slug = models.SlugField(max_length=80, unique=True, help_text="The event type is custom.<slug>.")
    label = models.CharField(max_length=255)
    description = models.TextField(blank=True, default="")
    fields = models.JSONField(
        default=list, blank=True, help_text='Declared payload fields, e.g. [{"name": "webinar", "type": "string"}].'
    )
    # Set when the type was registered by its first ingestion (setting REGISTER_CUSTOM_EVENT_TYPES,
    # ADR 0017): fields later payloads carry are added to ``fields`` instead of being refused.
    learns_fields = models.BooleanField(
        default=False, help_text="Registered on first ingestion: new payload fields are added to the declared "
                                 "fields. Untick to keep the declaration as it is (then unknown fields are refused).")
    history = PluginHistoricalRecords()

    class Meta:
        app_label = "lms_automations"
        ordering = ["slug"]

    def __str__(self):
        return self.event_type

    @property
    def event_type(self):
        return f"custom.{self.slug}"
