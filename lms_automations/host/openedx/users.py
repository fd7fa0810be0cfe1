"""Learners, their profile and consent, and course staff roles (``common.djangoapps.student``)."""
from .errors import host_call

#: Kinds of value an extended profile field may hold to be usable in conditions and templates.
SCALARS = (str, int, float, bool)


def extended_profile(user, profile):
    """The learner's custom registration fields.

    Through Ulmo they live as JSON in ``UserProfile.meta`` (``REGISTRATION_EXTENSION_FORM``); from
    Verawood a ``PROFILE_EXTENSION_FORM`` may keep them in a model of its own, which wins where both
    hold a field. Anything unreadable leaves the field out rather than failing a step.
    """
    fields = {}
    try:
        meta = profile.get_meta() if profile is not None else {}
    except (AttributeError, ValueError):  # no such method, or meta that is not JSON
        meta = {}
    fields.update({name: value for name, value in (meta or {}).items() if isinstance(value, SCALARS)})
    try:
        from openedx.core.djangoapps.user_authn.views.registration_form import (  # pylint: disable=import-outside-toplevel
            get_extended_profile_model,
        )

        model = get_extended_profile_model()
    except ImportError:  # before Verawood, or a form path that does not import
        return fields
    instance = model.objects.filter(user=user).first() if model is not None else None
    for field in (model._meta.concrete_fields if instance is not None else ()):  # pylint: disable=protected-access
        if not field.is_relation and field.name != "id":
            value = getattr(instance, field.name)
            fields[field.name] = value if value is None or isinstance(value, SCALARS) else str(value)
    return fields

#: Course access roles whose holders work on a course's automations in admin.
STAFF_ROLES = ("instructor", "staff", "limited_staff")


class UsersMixin:
    def get_learner(self, user_id):
        from django.contrib.auth import get_user_model  # pylint: disable=import-outside-toplevel

        user = get_user_model().objects.filter(pk=user_id).select_related("profile").first()
        if user is None:
            return None
        profile = getattr(user, "profile", None)
        country = getattr(profile, "country", "") or ""
        return {
            "id": user.pk, "username": user.username, "email": user.email,
            "name": getattr(profile, "name", "") or user.get_full_name(),
            "first_name": user.first_name, "last_name": user.last_name,
            "language": self._preference(user, "pref-lang") or getattr(profile, "language", "") or "",
            # django-countries' Country, or a plain code on older rows
            "country": getattr(country, "code", country) or "",
            "time_zone": self._preference(user, "time_zone") or "",
            "date_joined": user.date_joined, "last_login": user.last_login, "is_active": user.is_active,
            "profile_fields": extended_profile(user, profile),
        }

    @staticmethod
    def _preference(user, key):
        from openedx.core.djangoapps.user_api.preferences.api import (  # pylint: disable=import-outside-toplevel
            get_user_preference,
        )

        try:
            return get_user_preference(user, key)
        except Exception:  # pylint: disable=broad-except
            # UserAPIInternalError and friends: a preference is a nicety, never a reason to fail a step
            return None

    def is_marketable(self, user_id):
        """The ``is_marketable`` user attribute the registration view stores when
        ``MARKETING_EMAILS_OPT_IN`` is on; None when the LMS recorded no choice."""
        from common.djangoapps.student.models import UserAttribute  # pylint: disable=import-outside-toplevel

        with host_call():
            value = (UserAttribute.objects.filter(user_id=user_id, name="is_marketable")
                     .values_list("value", flat=True).first())
        return None if value is None else str(value).strip().lower() == "true"

    def user_id_for_anonymous_id(self, anonymous_user_id):
        from common.djangoapps.student.models import user_by_anonymous_id  # pylint: disable=import-outside-toplevel

        user = user_by_anonymous_id(anonymous_user_id)
        return None if user is None else user.pk

    def staff_course_keys(self, user):
        """Superusers see every automation; anyone else the courses where they hold a course team role.

        ``is_staff`` cannot mean "everything" here: Django admin needs it to let anyone in at all.
        """
        if user.is_superuser:
            return None
        return {str(course_id) for _org, course_id in self._team_roles(user) if course_id}

    def staff_orgs(self, user):
        """Organisation-wide team roles: a ``CourseAccessRole`` with an org and no course."""
        return {org for org, course_id in self._team_roles(user) if org and not course_id}

    @staticmethod
    def _team_roles(user):
        from common.djangoapps.student.models import CourseAccessRole  # pylint: disable=import-outside-toplevel

        return list(CourseAccessRole.objects.filter(user_id=user.pk, role__in=STAFF_ROLES)
                    .values_list("org", "course_id"))
