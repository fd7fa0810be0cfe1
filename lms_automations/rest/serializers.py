"""Request bodies and response shapes of the REST API.

The request serializers check what comes in; the response serializers describe what goes out (the
OpenAPI schema, ``schema.py``, is generated from both), and the views' answers are built to match.
"""
import datetime

from django.utils import timezone
from rest_framework import serializers

from ..engine.json_values import MAX_NUMBER
from ..models import Automation, Run

#: How far in the future an ``occurred_at`` may be (clock skew between the sender and the LMS).
FUTURE_TOLERANCE = datetime.timedelta(minutes=5)
#: Stored keys are ``rest:<key>`` (255 characters at most), so a client's key is at most this long.
MAX_IDEMPOTENCY_KEY_LENGTH = 200


class StrictSerializer(serializers.Serializer):  # pylint: disable=abstract-method
    """Refuses fields it does not know, instead of ignoring them (a typo must not pass silently)."""

    def to_internal_value(self, data):
        unknown = {}
        if isinstance(data, dict):
            allowed = ", ".join(self.fields)
            unknown = {name: [f"unknown field; allowed: {allowed}"] for name in sorted(set(data) - set(self.fields))}
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as error:
            if unknown and isinstance(error.detail, dict):
                error.detail.update(unknown)
            raise
        if unknown:
            raise serializers.ValidationError(unknown)
        return value


class LearnerReferenceSerializer(StrictSerializer):  # pylint: disable=abstract-method
    """Exactly one of the learner's id, username or e-mail address."""

    id = serializers.IntegerField(required=False, min_value=1, max_value=MAX_NUMBER)
    username = serializers.CharField(required=False, max_length=150)
    email = serializers.CharField(required=False, max_length=254)

    def validate(self, attrs):
        if len(attrs) != 1:
            raise serializers.ValidationError('give exactly one of "id", "username" or "email"')
        return attrs


class EventIngestSerializer(StrictSerializer):  # pylint: disable=abstract-method
    event = serializers.CharField(max_length=100)
    user = LearnerReferenceSerializer()
    payload = serializers.DictField(required=False, default=dict)
    occurred_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    idempotency_key = serializers.CharField(required=False, allow_null=True, default=None,
                                            max_length=MAX_IDEMPOTENCY_KEY_LENGTH)

    def validate_occurred_at(self, value):
        if value is not None and value > timezone.now() + FUTURE_TOLERANCE:
            raise serializers.ValidationError("is in the future; send when the event happened (ISO-8601, with "
                                              "a time zone)")
        return value


class DryRunRequestSerializer(StrictSerializer):  # pylint: disable=abstract-method
    """``POST v1/automations/<id>/dry-run``: the learner, and optionally unsaved edits and an event."""

    user = LearnerReferenceSerializer()
    document = serializers.DictField(required=False, help_text="a v1 document to try instead of the saved one")
    event_id = serializers.IntegerField(required=False, min_value=1, max_value=MAX_NUMBER,
                                        help_text="an event of the learner to try the triggers with (default: "
                                                  "the learner's latest event of each trigger's type)")


class NewDryRunRequestSerializer(DryRunRequestSerializer):  # pylint: disable=abstract-method
    """``POST v1/automations/dry-run``: a document not saved yet."""

    document = serializers.DictField(help_text="the v1 document to try")


class EventRecordedSerializer(serializers.Serializer):  # pylint: disable=abstract-method
    """What ingestion answers: the recorded event (201 when this request recorded it, 200 for a repeated key)."""

    id = serializers.IntegerField()
    event = serializers.CharField()
    user_id = serializers.IntegerField()
    occurred_at = serializers.DateTimeField()
    idempotency_key = serializers.CharField()
    created = serializers.BooleanField()


class ScopeSerializer(serializers.Serializer):  # pylint: disable=abstract-method
    courses = serializers.ListField(child=serializers.CharField())
    orgs = serializers.ListField(child=serializers.CharField())


class RunCountsSerializer(serializers.Serializer):  # pylint: disable=abstract-method
    """Runs of the automation in all, and per run status."""

    total = serializers.IntegerField()

    def get_fields(self):
        fields = super().get_fields()
        fields.update({name: serializers.IntegerField() for name, _label in Run.STATUS})
        return fields


class CountsSerializer(serializers.Serializer):  # pylint: disable=abstract-method
    steps = serializers.IntegerField()
    runs = RunCountsSerializer()


class AutomationSummarySerializer(serializers.Serializer):  # pylint: disable=abstract-method
    """One automation in the list (``automation_summary``)."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    description = serializers.CharField(allow_blank=True)
    status = serializers.ChoiceField(choices=Automation.STATUS)
    execution = serializers.ChoiceField(choices=Automation.EXECUTION)
    scope = ScopeSerializer()
    triggers = serializers.ListField(child=serializers.CharField(), help_text="the event types that start a run")
    labels = serializers.ListField(child=serializers.CharField(), help_text="this site's labels of the automation")
    counts = CountsSerializer()
    modified = serializers.DateTimeField()
    export_url = serializers.URLField()


class ImportedAutomationSerializer(serializers.Serializer):  # pylint: disable=abstract-method
    """What an import answers (201, with the export URL in ``Location`` too)."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    status = serializers.ChoiceField(choices=Automation.STATUS)
    labels = serializers.ListField(child=serializers.CharField(), help_text="this site's labels of the automation")
    test_learners = serializers.ListField(child=serializers.IntegerField(),
                                          help_text="ids of the learners who may enter it while it is in testing")
    export_url = serializers.URLField()


class PathErrorSerializer(serializers.Serializer):  # pylint: disable=abstract-method
    path = serializers.CharField(help_text="where in the JSON body, e.g. steps[2].params.days (empty or $: the body)")
    message = serializers.CharField(help_text="what to change")


class DocumentErrorsSerializer(serializers.Serializer):  # pylint: disable=abstract-method
    """400 of an import: every problem of the document, each with its JSON path."""

    errors = PathErrorSerializer(many=True)


class DetailSerializer(serializers.Serializer):  # pylint: disable=abstract-method
    """401, 403, 404, 409, 413, 429 and 503: one sentence that says what happened and what to do."""

    detail = serializers.CharField()


class RefusalSerializer(serializers.Serializer):  # pylint: disable=abstract-method
    """A refusal that also points into the body: a body that cannot be parsed or stored (400), an
    import outside the caller's scope (403)."""

    detail = serializers.CharField()
    errors = PathErrorSerializer(many=True, required=False)


def event_response(event, client_key, *, created):
    """What ingestion answers, for a new event and for a repeated key alike."""
    return {
        "id": event.pk,
        "event": event.event_type,
        "user_id": event.user_id,
        "occurred_at": serializers.DateTimeField().to_representation(event.occurred_at),
        "idempotency_key": client_key,
        "created": created,
    }


def automation_summary(automation, run_counts, step_count, export_url):
    """One automation in the list: what it is, where it applies, what starts it and how it is doing."""
    return {
        "id": automation.pk,
        "name": automation.name,
        "description": automation.description,
        "status": automation.status,
        "execution": automation.execution,
        "scope": {"courses": list(automation.scope_courses or []), "orgs": list(automation.scope_orgs or [])},
        "triggers": [trigger.event_type for trigger in automation.triggers.all()],
        "labels": list(automation.labels or []),
        "counts": {"steps": step_count, "runs": run_counts},
        "modified": serializers.DateTimeField().to_representation(automation.modified),
        "export_url": export_url,
    }
