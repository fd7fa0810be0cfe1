"""Encryption of the secrets a step stores (a webhook's signing secret, credential headers).

A stored secret reads ``enc:v1:<Fernet token>``, so a database dump, a backup or a read-only SQL
account shows no secret, and a value without the prefix (stored before encryption) is still read.
Fernet (AES-128-CBC with HMAC-SHA256, from ``cryptography``) is authenticated: a token changed in
the table is refused rather than decrypted into something else.

The key is derived with HKDF-SHA256 from ``LMS_AUTOMATIONS["SECRETS_KEY"]``, or the site's
``SECRET_KEY`` when that is not set. Decryption also tries ``SECRETS_OLD_KEYS``, the site's
``SECRET_KEY`` and Django's ``SECRET_KEY_FALLBACKS``, so rotating either key keeps stored secrets
readable; each save re-encrypts with the current key.
"""
import base64
import functools

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

from ..conf import get_setting

PREFIX = "enc:v1:"
_SALT = b"lms-automations"
_INFO = b"lms-automations step secrets v1"


class SecretUnreadable(Exception):
    """A stored secret that none of the configured keys decrypts."""


def is_sealed(value):
    return isinstance(value, str) and value.startswith(PREFIX)


def seal(text):
    """``text`` encrypted with the current key, in its stored form; a sealed value is left as it is."""
    if is_sealed(text):
        return text
    return PREFIX + _box().encrypt(str(text).encode("utf-8", "surrogatepass")).decode("ascii")


def unseal(value):
    """The plain text of a stored value (a legacy plain value is returned as it is)."""
    if not is_sealed(value):
        return value
    try:
        return _box().decrypt(value[len(PREFIX):].encode("ascii")).decode("utf-8", "surrogatepass")
    except (InvalidToken, UnicodeError, ValueError) as exc:
        raise SecretUnreadable("no configured key decrypts this secret") from exc


def _key_materials():
    dedicated = get_setting("SECRETS_KEY")
    materials = [dedicated or settings.SECRET_KEY, *(get_setting("SECRETS_OLD_KEYS") or []), settings.SECRET_KEY,
                 *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return tuple(dict.fromkeys(str(material) for material in materials if material))


def _box():
    return _multi_fernet(_key_materials())


@functools.lru_cache(maxsize=8)
def _multi_fernet(materials):
    return MultiFernet([Fernet(_derive(material)) for material in materials])


def _derive(material):
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=_SALT, info=_INFO).derive(material.encode())
    return base64.urlsafe_b64encode(key)
