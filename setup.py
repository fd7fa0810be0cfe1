"""Packaging for lms-automations, an Open edX plugin for learner automations."""
import os
import re

from setuptools import find_packages, setup

HERE = os.path.dirname(os.path.abspath(__file__))


def read(*parts):
    with open(os.path.join(HERE, *parts), encoding="utf-8") as handle:
        return handle.read()


def get_version():
    match = re.search(r'^__version__ = ["\']([^"\']+)["\']', read("lms_automations", "__init__.py"), re.M)
    return match.group(1)


def load_requirements(filename):
    """Requirement lines of a pip-tools .in file, following -r includes and skipping -c/comments."""
    requirements = []
    for line in read("requirements", filename).splitlines():
        line = line.split(" #")[0].strip()
        if not line or line.startswith("#") or line.startswith("-c"):
            continue
        if line.startswith("-r"):
            requirements.extend(load_requirements(line[2:].strip()))
            continue
        requirements.append(line)
    return requirements


setup(
    name="lms-automations",
    version=get_version(),
    description="Automations for Open edX: when a learner does something, if conditions hold, then act.",
    long_description=read("README.md") + "\n\n" + read("CHANGELOG.md"),
    long_description_content_type="text/markdown",
    author="lms-automations contributors",
    license="AGPL 3.0",
    url="https://github.com/lms-automations/lms-automations",
    packages=find_packages(include=["lms_automations", "lms_automations.*"]),
    include_package_data=True,
    python_requires=">=3.11",
    install_requires=load_requirements("base.in"),
    zip_safe=False,
    entry_points={
        "lms.djangoapp": ["lms_automations = lms_automations.apps:LmsAutomationsConfig"],
        "cms.djangoapp": ["lms_automations = lms_automations.apps:LmsAutomationsConfig"],
        # Catalogue groups (SPEC §7.4). Built-in entries are registered here the same way a
        # third-party package registers its own.
        "lms_automations.events": [],
        "lms_automations.conditions": [],
        "lms_automations.actions": [],
        "lms_automations.waits": [],
    },
    classifiers=[
        "Development Status :: 3 - Alpha",
        "Framework :: Django",
        "Framework :: Django :: 4.2",
        "Framework :: Django :: 5.2",
        "Intended Audience :: Education",
        "License :: OSI Approved :: GNU Affero General Public License v3 or later (AGPLv3+)",
        "Programming Language :: Python :: 3.11",
        "Programming Language :: Python :: 3.12",
    ],
)
