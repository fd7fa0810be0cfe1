"""The ``openedx`` backend's reads of learners, staff roles, courses, outlines, dates and grades."""
import datetime

import pytest
from opaque_keys.edx.keys import CourseKey

from lms_automations.engine.errors import PermanentError
from sandbox.lms import services

from .conftest import COURSE, NOW

pytestmark = pytest.mark.django_db
OTHER = CourseKey.from_string("course-v1:Demo+OX2+2026")


def block(kind, name, course=COURSE):
    return course.make_usage_key(kind, name)


@pytest.fixture
def ada():
    return services.create_learner("ada", email="ada@example.com", name="Ada Lovelace", country="GB")


def test_a_learner_reads_with_profile_and_preferences(lms, host, ada):
    lms.preferences[(ada.pk, "pref-lang")] = "fr"
    lms.preferences[(ada.pk, "time_zone")] = "Europe/Paris"
    learner = host.get_learner(ada.pk)
    assert learner["name"] == "Ada Lovelace" and learner["email"] == "ada@example.com"
    assert learner["language"] == "fr" and learner["time_zone"] == "Europe/Paris" and learner["country"] == "GB"
    assert host.get_learner(999) is None


def test_is_marketable_reads_the_registration_attribute(lms, host, ada):
    from standin_rows import UserAttributeRow  # pylint: disable=import-outside-toplevel

    assert host.is_marketable(ada.pk) is None
    lms.user_attributes.rows.append(UserAttributeRow(ada.pk, "is_marketable", "false"))
    assert host.is_marketable(ada.pk) is False
    lms.user_attributes.rows[0].value = "True"
    assert host.is_marketable(ada.pk) is True


def test_course_staff_see_the_courses_where_they_hold_a_team_role(lms, host, ada):
    from standin_rows import AccessRoleRow  # pylint: disable=import-outside-toplevel

    boss = services.create_learner("boss", is_staff=True, is_superuser=True)
    lms.access_roles.rows += [AccessRoleRow(ada.pk, "staff", COURSE), AccessRoleRow(ada.pk, "beta_testers", OTHER),
                              AccessRoleRow(ada.pk, "instructor", OTHER), AccessRoleRow(ada.pk, "staff", None, "Demo")]
    assert host.staff_course_keys(ada) == {str(COURSE), str(OTHER)}
    assert host.staff_orgs(ada) == {"Demo"}, "an org-wide role: an org and no course"
    assert host.staff_course_keys(boss) is None


def test_the_course_comes_from_the_course_overview(host):
    assert host.get_course(str(COURSE)) == {"course_key": str(COURSE), "display_name": "Open edX 101", "org": "Demo",
                                            "start": NOW, "end": NOW + datetime.timedelta(days=90)}
    assert host.get_course(str(OTHER)) is None


def _structure(lms):
    from openedx.core.djangoapps.content.block_structure.api import (  # pylint: disable=import-outside-toplevel
        BlockStructure,
    )

    root = block("course", "course")
    children = {
        root: [block("chapter", "week1"), block("chapter", "week2")],
        block("chapter", "week1"): [block("sequential", "intro")],
        block("sequential", "intro"): [block("vertical", "welcome"), block("vertical", "setup")],
        block("vertical", "welcome"): [block("html", "hello"), block("video", "tour")],
        block("vertical", "setup"): [block("problem", "quiz")],
        block("chapter", "week2"): [block("sequential", "more")],
        block("sequential", "more"): [block("vertical", "empty")],
    }
    names = {block("vertical", "welcome"): "Welcome", block("vertical", "setup"): "Set up"}
    lms.structures[COURSE] = BlockStructure(root, children, names)


def test_the_outline_lists_units_in_course_order_with_their_content(lms, host):
    _structure(lms)
    outline = host.get_course_outline(str(COURSE))
    assert [(unit["display_name"], unit["blocks"]) for unit in outline] == [
        ("Welcome", [str(block("html", "hello")), str(block("video", "tour"))]),
        ("Set up", [str(block("problem", "quiz"))]),
        ("", []),
    ]


