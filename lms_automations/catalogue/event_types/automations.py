"""Event types about automations themselves, so one flow can follow on from another."""
from ..events import EventType


class AutomationFinished(EventType):
    key = "automation.finished"
    label = "Finished an automation"
    category = "Automations"
    description = "Fires when one of the learner's runs of an automation ends, whatever the outcome; filter on automation_id (and outcome) to follow on from a particular flow."
    payload_fields = {
        "automation_id": "the automation whose run ended",
        "outcome": "how it ended: fulfilled, converted, exited, failed, failed_silently or cancelled",
    }


class AutomationStarted(EventType):
    """Recorded by the engine for every run that starts (``engine.sequences``); an automation hears
    it only of automations inside its own scope, and never of one already in the sequence."""

    key = "automation.started"
    label = "Entered an automation"
    category = "Automations"
    description = ("Fires when the learner enters an automation (a run of it starts: by its trigger, by an "
                   "automation.start step or by staff). Filter on automation_id to start the next automation of a "
                   "sequence. An automation hears this only of automations inside its own scope, and never restarts "
                   "itself through it: an automation already in the sequence is not started again (refusal: loop).")
    payload_fields = {
        "automation_id": "the automation the learner entered",
        "run_id": "the learner's new run of it",
        "started_by": "what started the run: the triggering event type, automation.start, or staff",
        "course_key": "the course of the event that started the run, when it names one",
        "sequence": "the automations entered one after the other, at once, ending with this one (ids)",
    }
