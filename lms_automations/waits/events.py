"""Waiting for the learner to do something, with a timeout (SPEC §4.4 ``event``).

The wait declares the event type it resumes on; the engine stores it, matches the learner's events
against the optional ``filter`` and applies ``on_timeout`` when the timeout falls due. This class only
says what to wait for and until when.
"""
from ..catalogue import Wait, object_schema
from ..engine.durations import parse_duration
from ..engine.errors import PermanentError
from .params import DURATION, bounds_problem


class EventWait(Wait):
    """Until the learner has a matching event, or the timeout (5 minutes – 365 days) runs out."""

    key = "event"
    label = "Wait for an event"
    category = "Events"
    description = ("Waits until the learner has a matching event (e.g. enrollment.upgraded). After the timeout "
                   "(an ISO duration such as P7D), continue or end the run; without one, the learner waits until "
                   "the event, an exit condition or staff end the wait.")
    params_schema = object_schema(
        ("event",),
        event={"type": "string", "minLength": 1, "maxLength": 255, "description": "an event type key"},
        filter={"type": ["object", "null"], "description": "a condition tree over the event and the learner"},
        timeout=DURATION,
        on_timeout={"type": "string", "enum": ["continue", "end"]},
    )

    @classmethod
    def check_params(cls, params):
        """The schema's errors, plus the timeout's bounds (the same as every wait's)."""
        errors = super().check_params(params)
        if not isinstance(params, dict):
            return errors
        timeout = params.get("timeout")
        if "on_timeout" in params and not timeout:
            # What to do on a timeout means nothing without one; staff meant to set one.
            errors.append({"path": "params.timeout",
                           "message": "on_timeout needs a timeout: add one such as P7D, or remove on_timeout"})
        if isinstance(timeout, str) and not any(error["path"] == "params.timeout" for error in errors):
            try:
                problem = bounds_problem(parse_duration(timeout), "a timeout")
            except OverflowError:  # longer than any duration Python holds (P99999999999D)
                problem = f"a timeout must be between 5 minutes and 365 days (got {timeout})"
            if problem:
                errors.append({"path": "params.timeout", "message": problem})
        return errors

    @staticmethod
    def awaited_event(params):
        return params["event"]

    def due_at(self, params, context):
        """When the timeout falls due, or None for no timeout."""
        if not params.get("timeout"):
            return None
        try:
            timeout = parse_duration(params["timeout"])
        except ValueError as error:
            raise PermanentError(f"params.timeout: {error}") from None
        problem = bounds_problem(timeout, "a timeout")
        if problem:
            raise PermanentError(f"params.timeout: {problem}")
        return context.now + timeout