def test_the_outline_is_read_once_per_publication(lms, host):
    _structure(lms)
    host.get_course_outline(str(COURSE))
    host.get_course_outline(str(COURSE))
    assert len(lms.called("get_course_in_cache")) == 1
    lms.overviews.rows[0].modified = NOW + datetime.timedelta(hours=1)  # the course was published again
    host.get_course_outline(str(COURSE))
    assert len(lms.called("get_course_in_cache")) == 2


def test_an_outline_the_lms_cannot_find_is_a_permanent_error(lms, host):
    with pytest.raises(PermanentError, match="no course course-v1:Demo\\+OX2"):
        host.get_course_outline(str(OTHER))
    with pytest.raises(PermanentError, match="no published course content"):
        host.get_course_outline(str(COURSE))


def test_audit_access_expiry_comes_from_course_duration_limits_else_the_course_end(lms, host, ada):
    assert host.access_expires_at(ada.pk, str(COURSE)) == NOW + datetime.timedelta(days=90)
    lms.expirations[(ada.pk, COURSE)] = NOW + datetime.timedelta(weeks=4)
    assert host.access_expires_at(ada.pk, str(COURSE)) == NOW + datetime.timedelta(weeks=4)


def test_the_upgrade_deadline_is_the_enrolments(lms, host, ada):
    from standin_rows import EnrollmentRow  # pylint: disable=import-outside-toplevel

    assert host.upgrade_deadline(ada.pk, str(COURSE)) is None
    lms.enrollments.rows.append(EnrollmentRow(ada.pk, COURSE, "audit", True, NOW, NOW + datetime.timedelta(days=21)))
    assert host.upgrade_deadline(ada.pk, str(COURSE)) == NOW + datetime.timedelta(days=21)


def test_due_dates_move_for_this_learner_only(lms, host, ada):
    due = NOW + datetime.timedelta(days=7)
    quiz, essay = block("problem", "quiz"), block("openassessment", "essay")
    lms.due_dates[(COURSE, quiz, "due", None)] = due
    lms.due_dates[(COURSE, essay, "due", None)] = due
    assert host.extend_due_dates(ada.pk, str(COURSE), 3, [str(quiz)]) == 1
    assert lms.due_dates[(COURSE, quiz, "due", ada.pk)] == due + datetime.timedelta(days=3)
    assert (COURSE, essay, "due", ada.pk) not in lms.due_dates
    assert lms.due_dates[(COURSE, quiz, "due", None)] == due, "other learners keep the course's date"
    host.extend_due_dates(ada.pk, str(COURSE), 2)  # every due date, from the learner's current one
    assert lms.due_dates[(COURSE, quiz, "due", ada.pk)] == due + datetime.timedelta(days=5)
    assert lms.due_dates[(COURSE, essay, "due", ada.pk)] == due + datetime.timedelta(days=2)


def test_a_retried_extension_leaves_the_dates_its_step_already_moved(lms, host, ada, monkeypatch):
    from edx_when import api as when_api  # pylint: disable=import-outside-toplevel

    due = NOW + datetime.timedelta(days=7)
    quiz, essay = block("problem", "quiz"), block("openassessment", "essay")
    lms.due_dates[(COURSE, quiz, "due", None)] = due
    lms.due_dates[(COURSE, essay, "due", None)] = due
    real_set = when_api.set_date_for_block

    def lost_after_the_first(course_id, block_id, *args, **kwargs):
        if block_id == quiz:  # blocks are extended in key order: essay first, then quiz
            raise ConnectionError("the LMS went away")
        return real_set(course_id, block_id, *args, **kwargs)

    monkeypatch.setattr(when_api, "set_date_for_block", lost_after_the_first)
    with pytest.raises(ConnectionError):
        host.extend_due_dates(ada.pk, str(COURSE), 3, idempotency_key="41:extend:1")
    monkeypatch.setattr(when_api, "set_date_for_block", real_set)
    assert host.extend_due_dates(ada.pk, str(COURSE), 3, idempotency_key="41:extend:1") == 2
    assert lms.due_dates[(COURSE, quiz, "due", ada.pk)] == due + datetime.timedelta(days=3)
    assert lms.due_dates[(COURSE, essay, "due", ada.pk)] == due + datetime.timedelta(days=3)
    assert [row.reason for row in lms.user_dates] == ["lms_automations: extended by 3 days (step 41:extend:1)"] * 2
    host.extend_due_dates(ada.pk, str(COURSE), 3, idempotency_key="41:extend:2")  # the next visit: 3 more
    assert lms.due_dates[(COURSE, quiz, "due", ada.pk)] == due + datetime.timedelta(days=6)


