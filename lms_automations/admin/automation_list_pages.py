"""Starting fast (issue 10 §5): new automations from a gallery of templates, import, duplicate, export.

Every new automation is a draft: a template is made for the course the staff member picks, an
imported document keeps its definition but not its status, a copy is a draft named "… (copy)".
Course team members pick only their own courses; everything goes through ``lms_automations.api``.
"""
import json
from pathlib import Path

from django import forms
from django.db import transaction
from django.http import Http404, JsonResponse
from django.shortcuts import redirect
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from opaque_keys import InvalidKeyError
from opaque_keys.edx.keys import CourseKey

from .. import api
from ..engine.definition import dump_document
from ..exceptions import InvalidAutomation
from ..host import get_host
from ..models import Automation, ExitCondition, Step, Trigger
from .pages import change_url, render_page
from .scoping import scope_refusal, staff_scope

EXAMPLES_DIR = Path(__file__).resolve().parent.parent / "examples"


class Template:
    """One card of the gallery: a v1 document shipped in ``lms_automations/examples/``."""

    def __init__(self, slug, title, summary):
        self.slug, self.title, self.summary = slug, title, summary

    def document(self):
        return json.loads((EXAMPLES_DIR / f"{self.slug}.json").read_text(encoding="utf-8"))

    def for_course(self, course_key):
        """The document made for ``course_key``: a draft whose scope, filters and params name it."""
        document = self.document()
        original = list(document.get("scope", {}).get("courses", []))
        document = _replace_strings(document, {key: course_key for key in original})
        document.update(name=str(self.title), status="draft", scope={"courses": [course_key], "orgs": []})
        return document


def _replace_strings(value, replacements):
    if isinstance(value, str):
        return replacements.get(value, value)
    if isinstance(value, list):
        return [_replace_strings(item, replacements) for item in value]
    if isinstance(value, dict):
        return {key: _replace_strings(item, replacements) for key, item in value.items()}
    return value


GALLERY = [
    Template("welcome_and_nudge", gettext_lazy("Welcome and nudge"), gettext_lazy(
        "When a learner enrols: a welcome e-mail; two days later, tag those who started and nudge those who "
        "did not.")),
    Template("inactivity_reengagement", gettext_lazy("Win back quiet learners"), gettext_lazy(
        "After 7 days without activity: a reminder; 3 days later, if they are still away, the course team "
        "hears about it.")),
    Template("upsell_after_completion", gettext_lazy("Upsell after completion"), gettext_lazy(
        "When an audit learner completes the course: offer the verified track; points for those who upgrade, "
        "a last call for the others.")),
    Template("certificate_reminder", gettext_lazy("Certificate reminder before access ends"), gettext_lazy(
        "Three days before the learner's access ends (audit expiry, else course end): remind learners without a "
        "certificate; earning it, or losing access, ends the run.")),
    Template("upgrade_deadline_reminder", gettext_lazy("Upgrade-deadline reminder"), gettext_lazy(
        "Three days before the upgrade deadline: remind audit learners; upgrading ends the run.")),
    Template("course_date_reminder", gettext_lazy("Course start reminder"), gettext_lazy(
        "The day before the course starts: tell every enrolled learner when it begins.")),
]
GALLERY_BY_SLUG = {template.slug: template for template in GALLERY}


