""""Play a learner": staff make a sandbox learner act from the browser (issue 10 §9).

Each button calls a function of ``sandbox.lms.services``, which emits what the LMS would emit, so
the whole loop — build, test, activate, the learner acts, watch the run — happens without a shell.
The page is the admin's "view site" in the sandbox (``sandbox.urls``).
"""
import datetime

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from . import dates, services
from .models import Block, Course, CourseEnrollment, GeneratedCertificate, PersistentCourseGrade, Unit

ACTIONS = {
    "enroll": gettext_lazy("Enrol"),
    "unenroll": gettext_lazy("Unenrol"),
    "upgrade": gettext_lazy("Upgrade to verified"),
    "complete_block": gettext_lazy("Complete the block"),
    "complete_unit": gettext_lazy("Complete the lesson (every block of the unit)"),
    "score_problem": gettext_lazy("Submit the problem with this score"),
    "grade": gettext_lazy("Set the grade"),
    "certificate": gettext_lazy("Award a certificate"),
    "quiet": gettext_lazy("Go quiet"),
    "scan": gettext_lazy("Run the inactivity scan now"),
    "end_access": gettext_lazy("End audit access now"),
    "access_scan": gettext_lazy("Run the access scan now"),
    "wake": gettext_lazy("Let the days pass for their waits"),
}


