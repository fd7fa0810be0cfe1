"""Encrypt the secrets steps already store in plain text (in their rows and in their history rows).

Which params are secret is asked of the installed catalogue (``Action.secret_params`` and
``secret_header_params``), as on every save. Running it twice changes nothing; reversing it
decrypts them again (with the keys configured when it is reversed).
"""
from django.db import migrations

from lms_automations.engine.secret_params import revealed_params, sealed_params

BATCH = 500


def _convert(apps, change):
    for model_name in ("Step", "HistoricalStep"):
        model = apps.get_model("lms_automations", model_name)
        rows = (model.objects.filter(step_type="action").exclude(kind="")
                .only("pk", "automation_id", "step_type", "kind", "params"))
        for row in rows.iterator(chunk_size=BATCH):
            params = change(row.step_type, row.kind, row.params, automation_id=row.automation_id)
            if params != row.params:
                model.objects.filter(pk=row.pk).update(params=params)


def encrypt(apps, schema_editor):  # pylint: disable=unused-argument
    _convert(apps, sealed_params)


def decrypt(apps, schema_editor):  # pylint: disable=unused-argument
    _convert(apps, revealed_params)


class Migration(migrations.Migration):
    dependencies = [
        ("lms_automations", "0002_automation_labels"),
    ]

    operations = [
        migrations.RunPython(encrypt, decrypt, elidable=True),
    ]
