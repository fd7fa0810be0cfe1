"""Staff actions on an automation (SPEC §5.1, §5.10, §5.11): start chosen learners after a preview,
advance the learners held at a wait step, activate / deactivate, and delete with the question of
what happens to learners still in the flow.

Every view finds the automation among those the staff member works on (404 otherwise) and needs the
model permission of the action (403 otherwise).
"""
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.db.models import Count
from django.shortcuts import redirect
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext as _

from .. import api, authority
from ..exceptions import InvalidAutomation
from ..models import Automation, Run
from . import staff_actions
from .forms import DeleteModeForm, StartLearnersForm, WaitStepForm
from .pages import change_url, render_page, require
from .staff_actions import REFUSED, actor, listed, plural

STARTABLE = (Automation.STATUS.active, Automation.STATUS.testing)


#: Learners listed by name on the preview page; the rest are counted.
PREVIEW_ROWS = 200


class AutomationStaffActionsMixin:
    """Mixed into ``AutomationAdmin``: the action pages, the list actions and the delete question."""

    actions = ["activate_selected", "deactivate_selected", "delete_selected"]

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<path:object_id>/start-learners/", wrap(self.start_learners_view),
                 name="lms_automations_automation_start_learners"),
            path("<path:object_id>/advance-waiting/", wrap(self.advance_waiting_view),
                 name="lms_automations_automation_advance_waiting"),
        ] + super().get_urls()

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["staff_actions_allowed"] = obj is not None and self.has_change_permission(request, obj)
        return super().render_change_form(request, context, add=add, change=change, form_url=form_url, obj=obj)

    def _changeable(self, request, object_id):
        """404 for an automation the user may not see, 403 for one they may see but not change."""
        automation = staff_actions.scoped_automation(request.user, unquote(object_id))
        require(authority.may_change(request.user, automation) and self.has_change_permission(request, automation))
        return automation

    def _refuse_unchangeable(self, request, automations):
        """The automations of a list action the user may change; the others are named and left alone."""
        allowed = [automation for automation in automations if authority.may_change(request.user, automation)]
        refused = [str(automation) for automation in automations if automation not in allowed]
        if refused:
            self.message_user(request, _("Not yours to change (its scope reaches beyond your courses), left "
                                         "alone: %(names)s.") % {"names": listed(refused)}, messages.ERROR)
        return allowed

    # --- start learners -------------------------------------------------------------------------
    def start_learners_view(self, request, object_id):
        automation = self._changeable(request, object_id)
        if automation.status not in STARTABLE:
            self.message_user(request, f"“{automation}” is {automation.get_status_display().lower()}: activate it "
                                       "(or set it to testing) before starting learners.", messages.ERROR)
            return redirect(change_url(automation))
        form = StartLearnersForm(request.POST if request.method == "POST" and "edit" not in request.POST else None,
                                 initial={"learners": request.POST.get("learners", "")})
        if not form.is_bound or not form.is_valid():
            return render_page(self, request, "start_learners.html", title="Start learners", obj=automation,
                               form=form)
        if form.cleaned_data["everyone"]:
            return self._start_everyone(request, automation, form)
        identifiers = form.cleaned_data["learners"]
        selection = staff_actions.select_learners(automation, identifiers, request.user)
        if "confirm" not in request.POST or not selection.starting:
            return self._start_preview(request, automation, selection, everyone=False,
                                       learners="\n".join(identifiers))
        started, refused = staff_actions.start_selected(automation, selection, request.user)
        skipped = selection.skipped + [(identifier, REFUSED) for identifier in refused]
        message = f"{plural(len(started), 'learner')} started in “{automation}”"
        if skipped:
            message += f", {len(skipped)} skipped: " + listed(f"{who} ({why})" for who, why in skipped)
        self.log_change(request, automation, message)
        self.message_user(request, message + ".", messages.SUCCESS if started else messages.WARNING)
        return redirect(change_url(automation))

    def _start_everyone(self, request, automation, form):
        """Everyone enrolled: a preview counted page by page; the start handed to workers in id ranges."""
        if "confirm" not in request.POST:
            try:
                preview = staff_actions.preview_enrolled(automation, PREVIEW_ROWS)
            except ValueError as refusal:
                form.add_error("everyone", str(refusal).capitalize() + ".")
                return render_page(self, request, "start_learners.html", title="Start learners", obj=automation,
                                   form=form)
            return self._start_preview(request, automation, preview, everyone=True, learners="")
        try:
            staff_actions.start_everyone(automation, request.user)
        except ValueError as refusal:
            form.add_error("everyone", str(refusal).capitalize() + ".")
            return render_page(self, request, "start_learners.html", title="Start learners", obj=automation,
                               form=form)
        message = gettext("Everyone enrolled in the courses of “%(automation)s” is being started by background "
                          "workers; learners the preview listed as skipped are left out.") % {
            "automation": automation}
        self.log_change(request, automation, message)
        self.message_user(request, message, messages.SUCCESS)
        return redirect(change_url(automation))

    def _start_preview(self, request, automation, selection, *, everyone, learners):
        return render_page(self, request, "start_learners_preview.html", title="Start learners: preview",
                           obj=automation, selection=selection, everyone=everyone,
                           shown=selection.starting[:PREVIEW_ROWS],
                           hidden_count=max(0, selection.starting_count - PREVIEW_ROWS),
                           skipped_shown=selection.skipped[:PREVIEW_ROWS],
                           skipped_hidden=max(0, selection.skipped_count - PREVIEW_ROWS),
                           learners=learners)

    # --- advance waiting learners ---------------------------------------------------------------
    def advance_waiting_view(self, request, object_id):
        automation = self._changeable(request, object_id)
        waiting = staff_actions.waiting_counts(automation)
        form = WaitStepForm(request.POST if request.method == "POST" and "edit" not in request.POST else None,
                            waiting=waiting)
        form.fields["step_id"].error_messages["invalid_choice"] = (
            "No learner is waiting at that step any more; choose another.")
        if not form.is_bound or not form.is_valid():
            return render_page(self, request, "advance_waiting.html", title="Advance waiting learners",
                               obj=automation, form=form, waiting=waiting)
        step_id = form.cleaned_data["step_id"]
        count = dict((step.step_id, count) for step, count in waiting)[step_id]
        target = staff_actions.step_after(automation, step_id)
        if "confirm" not in request.POST:
            return render_page(self, request, "advance_waiting_confirm.html", title="Advance waiting learners",
                               obj=automation, step_id=step_id, count=count, target=target)
        moved = staff_actions.advance_waiting(automation, step_id, request.user)
        message = (f"{plural(moved, 'learner')} waiting at {step_id} in “{automation}” moved on to "
                   f"{target or 'the end of the flow'}")
        self.log_change(request, automation, message)
        self.message_user(request, message + ".", messages.SUCCESS if moved else messages.WARNING)
        return redirect(change_url(automation))

    # --- list actions ---------------------------------------------------------------------------
    @admin.action(description="Activate selected automations", permissions=["change"])
    def activate_selected(self, request, queryset):
        self._set_status(request, queryset, lambda automation: api.activate(automation, actor=request.user),
                         "activated", Automation.STATUS.active)

    @admin.action(description="Deactivate selected automations (learners in the flow continue)",
                  permissions=["change"])
    def deactivate_selected(self, request, queryset):
        self._set_status(request, queryset, api.deactivate, "deactivated", Automation.STATUS.inactive)

    def _set_status(self, request, queryset, change, done_word, status):
        done, unchanged = [], []
        for automation in self._refuse_unchangeable(request, list(queryset)):
            if automation.status == status:
                unchanged.append(str(automation))
                continue
            try:
                change(automation)
            except InvalidAutomation as error:
                problems = listed([f"{item['path']}: {item['message']}" for item in error.errors], limit=5)
                self.message_user(request, f"“{automation}” not {done_word}: {problems}", messages.ERROR)
                continue
            self.log_change(request, automation, f"{done_word.capitalize()} from the automation list.")
            done.append(str(automation))
        if done:
            self.message_user(request, f"{plural(len(done), 'automation')} {done_word}: {listed(done)}.",
                              messages.SUCCESS)
        if unchanged:
            self.message_user(request, f"Already {status}: {listed(unchanged)}.", messages.INFO)

    @admin.action(description="Delete selected automations", permissions=["delete"])
    def delete_selected(self, request, queryset):
        """Replaces Django's bulk delete: asks what happens to learners still in the flow first."""
        automations = self._refuse_unchangeable(request, list(queryset))
        if not automations:
            return None
        open_runs = _open_run_counts(automations)
        form = DeleteModeForm()
        if request.POST.get("post"):  # the confirmation page's answer (the question only if learners are in)
            form = DeleteModeForm(request.POST if any(open_runs.values()) else {"mode": "finish"})
        if form.is_bound and form.is_valid():
            for automation in automations:
                self._delete(request, automation, form.cleaned_data["mode"], open_runs.get(automation.pk, 0))
            return None
        return render_page(self, request, "delete_automations.html", title="Delete automations", form=form,
                           action="delete_selected", selected=automations,
                           rows=[(automation, open_runs.get(automation.pk, 0)) for automation in automations],
                           learners_in_flow=sum(open_runs.values()))

    # --- delete, with the §5.10 question ----------------------------------------------------------
    def delete_view(self, request, object_id, extra_context=None):
        """Django's page only for an automation that never ran. One with runs gets the §5.10 question
        when learners are in the flow, says how many runs (the learners' record) go with it, and
        offers to archive it instead (Django's page would refuse: runs are read-only records)."""
        automation = self.get_object(request, unquote(object_id))
        runs = automation.runs.count() if automation else 0
        if not runs:
            return super().delete_view(request, object_id, extra_context)
        require(self.has_delete_permission(request, automation))
        open_runs = automation.runs.filter(status__in=Run.OPEN_STATUSES).count()
        if request.method == "POST" and "archive" in request.POST:
            return self._archive(request, automation)
        form = DeleteModeForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and not open_runs:
            form = DeleteModeForm({"mode": "finish"})
        if form.is_bound and form.is_valid():
            self._delete(request, automation, form.cleaned_data["mode"], open_runs)
            return redirect("admin:lms_automations_automation_changelist")
        return render_page(self, request, "delete_automations.html", title="Delete automation", obj=automation,
                           form=form, rows=[(automation, open_runs)], learners_in_flow=open_runs, runs=runs,
                           archive=True)

    def _archive(self, request, automation):
        """Deactivated (nobody new starts; learners in the flow finish) and labelled "archived": the
        automation and its runs stay as the record of what learners went through."""
        if automation.status not in (Automation.STATUS.inactive, Automation.STATUS.draft):
            api.deactivate(automation)
        automation.refresh_from_db()
        if ARCHIVED not in (automation.labels or []):
            automation.labels = [*(automation.labels or []), ARCHIVED]
            automation.save(update_fields=["labels", "modified"])
        self.log_change(request, automation, "Archived (deactivated, labelled archived) instead of deleted.")
        self.message_user(request, f"“{automation}” archived: it starts nobody new, its runs are kept, and the list "
                                   f"shows it under the label “{ARCHIVED}”.", messages.SUCCESS)
        return redirect("admin:lms_automations_automation_changelist")

    def delete_model(self, request, obj):
        """Django's own delete page (no learner in the flow) goes through the API too: should a
        learner have entered meanwhile, the automation lets them finish instead of vanishing."""
        api.delete(obj, mode="finish")

    def _delete(self, request, automation, mode, open_runs):
        name = str(automation)
        if mode == "finish" and open_runs:
            staff_actions.log_staff(
                list(automation.runs.filter(status__in=Run.OPEN_STATUSES).values_list("pk", flat=True)),
                f"automation deleted by {actor(request.user)}; the learner finishes the flow", at=timezone.now())
        how = "let learners finish" if mode == "finish" else "removed learners now"
        self.log_change(request, automation, f"Deleted ({how}).")
        remaining = api.delete(automation, mode=mode)
        if remaining is None:
            cancelled = f"; {plural(open_runs, 'run')} cancelled" if open_runs else ""
            self.message_user(request, f"“{name}” deleted{cancelled}.", messages.SUCCESS)
        else:
            self.message_user(request, f"“{name}” is finishing: {plural(open_runs, 'learner')} still in the flow "
                                       "finish it, then the automation is removed. It starts nobody new.",
                              messages.SUCCESS)


#: The label an automation archived from the delete page carries (labels group the list, ADR 0013).
ARCHIVED = "archived"


def _open_run_counts(automations):
    return dict(
        Run.objects.filter(automation__in=automations, status__in=Run.OPEN_STATUSES)
        .values_list("automation_id").annotate(count=Count("pk")).order_by()
    )