def test_extending_a_block_without_a_due_date_or_outside_the_course_fails_clearly(lms, host, ada):
    with pytest.raises(PermanentError, match="no due date to extend on"):
        host.extend_due_dates(ada.pk, str(COURSE), 3, [str(block("html", "hello"))])
    with pytest.raises(PermanentError, match="not in course-v1:Demo\\+OX1"):
        host.extend_due_dates(ada.pk, str(COURSE), 3, [str(block("problem", "x", OTHER))])
    assert not lms.called("set_date_for_block")


def test_grades_are_read_as_persisted(lms, host, ada):
    from standin_rows import GradeRow  # pylint: disable=import-outside-toplevel

    assert host.get_grade(ada.pk, str(COURSE)) is None
    lms.grades.rows.append(GradeRow(ada.pk, COURSE, 0.8125, "Pass", NOW))
    assert host.get_grade(ada.pk, str(COURSE)) == {"percent": 81.25, "letter_grade": "Pass", "passed": True}


def test_completion_is_real_edx_completion(lms, host, ada):
    quiz = block("problem", "quiz")
    host.mark_blocks_complete(ada.pk, str(COURSE), [str(quiz)])
    assert host.completed_blocks(ada.pk, str(COURSE)) == {str(quiz)}
    with pytest.raises(PermanentError, match="not in course-v1:Demo\\+OX1"):
        host.mark_blocks_complete(ada.pk, str(COURSE), [str(block("html", "a")), str(block("html", "b", OTHER))])
    assert host.completed_blocks(ada.pk, str(COURSE)) == {str(quiz)}, "nothing written when one key is wrong"


def test_last_activity_is_the_later_of_active_days_and_completions(lms, host, ada, settings):
    import time_machine  # pylint: disable=import-outside-toplevel
    from standin_rows import ActivityRow  # pylint: disable=import-outside-toplevel

    assert host.last_activity(ada.pk, str(COURSE)) is None
    lms.activity.rows.append(ActivityRow(ada.pk, COURSE, datetime.date(2026, 11, 5)))
    assert host.last_activity(ada.pk, str(COURSE)) == datetime.datetime(2026, 11, 5, tzinfo=datetime.UTC)
    with time_machine.travel(datetime.datetime(2026, 11, 9, 15, 0, tzinfo=datetime.UTC), tick=False):
        host.mark_blocks_complete(ada.pk, str(COURSE), [str(block("html", "hello"))])
    assert host.last_activity(ada.pk, str(COURSE)) == datetime.datetime(2026, 11, 9, 15, 0, tzinfo=datetime.UTC)


