"""The automation's history page shows what changed, edit by edit, and who made it (issue 10 §8).

Built on django-simple-history's admin: its history view keeps its own checks (and whatever the
admin adds to refuse staff of other courses); this mixin refuses an automation outside the viewer's
courses first, then adds the readable changes (``history_diff``) to the page. Saves made in the
admin name their author on every record — the automation and its inline rows — even where the
host has no ``HistoryRequestMiddleware``.
"""
import contextlib
import functools

from django.contrib.admin.utils import unquote
from simple_history.models import HistoricalRecords

from .history_diff import automation_edits
from .staff_actions import scoped_automation
from .viewer_time import moment, viewer_timezone, zone_name


class AutomationHistoryMixin:
    """Mixed into ``AutomationAdmin`` (before ``SimpleHistoryAdmin``)."""

    object_history_template = "admin/lms_automations/automation/object_history.html"

    def history_view(self, request, object_id, extra_context=None):
        scoped_automation(request.user, unquote(object_id))  # 404 for an automation of other courses
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        scoped_automation(request.user, unquote(object_id))
        return super().history_form_view(request, object_id, version_id, extra_context)

    def render_history_view(self, request, template, context, **kwargs):
        """Called by simple-history once it has found the object and checked the permission — for the
        list of edits and for one version's page (which has no ``object``: nothing to add there)."""
        if "object" not in context:
            return super().render_history_view(request, template, context, **kwargs)
        zone = viewer_timezone(request)
        edits = automation_edits(context["object"])
        for edit in edits:
            edit.when = moment(edit.at, zone, with_zone=False)
        context.update(lmsauto_edits=edits, lmsauto_zone=zone_name(zone))
        return super().render_history_view(request, template, context, **kwargs)

    # --- who made the change --------------------------------------------------------------------
    def get_urls(self):
        """Every page of the automation admin (list actions, the change form, the staff action
        pages, the gallery) records its author, as ``HistoryRequestMiddleware`` would."""
        urls = super().get_urls()
        for pattern in urls:
            if getattr(pattern, "callback", None) is not None:
                pattern.callback = _recording_author(pattern.callback)
        return urls

    def save_model(self, request, obj, form, change):
        obj._history_user = request.user  # pylint: disable=protected-access
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        for inline_form in formset.forms:
            inline_form.instance._history_user = request.user  # pylint: disable=protected-access
        super().save_formset(request, form, formset, change)


def _recording_author(view):
    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        with _history_request(request):
            return view(request, *args, **kwargs)

    return wrapped


@contextlib.contextmanager
def _history_request(request):
    """Tell django-simple-history who is making this request, unless its middleware already did."""
    if getattr(HistoricalRecords.context, "request", None) is not None:
        yield
        return
    HistoricalRecords.context.request = request
    try:
        yield
    finally:
        del HistoricalRecords.context.request
