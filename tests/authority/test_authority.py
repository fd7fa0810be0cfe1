"""The authority functions themselves: who may see, change and name what (ADR 0008)."""
import pytest
from django.contrib.auth.models import AnonymousUser

from lms_automations import authority
from lms_automations.authority import Scope
from lms_automations.models import Automation

from .conftest import COURSE_A, COURSE_B, SIBLING

pytestmark = pytest.mark.django_db


def automation(courses=(), orgs=()):
    return Automation(name="x", scope_courses=list(courses), scope_orgs=list(orgs))


@pytest.mark.parametrize(("courses", "orgs", "sees", "changes"), [
    ((COURSE_A,), (), True, True),
    ((COURSE_B,), (), False, False),
    ((COURSE_A, COURSE_B), (), True, False),   # touches their course, reaches another: read only
    ((SIBLING,), (), False, False),            # another course of their org, without the org role
    ((), ("Mine",), True, False),              # the org of their course: read only without the role
    ((), ("Other",), False, False),
    ((), (), False, False),                    # site-wide: platform staff only
])
def test_a_course_team_member_sees_what_touches_their_course_and_changes_only_what_is_theirs(
        teacher_a, courses, orgs, sees, changes):
    assert authority.may_see(teacher_a, automation(courses, orgs)) is sees
    assert authority.may_change(teacher_a, automation(courses, orgs)) is changes


@pytest.mark.parametrize(("courses", "orgs", "changes"), [
    ((SIBLING,), (), True), ((), ("Mine",), True), ((COURSE_A, SIBLING), ("Mine",), True),
    ((), ("Mine", "Other"), False), ((COURSE_B,), (), False), ((), (), False),
])
def test_the_org_wide_role_covers_the_org_and_its_courses(org_lead, courses, orgs, changes):
    assert authority.may_change(org_lead, automation(courses, orgs)) is changes


def test_platform_staff_see_and_change_everything_and_nobody_else_does(platform_staff, django_user_model):
    site_wide = automation()
    assert authority.is_platform_staff(platform_staff)
    assert authority.may_see(platform_staff, site_wide) and authority.may_change(platform_staff, site_wide)
    inactive = django_user_model.objects.create_superuser("gone", "gone@example.com", "pw", is_active=False)
    for nobody in (None, AnonymousUser(), inactive):
        assert not authority.is_platform_staff(nobody)
        assert not authority.may_see(nobody, automation((COURSE_A,)))
        assert not authority.may_change(nobody, automation((COURSE_A,)))
        assert authority.scope_refusal(nobody, [COURSE_A], []) is not None


def test_naming_courses_and_automations(teacher_a, platform_staff, courses):
    mine, theirs = Automation.objects.create(name="a", scope_courses=[COURSE_A]), \
        Automation.objects.create(name="b", scope_courses=[COURSE_B])
    scope = Scope(courses=(COURSE_A,))
    assert authority.may_name_course(teacher_a, scope, COURSE_A)
    assert not authority.may_name_course(teacher_a, scope, COURSE_B)
    assert not authority.may_name_course(teacher_a, Scope(courses=(COURSE_B,)), COURSE_B)  # a scope not theirs
    assert authority.may_name_course(platform_staff, scope, COURSE_B)
    assert authority.may_name_automation(teacher_a, mine.pk)
    assert not authority.may_name_automation(teacher_a, theirs.pk)
    assert not authority.may_name_automation(teacher_a, 999_999)
    assert authority.may_name_automation(platform_staff, theirs.pk)


def test_the_host_is_asked_once_per_user_object(teacher_a, monkeypatch):
    from sandbox.lms.host_backend import SandboxHost  # pylint: disable=import-outside-toplevel

    calls = []
    monkeypatch.setattr(SandboxHost, "staff_course_keys", lambda self, who: calls.append(who) or {COURSE_A})
    for _ in range(3):
        authority.may_change(teacher_a, automation((COURSE_A,)))
    assert len(calls) == 1
