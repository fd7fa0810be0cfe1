"""The builder on the automation page, and the JSON views it talks to (ADR 0012).

The browser holds the whole v1 document and saves it through one view, which hands it to
``api.update_automation`` (or ``api.import_automation`` for a new automation): validation (SPEC §6),
the secret masks and the runs' places behave exactly as for an import, and an invalid document —
whatever its status — changes nothing. The classic inline form stays at ``?classic=1``.
"""
import json

from django.contrib.admin.utils import unquote
from django.db import transaction
from django.http import Http404, JsonResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.i18n import JavaScriptCatalog

from .. import api, authority
from ..definition_changes import learners_at_removed_steps
from ..dry_runs import DryRunRefused, dry_run_for
from ..engine.definition import dump_document
from ..exceptions import InvalidAutomation
from ..models import Automation
from . import builder_pickers as pickers
from .builder_catalogue import catalogue_data
from .builder_errors import located
from .builder_preview import preview_context, render_email, send_test
from .builder_settings import apply_settings, settings_data, settings_errors
from .flow_view import step_counts
from .pages import change_url, require
from .refusals import refusal_rows, refusals_of
from .scoping import scope_refusal
from .staff_actions import scoped_automation
from .viewer_time import viewer_timezone, zone_name

BLANK = {"format": "lms-automations/v1", "name": "", "description": "", "scope": {"courses": [], "orgs": []},
         "status": "draft", "execution": "async", "entry": {"policy": "each_time", "period": None},
         "triggers": [], "steps": [], "exit_conditions": []}
MAX_BODY = 2_000_000