class PlayForm(forms.Form):
    learner = forms.ModelChoiceField(label=gettext_lazy("Learner"), queryset=get_user_model().objects.none())
    course = forms.ModelChoiceField(label=gettext_lazy("Course"), queryset=Course.objects.order_by("course_key"),
                                    to_field_name="course_key")
    mode = forms.ChoiceField(label=gettext_lazy("Mode"), required=False,
                             choices=[("audit", "audit"), ("verified", "verified")])
    block = forms.ChoiceField(label=gettext_lazy("Block"), required=False)
    unit = forms.ChoiceField(label=gettext_lazy("Lesson (unit)"), required=False)
    earned = forms.FloatField(label=gettext_lazy("Points earned"), required=False, min_value=0, initial=1)
    possible = forms.FloatField(label=gettext_lazy("Points possible"), required=False, min_value=0.01, initial=1)
    percent = forms.IntegerField(label=gettext_lazy("Grade (%)"), required=False, min_value=0, max_value=100,
                                 initial=80)
    passed = forms.BooleanField(label=gettext_lazy("Passed"), required=False, initial=True)
    days = forms.IntegerField(label=gettext_lazy("Days of silence"), required=False, min_value=1, max_value=365,
                              initial=8)
    ahead = forms.IntegerField(label=gettext_lazy("Days to let pass"), required=False, min_value=1, max_value=366,
                               initial=1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["learner"].queryset = get_user_model().objects.filter(is_staff=False).order_by("username")
        self.fields["learner"].label_from_instance = _learner_label
        # Grouped by course, so the lists read like each course's outline.
        blank = [("", "---------")]
        units, blocks = {}, {}
        for unit in Unit.objects.select_related("course").prefetch_related("blocks").order_by("course_id", "position"):
            key = unit.course.course_key
            units.setdefault(key, []).append((unit.usage_key, unit.display_name))
            blocks.setdefault(key, []).extend(
                (block.usage_key, f"{unit.display_name} › {block.block_type} {block.usage_key.rpartition('@')[2]}")
                for block in sorted(unit.blocks.all(), key=lambda block: block.position))
        self.fields["unit"].choices = blank + list(units.items())
        self.fields["block"].choices = blank + list(blocks.items())


def _learner_label(user):
    name = user.get_full_name() or _("no first name")
    return f"{user.username} — {name}"


def play_view(request):
    form = PlayForm(request.POST or None, initial=_remembered(request))
    if request.method == "POST" and form.is_valid():
        action = request.POST.get("action")
        try:
            done = _act(action, form.cleaned_data)
        except Exception as error:  # pylint: disable=broad-except  # the page says what the LMS refused
            messages.error(request, _("%(action)s: refused — %(error)s") % {"action": ACTIONS.get(action, action),
                                                                             "error": error})
        else:
            messages.success(request, done)
        request.session["sandbox_play"] = {"learner": form.cleaned_data["learner"].pk,
                                           "course": form.cleaned_data["course"].course_key}
        return redirect(reverse("sandbox_play"))
    learner = form.initial.get("learner")
    return TemplateResponse(request, "sandbox_lms/play.html", {
        **admin.site.each_context(request), "title": _("Play a learner"), "form": form, "actions": ACTIONS,
        "state": _state(learner) if learner else None,
    })


def _remembered(request):
    last = request.session.get("sandbox_play") or {}
    learner = get_user_model().objects.filter(pk=last.get("learner")).first()
    return {"learner": learner, "course": last.get("course")} if learner else {}


def _act(action, data):
    user, course = data["learner"], data["course"]
    key = course.course_key
    who = user.get_full_name() or getattr(getattr(user, "profile", None), "name", "") or user.username
    if action == "enroll":
        mode = data.get("mode") or course.default_mode
        services.enroll(user, key, mode=mode)
        return _("%(who)s enrolled in %(course)s (%(mode)s).") % {"who": who, "course": key, "mode": mode}
    if action == "unenroll":
        services.unenroll(user, key)
        return _("%(who)s unenrolled from %(course)s.") % {"who": who, "course": key}
    if action == "upgrade":
        services.change_mode(user, key, "verified")
        return _("%(who)s upgraded to verified in %(course)s.") % {"who": who, "course": key}
    if action in ("complete_block", "complete_unit"):
        blocks = _blocks(action, data, course)
        for block in blocks:
            services.complete_block(user, block.usage_key)
        return _("%(who)s completed %(blocks)s.") % {"who": who, "blocks": ", ".join(b.usage_key for b in blocks)}
    if action == "score_problem":
        block = _blocks("complete_block", data, course)[0]
        earned = data.get("earned") if data.get("earned") is not None else 0
        possible = data.get("possible") or 1
        services.score_problem(user, block.usage_key, earned, possible)
        return _("%(who)s scored %(earned)s/%(possible)s on %(block)s.") % {
            "who": who, "earned": f"{earned:g}", "possible": f"{possible:g}", "block": block.usage_key}
    if action == "grade":
        percent = data.get("percent") if data.get("percent") is not None else 0
        services.set_grade(user, key, percent / 100, bool(data.get("passed")))
        passed = _("passed") if data.get("passed") else _("not passed")
        return _("%(who)s graded %(percent)s%% in %(course)s (%(passed)s).") % {
            "who": who, "percent": percent, "course": key, "passed": passed}
    if action == "certificate":
        services.award_certificate(user, key)
        return _("%(who)s earned a certificate in %(course)s.") % {"who": who, "course": key}
    if action == "quiet":
        last = services.move_activity_back(user, key, data.get("days") or 8)
        return _("%(who)s's last activity in %(course)s is now %(day)s. Run the inactivity scan to let "
                 "automations notice.") % {"who": who, "course": key, "day": last.isoformat()}
    if action == "scan":
        from lms_automations.scans import scan_inactivity  # pylint: disable=import-outside-toplevel

        count = scan_inactivity(timezone.now())
        return _("The inactivity scan recorded %(count)s event(s).") % {"count": count or 0}
    if action == "end_access":
        ends = dates.end_audit_access(user, key)
        return _("%(who)s's audit access to %(course)s now ends at %(at)s. Run the access scan to let "
                 "automations notice.") % {"who": who, "course": key, "at": ends.isoformat(timespec="minutes")}
    if action == "access_scan":
        from lms_automations.happened.access_scan import scan_access_ends  # pylint: disable=import-outside-toplevel

        count = scan_access_ends(timezone.now())
        return _("The access scan recorded %(count)s event(s).") % {"count": count or 0}
    if action == "wake":
        return _wake_waits(user, who, data.get("ahead") or 1)
    raise ValueError(_("unknown action"))


def _wake_waits(user, who, days):
    """Resume the learner's runs whose wait ends within ``days``, as the tick would then: the sandbox's
    clock does not move, the engine is told it is ``days`` later (``now``), which is what a wait reads."""
    from lms_automations.engine.stepping import advance_runs  # pylint: disable=import-outside-toplevel
    from lms_automations.models import RunWake  # pylint: disable=import-outside-toplevel

    later = timezone.now() + datetime.timedelta(days=days)
    due = list(RunWake.objects.filter(run__user=user, due_at__lte=later).values_list("run_id", flat=True))
    resumed = advance_runs(due, now=later) if due else 0
    passed = ngettext("%(days)s day passed", "%(days)s days passed", days) % {"days": days}
    runs = ngettext("%(count)s run resumed", "%(count)s runs resumed", resumed) % {"count": resumed}
    return _("%(passed)s for %(who)s: %(runs)s.") % {"passed": passed, "who": who, "runs": runs}


def _blocks(action, data, course):
    if action == "complete_block":
        block = Block.objects.filter(usage_key=data.get("block") or "", unit__course=course).first()
        if block is None:
            raise ValueError(_("pick a block of %(course)s") % {"course": course.course_key})
        return [block]
    unit = Unit.objects.filter(usage_key=data.get("unit") or "", course=course).first()
    if unit is None:
        raise ValueError(_("pick a lesson of %(course)s") % {"course": course.course_key})
    return list(unit.blocks.order_by("position"))


def _state(user):
    """What the learner has in the sandbox LMS now, course by course."""
    from completion.models import BlockCompletion  # pylint: disable=import-outside-toplevel

    rows = []
    for enrollment in CourseEnrollment.objects.filter(user=user).select_related("course").order_by("course_id"):
        course = enrollment.course
        grade = PersistentCourseGrade.objects.filter(user=user, course=course).first()
        certificate = GeneratedCertificate.objects.filter(user=user, course=course).first()
        done = BlockCompletion.objects.filter(user=user, context_key=course.course_key, completion__gte=1).count()
        rows.append({"enrollment": enrollment, "completed": done, "blocks": len(course.block_keys()),
                     "access_ends": dates.access_end(enrollment, course)[0],
                     "grade": f"{grade.percent_grade:.0%}" if grade else "—",
                     "certificate": certificate.status if certificate else "—"})
    return {"user": user, "rows": rows,
            "learner_page": reverse("admin:lms_automations_learner_page", args=[user.pk])}
