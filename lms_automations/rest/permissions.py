"""What the caller may do.

- Event ingestion: a user holding ``lms_automations.add_event`` (give it to the service user of the
  system that reports events, or to a group), or a signed commerce source (which the view limits to
  commerce events).
- Automations: staff users (``is_staff``, as for Django admin) with the model permissions
  ``view_automation`` (list, export) and ``add_automation`` (import). What each of them may see,
  scope and affect is ``lms_automations.authority``'s answer, as in admin: the views list and export
  only automations the caller may see, and import with the caller as the actor, so a course team
  member's document may name only their courses and automations they may change (SPEC §5.16).
"""
from rest_framework.permissions import SAFE_METHODS, BasePermission

from .authentication import is_restricted_jwt
from .hmac_auth import SignedSource

RESTRICTED_JWT_MESSAGE = ("Tokens of restricted OAuth applications are not accepted here; use a token of a "
                          "user (or service user) holding the permission.")


def _logged_in(request):
    user = request.user
    return bool(user and user.is_authenticated and user.is_active)


class CanIngestEvents(BasePermission):
    message = ("Ingesting events needs the permission lms_automations.add_event "
               "(Django admin › Users or Groups), or a request signed by a configured commerce source.")

    def has_permission(self, request, view):
        if isinstance(request.auth, SignedSource):
            return True
        if not _logged_in(request):
            return False
        if is_restricted_jwt(request):
            self.message = RESTRICTED_JWT_MESSAGE
            return False
        return request.user.has_perm("lms_automations.add_event")


class CanManageAutomations(BasePermission):
    message = ("Automations over REST are for staff users with the automation permissions: "
               "lms_automations.view_automation to list and export, lms_automations.add_automation to import, "
               "lms_automations.change_automation to update.")

    def has_permission(self, request, view):
        if isinstance(request.auth, SignedSource) or not _logged_in(request):
            return False
        user = request.user
        if is_restricted_jwt(request):
            self.message = RESTRICTED_JWT_MESSAGE
            return False
        if not user.is_staff:
            return False
        needed = "view_automation" if request.method in SAFE_METHODS else \
            "change_automation" if request.method == "PUT" else "add_automation"
        return user.has_perm(f"lms_automations.{needed}")


class CanDryRun(CanManageAutomations):
    """A dry run changes nothing: ``view_automation`` is enough here; the authority checks that the caller
    may change the automation and see the learner (``lms_automations.dry_runs``)."""

    message = ("Dry runs over REST are for staff users with the permission lms_automations.view_automation "
               "who may change the automation.")

    def has_permission(self, request, view):
        if isinstance(request.auth, SignedSource) or not _logged_in(request):
            return False
        if is_restricted_jwt(request):
            self.message = RESTRICTED_JWT_MESSAGE
            return False
        return request.user.is_staff and request.user.has_perm("lms_automations.view_automation")


class CanReadSchema(BasePermission):
    """The OpenAPI schema is for the API's own callers: those who may ingest events or manage automations."""

    message = ("The API schema is for users who may use the API: lms_automations.add_event, or staff with "
               "lms_automations.view_automation.")

    def has_permission(self, request, view):
        if not _logged_in(request) or is_restricted_jwt(request):
            return False
        user = request.user
        return user.has_perm("lms_automations.add_event") or (
            user.is_staff and user.has_perm("lms_automations.view_automation"))
