"""Secrets a step stores (a webhook's signing secret, credential headers) are encrypted at rest: the
step's row and its history rows hold no plaintext, legacy plain rows are still read and are
encrypted by the data migration, and rotating the key keeps them readable."""
import importlib
import json
from pathlib import Path

import pytest
from django.apps import apps
from django.db import connection

from lms_automations import api
from lms_automations.engine.errors import PermanentError
from lms_automations.engine.secret_box import SecretUnreadable, is_sealed, seal, unseal
from lms_automations.engine.secret_params import revealed_step_params
from lms_automations.exceptions import InvalidAutomation
from lms_automations.models import Step

pytestmark = pytest.mark.django_db
SECRET = "s3cret-signing-key-0123456789"
TOKEN = "Bearer eyJhbGciOiJIUzI1NiJ9.crm-token"
MIGRATION = next((Path(api.__file__).parent / "migrations").glob("*_encrypt_step_secrets.py")).stem


def document(secret=SECRET, token=TOKEN, name="CRM sync"):
    return {
        "format": "lms-automations/v1", "name": name, "status": "draft",
        "triggers": [{"event": "enrollment.created"}],
        "steps": [{"id": "hook", "type": "action", "action": "webhook.send",
                   "params": {"url": "https://crm.example.com/hook", "secret": secret,
                              "headers": {"Authorization": token, "X-Tenant": "acme"}}}],
    }


def raw_params(table):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT params FROM {table}")
        return [row[0] if isinstance(row[0], str) else json.dumps(row[0]) for row in cursor.fetchall()]


def hook():
    return Step.objects.get(step_id="hook")


def test_the_row_and_its_history_hold_no_plaintext_secret():
    automation = api.import_automation(document())
    api.update_automation(automation, document(secret="another-secret-0123456789", token="Bearer second"))
    stored = raw_params(Step._meta.db_table) + raw_params(Step.history.model._meta.db_table)
    assert len(stored) == 3  # the step, its creation and its change in history
    for text in stored:
        for secret in (SECRET, TOKEN, "another-secret-0123456789", "Bearer second", "crm-token"):
            assert secret not in text
        assert "enc:v1:" in text and "acme" in text  # plain headers stay plain
    (values,) = Step.objects.values_list("params", flat=True)
    assert is_sealed(values["secret"]) and is_sealed(values["headers"]["Authorization"])
    assert values["headers"]["X-Tenant"] == "acme"


def test_only_the_running_action_and_validation_see_the_secret():
    automation = api.import_automation(document())
    assert revealed_step_params(hook())["secret"] == SECRET
    exported = json.dumps(api.export_automation(automation))
    assert SECRET not in exported and "enc:v1:" not in exported and "********" in exported
    api.activate(automation)  # validation reads the decrypted secret (its length is checked)


def test_saving_an_unchanged_document_keeps_the_stored_tokens_and_writes_no_history():
    automation = api.import_automation(document())
    before = hook().params
    api.update_automation(automation, api.export_automation(automation))  # masks come back
    api.update_automation(automation, document())  # the same secrets typed again
    assert hook().params == before
    assert Step.history.count() == 1


def test_every_save_of_a_step_encrypts_its_secrets_not_only_imports():
    automation = api.import_automation(document(name="Direct"))
    step = Step.objects.create(automation=automation, step_id="direct", step_type="action", kind="webhook.send",
                               position=1, params={"url": "https://x.example.com", "secret": SECRET,
                                                   "headers": {"X-Api-Key": "k-123", "Accept": "text/plain"}})
    stored = Step.objects.filter(pk=step.pk).values_list("params", flat=True).get()
    assert unseal(stored["secret"], scope=automation.pk) == SECRET
    assert unseal(stored["headers"]["X-Api-Key"], scope=automation.pk) == "k-123"
    assert stored["headers"]["Accept"] == "text/plain"
    assert "k-123" not in json.dumps(list(Step.history.filter(id=step.pk).values_list("params", flat=True)))


