"""``PUT v1/automations/<id>/``: replace an automation's definition in place (SPEC §7.1 ``update_automation``).

The same rules as the builder's save (ADR 0012): the whole v1 document in; validation and authority
as for an import, with the caller as the actor (SPEC §5.16); an invalid document changes nothing,
whatever the automation's status — an active automation keeps running what it had. A document
that removes steps where learners are answers 409 with who is where and where they will go, until
the caller confirms with ``?move_learners_on=true``.
"""
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import exceptions, serializers
from rest_framework.response import Response

from ..api import update_automation
from ..authority import may_change, visible_automation_ids
from ..definition_changes import learners_at_removed_steps
from ..engine.json_values import MAX_NUMBER
from ..models import Automation
from .automation_saving import checked_body, saved, saved_answer
from .permissions import CanManageAutomations
from .schema import DOCUMENT_OR_ENVELOPE
from .serializers import DetailSerializer, DocumentErrorsSerializer, ImportedAutomationSerializer, RefusalSerializer
from .views import PluginAPIView, _export_path


class LearnersAtRemovedStepSerializer(serializers.Serializer):  # pylint: disable=abstract-method
    step_id = serializers.CharField()
    count = serializers.IntegerField()
    next = serializers.CharField(allow_null=True, help_text="the step they go on to (null: the end of the flow)")


class RemovedStepsConflictSerializer(serializers.Serializer):  # pylint: disable=abstract-method
    """409 of an update that removes steps where learners are: confirm with ``?move_learners_on=true``."""

    detail = serializers.CharField()
    learners = LearnersAtRemovedStepSerializer(many=True)


class AutomationUpdateView(PluginAPIView):
    """``PUT v1/automations/<id>/`` (the v1 document, as export gives it)."""

    permission_classes = [CanManageAutomations]

    openapi = {
        "put": {
            "operation_id": "automations_update", "request": {"application/json": DOCUMENT_OR_ENVELOPE},
            "parameters": [OpenApiParameter("move_learners_on", bool, description=(
                "confirms removing steps where learners are: they go on to the next step that remains"))],
            "responses": {
                200: ImportedAutomationSerializer,
                400: OpenApiResponse(DocumentErrorsSerializer, "the document's errors, each with its path; nothing "
                                     "was changed"),
                401: DetailSerializer, 403: RefusalSerializer, 404: DetailSerializer,
                409: RemovedStepsConflictSerializer, 413: DetailSerializer,
            },
        },
    }

    def put(self, request, pk):
        automation = _changeable(request.user, pk)
        body, refused = checked_body(request.data, request.user)
        if refused:
            return refused
        if request.query_params.get("move_learners_on", "").lower() not in ("true", "1", "yes"):
            holding = learners_at_removed_steps(automation, body.document)
            if holding:
                return Response({"detail": "Learners are at steps this document removes; send it again with "
                                           "?move_learners_on=true to move them on to the next step that remains.",
                                 "learners": holding}, status=409)
        updated, refused = saved(body, request.user, lambda document: update_automation(
            automation, document, actor=request.user))
        if refused:
            return refused
        return Response(saved_answer(updated, request.build_absolute_uri(_export_path(updated.pk))))


def _changeable(user, pk):
    """The automation ``user`` may change: 404 when they cannot see it, 403 when they only see it."""
    visible = visible_automation_ids(user)
    automation = Automation.objects.filter(pk=pk).first() if len(str(pk)) < 16 and int(pk) <= MAX_NUMBER else None
    if automation is None or (visible is not None and automation.pk not in set(visible)):
        raise exceptions.NotFound(f"No automation {pk} that you can see.")
    if not may_change(user, automation):
        raise exceptions.PermissionDenied("You may read this automation but not change it: its scope includes "
                                          "courses or organisations where you are not on the team.")
    if automation.status == Automation.STATUS.finishing:
        raise exceptions.PermissionDenied("This automation is being deleted (learners are finishing); it is read-only.")
    return automation
