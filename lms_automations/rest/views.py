"""The REST views (SPEC §7.3). Bad input is always a 4xx JSON answer, never a broken host request."""
import logging
import uuid

from django.contrib.auth import get_user_model
from django.core.exceptions import RequestDataTooBig
from django.db import transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import exceptions, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from ..api import export_automation, import_automation
from ..authority import visible_automation_ids
from ..conf import get_setting
from ..custom_events import Refused, register_or_learn, registration_enabled
from ..engine.json_values import MAX_NUMBER
from ..models import Automation, Event, Run, Step
from ..recording import record_event
from ..retirement import is_retired
from . import payloads
from .authentication import user_authenticators
from .automation_saving import checked_body, saved, saved_answer
from .hmac_auth import SignedSource
from .parsers import BoundedJSONParser
from .permissions import CanDryRun, CanIngestEvents, CanManageAutomations
from .schema import DOCUMENT, DOCUMENT_OR_ENVELOPE, DRY_RUN_REPORT, FIELD_ERRORS, PluginAutoSchema
from .serializers import (
    AutomationSummarySerializer,
    DetailSerializer,
    DocumentErrorsSerializer,
    DryRunRequestSerializer,
    EventIngestSerializer,
    EventRecordedSerializer,
    ImportedAutomationSerializer,
    NewDryRunRequestSerializer,
    RefusalSerializer,
    automation_summary,
    event_response,
)
from .throttling import EventIngestThrottle

log = logging.getLogger(__name__)
#: Stored idempotency keys of ingested events: ``rest:<the client's key>`` (never a host key).
KEY_PREFIX = "rest:"


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "payload_too_large"


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


