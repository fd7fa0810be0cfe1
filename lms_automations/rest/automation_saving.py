"""Saving an automation over REST: what import and update share, labels and test learners included.

``POST v1/automations/`` and ``PUT v1/automations/<id>/`` read and check the body the same way
(``checked_body``) and save it in one transaction with the saved scope checked (``saved``). The body
is the v1 document as it is, or, to set labels or test learners too, the builder's save body::

    {"document": {...the v1 document...}, "labels": ["onboarding"], "test_learners": [42]}

Neither belongs to the document (ADR 0013: labels group automations on one site, test learners are
people of this site), so they travel beside it. The rules are the builder's, shared with it
(``admin.builder_settings``): at most 20 labels of at most 60 characters; at most 50 test learners,
each a learner the caller may name (site staff: any user; a course team member: a learner enrolled
in their courses of the automation's scope). A key left out is left as it is; a new test learner's
messages go to the caller. With the envelope, every error's path is a path into the body:
``labels``, ``test_learners``, ``document.steps[0].params.days``.
"""
import dataclasses

from django.db import transaction
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.response import Response

from ..authority import document_scope_refusal, scope_refusal
from ..exceptions import InvalidAutomation
from ..models import TestLearner

SETTINGS_KEYS = ("labels", "test_learners")
ENVELOPE_KEYS = ("document", *SETTINGS_KEYS)


@dataclasses.dataclass
class AutomationBody:
    """A request body read: the document, the settings it names, and whether they came in an envelope."""

    document: object
    settings: dict
    enveloped: bool = False

    def located(self, errors):
        """``errors`` of the document, with paths into the body."""
        if not self.enveloped:
            return errors
        return [{**error, "path": _in_document(error.get("path") or "")} for error in errors]

    @property
    def scope_path(self):
        return "document.scope" if self.enveloped else "scope"


def checked_body(data, user):
    """``(AutomationBody, None)``, or ``(…, answer)``: the 400 or 403 a body gets before anything is saved —
    not an object, the envelope's errors, a scope outside the caller's courses, bad labels or test learners."""
    body, errors = read_body(data)
    if not isinstance(body.document, dict):
        return body, invalid(errors or [{"path": "", "message": "the body must be a v1 document (a JSON object)"}])
    if errors:
        return body, invalid(errors)
    refusal = document_scope_refusal(user, body.document)
    if refusal:
        return body, scope_refused(refusal, body.scope_path)
    errors = settings_errors(body, user)
    return body, (invalid(errors) if errors else None)


def saved(body, user, save):
    """``(automation, None)`` once ``save(document)`` (an import or an update) and the settings are saved
    in one transaction, or ``(None, answer)`` with the document's 400 or the saved scope's 403."""
    try:
        with transaction.atomic():
            automation = save(body.document)
            # The saved scope is what counts (the check before only saw a well-formed document's).
            refusal = scope_refusal(user, automation.scope_courses, automation.scope_orgs)
            if refusal:
                raise _ScopeRefused(refusal)
            apply_settings(automation, body, user)
    except InvalidAutomation as error:
        return None, invalid(body.located(error.errors))
    except _ScopeRefused as error:
        return None, scope_refused(str(error), body.scope_path)
    return automation, None


def invalid(errors):
    return Response({"errors": errors}, status=status.HTTP_400_BAD_REQUEST)


def scope_refused(refusal, path="scope"):
    return Response({"detail": refusal, "errors": [{"path": path, "message": refusal}]},
                    status=status.HTTP_403_FORBIDDEN)


class _ScopeRefused(Exception):
    pass


def read_body(data):
    """``(AutomationBody, errors)``: the v1 document alone, or the envelope with the settings."""
    if not (isinstance(data, dict) and "document" in data and "format" not in data):
        return AutomationBody(data, {}), []
    errors = [{"path": key, "message": _("unknown key; use document, labels and test_learners")}
              for key in sorted(set(data) - set(ENVELOPE_KEYS))]
    if not isinstance(data["document"], dict):
        errors.append({"path": "document", "message": _("the document must be a v1 document (a JSON object)")})
    return AutomationBody(data["document"], {key: data[key] for key in SETTINGS_KEYS if key in data}, True), errors


def settings_errors(body, user):
    """The builder's errors of the labels and test learners ``body`` names, for ``user``."""
    from ..admin.builder_settings import settings_errors as builder_errors  # pylint: disable=import-outside-toplevel

    if not body.settings:
        return []
    scope = body.document.get("scope") if isinstance(body.document, dict) else None
    courses = scope.get("courses") if isinstance(scope, dict) else None
    return builder_errors(body.settings, user, courses if isinstance(courses, list) else [])


def apply_settings(automation, body, user):
    """Save what ``body`` names (checked by ``settings_errors``), in the caller's transaction."""
    from ..admin.builder_settings import apply_settings as builder_apply  # pylint: disable=import-outside-toplevel

    if body.settings:
        builder_apply(automation, body.settings, user)


def saved_answer(automation, export_url):
    """What an import or update answers: the automation, its labels and test learners."""
    return {"id": automation.pk, "name": automation.name, "status": automation.status,
            "labels": list(automation.labels or []),
            "test_learners": list(TestLearner.objects.filter(automation=automation).order_by("pk")
                                  .values_list("user_id", flat=True)),
            "export_url": export_url}


def _in_document(path):
    if not path or path == "$":
        return "document"
    return f"document{path}" if path.startswith("[") else f"document.{path}"
