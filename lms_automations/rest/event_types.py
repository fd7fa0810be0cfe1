"""``v1/event-types/``: the event types of this site, what each starts and stops, and declaring custom ones.

``GET`` lists every catalogue event type (admin-declared ``custom.*`` ones included) with its
payload fields and the automations it starts (triggers) and stops (exit conditions) — only
automations the caller may see. ``POST`` declares a ``custom.<slug>`` type, as Django admin does:
platform staff only, since a custom type is site-wide; every bad field is a 400 saying what to change.
"""
from django.db import IntegrityError, transaction
from drf_spectacular.utils import OpenApiParameter
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response

from .. import authority
from ..catalogue import get_custom_event_types, get_event_types
from ..catalogue.events import CUSTOM_PREFIX
from ..custom_events import FIELD_NAME, MAX_FIELDS, listeners, slug_error
from ..models import CustomEventType
from .payloads import _CUSTOM_TYPE_CHECKS
from .permissions import CanManageAutomations
from .schema import FIELD_ERRORS
from .serializers import DetailSerializer, StrictSerializer
from .views import Conflict, PluginAPIView

FIELD_TYPES = sorted(_CUSTOM_TYPE_CHECKS)


class FieldDeclarationSerializer(StrictSerializer):  # pylint: disable=abstract-method
    name = serializers.CharField(max_length=100)
    type = serializers.ChoiceField(choices=FIELD_TYPES, required=False, default="string")
    description = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
    required = serializers.BooleanField(required=False, default=False)

    def validate_name(self, value):
        if not FIELD_NAME.match(value) or value == "user_id":
            raise serializers.ValidationError("a field name is letters, digits and _ (at most 100), not starting "
                                              "with a digit, and not user_id (the plugin sets it)")
        return value


class CustomEventTypeSerializer(StrictSerializer):  # pylint: disable=abstract-method
    """What declaring a ``custom.<slug>`` type takes."""

    slug = serializers.CharField(max_length=80, help_text="the event type is custom.<slug>")
    label = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
    description = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    fields = FieldDeclarationSerializer(many=True, required=False, default=list, max_length=MAX_FIELDS)

    def validate_slug(self, value):
        error = slug_error(value)
        if error:
            raise serializers.ValidationError(error)
        return value

    def validate_fields(self, value):
        names = [field["name"] for field in value]
        repeated = sorted({name for name in names if names.count(name) > 1})
        if repeated:
            raise serializers.ValidationError(f"each field is declared once; repeated: {', '.join(repeated)}")
        return value


class AutomationRefSerializer(serializers.Serializer):  # pylint: disable=abstract-method
    id = serializers.IntegerField()
    name = serializers.CharField()
    status = serializers.CharField()


class EventTypeSerializer(serializers.Serializer):  # pylint: disable=abstract-method
    key = serializers.CharField()
    label = serializers.CharField()
    category = serializers.CharField()
    custom = serializers.BooleanField()
    learns_fields = serializers.BooleanField(help_text="registered by its first event: it adds new payload fields")
    payload_fields = serializers.DictField(child=serializers.CharField(allow_blank=True))
    starts = AutomationRefSerializer(many=True, help_text="automations one of whose triggers is this type")
    stops = AutomationRefSerializer(many=True, help_text="automations one of whose exit conditions is this type")


class EventTypeListSerializer(serializers.Serializer):  # pylint: disable=abstract-method
    results = EventTypeSerializer(many=True)


def _refs(automations):
    return [{"id": automation.pk, "name": automation.name, "status": automation.status} for automation in automations]


def event_type_rows(user, only=None):
    """The listing's rows, in catalogue order (category, label); ``only``: one key."""
    entries = {**get_event_types(), **get_custom_event_types()}
    if only is not None:
        entries = {key: entry for key, entry in entries.items() if key == only}
    learning = set(CustomEventType.objects.filter(learns_fields=True).values_list("slug", flat=True))
    heard = listeners(list(entries), authority.visible_automation_ids(user))
    rows = []
    for entry in sorted(entries.values(), key=lambda e: (e.category.casefold(), e.label.casefold(), e.key)):
        found = heard.get(entry.key, {"starts": [], "stops": []})
        custom = entry.key.startswith(CUSTOM_PREFIX)
        rows.append({"key": entry.key, "label": entry.label, "category": entry.category, "custom": custom,
                     "learns_fields": custom and entry.key.removeprefix(CUSTOM_PREFIX) in learning,
                     "payload_fields": {name: str(text) for name, text in entry.payload_fields.items()},
                     "starts": _refs(found["starts"]), "stops": _refs(found["stops"])})
    return rows


class EventTypeListView(PluginAPIView):
    """``GET v1/event-types/`` and ``POST`` (declare a custom type)."""

    permission_classes = [CanManageAutomations]
    openapi = {
        "get": {
            "operation_id": "event_types_list",
            "parameters": [OpenApiParameter("key", str, description="only this event type")],
            "responses": {200: EventTypeListSerializer, 401: DetailSerializer, 403: DetailSerializer},
        },
        "post": {
            "operation_id": "event_types_declare", "request": CustomEventTypeSerializer,
            "responses": {201: EventTypeSerializer, 400: FIELD_ERRORS, 401: DetailSerializer, 403: DetailSerializer,
                          409: DetailSerializer, 413: DetailSerializer},
        },
    }

    def get(self, request):
        only = request.query_params.get("key")
        return Response({"results": event_type_rows(request.user, only=only or None)})

    def post(self, request):
        if not authority.is_platform_staff(request.user) or not request.user.has_perm(
                "lms_automations.add_customeventtype"):
            raise exceptions.PermissionDenied("Custom event types are site-wide: declaring one needs platform staff "
                                              "with the permission lms_automations.add_customeventtype.")
        serializer = CustomEventTypeSerializer(data=request.data)
        if not serializer.is_valid():
            raise exceptions.ValidationError(_errors_by_index(serializer.errors))
        data = serializer.validated_data
        try:
            with transaction.atomic():
                declared = CustomEventType.objects.create(
                    slug=data["slug"], label=data["label"] or data["slug"], description=data["description"],
                    fields=[dict(field) for field in data["fields"]])
        except IntegrityError:
            raise Conflict(f"custom.{data['slug']} is declared already; change it in Django admin (Automations › "
                           f"Custom event types), or choose another slug.") from None
        (row,) = event_type_rows(request.user, only=declared.event_type)
        return Response(row, status=status.HTTP_201_CREATED)


def _errors_by_index(errors):
    """DRF before 3.17 gives a list's errors as a list with an empty entry per valid item, later
    releases as ``{index: errors}``: answer in the later form whichever DRF the site runs."""
    items = errors.get("fields")
    if isinstance(items, list) and items and all(isinstance(item, dict) for item in items):
        errors = {**errors, "fields": {str(index): item for index, item in enumerate(items) if item}}
    return errors