# --- forms --------------------------------------------------------------------------------------
class CourseChoiceForm(forms.Form):
    """The course a template is made for: a list of the member's courses, or any course key for
    those who see every course (the host is asked whether it exists)."""

    course_key = forms.CharField(label=gettext_lazy("Course"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        scope = staff_scope(user)
        self.user = user
        if scope is not None:
            courses = sorted(scope.course_keys)
            self.fields["course_key"] = forms.ChoiceField(
                label=gettext_lazy("Course"), choices=[(key, key) for key in courses],
                help_text=gettext_lazy("One of the courses where you are on the course team."))
        else:
            self.fields["course_key"].help_text = gettext_lazy("A course key, e.g. course-v1:Demo+PY101+2026.")
            self.fields["course_key"].widget.attrs.update(size=50, placeholder="course-v1:Org+Course+Run")

    def clean_course_key(self):
        key = self.cleaned_data["course_key"].strip()
        try:
            CourseKey.from_string(key)
        except InvalidKeyError:
            raise forms.ValidationError(_("“%(key)s” is not a course key (course-v1:Org+Course+Run).")
                                        % {"key": key}) from None
        if get_host().get_course(key) is None:
            raise forms.ValidationError(_("The LMS has no course %(key)s.") % {"key": key})
        refusal = scope_refusal(self.user, [key], [])
        if refusal:
            raise forms.ValidationError(refusal)
        return key


class ImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("JSON file"), help_text=gettext_lazy(
        "A lms-automations/v1 document, or a list of them, as Export downloads it. Everything is imported "
        "as a draft, or nothing is."))


# --- views (called by the AutomationListMixin) --------------------------------------------------
def gallery_view(model_admin, request):
    return page(model_admin, request, "gallery.html",
                       title=_("New automation from a template"), templates=GALLERY)


def from_template_view(model_admin, request, slug):
    template = GALLERY_BY_SLUG.get(slug)
    if template is None:
        raise Http404(_("No such template."))
    form = CourseChoiceForm(request.POST if request.method == "POST" else None, user=request.user)
    if form.is_bound and form.is_valid():
        document = template.for_course(form.cleaned_data["course_key"])
        try:
            automation = api.import_automation(document, owner=request.user)
        except InvalidAutomation as error:
            form.add_error(None, _error_lines(error.errors))
        else:
            model_admin.log_addition(request, automation, _("Created from the template “%(title)s”.")
                                     % {"title": template.title})
            model_admin.message_user(request, _("“%(name)s” created as a draft for %(course)s: check it, then "
                                                "test or activate it.") % {"name": automation.name,
                                                                           "course": form.cleaned_data["course_key"]})
            return redirect(change_url(automation))
    return page(model_admin, request, "from_template.html",
                       title=_("New automation: %(title)s") % {"title": template.title}, gallery_item=template,
                       form=form, steps=template.document().get("steps", []))


def import_view(model_admin, request):
    form = ImportForm(request.POST or None, request.FILES or None)
    errors = []
    if form.is_bound and form.is_valid():
        documents, errors = _read_upload(form.cleaned_data["file"])
        created = []
        if not errors:
            created, errors = _import_all(documents, request.user)
        if not errors:
            for automation in created:
                model_admin.log_addition(request, automation, _("Imported from a JSON file."))
            model_admin.message_user(request, _("Imported as drafts: %(names)s.")
                                     % {"names": ", ".join(f"“{a.name}”" for a in created)})
            return redirect(change_url(created[0]) if len(created) == 1 else
                            "admin:lms_automations_automation_changelist")
    return page(model_admin, request, "import.html", title=_("Import automations"),
                       form=form, errors=errors)


def _read_upload(upload):
    try:
        data = json.loads(upload.read().decode("utf-8"))
    except UnicodeDecodeError:
        return [], [{"path": "(file)", "message": _("the file is not UTF-8 text")}]
    except json.JSONDecodeError as error:
        return [], [{"path": "(file)", "message": _("not valid JSON: %(error)s") % {"error": error}}]
    documents = data if isinstance(data, list) else [data]
    if not documents:
        return [], [{"path": "(file)", "message": _("the list holds no automation")}]
    return documents, []


def _import_all(documents, user):
    """Every document as a draft, in one transaction: one error anywhere and nothing is created."""
    created, errors = [], []
    with transaction.atomic():
        for index, document in enumerate(documents):
            prefix = f"[{index}]." if len(documents) > 1 else ""
            if not isinstance(document, dict):
                errors.append({"path": prefix.rstrip(".") or "(file)",
                               "message": _("an automation is a JSON object")})
                continue
            scope = document.get("scope") if isinstance(document.get("scope"), dict) else {}
            refusal = scope_refusal(user, list(scope.get("courses") or []), list(scope.get("orgs") or []))
            if refusal:
                errors.append({"path": f"{prefix}scope", "message": refusal})
                continue
            try:
                created.append(api.import_automation({**document, "status": "draft"}, owner=user))
            except InvalidAutomation as error:
                errors.extend({"path": f"{prefix}{item['path']}", "message": item["message"]}
                              for item in error.errors)
        if errors:
            transaction.set_rollback(True)
    return created, errors


def duplicate(automation, user):
    """A draft copy named "… (copy)", with the same labels; secrets are copied, never shown.

    A valid automation is copied through its document (checked as an import is); a half-edited
    draft that is not valid yet is copied row by row, as the draft it is — activating the copy
    validates it then, as for any draft."""
    name = _("%(name)s (copy)") % {"name": automation.name}
    document = dump_document(automation, reveal_secrets=True)
    document.update(name=name, status="draft")
    with transaction.atomic():
        try:
            with transaction.atomic():
                copy = api.import_automation(document, owner=user)
        except InvalidAutomation:
            if automation.status not in (Automation.STATUS.draft, Automation.STATUS.inactive):
                raise
            copy = _copy_rows(automation, user, name)
        if automation.labels:
            copy.labels = list(automation.labels)
            copy.save(update_fields=["labels", "modified"])
    return copy


def _copy_rows(automation, user, name):
    copy = Automation.objects.create(
        name=name, description=automation.description, status=Automation.STATUS.draft, execution=automation.execution,
        entry_policy=automation.entry_policy, entry_period=automation.entry_period,
        scope_courses=list(automation.scope_courses or []), scope_orgs=list(automation.scope_orgs or []), owner=user)
    for model in (Trigger, ExitCondition):
        for row in model.objects.filter(automation=automation).order_by("position", "pk"):
            row.pk = None
            row.automation = copy
            row.save()
    pending = list(Step.objects.filter(automation=automation).order_by("position", "pk"))
    copied = {}  # the original's step pk → the copy's
    while pending:  # parents first (a branch before its sides' steps)
        ready = [step for step in pending if step.parent_id is None or step.parent_id in copied]
        for step in ready:
            original_pk = step.pk
            step.pk = None
            step.automation = copy
            step.parent_id = copied.get(step.parent_id)
            step.save()
            copied[original_pk] = step.pk
        done = {id(step) for step in ready}
        pending = [step for step in pending if id(step) not in done] if ready else []
    return copy


def duplicate_view(model_admin, request, automation):
    if request.method == "POST":
        try:
            copy = duplicate(automation, request.user)
        except InvalidAutomation as error:
            model_admin.message_user(request, _("“%(name)s” not duplicated: %(errors)s")
                                     % {"name": automation.name, "errors": _error_lines(error.errors)}, "error")
            return redirect(change_url(automation))
        model_admin.log_addition(request, copy, _("Duplicated from “%(name)s”.") % {"name": automation.name})
        model_admin.message_user(request, _("“%(name)s” created as a draft.") % {"name": copy.name})
        return redirect(change_url(copy))
    return page(model_admin, request, "duplicate.html", title=_("Duplicate automation"),
                       obj=automation)


def export_view(automation):
    response = JsonResponse(api.export_automation(automation), json_dumps_params={"indent": 2, "ensure_ascii": False})
    filename = f"{slugify(automation.name) or 'automation'}-{automation.pk}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def page(model_admin, request, name, **context):
    """A page of ``templates/admin/lms_automations/automation/`` in the admin's frame."""
    response = render_page(model_admin, request, "base.html", **context)
    response.template_name = f"admin/lms_automations/automation/{name}"
    return response


def _error_lines(errors):
    return "; ".join(f"{item['path']}: {item['message']}" for item in errors[:20])
