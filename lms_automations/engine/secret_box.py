"""Encryption of the secrets a step stores (a webhook's signing secret, credential headers).

A stored secret reads ``enc:v1:<nonce + AES-256-GCM ciphertext>``, so a database dump, a backup or
a read-only SQL account shows no secret, and a value without the prefix (stored before encryption)
is still read. AES-GCM (from ``cryptography``) is authenticated, and the automation's id is bound
into each token as associated data (``scope``): a token changed in the table, or copied into
another automation, is refused rather than decrypted — so nobody who can read the table and write
an automation can make the plugin sign requests with someone else's secret.

The key is derived with HKDF-SHA256 from ``LMS_AUTOMATIONS["SECRETS_KEY"]``, or the site's
``SECRET_KEY`` when that is not set. Decryption also tries ``SECRETS_OLD_KEYS``, the site's
``SECRET_KEY`` and Django's ``SECRET_KEY_FALLBACKS``, so rotating either key keeps stored secrets
readable; a secret is encrypted with the current key whenever it is saved changed.
"""
import base64
import binascii
import functools
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

from ..conf import get_setting

PREFIX = "enc:v1:"
_SALT = b"lms-automations"
_INFO = b"lms-automations step secrets v1"
_NONCE_BYTES = 12


class SecretUnreadable(Exception):
    """A stored secret that none of the configured keys decrypts."""


def is_sealed(value):
    return isinstance(value, str) and value.startswith(PREFIX)


def seal(text, *, scope):
    """``text`` encrypted with the current key for automation ``scope``, in its stored form; a sealed
    value is left as it is."""
    if is_sealed(text):
        return text
    nonce = os.urandom(_NONCE_BYTES)
    sealed = _ciphers(_key_materials())[0].encrypt(nonce, str(text).encode("utf-8", "surrogatepass"), _aad(scope))
    return PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode("ascii")


def unseal(value, *, scope):
    """The plain text of a stored value of automation ``scope`` (a legacy plain value is returned as it is)."""
    if not is_sealed(value):
        return value
    try:
        raw = base64.urlsafe_b64decode(value[len(PREFIX):].encode("ascii"))
    except (binascii.Error, ValueError) as exc:
        raise SecretUnreadable("this secret is not a token the plugin wrote") from exc
    for cipher in _ciphers(_key_materials()):
        try:
            return cipher.decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], _aad(scope)).decode("utf-8", "surrogatepass")
        except (InvalidTag, ValueError, UnicodeError):
            continue
    raise SecretUnreadable("no configured key decrypts this secret for this automation")


def _aad(scope):
    return f"lms_automations.automation:{scope}".encode()


def _key_materials():
    dedicated = get_setting("SECRETS_KEY")
    materials = [dedicated or settings.SECRET_KEY, *(get_setting("SECRETS_OLD_KEYS") or []), settings.SECRET_KEY,
                 *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return tuple(dict.fromkeys(str(material) for material in materials if material))


@functools.lru_cache(maxsize=8)
def _ciphers(materials):
    return [AESGCM(_derive(material)) for material in materials]


def _derive(material):
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=_SALT, info=_INFO).derive(material.encode())
