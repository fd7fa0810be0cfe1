"""Django admin for lms-automations: automations, runs with their timelines, events, learner data."""
from . import automations, events, learner_data, learner_page, runs  # noqa: F401  (registers the ModelAdmins)
