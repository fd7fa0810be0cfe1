"""The automation list course teams start from (issue 10 §5): what each automation is doing — status,
learners in the flow now, runs started, conversions, last edit and by whom — grouped by labels,
with the ways in: a gallery of templates, import, duplicate and export.

Every column comes from one query (counts and the last editor are annotations), so the list costs
the same number of queries for 5 automations or 500.
"""
from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.db.models import Count, OuterRef, Q, Subquery
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from ..exceptions import InvalidAutomation
from ..models import Automation, Run
from . import automation_list_pages as pages
from .automation_views import AutomationStaffActionsMixin
from .pages import require
from .scoping import visible_automation_ids
from .staff_actions import scoped_automation


class LabelFilter(admin.SimpleListFilter):
    """Automations carrying a label (labels are a JSON list, read here in Python: every database
    can, and an admin list holds hundreds of automations, not millions)."""

    title = gettext_lazy("label")
    parameter_name = "label"

    def lookups(self, request, model_admin):
        visible = visible_automation_ids(request.user)
        rows = Automation.objects.all() if visible is None else Automation.objects.filter(pk__in=visible)
        labels = set()
        for row in rows.order_by().values_list("labels", flat=True):
            labels.update(str(label) for label in row or [])
        return [(label, label) for label in sorted(labels, key=str.lower)]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        ids = [pk for pk, labels in queryset.order_by().values_list("pk", "labels") if self.value() in (labels or [])]
        return queryset.filter(pk__in=ids)


class LabelsField(forms.CharField):
    """Labels typed as words separated by commas, stored as a JSON list (no JSON to type)."""

    def prepare_value(self, value):
        return ", ".join(value) if isinstance(value, (list, tuple)) else value

    def to_python(self, value):
        seen = []
        for label in LabelsForm.split(super().to_python(value)):
            if label not in seen:
                seen.append(label)
        return seen


class LabelsForm(forms.Form):
    add = forms.CharField(label=gettext_lazy("Add labels"), required=False,
                          help_text=gettext_lazy("Comma-separated, e.g. onboarding, PY101."))
    remove = forms.CharField(label=gettext_lazy("Remove labels"), required=False)

    @staticmethod
    def split(text):
        return [part.strip() for part in (text or "").split(",") if part.strip()]


