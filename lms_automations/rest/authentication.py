"""Who is calling: Open edX JWT (edx-drf-extensions), the LMS session, or a signed commerce source.

The JWT class is imported when a request comes in, not when the plugin loads, so the plugin also
loads where edx-drf-extensions is not installed (it always is inside an LMS).
"""
import logging

from django.conf import settings
from rest_framework.authentication import SessionAuthentication

from .hmac_auth import HmacSourceAuthentication

log = logging.getLogger(__name__)


def jwt_authentication_class():
    """edx-drf-extensions' ``JwtAuthentication``, or None where it cannot be imported or is unsafe.

    edx-drf-extensions checks a token's signature against ``JWT_AUTH["JWT_PUBLIC_SIGNING_JWK_SET"]``
    first, and an empty key set verifies nothing: without public keys, a token signed with any key
    would pass. An LMS that issues asymmetric JWTs (Tutor's does) has the key set; where it is missing,
    JWTs are not accepted here (logged) rather than trusted blindly.
    """
    try:
        from edx_rest_framework_extensions.auth.jwt.authentication import (  # pylint: disable=import-outside-toplevel
            JwtAuthentication,
        )
    except ImportError:
        log.debug("lms_automations: edx-drf-extensions is not installed; REST accepts session logins only")
        return None
    if not (getattr(settings, "JWT_AUTH", None) or {}).get("JWT_PUBLIC_SIGNING_JWK_SET"):
        log.warning("lms_automations: JWT_AUTH['JWT_PUBLIC_SIGNING_JWK_SET'] is not set, so JWTs cannot be "
                    "verified; the REST API accepts session logins and signed sources only")
        return None
    return JwtAuthentication


def user_authenticators(*, signed_sources=False):
    """Authenticator instances, in the order they are tried.

    JWT comes first, so an unauthenticated caller is told ``WWW-Authenticate: JWT`` (401, not 403).
    Session authentication enforces CSRF for logged-in browsers, as everywhere in the LMS.
    """
    classes = [jwt_authentication_class()]
    if signed_sources:
        classes.append(HmacSourceAuthentication)
    classes.append(SessionAuthentication)
    return [cls() for cls in classes if cls is not None]


def is_restricted_jwt(request):
    """True when the request was authenticated with a JWT of a restricted OAuth application.

    Restricted applications act for their own users only within their scopes and filters; this API
    defines no scopes, so it refuses them.
    """
    try:
        from edx_rest_framework_extensions.permissions import (  # pylint: disable=import-outside-toplevel
            JwtRestrictedApplication,
        )
    except ImportError:
        return False
    try:
        return bool(JwtRestrictedApplication().has_permission(request, None))
    except Exception:  # pylint: disable=broad-except
        log.warning("lms_automations: could not read the JWT's is_restricted claim; refusing", exc_info=True)
        return True
