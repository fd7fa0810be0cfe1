"""Row types of the stand-in LMS's tables, and the descriptor that exposes a table as ``Model.objects``."""
import dataclasses
import datetime
import types

import standin_state


class TableOf:
    """``Model.objects``: the current stand-in table named ``attr``."""

    def __init__(self, attr):
        self.attr = attr

    def __get__(self, instance, owner):
        return getattr(standin_state.LMS, self.attr).all()


@dataclasses.dataclass
class EnrollmentRow:
    user_id: int
    course_id: object  # CourseKey, as the LMS's CourseKeyField gives it
    mode: str = "audit"
    is_active: bool = True
    created: datetime.datetime = None
    upgrade_deadline: datetime.datetime = None


@dataclasses.dataclass
class UserAttributeRow:
    user_id: int
    name: str
    value: str


@dataclasses.dataclass
class AccessRoleRow:
    user_id: int
    role: str
    course_id: object = None  # CourseKey, or None for an organisation-wide role
    org: str = ""


@dataclasses.dataclass
class OverviewRow:
    id: object  # CourseKey
    display_name: str
    display_org_with_default: str
    start: datetime.datetime = None
    end: datetime.datetime = None
    modified: datetime.datetime = None


@dataclasses.dataclass
class ActivityRow:
    user_id: int
    course_key: object  # CourseKey
    date: datetime.date


@dataclasses.dataclass
class GradeRow:
    user_id: int
    course_id: object  # CourseKey
    percent_grade: float
    letter_grade: str = ""
    passed_timestamp: datetime.datetime = None


@dataclasses.dataclass
class CertificateRow:
    status: str
    mode: str
    grade: str
    download_url: str = ""


@dataclasses.dataclass
class CohortRow:
    course_id: object
    name: str


@dataclasses.dataclass
class ExtendedProfileRow:
    """A site's ``PROFILE_EXTENSION_FORM`` model: a user and the site's own fields."""

    user: object
    company: str = ""
    employees: int = None
    joined_program: datetime.date = None
    id: int = 1


class ExtendedProfile:
    objects = TableOf("extended_profiles")

    class _meta:  # the Django model API the backend reads
        concrete_fields = [
            types.SimpleNamespace(name=name, is_relation=name == "user")
            for name in ("id", "user", "company", "employees", "joined_program")
        ]


@dataclasses.dataclass
class UserDateRow:
    """An edx-when personal override: the block is on ``content_date.location``, as in edx-when."""

    user_id: int
    content_date: types.SimpleNamespace
    abs_date: datetime.datetime
    reason: str = ""