class AutomationListMixin:
    """Mixed into ``AutomationAdmin`` first: its list columns, filters, actions and pages."""

    actions = [*AutomationStaffActionsMixin.actions, "duplicate_selected", "label_selected"]
    # What the trigger is lives on the automation's page: at 1280 px the list has room for this much.
    list_columns = ("name_and_links", "status", "labels_column", "learners_now", "runs_started", "conversions",
                    "last_edited")
    change_list_template = "admin/lms_automations/automation/change_list.html"

    def get_list_display(self, request):
        return self.list_columns

    def get_list_display_links(self, request, list_display):
        return None  # the name column links to the page itself, beside Duplicate and Export

    def get_list_filter(self, request):
        return ("status", LabelFilter, "execution", "entry_policy")

    def get_fieldsets(self, request, obj=None):
        fieldsets = list(super().get_fieldsets(request, obj))
        if not any("labels" in (options.get("fields") or ()) for _name, options in fieldsets):
            fieldsets.insert(1, (_("Labels"), {"fields": ("labels",)}))
        return fieldsets

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "labels":
            return LabelsField(label=_("Labels"), required=False, help_text=db_field.help_text,
                               widget=forms.TextInput(attrs={"size": 60}))
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_queryset(self, request):
        last_edit = Automation.history.model.objects.filter(id=OuterRef("pk")).order_by("-history_date", "-history_id")
        return super().get_queryset(request).annotate(
            _learners_now=Count("runs", filter=Q(runs__status__in=Run.OPEN_STATUSES)),
            _runs_started=Count("runs"),
            _conversions=Count("runs", filter=Q(runs__status=Run.STATUS.converted)),
            _edited_at=Subquery(last_edit.values("history_date")[:1]),
            _edited_by=Subquery(last_edit.values("history_user__username")[:1]),
        )

    # --- columns --------------------------------------------------------------------------------
    @admin.display(description=gettext_lazy("Labels"))
    def labels_column(self, obj):
        if not obj.labels:
            return "—"
        changelist = reverse("admin:lms_automations_automation_changelist")
        return format_html_join(" ", '<a class="lmsauto-label" href="{}?label={}">{}</a>',
                                ((changelist, label, label) for label in obj.labels))

    @admin.display(description=gettext_lazy("In the flow now"), ordering="_learners_now")
    def learners_now(self, obj):
        if not obj._learners_now:
            return 0
        url = reverse("admin:lms_automations_run_changelist")
        return format_html('<a href="{}?automation__id__exact={}&amp;status__in=pending,executing">{}</a>',
                           url, obj.pk, obj._learners_now)

    @admin.display(description=gettext_lazy("Times executed"), ordering="_runs_started")
    def runs_started(self, obj):
        return obj._runs_started

    @admin.display(description=gettext_lazy("Conversions"), ordering="_conversions")
    def conversions(self, obj):
        return obj._conversions

    @admin.display(description=gettext_lazy("Last edited"), ordering="_edited_at")
    def last_edited(self, obj):
        when = obj._edited_at or obj.modified
        text = date_format(timezone.localtime(when), "j M Y H:i")
        if obj._edited_by:
            return _("%(when)s by %(who)s") % {"when": text, "who": obj._edited_by}
        return text

    @admin.display(description=gettext_lazy("Name"), ordering="name")
    def name_and_links(self, obj):
        return format_html(
            '<a href="{}" class="lmsauto-name">{}</a><div class="lmsauto-row-links"><a href="{}">{}</a> · '
            '<a href="{}" download>{}</a></div>',
            reverse("admin:lms_automations_automation_change", args=[obj.pk]), obj.name,
            reverse("admin:lms_automations_automation_duplicate", args=[obj.pk]), _("Duplicate"),
            reverse("admin:lms_automations_automation_export", args=[obj.pk]), _("Export"))

    # --- pages ----------------------------------------------------------------------------------
    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("gallery/", wrap(self.gallery_view), name="lms_automations_automation_gallery"),
            path("gallery/<slug:slug>/", wrap(self.from_template_view),
                 name="lms_automations_automation_from_template"),
            path("import/", wrap(self.import_view), name="lms_automations_automation_import"),
            path("<path:object_id>/duplicate/", wrap(self.duplicate_view),
                 name="lms_automations_automation_duplicate"),
            path("<path:object_id>/export/", wrap(self.export_view), name="lms_automations_automation_export"),
        ] + super().get_urls()

    def gallery_view(self, request):
        require(self.has_add_permission(request))
        return pages.gallery_view(self, request)

    def from_template_view(self, request, slug):
        require(self.has_add_permission(request))
        return pages.from_template_view(self, request, slug)

    def import_view(self, request):
        require(self.has_add_permission(request))
        return pages.import_view(self, request)

    def duplicate_view(self, request, object_id):
        automation = scoped_automation(request.user, unquote(object_id))
        require(self.has_add_permission(request) and self.has_view_permission(request, automation))
        return pages.duplicate_view(self, request, automation)

    def export_view(self, request, object_id):
        automation = scoped_automation(request.user, unquote(object_id))
        require(self.has_view_permission(request, automation))
        return pages.export_view(automation)

    # --- list actions ---------------------------------------------------------------------------
    @admin.action(description=gettext_lazy("Duplicate selected automations (as drafts)"), permissions=["add"])
    def duplicate_selected(self, request, queryset):
        copies, refused = [], []
        for automation in queryset:
            try:
                copies.append(pages.duplicate(automation, request.user))
            except InvalidAutomation as error:
                refused.append(f"“{automation.name}” ({error.errors[0]['path']}: {error.errors[0]['message']})")
        for copy in copies:
            self.log_addition(request, copy, _("Duplicated from the automation list."))
        if copies:
            self.message_user(request, ngettext("%(count)d copy made as a draft: %(names)s.",
                                                "%(count)d copies made as drafts: %(names)s.", len(copies))
                              % {"count": len(copies), "names": ", ".join(f"“{c.name}”" for c in copies)})
        if refused:
            self.message_user(request, _("Not duplicated (fix them first): %(list)s") % {"list": "; ".join(refused)},
                              messages.ERROR)

    @admin.action(description=gettext_lazy("Add or remove labels of selected automations"), permissions=["change"])
    def label_selected(self, request, queryset):
        form = LabelsForm(request.POST if request.POST.get("post") else None)
        if not form.is_bound or not form.is_valid():
            return pages.page(self, request, "labels.html", title=_("Label automations"), form=form,
                              action="label_selected", selected=list(queryset))
        add, remove = LabelsForm.split(form.cleaned_data["add"]), LabelsForm.split(form.cleaned_data["remove"])
        changed = 0
        for automation in queryset:
            labels = [label for label in automation.labels or [] if label not in remove]
            labels += [label for label in add if label not in labels]
            if labels != list(automation.labels or []):
                automation.labels = labels
                automation._history_user = request.user  # pylint: disable=protected-access
                automation.save(update_fields=["labels", "modified"])
                self.log_change(request, automation, _("Labels: %(labels)s.") % {"labels": ", ".join(labels) or "—"})
                changed += 1
        self.message_user(request, ngettext("%(count)d automation relabelled.", "%(count)d automations relabelled.",
                                            changed) % {"count": changed})
        return None
