"""A tiny third-party package that adds catalogue entries the way any extension would: entry points only.

Installed for the test suite with ``pip install -e tests/catalogue/thirdparty_pkg``.
"""
from setuptools import setup

setup(
    name="lms-automations-testext",
    version="1.0",
    description="Test fixture: catalogue entries contributed by a package other than lms-automations.",
    packages=["lms_automations_testext"],
    install_requires=[],  # lms-automations itself is already installed wherever this is used
    entry_points={
        "lms_automations.events": ["testext.webinar_attended = lms_automations_testext:WebinarAttended"],
        "lms_automations.conditions": ["testext.always = lms_automations_testext:Always"],
    },
)