def test_the_inactivity_scan_reads_every_active_enrolment_with_its_last_active_day(lms, host, ada):
    from standin_rows import ActivityRow, EnrollmentRow  # pylint: disable=import-outside-toplevel

    bob = services.create_learner("bob")
    lms.enrollments.rows += [EnrollmentRow(ada.pk, COURSE, "audit", True, NOW),
                             EnrollmentRow(bob.pk, COURSE, "audit", True, NOW),
                             EnrollmentRow(bob.pk, OTHER, "audit", False, NOW)]
    cy = services.create_learner("cy")  # active in a course, no longer enrolled anywhere
    dee = services.create_learner("dee")
    lms.enrollments.rows.append(EnrollmentRow(dee.pk, OTHER, "audit", True, NOW))
    lms.activity.rows += [ActivityRow(dee.pk, OTHER, datetime.date(2026, 11, 20)),
                          ActivityRow(ada.pk, COURSE, datetime.date(2026, 11, 5)),
                          ActivityRow(cy.pk, COURSE, datetime.date(2026, 11, 6)),
                          ActivityRow(bob.pk, OTHER, datetime.date(2026, 11, 6)),
                          ActivityRow(ada.pk, COURSE, datetime.date(2026, 11, 7))]
    assert list(host.enrollment_activity()) == [
        (ada.pk, str(COURSE), datetime.datetime(2026, 11, 7, tzinfo=datetime.UTC)),
        (bob.pk, str(COURSE), NOW),
        (dee.pk, str(OTHER), datetime.datetime(2026, 11, 20, tzinfo=datetime.UTC)),
    ], "one learner at a time, in learner order; activity elsewhere does not count"
    assert [row[0] for row in host.enrollment_activity(ada.pk, bob.pk)] == [bob.pk], "one range of learners"
    assert host.enrollment_user_id_bound(None, 2) == bob.pk
    assert host.enrollment_user_id_bound(bob.pk, 1) == dee.pk
    assert host.enrollment_user_id_bound(dee.pk, 1) is None, "nobody after the last enrolled learner"
    assert host.enrolled_user_ids_between([str(COURSE), str(OTHER)], None, dee.pk, limit=5) == [ada.pk, bob.pk, dee.pk]
    assert host.enrolled_user_ids_between([str(COURSE)], ada.pk) == [bob.pk]


def test_custom_registration_fields_come_from_meta_and_the_verawood_profile_model(lms, host, ada):
    from standin_rows import ExtendedProfile, ExtendedProfileRow  # pylint: disable=import-outside-toplevel

    ada.profile.meta = {"company": "Analytical Engines", "newsletter": True, "interests": ["maths"]}
    ada.profile.save()
    assert host.get_learner(ada.pk)["profile_fields"] == {"company": "Analytical Engines", "newsletter": True}
    lms.extended_profile_model = ExtendedProfile  # PROFILE_EXTENSION_FORM's model: it wins over meta
    lms.extended_profiles.rows.append(ExtendedProfileRow(ada, "Babbage & Co", 12, datetime.date(2026, 1, 5)))
    assert host.get_learner(ada.pk)["profile_fields"] == {
        "company": "Babbage & Co", "newsletter": True, "employees": 12, "joined_program": "2026-01-05"}


def test_a_unit_viewed_at_once_in_the_lms_is_one_lesson_started_and_one_completed(
        lms, host, django_capture_on_commit_callbacks):
    from completion.models import BlockCompletion  # pylint: disable=import-outside-toplevel
    from waffle.testutils import override_switch  # pylint: disable=import-outside-toplevel

    from lms_automations.models import Event  # pylint: disable=import-outside-toplevel

    _structure(lms)
    ada = services.create_learner("ada")
    with override_switch("completion.enable_completion_tracking", active=True), \
            django_capture_on_commit_callbacks(execute=True):  # the html and the video of a unit, one request
        BlockCompletion.objects.submit_completion(ada, block("html", "hello"), 1.0)
        BlockCompletion.objects.submit_completion(ada, block("video", "tour"), 1.0)
    derived = list(Event.objects.filter(event_type__startswith="progress.lesson").order_by("id")
                   .values_list("event_type", "payload__lesson_key"))
    welcome = str(block("vertical", "welcome"))
    assert derived == [("progress.lesson_started", welcome), ("progress.lesson_completed", welcome)]
