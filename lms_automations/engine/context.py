"""What a step sees when a learner reaches it: the learner, the event, the course, the run.

Built lazily (a host call only when a step needs it) and as plain data, so templates and conditions
read the same values and nothing reaches a model or the host's internals.
"""
import datetime
import functools
import zoneinfo

from django.utils import timezone

from ..host import get_host
from .templates import contains_template, escaped_values, is_template, render_params, render_text


class StepContext:
    """The context of one step for one learner; ``event`` is the run's triggering event payload.

    ``event_id`` is the id of the recorded event being handled right now — the one a trigger filter,
    an exit condition or an event wait's filter is evaluated for — so that conditions on the
    learner's past events (``event.occurred``) do not count it as one that happened before. Inside
    a run it is None: the event that started the run is in the past by then.
    """

    def __init__(self, *, user_id, automation=None, run=None, event_type=None, event=None, now=None, host=None,
                 event_id=None):
        self.user_id = user_id
        self.automation = automation
        self.run = run
        self.event_type = event_type
        self.event = dict(event or {})
        self.event_id = event_id
        self.now = now or timezone.now()
        self.host = host or get_host()
        # Set by the engine before an action runs: (run, step, visit), passed on to external systems.
        self.idempotency_key = None

    @classmethod
    def for_run(cls, run, *, now=None, host=None):
        context = run.context or {}
        return cls(
            user_id=run.user_id, automation=run.automation, run=run, event_type=context.get("event_type"),
            event=context.get("event"), now=now, host=host,
        )

    @functools.cached_property
    def learner(self):
        return self.host.get_learner(self.user_id) or {"id": self.user_id}

    @functools.cached_property
    def course_key(self):
        return self.event.get("course_key") or _single_scope_course(self.automation)

    @functools.cached_property
    def course(self):
        return (self.host.get_course(self.course_key) if self.course_key else None) or {}

    @functools.cached_property
    def tzinfo(self):
        """The learner's time zone preference where the host has one, else UTC."""
        name = self.learner.get("time_zone") if isinstance(self.learner, dict) else None
        try:
            return zoneinfo.ZoneInfo(name) if name else datetime.UTC
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return datetime.UTC

    @functools.cached_property
    def test_recipient_id(self):
        """For a run of an automation in ``testing``: the staff member who gets its messages instead."""
        if not (self.run and self.run.is_test):
            return None
        from ..models import TestLearner  # pylint: disable=import-outside-toplevel

        test_learner = TestLearner.objects.filter(automation_id=self.run.automation_id, user_id=self.user_id).first()
        if test_learner and test_learner.redirect_to_id:
            return test_learner.redirect_to_id
        return self.automation.owner_id if self.automation else None

    def template_context(self):
        automation = self.automation
        return {
            "learner": self.learner,
            "event": {**self.event, "type": self.event_type},
            "course": self.course,
            "automation": {"id": automation.pk, "name": automation.name} if automation else {},
            "run": {"id": self.run.pk, "started_at": self.run.started_at} if self.run else {},
            "now": self.now,
        }

    def render(self, params, path="params"):
        """``params`` with templates rendered; raises ``PermanentError`` naming a broken one.

        Params without a template are returned as they are, without building the context (which
        costs a host call for the learner).
        """
        if not contains_template(params):
            return params
        return render_params(params, self.template_context(), path)


    def render_template(self, text, path="params", *, escape=None):
        """One template string rendered as text; ``escape`` (str -> str), when given, is applied to
        every string value the template reads from the context (e.g. JSON string escaping)."""
        if not is_template(text):
            return text
        template_context = self.template_context()
        if escape is not None:
            template_context = escaped_values(template_context, escape)
        return render_text(text, template_context, path)


def _single_scope_course(automation):
    courses = getattr(automation, "scope_courses", None) or []
    return courses[0] if len(courses) == 1 else None
