"""Who may see, change and affect what (SPEC §5.16, ADR 0008): the one place that decides.

Every path asks here — admin pages and actions, the REST API, import / update / activate and the
matcher — so a course team member's reach is the same everywhere. The host says who is on which
course team (``staff_course_keys``, ``staff_orgs``); this module turns that into answers:

- **platform staff** (superusers, and whoever the host says sees every course) may do everything,
  including site-wide automations (no scope);
- a course team member **may change** an automation (edit, delete, activate, replay or cancel its
  runs, start learners, advance waiting learners, revert its history) only when they could have
  given it its scope: every course of it is theirs (or of an org where they hold an org-wide role)
  and every org of it is one where they hold the org-wide role;
- they **may see** (read only) an automation whose scope touches one of their courses or orgs, so a
  course team knows what an org-wide automation does to its learners. Seeing is never authority:
  runs of an automation (its learners) are shown only to those who may change it.
"""
import dataclasses
import logging

from django.utils.translation import gettext as _
from opaque_keys import InvalidKeyError
from opaque_keys.edx.keys import CourseKey

from .host import get_host

log = logging.getLogger(__name__)

_CACHE_ATTRIBUTE = "_lms_automations_staff_scope"


@dataclasses.dataclass(frozen=True)
class StaffScope:
    """The course team roles of a user who is not platform staff."""

    course_keys: frozenset
    orgs: frozenset  # organisations where the user holds an org-wide role

    def holds_course(self, course_key):
        return course_key in self.course_keys or org_of(course_key) in self.orgs

    @property
    def touched_orgs(self):
        """Orgs of their courses plus their org-wide roles: what they may *see* org automations of."""
        return {org_of(key) for key in self.course_keys} | set(self.orgs)


@dataclasses.dataclass(frozen=True)
class Scope:
    """An automation's scope (course keys and organisations); empty means site-wide."""

    courses: tuple = ()
    orgs: tuple = ()

    @classmethod
    def of(cls, automation):
        return cls(tuple(automation.scope_courses or ()), tuple(automation.scope_orgs or ()))

    @property
    def site_wide(self):
        return not self.courses and not self.orgs

    def contains_course(self, course_key):
        return course_key in self.courses or org_of(course_key) in self.orgs


def staff_scope(user):
    """None when ``user`` is platform staff, else their ``StaffScope``.

    Asked of the host once per request: the answer is kept on the user object, which an admin page
    consults for every model, row and permission it shows.
    """
    cached = getattr(user, _CACHE_ATTRIBUTE, False)
    if cached is not False:
        return cached
    scope = None
    if not user.is_superuser:
        host = get_host()
        course_keys = host.staff_course_keys(user)
        if course_keys is not None:
            scope = StaffScope(frozenset(course_keys), frozenset(host.staff_orgs(user) or ()))
    setattr(user, _CACHE_ATTRIBUTE, scope)
    return scope


def is_platform_staff(user):
    """Superusers, and whoever the host says sees every course. Never an anonymous or inactive user."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return staff_scope(user) is None


def may_see(user, automation):
    """Whether ``user`` may read the automation's definition (and its history)."""
    return _sees(user, Scope.of(automation))


def may_change(user, automation):
    """Whether ``user`` may change, delete, activate, replay, cancel, advance or start learners of it
    (and see its runs)."""
    return scope_refusal(user, automation.scope_courses or [], automation.scope_orgs or []) is None \
        if _known(user) else False


def document_scope_refusal(user, document):
    """``scope_refusal`` for a v1 document's scope when it is well formed; None otherwise (a malformed
    scope is left to validation, which names what to change)."""
    scope = document.get("scope") or {}
    if not isinstance(scope, dict):
        return None
    courses, orgs = scope.get("courses") or [], scope.get("orgs") or []
    if not all(isinstance(items, list) and all(isinstance(item, str) for item in items) for items in (courses, orgs)):
        return None
    return scope_refusal(user, courses, orgs)


