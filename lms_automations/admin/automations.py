"""Admin of automation definitions: the list course teams start from, and the flow at a glance."""
from django import forms
from django.contrib import admin, messages
from django.db import models
from django.db.models import Count, Q
from django.urls import path
from simple_history.admin import SimpleHistoryAdmin

from .. import authority
from ..engine import scope_checks, trigger_index
from ..engine.definition import dump_document, move_runs_off_removed_steps, steps_after
from ..engine.json_values import JSONFormField
from ..engine.secret_params import leftover_masks, masked_params, restored_params
from ..engine.validation import validate_document
from ..models import Automation, ExitCondition, Run, Step, TestLearner, Trigger
from .automation_list import AutomationListMixin
from .automation_views import AutomationStaffActionsMixin
from .builder_views import AutomationBuilderMixin
from .catalogue_fields import (
    catalogue_sections,
    catalogue_select,
    entry_for_step,
    event_type_choices,
    params_reference,
    step_kind_choices,
)
from .event_links import with_listeners
from .flow_view import flow_html
from .history import AutomationHistoryMixin
from .pages import render_page, require
from .scoping import CourseScopedAdminMixin, scope_refusal


class EffectsInScopeFormSet(forms.BaseInlineFormSet):
    """Refuses, before anything is saved, a filter or step that names a course outside the
    automation's scope or an automation the editor may not change (SPEC §5.16, ``scope_checks``).
    ``request_user`` is set by the inline; ``self.instance`` already carries the scope being saved."""

    request_user = None

    def clean(self):
        super().clean()
        if self.request_user is None or authority.is_platform_staff(self.request_user):
            return
        scope = authority.Scope.of(self.instance)
        problems = []
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or form in self.deleted_forms:
                continue
            problems.extend(f"{self.row_label(data)}{error['path']}: {error['message']}"
                            for error in self.effect_errors(data, scope))
        if problems:
            raise forms.ValidationError(problems)

    def row_label(self, data):
        return f"{data.get('event_type') or ''} " if data.get("event_type") else ""

    def effect_errors(self, data, scope):
        return scope_checks.tree_errors(data.get("filter"), "filter", scope, self.request_user)


#: JSON fields of the classic form parse with the engine's limits (depth, numbers, storable text): a
#: hostile value is a form error, not a 500 (ADR 0009).
JSON_FIELDS = {models.JSONField: {"form_class": JSONFormField}}


