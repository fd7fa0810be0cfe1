"""An e-mail step rendered for one learner, as the engine would render it, with no side effect.

The preview builds the same ``StepContext`` a run would (learner, course, the learner's latest event
of a trigger's type as ``event``) and renders with the engine's template renderer; it writes no row
and sends nothing. "Send a test to me" sends that rendering to the staff member's own address.
"""
import re
import uuid

from django.utils.html import strip_tags
from django.utils.translation import gettext as _

from ..engine.context import StepContext
from ..engine.errors import PermanentError
from ..engine.templates import render_text
from ..host import get_host
from ..models import Automation, Event

#: ``{{ learner.first_name }}`` and ``{{ event.course_key|upper }}``: the variable a template prints.
_PRINTED = re.compile(r"\{\{\s*([A-Za-z_][\w.]*)\s*(\|[^}]*)?\}\}")
PARTS = ("subject", "body_html", "body_text")


#: The learner's recent events looked at for the one the preview uses as ``event``.
RECENT_EVENTS = 20


def preview_context(automation, document, learner_id, *, may_use_course=lambda course_key: True):
    """The ``StepContext`` of ``learner_id`` for an automation (saved or not) described by ``document``.

    ``may_use_course`` keeps a course team member's preview inside their courses: the scope and the
    event it reads are those of courses they work on (the templates see only their audience).
    """
    scope = dict((document or {}).get("scope") or {})
    scope["courses"] = [key for key in scope.get("courses") or [] if isinstance(key, str) and may_use_course(key)]
    subject = automation or Automation()
    if automation is None or document:
        # An unsaved document (or unsaved edits): its name and scope are what the preview uses.
        subject = Automation(pk=getattr(automation, "pk", None), name=(document or {}).get("name", ""),
                             scope_courses=list(scope.get("courses") or []))
    event_types = [trigger.get("event") for trigger in (document or {}).get("triggers") or []
                   if isinstance(trigger, dict)]
    recent = Event.objects.filter(user_id=learner_id, event_type__in=event_types).order_by("-occurred_at")
    event = next((event for event in recent[:RECENT_EVENTS]
                  if not event.payload.get("course_key") or may_use_course(str(event.payload["course_key"]))), None)
    event_type = event.event_type if event else (event_types[0] if event_types else None)
    payload = dict(event.payload) if event else {}
    if not payload.get("course_key") and len(subject.scope_courses) == 1:
        payload["course_key"] = subject.scope_courses[0]
    return StepContext(user_id=learner_id, automation=subject, event_type=event_type, event=payload)


def render_email(context, params):
    """``{"subject", "body_html", "body_text", "empty": [variable, ...], "errors": [...]}``."""
    template_context = context.template_context()
    rendered, errors = {}, []
    for part in PARTS:
        text = params.get(part) or ""
        try:
            rendered[part] = render_text(text, template_context, f"params.{part}") if text else ""
        except PermanentError as error:
            rendered[part] = ""
            errors.append({"path": f"params.{part}", "message": str(error).split(": ", 1)[-1]})
    if not params.get("body_text"):
        rendered["body_text"] = strip_tags(rendered["body_html"]).strip()
    rendered["subject"] = " ".join(rendered["subject"].split())
    return {**rendered, "empty": empty_variables(params, template_context), "errors": errors}


def empty_variables(params, template_context):
    """Variables the templates print bare (no ``default`` filter) that are empty for this learner."""
    empty = []
    for part in PARTS:
        for name, filters in _PRINTED.findall(params.get(part) or ""):
            if "default" in (filters or "") or name in empty:
                continue
            value = template_context
            for piece in name.split("."):
                value = value.get(piece) if isinstance(value, dict) else None
            if value is None or (isinstance(value, str) and not value.strip()):
                empty.append(name)
    return empty


def send_test(context, params, staff_user):
    """The rendering sent to ``staff_user``'s own address, marked as a test; returns the rendering."""
    rendered = render_email(context, params)
    if rendered["errors"]:
        return rendered
    learner = context.learner.get("username") if isinstance(context.learner, dict) else None
    subject = _("[TEST for {learner}] {subject}").format(learner=learner or context.user_id,
                                                         subject=rendered["subject"])
    get_host().send_email(
        to_user_id=staff_user.pk, to_address=staff_user.email or None, subject=subject,
        body_html=rendered["body_html"], body_text=rendered["body_text"],
        message_id=f"<lms-automations.builder-test.{uuid.uuid4().hex}@lms>", transactional=True,
    )
    return {**rendered, "sent_to": staff_user.email}
