"""Open edX JWTs (edx-drf-extensions' JwtAuthentication), as the LMS's own clients send them."""
import json
import time

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from rest_framework_jwt.settings import api_settings

from lms_automations.models import Event

from .conftest import EVENTS_URL

pytestmark = pytest.mark.django_db
ISSUER, AUDIENCE = "http://127.0.0.1:8000/oauth2", "lms-key"
SYMMETRIC_SECRET = "symmetric-jwt-secret-for-tests-only-0123456789"
SIGNING_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _public_jwk_set(private_key):
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(private_key.public_key()))
    return json.dumps({"keys": [{**jwk, "kid": "lms", "alg": "RS512"}]})


@pytest.fixture(autouse=True)
def jwt_settings(settings, monkeypatch):
    """What an LMS configures: edx-drf-extensions' decoder, an issuer, the public key set, ``JWT`` prefix."""
    settings.JWT_AUTH = {
        "JWT_ISSUERS": [{"ISSUER": ISSUER, "AUDIENCE": AUDIENCE, "SECRET_KEY": SYMMETRIC_SECRET}],
        "JWT_PUBLIC_SIGNING_JWK_SET": _public_jwk_set(SIGNING_KEY),
        "JWT_AUTH_HEADER_PREFIX": "JWT",
    }
    from edx_rest_framework_extensions.auth.jwt.decoder import jwt_decode_handler

    # drf-jwt reads JWT_AUTH once, at import: patch what the LMS's settings would have given it.
    monkeypatch.setattr(api_settings, "JWT_DECODE_HANDLER", jwt_decode_handler, raising=False)
    monkeypatch.setattr(api_settings, "JWT_AUTH_HEADER_PREFIX", "JWT", raising=False)
    monkeypatch.setattr(api_settings, "JWT_ALGORITHM", "RS512", raising=False)


def token(user, key=SIGNING_KEY, **claims):
    now = int(time.time())
    payload = {"iss": ISSUER, "aud": AUDIENCE, "iat": now, "exp": now + 300, "preferred_username": user.username,
               "email": user.email, "administrator": user.is_staff, "version": "1.2.0", "scopes": [],
               "filters": [], "is_restricted": False, **claims}
    return jwt.encode(payload, key, algorithm="RS512")


def post(client, jwt_value):
    body = json.dumps({"event": "custom.webinar_attended", "user": {"username": "ada"},
                       "payload": {"webinar": "intro"}})
    return client.post(EVENTS_URL, body, content_type="application/json", HTTP_AUTHORIZATION=f"JWT {jwt_value}")


def test_a_jwt_of_a_user_with_the_permission_ingests(api_client, integrator, learner, webinar_type):
    response = post(api_client, token(integrator))
    assert response.status_code == 201, response.content
    assert Event.objects.get().user_id == learner.pk


def test_a_jwt_signed_with_another_key_is_401(api_client, integrator, learner, webinar_type):
    assert post(api_client, token(integrator, key=OTHER_KEY)).status_code == 401
    assert not Event.objects.exists()


def test_without_a_public_key_set_jwts_are_not_trusted(api_client, integrator, learner, webinar_type, settings):
    settings.JWT_AUTH = {**settings.JWT_AUTH, "JWT_PUBLIC_SIGNING_JWK_SET": None}
    # edx-drf-extensions would accept this forged token: an empty key set verifies nothing.
    assert post(api_client, token(integrator, key=OTHER_KEY)).status_code == 401
    assert post(api_client, token(integrator)).status_code == 401
    assert not Event.objects.exists()


def test_a_restricted_application_token_is_403(api_client, integrator, learner, webinar_type):
    response = post(api_client, token(integrator, is_restricted=True))
    assert response.status_code == 403 and "restricted OAuth applications" in response.json()["detail"]


def test_a_jwt_of_a_user_without_the_permission_is_403(api_client, learner, webinar_type):
    assert post(api_client, token(learner)).status_code == 403