class AutomationBuilderMixin:
    """Mixed into ``AutomationAdmin``: the builder page (add and change) and its JSON views."""

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("builder/catalogue/", wrap(self.builder_catalogue_view), name="lms_automations_builder_catalogue"),
            path("builder/courses/", wrap(self.builder_courses_view), name="lms_automations_builder_courses"),
            path("builder/outline/", wrap(self.builder_outline_view), name="lms_automations_builder_outline"),
            path("builder/names/<str:kind>/", wrap(self.builder_names_view), name="lms_automations_builder_names"),
            path("builder/learners/", wrap(self.builder_learners_view), name="lms_automations_builder_learners"),
            path("builder/preview/", wrap(self.builder_preview_view), name="lms_automations_builder_preview"),
            path("builder/save/", wrap(self.builder_save_view), name="lms_automations_builder_save"),
            path("builder/dry-run/", wrap(self.builder_dry_run_view), name="lms_automations_builder_dry_run"),
            path("builder/jsi18n/", wrap(JavaScriptCatalog.as_view(packages=["lms_automations"])),
                 name="lms_automations_builder_jsi18n"),
        ] + super().get_urls()

    # --- the page -------------------------------------------------------------------------------
    def add_view(self, request, form_url="", extra_context=None):
        if request.method == "GET" and "classic" not in request.GET:
            require(self.has_add_permission(request))
            return self._builder_page(request, None)
        return super().add_view(request, form_url, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method == "GET" and "classic" not in request.GET:
            automation = self.get_object(request, unquote(object_id))
            if automation is None:
                return super().change_view(request, object_id, form_url, extra_context)
            require(self.has_view_permission(request, automation))
            return self._builder_page(request, automation)
        return super().change_view(request, object_id, form_url, extra_context)

    def _builder_page(self, request, automation):
        opts = self.opts
        document = dump_document(automation) if automation else BLANK
        editable = (self.has_change_permission(request, automation) if automation
                    else self.has_add_permission(request))
        data = {
            "automation_id": automation.pk if automation else None,
            "document": document,
            "counts": step_counts(automation) if automation else {},
            "readonly": not editable,
            "errors": [],
            "urls": self._builder_urls(automation),
            **settings_data(automation),
        }
        if automation is not None and automation.status in (Automation.STATUS.draft, Automation.STATUS.inactive):
            from ..engine.validation import validate_document  # pylint: disable=import-outside-toplevel

            data["errors"] = located(document, validate_document(dump_document(automation, reveal_secrets=True),
                                                                 automation_id=automation.pk))
        title = _("Change automation") if automation else _("Add automation")
        return TemplateResponse(request, "admin/lms_automations/automation/builder.html", {
            **self.admin_site.each_context(request),
            "opts": opts, "app_label": opts.app_label, "title": title,
            "subtitle": str(automation) if automation else None, "original": automation,
            "has_view_permission": True, "has_change_permission": editable, "builder_data": data,
            "staff_actions_allowed": automation is not None and editable,
            "changelist_url": reverse("admin:lms_automations_automation_changelist"),
            "classic_url": (change_url(automation) if automation
                            else reverse("admin:lms_automations_automation_add")) + "?classic=1",
            "history_url": reverse("admin:lms_automations_automation_history", args=[automation.pk])
            if automation else None,
            "refusals": _refusals(request, automation),
            "zone_name": zone_name(viewer_timezone(request)),
        })

    def _builder_urls(self, automation):
        def named(name):
            return reverse(f"admin:lms_automations_builder_{name}")

        return {name: named(name) for name in ("catalogue", "courses", "outline", "learners", "preview", "save",
                                               "dry_run", "jsi18n")} | {
            "names": reverse("admin:lms_automations_builder_names", args=["KIND"]),
            "runs": reverse("admin:lms_automations_run_changelist"),
        }

    # --- reading --------------------------------------------------------------------------------
    def builder_catalogue_view(self, request):
        require(self.has_view_permission(request))
        return JsonResponse(catalogue_data())

    def builder_courses_view(self, request):
        require(self.has_view_permission(request))
        return JsonResponse({"courses": pickers.courses_for(request.user)})

    def builder_outline_view(self, request):
        require(self.has_view_permission(request))
        course_key = request.GET.get("course", "")
        if not pickers.may_use_course(request.user, course_key):
            return JsonResponse({"detail": _("You are not on this course's team.")}, status=403)
        return JsonResponse({"course": course_key, "units": pickers.outline_for(course_key)})

    def builder_names_view(self, request, kind):
        require(self.has_view_permission(request))
        if kind not in ("tag", "list", "field", "label"):
            raise Http404
        return JsonResponse({"names": pickers.names_for(request.user, kind)})

    def builder_learners_view(self, request):
        require(self.has_view_permission(request))
        scope = [key for key in request.GET.get("courses", "").split(",") if key]
        return JsonResponse({"learners": pickers.learners_for(request.user, scope, request.GET.get("q"))})

    # --- the e-mail preview and test ----------------------------------------------------------------
    def builder_preview_view(self, request):
        """``{"automation_id", "document", "params", "learner_id", "send_test"}`` → the rendering."""
        body = _json_body(request)
        if body is None or request.method != "POST":
            return JsonResponse({"detail": _("Send a JSON object with POST.")}, status=400)
        automation = self._builder_automation(request, body.get("automation_id"), change=bool(body.get("send_test")))
        document = body.get("document") if isinstance(body.get("document"), dict) else {}
        scope = list(((document.get("scope") or {}).get("courses")) or [])
        learner_id = body.get("learner_id")
        if not str(learner_id or "").isdigit() or not pickers.may_preview_learner(request.user, scope, learner_id):
            return JsonResponse({"detail": _("Choose a learner of this automation's courses.")}, status=400)
        params = body.get("params") if isinstance(body.get("params"), dict) else {}
        context = preview_context(automation, document, int(learner_id),
                                  may_use_course=lambda course_key: pickers.may_use_course(request.user, course_key))
        if body.get("send_test"):
            require(self.has_change_permission(request, automation) if automation
                    else self.has_add_permission(request))
            return JsonResponse(send_test(context, params, request.user))
        return JsonResponse(render_email(context, params))

    # --- the dry run --------------------------------------------------------------------------------
    def builder_dry_run_view(self, request):
        """``{"automation_id", "document" (optional: unsaved edits), "learner_id", "event_id"}`` → the
        dry-run report (``engine.dry_run``); 400 with the document's errors located on their steps."""
        body = _json_body(request)
        if body is None or request.method != "POST":
            return JsonResponse({"detail": _("Send a JSON object with POST.")}, status=400)
        automation = self._builder_automation(request, body.get("automation_id"), change=False)
        document = body.get("document")
        try:
            report = dry_run_for(request.user, automation, document, body.get("learner_id"),
                                 event_id=body.get("event_id"))
        except DryRunRefused as refused:
            answer = dict(refused.body)
            if "errors" in answer:
                answer["errors"] = located(document if isinstance(document, dict) else {}, answer["errors"])
            return JsonResponse(answer, status=refused.status)
        return JsonResponse(report)

    # --- saving ---------------------------------------------------------------------------------
    def builder_save_view(self, request):
        """``{"automation_id", "document", "move_learners_on"}`` → 200 ``{"id", "url", "document"}``,
        400 ``{"errors"}`` (each with its step id), 403 (scope), or 409 asking to confirm moving learners."""
        body = _json_body(request)
        if body is None or request.method != "POST" or not isinstance(body.get("document"), dict):
            return JsonResponse({"errors": [{"path": "", "message": _("Send the v1 document as JSON.")}]},
                                status=400)
        document = body["document"]
        automation = self._builder_automation(request, body.get("automation_id"), change=True)
        refusal = authority.document_scope_refusal(request.user, document)
        if refusal:
            return JsonResponse({"errors": located(document, [{"path": "scope.courses", "message": refusal}])},
                                status=403)
        scope = (document.get("scope") or {}).get("courses") if isinstance(document.get("scope"), dict) else []
        extra_errors = settings_errors(body, request.user, scope if isinstance(scope, list) else [])
        if extra_errors:
            return JsonResponse({"errors": located(document, extra_errors)}, status=400)
        if automation is not None and not body.get("move_learners_on"):
            holding = learners_at_removed_steps(automation, document)
            if holding:
                return JsonResponse({"confirm": holding}, status=409)
        try:
            with transaction.atomic():
                if automation is None:
                    saved = api.import_automation(document, owner=request.user, actor=request.user)
                else:
                    saved = api.update_automation(automation, document, actor=request.user)
                refusal = scope_refusal(request.user, saved.scope_courses, saved.scope_orgs)
                if refusal:
                    raise InvalidAutomation([{"path": "scope.courses", "message": refusal}])
                apply_settings(saved, body, request.user)
        except InvalidAutomation as error:
            return JsonResponse({"errors": located(document, error.errors)}, status=400)
        if automation is None:
            self.log_addition(request, saved, _("Added with the builder."))
        else:
            self.log_change(request, saved, _("Changed with the builder."))
        return JsonResponse({"id": saved.pk, "url": change_url(saved), "document": dump_document(saved),
                             "counts": step_counts(saved), "status": saved.status, **settings_data(saved)})

    def _builder_automation(self, request, automation_id, *, change):
        """The automation being built (None for a new one), among those ``request.user`` works on."""
        if automation_id in (None, ""):
            require(self.has_add_permission(request))
            return None
        automation = scoped_automation(request.user, unquote(str(automation_id)))
        require(self.has_change_permission(request, automation) if change
                else self.has_view_permission(request, automation))
        return automation


def _refusals(request, automation):
    """Who was kept out lately, for those who may change the automation (learners' data); else None."""
    if automation is None or not authority.may_change(request.user, automation):
        return None
    return refusal_rows(refusals_of(automation=automation), viewer_timezone(request))


def _json_body(request):
    if len(request.body) > MAX_BODY:
        return None
    try:
        body = json.loads(request.body or b"{}")
    except ValueError:
        return None
    return body if isinstance(body, dict) else None
