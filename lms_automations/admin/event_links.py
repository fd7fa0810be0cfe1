"""What each event did to runs, and what each event type starts and stops — for the admin pages.

Timeline lines carry the event that started, resumed or ended their run (``RunLog.event_id``), so
the runs of a page of events are one indexed read, whatever the page's length (ADR 0017). Only
runs of automations the viewer may change are shown (runs are learners: ``authority``).
"""
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import authority
from ..custom_events import listeners
from ..models import RunLog

VERBS = {RunLog.KIND.started: gettext_lazy("started"), RunLog.KIND.resumed: gettext_lazy("advanced"),
         RunLog.KIND.ended: gettext_lazy("ended"), RunLog.KIND.error: gettext_lazy("ended")}


def moved_runs(event_ids, user):
    """``{event_id: [(verb, run_id, automation name)]}`` for these events (one read, plus the
    viewer's changeable automations when they are not platform staff)."""
    if not event_ids:
        return {}
    lines = RunLog.objects.filter(event_id__in=list(event_ids), kind__in=list(VERBS))
    allowed = authority.changeable_automation_ids(user)
    if allowed is not None:
        lines = lines.filter(run__automation_id__in=allowed)
    found = {}
    for event_id, kind, run_id, name in lines.order_by("event_id", "at", "id").values_list(
            "event_id", "kind", "run_id", "run__automation__name"):
        found.setdefault(event_id, []).append((VERBS[kind], run_id, name))
    return found


def runs_html(moves):
    """``started run 12 (Welcome) · ended run 9 (Nudge)``, each run linked to its page."""
    if not moves:
        return "—"
    return format_html_join(" · ", '{} <a href="{}">{}</a>', (
        (verb, reverse("admin:lms_automations_run_change", args=[run_id]),
         _("run %(id)s (%(name)s)") % {"id": run_id, "name": name}) for verb, run_id, name in moves))


class EventTypeRow:
    """A catalogue event type as the catalogue page shows it: the entry, plus what it starts and stops."""

    def __init__(self, entry, starts=(), stops=()):
        self.entry, self.starts, self.stops = entry, list(starts), list(stops)

    def __getattr__(self, name):
        return getattr(self.entry, name)


def with_listeners(entries, user):
    """The catalogue's event type entries wrapped with the automations (visible to ``user``) each
    starts and stops (two reads)."""
    heard = listeners([entry.key for entry in entries], authority.visible_automation_ids(user))
    return [EventTypeRow(entry, **heard.get(entry.key, {})) for entry in entries]


def automations_html(automations):
    if not automations:
        return "—"
    return format_html_join(", ", '<a href="{}">{}</a> ({})', (
        (reverse("admin:lms_automations_automation_change", args=[automation.pk]), automation.name,
         automation.get_status_display()) for automation in automations))


def listeners_html(event_type, user):
    """For a custom event type's page: "Starts: …  Stops: …"."""
    heard = listeners([event_type], authority.visible_automation_ids(user)).get(event_type, {})
    return format_html("{}: {}<br>{}: {}", _("Starts"), automations_html(heard.get("starts")),
                       _("Stops"), automations_html(heard.get("stops")))