def test_a_legacy_plain_secret_is_still_used_and_the_migration_encrypts_rows_and_history():
    automation = api.import_automation(document())
    plain = {"url": "https://crm.example.com/hook", "secret": SECRET, "headers": {"Authorization": TOKEN}}
    Step.objects.filter(step_id="hook").update(params=plain)  # as stored before encryption
    Step.history.update(params=plain)
    assert revealed_step_params(hook(), strict=True) == plain
    assert "********" in json.dumps(api.export_automation(automation))

    migration = importlib.import_module(f"lms_automations.migrations.{MIGRATION}")
    migration.encrypt(apps, None)
    for text in raw_params(Step._meta.db_table) + raw_params(Step.history.model._meta.db_table):
        assert SECRET not in text and "crm-token" not in text
    assert revealed_step_params(hook()) == plain
    sealed = hook().params
    migration.encrypt(apps, None)  # twice changes nothing
    assert hook().params == sealed
    migration.decrypt(apps, None)
    assert hook().params == plain and Step.history.get().params == plain


def test_a_rotated_site_key_keeps_stored_secrets_readable_through_the_fallbacks(settings):
    settings.SECRET_KEY = "the-first-site-key-" + "x" * 40
    stored = seal(SECRET, scope=1)
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = "the-second-site-key-" + "y" * 40, [settings.SECRET_KEY]
    assert unseal(stored, scope=1) == SECRET
    assert unseal(seal(SECRET, scope=1), scope=1) == SECRET and seal(SECRET, scope=1) != stored
    settings.SECRET_KEY_FALLBACKS = []
    with pytest.raises(SecretUnreadable):
        unseal(stored, scope=1)


def test_a_dedicated_key_with_old_keys_for_rotation(settings):
    settings.LMS_AUTOMATIONS = {**settings.LMS_AUTOMATIONS, "SECRETS_KEY": "dedicated-one"}
    stored = seal(SECRET, scope=1)
    settings.LMS_AUTOMATIONS = {**settings.LMS_AUTOMATIONS, "SECRETS_KEY": "dedicated-two"}
    with pytest.raises(SecretUnreadable):
        unseal(stored, scope=1)
    settings.LMS_AUTOMATIONS = {**settings.LMS_AUTOMATIONS, "SECRETS_OLD_KEYS": ["dedicated-one"]}
    assert unseal(stored, scope=1) == SECRET


def test_a_secret_no_key_decrypts_fails_the_step_and_activation_with_its_path(settings):
    automation = api.import_automation(document())
    settings.SECRET_KEY = "a-completely-different-site-key-" + "z" * 30
    with pytest.raises(PermanentError, match=r"^params\.secret: the stored secret cannot be decrypted"):
        revealed_step_params(hook(), strict=True)
    with pytest.raises(InvalidAutomation) as refused:
        api.activate(automation)
    assert {error["path"] for error in refused.value.errors} == {"steps[0].params.secret",
                                                                "steps[0].params.headers.Authorization"}
    assert all("cannot be decrypted" in error["message"] for error in refused.value.errors)
    api.update_automation(automation, document())  # typing the secrets again mends it
    api.activate(automation)


def test_a_token_changed_in_the_table_is_refused_not_decrypted():
    stored = seal(SECRET, scope=1)
    tampered = stored[:-6] + ("A" if stored[-6] != "A" else "B") + stored[-5:]
    with pytest.raises(SecretUnreadable):
        unseal(tampered, scope=1)
    with pytest.raises(SecretUnreadable):
        unseal("enc:v1:not base64 at all!", scope=1)


def test_a_token_copied_into_another_automation_cannot_be_used_there():
    """Someone who can read the table and edit an automation must not get the plugin to sign their
    requests with another automation's secret."""
    victim = api.import_automation(document(name="Victim"))
    token = Step.objects.get(automation=victim, step_id="hook").params["secret"]
    copy = document(name="Copy")
    copy["steps"][0]["params"]["secret"] = token
    with pytest.raises(InvalidAutomation) as refused:
        api.import_automation(copy)
    assert {"path": "steps[0].params.secret", "message": "the stored secret cannot be decrypted with this site's "
            "keys (was SECRET_KEY changed?); type the secret again"} in refused.value.errors
    mine = api.import_automation(document(name="Mine", secret="mine-0123456789abcdef"))
    Step.objects.filter(automation=mine).update(params={"url": "https://attacker.example.com", "secret": token})
    with pytest.raises(PermanentError, match=r"^params\.secret: the stored secret cannot be decrypted"):
        revealed_step_params(Step.objects.get(automation=mine), strict=True)
