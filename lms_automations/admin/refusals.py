"""Why a learner did not enter: the ``EntryRefusal`` rows the matcher records, in words.

Shown on the automation's page (who was kept out of it) and on the learner's page (what they were
kept out of), only to those who may change the automation — refusals are learners' data, like runs.
"""
from django.urls import reverse
from django.utils.translation import gettext_lazy

from ..conf import get_setting
from ..models import EntryRefusal
from .runs import learner_title, learner_url
from .viewer_time import moment

SHOWN = 50
#: Each reason as a sentence a course team reads ("why did Ada not get the e-mail?").
WORDS = {
    EntryRefusal.REASON.once: gettext_lazy("The automation runs once per learner, and this learner had already "
                                           "been in it."),
    EntryRefusal.REASON.once_per: gettext_lazy("The learner had entered within the automation's once-per period."),
    EntryRefusal.REASON.skip_if_active: gettext_lazy("The learner was still in the automation (skip if already "
                                                     "in it)."),
    EntryRefusal.REASON.guard: gettext_lazy("The learner had entered less than %(seconds)s seconds before: the "
                                            "guard against starting twice for one occurrence."),
    EntryRefusal.REASON.testing: gettext_lazy("The automation was in testing, and this learner is not one of its "
                                              "test learners."),
    EntryRefusal.REASON.scope: gettext_lazy("The learner is not enrolled in a course of the automation."),
}


def in_words(refusal):
    words = WORDS.get(refusal.reason)
    if words is None:
        return refusal.get_reason_display()
    return str(words) % {"seconds": get_setting("DEDUPE_SECONDS")} if "%(seconds)s" in str(words) else str(words)


def refusal_rows(refusals, zone):
    """Rows for the pages' tables: when, learner, automation, the reason in words, the event."""
    from ..catalogue import get_event_type  # pylint: disable=import-outside-toplevel

    rows = []
    for refusal in refusals:
        event_type = refusal.event_type or (refusal.event.event_type if refusal.event_id and refusal.event else "")
        entry = get_event_type(event_type) if event_type else None
        rows.append({
            "refusal": refusal, "at": moment(refusal.at, zone, with_zone=False), "words": in_words(refusal),
            "learner": learner_title(refusal.user), "learner_url": learner_url(refusal.user_id),
            "automation_url": reverse("admin:lms_automations_automation_change", args=[refusal.automation_id]),
            "event_label": str(getattr(entry, "label", "") or event_type),
            "event_type": event_type,
            "event_url": reverse("admin:lms_automations_event_change", args=[refusal.event_id])
            if refusal.event_id else "",
        })
    return rows


def refusals_of(*, automation=None, user_id=None, automation_ids=None):
    """The latest refusals of an automation or of a learner (limited to ``automation_ids`` if given)."""
    queryset = EntryRefusal.objects.select_related("user", "automation", "event").order_by("-at", "-id")
    if automation is not None:
        queryset = queryset.filter(automation=automation)
    if user_id is not None:
        queryset = queryset.filter(user_id=user_id)
    if automation_ids is not None:
        queryset = queryset.filter(automation_id__in=automation_ids)
    return list(queryset[:SHOWN])
