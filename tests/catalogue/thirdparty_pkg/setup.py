"""A tiny third-party package that adds a catalogue entry the way any extension would."""
from setuptools import setup

setup(
    name="lms-automations-testext",
    version="1.0",
    packages=["lms_automations_testext"],
    entry_points={
        "lms_automations.events": ["testext.webinar_attended = lms_automations_testext:WebinarAttended"],
        "lms_automations.conditions": ["testext.always = lms_automations_testext:Always"],
    },
)