class AuthorityInlineMixin:
    """Inline rows follow the automation: editable only by someone who may change it."""

    formset = EffectsInScopeFormSet
    formfield_overrides = JSON_FIELDS

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.request_user = request.user
        return formset

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and _may_change(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and _may_change(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and _may_change(request, obj)


def _may_change(request, automation):
    return automation is None or authority.may_change(request.user, automation)


class EventTypeForm(forms.ModelForm):
    """The event type is picked from the catalogue (built-in, extensions, custom types)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        catalogue_select(self, "event_type", event_type_choices())


class TriggerInline(AuthorityInlineMixin, admin.TabularInline):
    model = Trigger
    form = EventTypeForm
    extra = 0
    fields = ("position", "event_type", "params", "filter")


class ExitConditionInline(AuthorityInlineMixin, admin.TabularInline):
    model = ExitCondition
    form = EventTypeForm
    extra = 0
    fields = ("position", "event_type", "params", "filter", "outcome")


class StepForm(forms.ModelForm):
    """A step's params with secrets (a webhook's signing secret) shown as a mask; the mask saved back
    keeps the stored secret."""

    class Meta:
        model = Step
        fields = ("step_id", "step_type", "kind", "parent", "side", "position", "params", "condition")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "kind" in self.fields:
            catalogue_select(self, "kind", step_kind_choices(), blank="— (a branch has no kind)")
        if self.instance.pk and "params" in self.fields:
            self.initial["params"] = masked_params(self.instance.step_type, self.instance.kind, self.instance.params)

    def clean_params(self):
        params = self.cleaned_data.get("params")
        step_type = self.cleaned_data.get("step_type", self.instance.step_type)
        kind = self.cleaned_data.get("kind", self.instance.kind)
        if self.instance.pk and (step_type, kind) == (self.instance.step_type, self.instance.kind):
            params = restored_params(step_type, kind, params, self.instance.params)
        masked = leftover_masks(step_type, kind, params)
        if masked:
            raise forms.ValidationError(f"{', '.join(masked)}: the secret is shown masked; type the secret itself "
                                        "for a new step")
        return params


class StepFormSet(EffectsInScopeFormSet):
    """Deleting a step that holds learners needs the editor's confirmation (SPEC §5.12): the page says
    who is there and where they will go, and asks to save again with "move learners on" ticked."""

    def row_label(self, data):
        return f"step {data.get('step_id') or ''}: "

    def effect_errors(self, data, scope):
        return scope_checks.step_errors(data.get("step_type"), data.get("kind"), data.get("params"),
                                        data.get("condition"), "", scope, self.request_user)

    def clean(self):
        super().clean()
        removed = [form.instance for form in self.deleted_forms if form.instance.pk]
        if not removed or self.data.get("move_learners_on"):
            return
        holding = dict(Run.objects.filter(automation=self.instance, status__in=Run.OPEN_STATUSES,
                                          current_step_id__in=[step.step_id for step in removed])
                       .values("current_step_id").annotate(n=Count("pk")).values_list("current_step_id", "n"))
        if holding:
            listed = "; ".join(f"{count} at {step_id!r}, who will go on to "
                               f"{(steps_after(step) or ['the end of the flow'])[0]!r}"
                               for step in removed for step_id, count in holding.items() if step.step_id == step_id)
            raise forms.ValidationError(f"Learners are at steps you are deleting: {listed}. Tick “Move learners on "
                                        "from deleted steps” (under Flow) and save again to confirm.")


class StepInline(AuthorityInlineMixin, admin.TabularInline):
    model = Step
    form = StepForm
    formset = StepFormSet
    extra = 0
    fields = ("step_id", "step_type", "kind", "parent", "side", "position", "params", "reference", "condition")
    readonly_fields = ("reference",)
    fk_name = "automation"

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # A step's parent must be a branch of the same automation (never another automation's).
        if db_field.name == "parent":
            object_id = (request.resolver_match.kwargs if request.resolver_match else {}).get("object_id")
            kwargs["queryset"] = Step.objects.filter(step_type=Step.TYPE.branch, automation_id=object_id) \
                if object_id and str(object_id).isdigit() else Step.objects.none()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description="What it takes")
    def reference(self, obj):
        return params_reference(entry_for_step(obj))


def may_receive_for(person, viewer, scope_courses, scope_orgs):
    """Whether ``person`` may own an automation with this scope or receive its test learners' mail:
    the viewer themselves, or staff who could give it that scope (``authority.scope_refusal``)."""
    if person is None or person.pk == viewer.pk:
        return True
    return person.is_staff and person.is_active and authority.scope_refusal(person, scope_courses, scope_orgs) is None


class TestLearnerFormSet(EffectsInScopeFormSet):
    """A test learner is a learner of the automation's courses the editor may preview with; their
    messages go to the editor or to staff who may change the automation — never to anyone else."""

    def clean(self):
        super().clean()
        if self.request_user is None:
            return
        from .builder_pickers import may_preview_learner  # pylint: disable=import-outside-toplevel

        courses, orgs = self.instance.scope_courses or [], self.instance.scope_orgs or []
        problems = []
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or form in self.deleted_forms or not form.has_changed():
                continue
            user, receiver = data.get("user"), data.get("redirect_to")
            if user is not None and not may_preview_learner(self.request_user, courses, user.pk):
                problems.append(f"{user.username}: a test learner must be a learner of this automation's courses.")
            if not may_receive_for(receiver, self.request_user, courses, orgs):
                problems.append(f"{receiver.username}: test mail goes to you or to staff who may change this "
                                "automation.")
        if problems:
            raise forms.ValidationError(problems)


class TestLearnerInline(AuthorityInlineMixin, admin.TabularInline):
    model = TestLearner
    formset = TestLearnerFormSet
    extra = 0
    raw_id_fields = ("user", "redirect_to")


class RefusedEdit(Exception):
    """An edit of an active or testing automation that would make it invalid: nothing of it is kept."""

    def __init__(self, errors):
        super().__init__(errors)
        self.errors = errors


class AutomationForm(forms.ModelForm):
    """Refuses a scope outside the editor's courses (``request_user`` is set by the admin), and shows
    why an edit of a running automation was refused (``refused_errors``, set on the second pass)."""

    request_user = None
    refused_errors = ()
    move_learners_on = forms.BooleanField(
        required=False, label="Move learners on from deleted steps",
        help_text="Confirms deleting steps where learners are: they continue at the next step that remains.")

    def clean(self):
        cleaned = super().clean()
        refusal = scope_refusal(self.request_user, cleaned.get("scope_courses") or [], cleaned.get("scope_orgs") or [])
        if refusal:
            self.add_error("scope_courses", refusal)
        owner = cleaned.get("owner")
        if self.request_user is not None and "owner" in self.changed_data and not may_receive_for(
                owner, self.request_user, cleaned.get("scope_courses") or [], cleaned.get("scope_orgs") or []):
            self.add_error("owner", "The owner is you or staff who may change this automation.")
        if self.refused_errors:
            self.add_error(None, [f"{error['path']}: {error['message']}" for error in self.refused_errors])
        return cleaned


@admin.register(Automation)
class AutomationAdmin(AutomationHistoryMixin, AutomationBuilderMixin, AutomationListMixin, AutomationStaffActionsMixin,
                      CourseScopedAdminMixin, SimpleHistoryAdmin):
    form = AutomationForm
    formfield_overrides = JSON_FIELDS
    list_display = ("name", "status", "trigger_summary", "entry_policy", "execution", "open_runs", "modified")
    list_filter = ("status", "execution", "entry_policy")
    search_fields = ("name", "description")
    readonly_fields = ("flow_outline", "created", "modified")
    raw_id_fields = ("owner",)
    inlines = [TriggerInline, StepInline, ExitConditionInline, TestLearnerInline]
    fieldsets = (
        (None, {"fields": ("name", "description", "status", "owner")}),
        ("Scope", {"fields": ("scope_courses", "scope_orgs")}),
        ("Entry and execution", {"fields": ("entry_policy", "entry_period_months", "entry_period", "execution")}),
        ("Flow", {"fields": ("flow_outline", "move_learners_on")}),
        ("Dates", {"fields": ("created", "modified")}),
    )

    def get_urls(self):
        return [path("catalogue/", self.admin_site.admin_view(self.catalogue_view),
                     name="lms_automations_automation_catalogue")] + super().get_urls()

    def catalogue_view(self, request):
        """Every event type, condition, action and wait this site has, with their params: the reference
        course teams read while they write triggers, filters and steps."""
        require(self.has_view_permission(request))
        sections = catalogue_sections()
        title, purpose, groups = sections[0]  # event types: with what each starts and stops here
        sections[0] = (title, purpose, [(category, with_listeners(entries, request.user))
                                        for category, entries in groups])
        return render_page(self, request, "catalogue.html", title="Catalogue", sections=sections)

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and (obj is None or authority.may_see(request.user, obj))

    def has_change_permission(self, request, obj=None):
        """Only who may change it (``authority.may_change``); a finishing automation (deleted, letting
        learners finish) is read-only (SPEC §5.10)."""
        if obj is not None and (obj.status == Automation.STATUS.finishing
                                or not authority.may_change(request.user, obj)):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (
            obj is None or authority.may_change(request.user, obj))

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.request_user = request.user
        form.refused_errors = getattr(request, "_lmsauto_refused_errors", ())
        return form

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        """An edit that would leave a running automation invalid is rolled back (Django's change form
        saves in one transaction) and the form is shown again with the edit and the errors."""
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except RefusedEdit as refusal:
            request._lmsauto_refused_errors = refusal.errors  # pylint: disable=protected-access
            return super().changeform_view(request, object_id, form_url, extra_context)

    def save_formset(self, request, form, formset, change):
        """Steps deleted here that hold learners: those learners move on to the next step that remains
        (SPEC §5.12), as ``update_automation`` does, instead of failing when they wake up."""
        if formset.model is Step:
            removed = [f.instance for f in formset.deleted_forms if f.instance.pk]
            holding = Run.objects.filter(automation=form.instance, status__in=Run.OPEN_STATUSES,
                                         current_step_id__in=[step.step_id for step in removed]).count()
            if holding:
                kept = {step_id for step_id in form.instance.steps.values_list("step_id", flat=True)} - \
                    {step.step_id for step in removed}
                move_runs_off_removed_steps(form.instance, removed, kept,
                                            {step.step_id: steps_after(step) for step in removed})
                self.message_user(request, f"{holding} learner(s) at the removed step(s) "
                                           f"{', '.join(step.step_id for step in removed)} moved on to the next step.",
                                  level=messages.WARNING)
        super().save_formset(request, form, formset, change)

    def save_related(self, request, form, formsets, change):
        """An active or testing automation edited into an invalid state is refused (``RefusedEdit``
        rolls the whole save back): it keeps running the definition it had."""
        super().save_related(request, form, formsets, change)
        automation = form.instance
        trigger_index.invalidate()
        if automation.status not in (Automation.STATUS.active, Automation.STATUS.testing):
            return
        errors = validate_document(dump_document(automation, reveal_secrets=True), automation_id=automation.pk,
                                   actor=request.user)
        if errors:
            raise RefusedEdit(errors)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .prefetch_related("triggers")
            .annotate(_open_runs=Count("runs", filter=Q(runs__status__in=Run.OPEN_STATUSES)))
        )

    @admin.display(description="When")
    def trigger_summary(self, obj):
        return ", ".join(trigger.event_type for trigger in obj.triggers.all()) or "—"

    @admin.display(description="Learners in flow", ordering="_open_runs")
    def open_runs(self, obj):
        return obj._open_runs

    @admin.display(description="Flow")
    def flow_outline(self, obj):
        """The step tree as nested lists: what a learner goes through, in order, and who is where."""
        return flow_html(obj) if obj.pk else "—"
