"""Request bodies and response shapes of the REST API."""
import datetime

from django.utils import timezone
from rest_framework import serializers

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

    id = serializers.IntegerField(required=False, min_value=1)
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
        "counts": {"steps": step_count, "runs": run_counts},
        "modified": serializers.DateTimeField().to_representation(automation.modified),
        "export_url": export_url,
    }
