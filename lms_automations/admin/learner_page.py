"""The learner page (``/admin/lms_automations/learner/<user id>/``): every run of the learner, with
status, current step and automation, the automations they were kept out of (and why), and their
recent events — only what the viewer may see.

Course team members see the runs of their courses' automations and the events of their courses;
a learner of whom they may see nothing is not found (as if there were no such learner).
"""
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import authority
from ..models import Event, Learner, Run
from .pages import require
from .refusals import refusal_rows, refusals_of
from .runs import learner_title, learner_url
from .scoping import CourseScopedAdminMixin, sees_everything
from .viewer_time import moment, viewer_timezone, zone_name

RUNS_SHOWN = 200
EVENTS_SHOWN = 50


@admin.register(Learner)
class LearnerAdmin(CourseScopedAdminMixin, admin.ModelAdmin):
    """Learners who entered an automation the viewer works on; each links to the learner page."""

    automation_field = "automation"
    rows_need_change = True  # learners' data: shown only to who may change the automation
    list_display = ("learner", "automation", "entry_count", "last_entered_at")
    list_select_related = ("user", "automation")
    search_fields = ("user__username", "user__email", "user__first_name", "user__last_name")
    list_display_links = None

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("lms_automations.view_run")

    @admin.display(description=gettext_lazy("Learner"), ordering="user__username")
    def learner(self, obj):
        return format_html('<a href="{}">{}</a>', learner_url(obj.user_id), learner_title(obj.user))

    def get_urls(self):
        return [
            path("<int:user_id>/", self.admin_site.admin_view(self.learner_view), name="lms_automations_learner_page"),
            path("<int:user_id>/change/", self.admin_site.admin_view(
                lambda request, user_id: redirect(learner_url(user_id)))),
        ] + super().get_urls()

    def learner_view(self, request, user_id):
        require(self.has_view_permission(request))
        learner = get_user_model().objects.filter(pk=user_id).first()
        if learner is None:
            raise Http404(_("No such learner."))
        visible = authority.changeable_automation_ids(request.user)  # runs are learners' data
        runs = Run.objects.filter(user_id=user_id).select_related("automation").order_by("-started_at", "-id")
        if visible is not None:
            runs = runs.filter(automation_id__in=visible)
        runs = list(runs[:RUNS_SHOWN])
        events = list(self._visible_events(request).filter(user_id=user_id).order_by("-occurred_at", "-id")
                      [:EVENTS_SHOWN])
        refusals = refusals_of(user_id=user_id, automation_ids=visible)
        if not sees_everything(request.user) and not runs and not events and not refusals:
            raise Http404(_("No such learner."))
        zone = viewer_timezone(request)
        opts = self.model._meta
        return TemplateResponse(request, "admin/lms_automations/learner/page.html", {
            **self.admin_site.each_context(request),
            "opts": opts, "app_label": opts.app_label,
            "title": learner_title(learner), "learner": learner, "zone_name": zone_name(zone),
            "runs": [_run_row(run, zone) for run in runs], "runs_cut": len(runs) == RUNS_SHOWN,
            "events": [_event_row(event, zone) for event in events],
            "refusals": refusal_rows(refusals, zone),
            "changelist_url": reverse("admin:lms_automations_learner_changelist"),
            "runs_url": reverse("admin:lms_automations_run_changelist") + f"?user__id__exact={user_id}",
        })

    def _visible_events(self, request):
        """The events the viewer may see, as the Events admin scopes them."""
        event_admin = self.admin_site._registry.get(Event)  # pylint: disable=protected-access
        return event_admin.get_queryset(request) if event_admin else Event.objects.none()


def _run_row(run, zone):
    return {
        "run": run, "url": reverse("admin:lms_automations_run_change", args=[run.pk]),
        "automation_url": reverse("admin:lms_automations_automation_change", args=[run.automation_id]),
        "started": moment(run.started_at, zone, with_zone=False),
        "ended": moment(run.ended_at, zone, with_zone=False),
    }


def _event_row(event, zone):
    from ..catalogue import get_event_type  # pylint: disable=import-outside-toplevel

    entry = get_event_type(event.event_type)
    return {
        "event": event, "label": str(getattr(entry, "label", "") or event.event_type),
        "course_key": (event.payload or {}).get("course_key", ""),
        "at": moment(event.occurred_at, zone, with_zone=False),
    }
