"""What the builder saves beside the v1 document: labels and test learners.

Neither is part of the document (ADR 0013: labels group automations on one site; test learners are
people of this site), so the builder sends them apart and they are saved in the same transaction
as the document. A test learner must be a learner the staff member may preview with (enrolled in
their courses of the scope); the messages of a new test learner go to the staff member who adds
them, and an existing one keeps whoever received them.
"""
from django.utils.translation import gettext as _

from ..models import TestLearner
from . import builder_pickers as pickers

MAX_LABELS = 20
MAX_LABEL_LENGTH = 60
MAX_TEST_LEARNERS = 50


def settings_data(automation):
    """``{"labels", "test_learners"}`` of the builder page (empty for a new automation)."""
    if automation is None:
        return {"labels": [], "test_learners": []}
    testers = TestLearner.objects.filter(automation=automation).select_related("user", "redirect_to").order_by("pk")
    return {"labels": list(automation.labels or []),
            "test_learners": [_tester(tester) for tester in testers]}


def _tester(tester):
    user = tester.user
    return {"id": user.pk, "label": _person(user),
            "redirect_to": (tester.redirect_to.get_full_name() or tester.redirect_to.username) if tester.redirect_to
            else ""}


def _person(user):
    name = user.get_full_name()
    return f"{name} · {user.username} <{user.email}>" if name else f"{user.username} <{user.email}>"


def settings_errors(body, viewer, scope_courses):
    """Errors (``{"path", "message"}``) of the labels and test learners in a save ``body``."""
    errors = []
    labels = body.get("labels", [])
    if not isinstance(labels, list) or not all(isinstance(label, str) for label in labels):
        errors.append({"path": "labels", "message": _("labels must be a list of words")})
    elif len(labels) > MAX_LABELS or any(len(label.strip()) > MAX_LABEL_LENGTH for label in labels):
        errors.append({"path": "labels", "message": _("at most %(count)s labels of at most %(length)s characters")
                       % {"count": MAX_LABELS, "length": MAX_LABEL_LENGTH}})
    testers = body.get("test_learners", [])
    if not isinstance(testers, list) or not all(isinstance(item, int) and not isinstance(item, bool) and 0 < item
                                                < 2 ** 63 for item in testers):
        errors.append({"path": "test_learners", "message": _("test learners must be a list of learner ids")})
    elif len(testers) > MAX_TEST_LEARNERS:
        errors.append({"path": "test_learners", "message": _("at most %(count)s test learners")
                       % {"count": MAX_TEST_LEARNERS}})
    else:
        foreign = [item for item in testers if not pickers.may_preview_learner(viewer, scope_courses, item)]
        if foreign:
            errors.append({"path": "test_learners", "message": _(
                "test learners must be learners of this automation's courses (not: %(ids)s)")
                % {"ids": ", ".join(map(str, foreign))}})
    return errors


def apply_settings(automation, body, viewer):
    """Save the labels and test learners of ``body`` (checked by ``settings_errors``); only what the
    body names is changed."""
    if "labels" in body:
        labels = []
        for label in (label.strip() for label in body["labels"]):
            if label and label not in labels:
                labels.append(label)
        if labels != list(automation.labels or []):
            automation.labels = labels
            automation.save(update_fields=["labels", "modified"])
    if "test_learners" in body:
        wanted = list(dict.fromkeys(body["test_learners"]))
        TestLearner.objects.filter(automation=automation).exclude(user_id__in=wanted).delete()
        present = set(TestLearner.objects.filter(automation=automation).values_list("user_id", flat=True))
        for user_id in wanted:
            if user_id not in present:
                TestLearner.objects.create(automation=automation, user_id=user_id, redirect_to=viewer)
