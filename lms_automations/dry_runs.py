"""Who may dry-run what with whom — the one entry point the builder and the REST API share.

    report = dry_run_for(request.user, automation, document, learner_id)   # raises DryRunRefused

A dry run shows a learner's data (their name, their e-mail rendered, their progress), so it needs
the same authority as the automation's runs: the viewer must be able to change the automation
(SPEC §5.16; an automation they may only see is 403, one they may not see 404), the document they
try must have a scope they could give it, and the learner must be one of their courses' learners
(404 otherwise, as if there were none). A posted document (unsaved edits) is checked first, as an
import would check it, and refused with every error and its path.
"""
import logging

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _

from . import authority
from .engine.definition import dump_document
from .engine.dry_run import dry_run
from .engine.dry_run_guards import DryRunWriteRefused
from .engine.json_values import json_value_errors
from .engine.secret_params import restore_secrets
from .engine.validation import validate_document
from .retirement import is_retired

log = logging.getLogger(__name__)


class DryRunRefused(Exception):
    """``status`` (400, 403, 404; 409 when a guard stopped the dry run) and ``body`` (``{"detail"}``,
    with ``{"errors": [{"path", "message"}]}`` for a document's problems)."""

    def __init__(self, status, detail=None, errors=None):
        super().__init__(detail or "")
        self.status = status
        self.body = {key: value for key, value in (("detail", detail), ("errors", errors)) if value is not None}


def dry_run_for(user, automation, document, learner_id, *, event_id=None):
    """The dry-run report of ``learner_id`` for ``automation`` (None: a new one) with ``document``
    (None: the saved definition), as ``user`` may see it."""
    refuse_unless_may_try(user, automation)
    if document is None:
        if automation is None:
            raise DryRunRefused(400, _("Send the v1 document to try, or the id of a saved automation."))
        document = dump_document(automation, reveal_secrets=True)
    elif not isinstance(document, dict):
        raise DryRunRefused(400, _("The document must be a JSON object."),
                            errors=[{"path": "document", "message": _("the document must be a JSON object")}])
    else:
        errors = json_value_errors(document)
        if errors:
            raise DryRunRefused(400, _("The document is not storable JSON."), errors=errors)
        document = restore_secrets(document, automation)
    refusal = authority.document_scope_refusal(user, document)
    if refusal:
        raise DryRunRefused(403, refusal, errors=[{"path": "scope.courses", "message": refusal}])
    errors = validate_document(document, automation_id=getattr(automation, "pk", None), actor=user)
    if errors:
        raise DryRunRefused(400, _("Fix the document before trying it."), errors=errors)
    scope = document.get("scope") or {}
    learner_id = _number(learner_id)
    if learner_id is None or not may_try_with(user, scope.get("courses") or [], learner_id):
        raise DryRunRefused(404, _("No learner %(id)s among the learners of your courses.") % {"id": learner_id})
    try:
        return dry_run(automation, document, learner_id, event_id=_number(event_id),
                       may_use_course=lambda course_key: may_use_course(user, course_key))
    except DryRunWriteRefused as refused:
        log.error("lms_automations: a dry run of %s tried to change something: %s", automation, refused)
        raise DryRunRefused(409, _("The dry run was stopped: a step would have changed something (%(what)s) "
                                   "while only looking. Nothing was changed; please report this.")
                            % {"what": refused}) from None


def refuse_unless_may_try(user, automation):
    """404 for an automation ``user`` may not see, 403 for one they may see but not change."""
    if automation is not None and not authority.may_change(user, automation):
        if authority.may_see(user, automation):
            raise DryRunRefused(403, _("Only those who may change this automation may try it with a learner."))
        raise DryRunRefused(404, _("No automation %(id)s that you can see.") % {"id": automation.pk})


def may_use_course(user, course_key):
    scope = authority.staff_scope(user)
    return scope is None or scope.holds_course(course_key)


def may_try_with(user, scope_courses, learner_id):
    """Whether ``user`` may see what an automation would do with this learner: anyone (not retired)
    for platform staff; for a course team member, a learner enrolled in one of their courses of the scope."""
    from .admin.builder_pickers import may_preview_learner  # pylint: disable=import-outside-toplevel

    if is_retired(learner_id) or not get_user_model().objects.filter(pk=learner_id).exists():
        return False
    return may_preview_learner(user, scope_courses, learner_id)



def _number(value):
    if isinstance(value, bool):
        return None
    text = str(value if value is not None else "").strip()
    return int(text) if text.isdigit() and len(text) < 16 else None