def scope_refusal(user, scope_courses, scope_orgs):
    """Why ``user`` may not give an automation this scope (a message saying what to change), or None.

    Course team members may scope automations only to their own courses (or, with an org-wide role,
    to their organisation and its courses); an automation without a scope runs everywhere, so only
    platform staff may save one.
    """
    if is_platform_staff(user):
        return None
    if not _known(user):
        return _("Sign in as a member of the course team to change automations.")
    scope = staff_scope(user)
    if not scope_courses and not scope_orgs:
        return _("Name the courses this automation is for: without a scope it would run in every course.")
    foreign = [key for key in scope_courses if not scope.holds_course(key)]
    foreign += [org for org in scope_orgs if org not in scope.orgs]
    if foreign:
        return _("You can scope automations only to courses where you are on the course team (organisations "
                 "only where you hold an organisation-wide role); not yours: %(foreign)s") % {
            "foreign": ", ".join(map(str, foreign))}
    return None


def may_name_course(user, automation_scope, course_key):
    """Whether a step or condition of an automation with ``automation_scope`` may name ``course_key``
    when ``user`` saves it: platform staff may name any course; anyone else only a course of the
    scope that is theirs."""
    if is_platform_staff(user):
        return True
    if not _known(user):
        return False
    return automation_scope.contains_course(course_key) and staff_scope(user).holds_course(course_key)


def may_name_automation(user, automation_id):
    """Whether a step or condition saved by ``user`` may name automation ``automation_id`` (start it,
    end its runs, ask about them): only one they may change."""
    from .models import Automation  # pylint: disable=import-outside-toplevel

    if is_platform_staff(user):
        return True
    if not isinstance(automation_id, int) or isinstance(automation_id, bool) or not 0 < automation_id < 2 ** 63:
        return False  # no such automation can exist (and the database could not be asked)
    automation = Automation.objects.filter(pk=automation_id).first()
    return automation is not None and may_change(user, automation)


def visible_automation_ids(user):
    """None when ``user`` may see every automation, else the ids of those they may see."""
    return _ids_where(user, _sees)


def changeable_automation_ids(user):
    """None when ``user`` may change every automation, else the ids of those they may change (and
    whose runs they may see)."""
    return _ids_where(user, lambda who, scope: scope_refusal(who, scope.courses, scope.orgs) is None)


def event_in_scope(automation, payload, user_id, host=None):
    """Whether an automation hears this event of learner ``user_id`` (SPEC §5.16).

    Site-wide automations hear everything. A scoped one hears events of its courses (or of courses
    of its orgs) and never those of other courses; an event without a course (login, tags, points,
    e-mail, custom events) only for a learner actively enrolled in one of its courses — so a course
    team's automation cannot reach every learner of the site. A host that cannot say where the
    learner is enrolled means "not in scope".
    """
    scope = Scope.of(automation)
    if scope.site_wide:
        return True
    if (payload or {}).get("course_key"):
        return event_course_in_scope(automation, payload)
    if not user_id:
        return False
    try:
        enrolled = (host or get_host()).active_course_keys(user_id) or ()
    except Exception:  # pylint: disable=broad-except  # fail closed, never break matching
        log.warning("lms_automations: could not read the enrolments of user %s; %s does not hear the event",
                    user_id, automation, exc_info=True)
        return False
    return any(scope.contains_course(str(key)) for key in enrolled)


def event_course_in_scope(automation, payload):
    """Whether the event's course (if it names one) is of the automation's scope: what a learner's
    open run hears (its event waits), since the learner is already in."""
    scope = Scope.of(automation)
    course_key = (payload or {}).get("course_key")
    if scope.site_wide or not course_key:
        return True
    org = (payload or {}).get("org") or org_of(course_key)
    return str(course_key) in scope.courses or bool(org and org in scope.orgs)


def org_of(course_key):
    """The organisation of a course key, or None when it is not one."""
    try:
        return CourseKey.from_string(str(course_key)).org
    except InvalidKeyError:
        return None


def _known(user):
    return user is not None and getattr(user, "is_authenticated", False) and user.is_active


def _sees(user, scope):
    if is_platform_staff(user):
        return True
    if not _known(user) or scope.site_wide:
        return False
    staff = staff_scope(user)
    return bool(set(staff.course_keys) & set(scope.courses)
                or staff.touched_orgs & set(scope.orgs)
                or any(staff.holds_course(key) for key in scope.courses))


def _ids_where(user, allowed):
    from .models import Automation  # pylint: disable=import-outside-toplevel

    if is_platform_staff(user):
        return None
    if not _known(user):
        return []
    return [pk for pk, courses, orgs in Automation.objects.values_list("pk", "scope_courses", "scope_orgs")
            if allowed(user, Scope(tuple(courses or ()), tuple(orgs or ())))]
