"""Staff actions on runs (SPEC §5.11): cancel a run, replay a run from a chosen step — on the run's
page and, for several runs at once, as list actions (replay then starts from each run's current step).

Every view finds the run among those of automations the staff member works on (404 otherwise) and
needs the ``change_run`` permission (403 otherwise).
"""
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.shortcuts import redirect
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from .. import authority
from ..engine.flow import first_step_id
from ..models import Run
from . import staff_actions
from .forms import ReplayForm
from .pages import change_url, render_page, require
from .staff_actions import REPLAYABLE, describe_run, listed


class RunStaffActionsMixin:
    """Mixed into ``RunAdmin``: the cancel and replay pages and their list actions."""

    actions = ["cancel_selected", "replay_selected"]

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<path:object_id>/cancel/", wrap(self.cancel_view), name="lms_automations_run_cancel"),
            path("<path:object_id>/replay/", wrap(self.replay_view), name="lms_automations_run_replay"),
        ] + super().get_urls()

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        allowed = obj is not None and self.has_change_permission(request, obj)
        context["can_cancel_run"] = allowed and obj.status in Run.OPEN_STATUSES
        context["can_replay_run"] = allowed and obj.status in REPLAYABLE
        return super().render_change_form(request, context, add=add, change=change, form_url=form_url, obj=obj)

    def _changeable(self, request, object_id):
        run = staff_actions.scoped_run(request.user, unquote(object_id))
        require(authority.may_change(request.user, run.automation) and self.has_change_permission(request, run))
        return run

    def cancel_view(self, request, object_id):
        run = self._changeable(request, object_id)
        if run.status not in Run.OPEN_STATUSES:
            self.message_user(request, _("Run %(id)s has already ended (%(state)s); nothing to cancel.")
                              % {"id": run.pk, "state": describe_run(run)}, messages.WARNING)
            return redirect(change_url(run))
        if request.method != "POST":
            return render_page(self, request, "cancel_runs.html", title=_("Cancel run"), obj=run, runs=[run],
                               ended=[], subtitle=_named(run))
        if staff_actions.cancel_run(run, request.user):
            self.message_user(request, _("Run %(id)s (%(learner)s in “%(automation)s”) cancelled.")
                              % {"id": run.pk, "learner": run.user, "automation": run.automation}, messages.SUCCESS)
        else:
            self.message_user(request, _("Run %(id)s ended before it could be cancelled.") % {"id": run.pk},
                              messages.WARNING)
        return redirect(change_url(run))

    def replay_view(self, request, object_id):
        run = self._changeable(request, object_id)
        if run.status not in REPLAYABLE:
            self.message_user(request, _("A %(status)s run cannot be replayed; replay pending, fulfilled or failed "
                                         "runs.") % {"status": run.get_status_display().lower()}, messages.WARNING)
            return redirect(change_url(run))
        steps = staff_actions.step_choices(run.automation)
        if not steps:
            self.message_user(request, _("“%(automation)s” has no steps to replay.") % {"automation": run.automation},
                              messages.WARNING)
            return redirect(change_url(run))
        known = {step_id for step_id, _label in steps}
        default = run.current_step_id if run.current_step_id in known else steps[0][0]
        form = ReplayForm(request.POST if request.method == "POST" else None, steps=steps,
                          initial={"from_step": default})
        if not form.is_bound or not form.is_valid():
            return render_page(self, request, "replay_run.html", title=_("Replay run"), obj=run, form=form,
                               subtitle=_named(run))
        from_step = form.cleaned_data["from_step"]
        try:
            replayed = staff_actions.replay_run(run, from_step, request.user)
        except ValueError as error:
            self.message_user(request, _("Run %(id)s not replayed: %(error)s") % {"id": run.pk, "error": error},
                              messages.ERROR)
        else:
            said = _("Run %(id)s (%(learner)s in “%(automation)s”) replayed from %(step)s; now %(state)s.") % {
                "id": run.pk, "learner": run.user, "automation": run.automation, "step": from_step,
                "state": describe_run(replayed)}
            self.message_user(request, said, messages.SUCCESS)
        return redirect(change_url(run))

    @admin.action(description=gettext_lazy("Cancel selected runs"), permissions=["change"])
    def cancel_selected(self, request, queryset):
        runs = _changeable_runs(request.user, queryset)
        if not request.POST.get("post"):
            return render_page(self, request, "cancel_runs.html", title=_("Cancel runs"),
                               runs=[run for run in runs if run.status in Run.OPEN_STATUSES],
                               ended=[run for run in runs if run.status not in Run.OPEN_STATUSES],
                               action="cancel_selected", selected=runs)
        cancelled = [run for run in runs if staff_actions.cancel_run(run, request.user)]
        skipped = len(runs) - len(cancelled)
        message = ngettext("%(count)d run cancelled", "%(count)d runs cancelled", len(cancelled)) % {
            "count": len(cancelled)}
        if cancelled:
            message += ": " + listed(_in_automation(run) for run in cancelled)
        if skipped:
            message += "; " + _("%(count)d had already ended") % {"count": skipped}
        self.message_user(request, message + ".", messages.SUCCESS if cancelled else messages.WARNING)
        return None

    @admin.action(description=gettext_lazy("Replay selected runs from their current step (fulfilled runs: from "
                                           "the start)"),
                  permissions=["change"])
    def replay_selected(self, request, queryset):
        runs = _changeable_runs(request.user, queryset)
        replayable = [run for run in runs if run.status in REPLAYABLE]
        if not request.POST.get("post"):
            return render_page(self, request, "replay_runs.html", title=_("Replay runs"), runs=replayable,
                               others=[run for run in runs if run.status not in REPLAYABLE],
                               action="replay_selected", selected=runs)
        replayed, failed = [], []
        for run in replayable:
            from_step = run.current_step_id or first_step_id(run.automation_id) or ""
            try:
                staff_actions.replay_run(run, from_step, request.user)
            except ValueError as error:
                failed.append(_("run %(id)s (%(error)s)") % {"id": run.pk, "error": error})
            else:
                replayed.append(_("%(run)s from %(step)s") % {"run": _in_automation(run),
                                                               "step": from_step or _("the end")})
        message = ngettext("%(count)d run replayed", "%(count)d runs replayed", len(replayed)) % {
            "count": len(replayed)}
        if replayed:
            message += ": " + listed(replayed)
        skipped = len(runs) - len(replayable)
        if skipped:
            message += "; " + _("%(count)d skipped (only pending, fulfilled or failed runs replay)") % {
                "count": skipped}
        self.message_user(request, message + ".", messages.SUCCESS if replayed else messages.WARNING)
        if failed:
            self.message_user(request, _("Not replayed: %(list)s") % {"list": listed(failed)}, messages.ERROR)
        return None


def _changeable_runs(user, queryset):
    """The selected runs of automations ``user`` may change (the list shows no others; this holds
    should a crafted request name one)."""
    runs = list(queryset.select_related("automation", "user"))
    allowed = {automation_id: authority.may_change(user, automation)
               for automation_id, automation in {run.automation_id: run.automation for run in runs}.items()}
    return [run for run in runs if allowed[run.automation_id]]


def _named(run):
    return _("Run %(id)s: %(run)s") % {"id": run.pk, "run": _in_automation(run)}


def _in_automation(run):
    return _("%(learner)s in “%(automation)s”") % {"learner": run.user, "automation": run.automation}