class Unavailable(exceptions.APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_code = "unavailable"


def exception_handler(exc, context):
    """DRF's handler (JSON ``{"detail": …}`` or field errors), plus Django's own body-size refusal as 413."""
    if isinstance(exc, RequestDataTooBig):
        exc = PayloadTooLarge("The request body is larger than the LMS accepts (DATA_UPLOAD_MAX_MEMORY_SIZE).")
    return drf_exception_handler(exc, context)


class PluginAPIView(APIView):
    """Everything the contract depends on is declared here, not taken from the host's REST_FRAMEWORK."""

    parser_classes = [BoundedJSONParser]
    renderer_classes = [JSONRenderer]
    schema = PluginAutoSchema()
    #: What the OpenAPI schema says of each method: ``{"post": {"request": …, "responses": {…}}}``.
    openapi = {}
    throttle_classes = []
    versioning_class = None
    signed_sources = False

    def get_authenticators(self):
        return user_authenticators(signed_sources=self.signed_sources)

    def get_exception_handler(self):
        return exception_handler

    def get_authenticate_header(self, request):
        # Without JWT installed the first authenticator may have no challenge; 401 still needs one.
        return super().get_authenticate_header(request) or 'Session realm="lms_automations"'


# --- events -----------------------------------------------------------------------------------------

_DETAIL_ANSWERS = {401: DetailSerializer, 403: DetailSerializer, 404: DetailSerializer}


class EventIngestView(PluginAPIView):
    """``POST v1/events/``: record a custom or commerce event for a learner, dispatched like LMS events."""

    permission_classes = [CanIngestEvents]
    throttle_classes = [EventIngestThrottle]
    signed_sources = True

    def initial(self, request, *args, **kwargs):
        # Before authentication: a signed request's body is read to check its signature.
        _refuse_oversized(request)
        super().initial(request, *args, **kwargs)

    openapi = {"post": {
        "operation_id": "events_ingest", "request": EventIngestSerializer,
        "responses": {
            201: EventRecordedSerializer, 200: OpenApiResponse(EventRecordedSerializer, "the key was sent before"),
            400: OpenApiResponse(FIELD_ERRORS, "a field is wrong, or the body is not storable JSON (then "
                                 "detail + errors, as in a Refusal)"),
            **_DETAIL_ANSWERS, 409: DetailSerializer, 413: DetailSerializer, 429: DetailSerializer,
            503: DetailSerializer,
        },
    }}

    def post(self, request):
        serializer = EventIngestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        event_type = data["event"]
        source = request.auth if isinstance(request.auth, SignedSource) else None
        registers = source is None and event_type.startswith("custom.") and registration_enabled()
        user = _learner(data["user"]) if registers else None  # nothing is registered for an unknown learner
        rules = _payload_rules(event_type, data["payload"] if registers else None)
        if source is not None:
            if event_type not in payloads.COMMERCE_EVENT_TYPES:
                raise exceptions.PermissionDenied(
                    f"Source {source.name!r} signs its requests, and signed sources may send only commerce "
                    f"events ({', '.join(sorted(payloads.COMMERCE_EVENT_TYPES))}).")
            if not data["idempotency_key"]:
                raise exceptions.ValidationError({"idempotency_key": [
                    "required from signed sources: send the store's own id for this occurrence, so a re-sent "
                    "request is one event"]})
        errors = payloads.check_payload(event_type, data["payload"], rules)
        if errors:
            raise exceptions.ValidationError({"payload": errors})
        user = user or _learner(data["user"])
        client_key = data["idempotency_key"] or str(uuid.uuid4())
        event, created = _record(event_type, user, data, client_key)
        return Response(event_response(event, client_key, created=created),
                        status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


def _refuse_oversized(request):
    limit = int(get_setting("MAX_PAYLOAD_BYTES"))
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit or (declared == 0 and len(request.body) > limit):
        raise PayloadTooLarge(f"The request body is {declared or len(request.body)} bytes; at most {limit} are "
                              f"accepted (LMS_AUTOMATIONS['MAX_PAYLOAD_BYTES']).")


def _payload_rules(event_type, payload):
    if event_type.startswith("custom.") and payload is not None:
        try:
            register_or_learn(event_type, payload)  # first event, or new fields (REGISTER_CUSTOM_EVENT_TYPES)
        except Refused as refused:
            raise exceptions.ValidationError(refused.errors if "event" in refused.errors else
                                             {"payload": refused.errors}) from None
    try:
        return payloads.payload_rules(event_type)
    except payloads.UnknownEventType:
        if event_type.startswith("custom."):
            raise exceptions.NotFound(
                f"Unknown event type {event_type!r}: declare it in Django admin (Automations › Custom event types, "
                f"slug {event_type.removeprefix('custom.')!r}) before sending it.") from None
        raise exceptions.NotFound(
            f"Unknown event type {event_type!r}: send custom.<slug> (declared in admin) or one of "
            f"{', '.join(sorted(payloads.COMMERCE_EVENT_TYPES))}.") from None
    except payloads.NotIngestible:
        raise exceptions.ValidationError({"event": [
            f"{event_type} is recorded by the LMS itself and cannot be ingested; send custom.<slug> or a commerce "
            f"event type."]}) from None


def _learner(reference):
    (field, value), = reference.items()
    lookup = {"id": "pk", "username": "username", "email": "email__iexact"}[field]
    users = list(get_user_model().objects.filter(**{lookup: value})[:2])
    if not users:
        raise exceptions.NotFound(f"No learner with {field} {value!r}.")
    if len(users) > 1:
        raise exceptions.ValidationError({"user": {field: [
            "more than one learner has this e-mail address; identify the learner by id or username"]}})
    if is_retired(users[0].pk):  # 404 like an unknown learner, saying why (ADR 0011)
        raise exceptions.NotFound(f"No learner with {field} {value!r}: that account was retired, and nothing is "
                                  f"recorded for retired learners.")
    return users[0]


def _stored(stored_key):
    return Event.objects.filter(idempotency_key=stored_key).first()


def _record(event_type, user, data, client_key):
    """The event stored under ``client_key`` and whether this request created it."""
    stored_key = KEY_PREFIX + client_key
    existing = _stored(stored_key)
    if existing is None:
        wrote = []
        with transaction.atomic():
            recorded = record_event(
                event_type,
                user_id=user.pk,
                payload={**data["payload"], "user_id": user.pk},
                occurred_at=data["occurred_at"] or timezone.now(),
                source=Event.SOURCE.rest,
                idempotency_key=stored_key,
                created=wrote,
            )
        if recorded is None:
            raise Unavailable("The event could not be stored; try again later (with the same idempotency_key).")
        event = Event.objects.get(idempotency_key=stored_key)
        # A concurrent request with the same key may have inserted first: then its row is the event.
        created = bool(wrote and wrote[0])
    else:
        event, created = existing, False
    if (event.event_type, event.user_id) != (event_type, user.pk):
        raise Conflict(f"idempotency_key {client_key!r} was already used for another event ({event.event_type} "
                       f"of user {event.user_id}); use a new key for a new occurrence.")
    return event, created


# --- automations ------------------------------------------------------------------------------------

class AutomationPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class AutomationListView(PluginAPIView):
    """``GET v1/automations/`` (the automations the caller may see) and ``POST`` (import a v1 document)."""

    permission_classes = [CanManageAutomations]
    pagination_class = AutomationPagination

    openapi = {
        "get": {
            "operation_id": "automations_list",
            "parameters": [OpenApiParameter("status", str, enum=[value for value, _label in Automation.STATUS]),
                           OpenApiParameter("page", int), OpenApiParameter("page_size", int)],
            "responses": {200: AutomationSummarySerializer(many=True), 400: FIELD_ERRORS, **_DETAIL_ANSWERS},
        },
        "post": {
            "operation_id": "automations_import", "request": {"application/json": DOCUMENT_OR_ENVELOPE},
            "responses": {
                201: ImportedAutomationSerializer,
                400: OpenApiResponse(DocumentErrorsSerializer, "the document's errors, each with its path (or, "
                                     "for a body that is not storable JSON, detail + errors)"),
                401: DetailSerializer, 403: RefusalSerializer, 413: DetailSerializer,
            },
        },
    }

    def get(self, request):
        queryset = Automation.objects.prefetch_related("triggers").order_by("name", "id")
        visible = visible_automation_ids(request.user)
        if visible is not None:
            queryset = queryset.filter(pk__in=visible)
        wanted_status = request.query_params.get("status")
        if wanted_status:
            if wanted_status not in Automation.STATUS:
                raise exceptions.ValidationError({"status": [
                    f"must be one of {', '.join(Automation.STATUS._db_values)} (got {wanted_status!r})"]})
            queryset = queryset.filter(status=wanted_status)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(queryset, request, view=self)
        ids = [automation.pk for automation in page]
        runs = {automation_id: dict.fromkeys(["total", *Run.STATUS._db_values], 0) for automation_id in ids}
        for automation_id, run_status, count in (Run.objects.filter(automation_id__in=ids)
                                                 .values_list("automation_id", "status").annotate(n=Count("id"))
                                                 .order_by()):
            runs[automation_id][run_status] = count
            runs[automation_id]["total"] += count
        steps = dict(Step.objects.filter(automation_id__in=ids).values_list("automation_id")
                     .annotate(n=Count("id")).order_by())
        results = [
            automation_summary(automation, runs[automation.pk], steps.get(automation.pk, 0),
                               request.build_absolute_uri(_export_path(automation.pk)))
            for automation in page
        ]
        return paginator.get_paginated_response(results)

    def post(self, request):
        body, refused = checked_body(request.data, request.user)
        if refused:
            return refused
        automation, refused = saved(body, request.user, lambda document: import_automation(
            document, owner=request.user, actor=request.user))
        if refused:
            return refused
        location = _export_path(automation.pk)
        return Response(saved_answer(automation, request.build_absolute_uri(location)),
                        status=status.HTTP_201_CREATED, headers={"Location": location})


class AutomationExportView(PluginAPIView):
    """``GET v1/automations/<id>/export``: the v1 document, as ``api.export_automation`` gives it."""

    permission_classes = [CanManageAutomations]

    openapi = {"get": {"operation_id": "automations_export", "responses": {200: DOCUMENT, **_DETAIL_ANSWERS}}}

    def get(self, request, pk):
        visible = visible_automation_ids(request.user)
        # An id no database integer holds is no automation (and would overflow the query).
        automation = Automation.objects.filter(pk=pk).first() if len(str(pk)) < 16 and int(pk) <= MAX_NUMBER else None
        if automation is None or (visible is not None and automation.pk not in set(visible)):
            raise exceptions.NotFound(f"No automation {pk} that you can see.")
        return Response(export_automation(automation))


class AutomationDryRunView(PluginAPIView):
    """``POST v1/automations/<id>/dry-run``: what the automation (or ``document``, unsaved edits of it)
    would do with the learner now — the builder's "Try with a learner" (``lms_automations.dry_runs``)."""

    permission_classes = [CanDryRun]
    request_serializer = DryRunRequestSerializer
    openapi = {"post": {
        "operation_id": "automations_dry_run", "request": DryRunRequestSerializer,
        "responses": {200: DRY_RUN_REPORT,
                      400: OpenApiResponse(FIELD_ERRORS, "a field is wrong, or the document's errors (detail + "
                                           "errors, each with its path)"),
                      **_DETAIL_ANSWERS, 409: OpenApiResponse(DetailSerializer, "a guard stopped the dry run")},
    }}

    def post(self, request, pk=None):
        from ..dry_runs import DryRunRefused, dry_run_for, refuse_unless_may_try  # pylint: disable=C0415

        automation = _visible_automation(request.user, pk) if pk is not None else None
        serializer = self.request_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            refuse_unless_may_try(request.user, automation)
            try:
                user = _learner(data["user"])
            except exceptions.NotFound:  # the same answer as for a learner of another course
                raise DryRunRefused(404, "No such learner among the learners you may see.") from None
            report = dry_run_for(request.user, automation, data.get("document"), user.pk,
                                 event_id=data.get("event_id"))
        except DryRunRefused as refused:
            return Response(refused.body, status=refused.status)
        return Response(report)


class NewDryRunView(AutomationDryRunView):
    """``POST v1/automations/dry-run``: what a document not saved yet would do with the learner now."""

    request_serializer = NewDryRunRequestSerializer
    openapi = {"post": {**AutomationDryRunView.openapi["post"], "operation_id": "automations_dry_run_new",
                        "request": NewDryRunRequestSerializer}}


def _visible_automation(user, pk):
    visible = visible_automation_ids(user)
    # An id no database integer holds is no automation (and would overflow the query).
    automation = Automation.objects.filter(pk=pk).first() if len(str(pk)) < 16 and int(pk) <= MAX_NUMBER else None
    if automation is None or (visible is not None and automation.pk not in set(visible)):
        raise exceptions.NotFound(f"No automation {pk} that you can see.")
    return automation


def _export_path(automation_id):
    return reverse("lms_automations:rest-automation-export", kwargs={"pk": automation_id})
