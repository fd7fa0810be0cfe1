"""Turn on edx-completion's tracking switch, as Tutor's LMS init job does: without it no completion is stored."""
from django.db import migrations

SWITCH = "completion.enable_completion_tracking"


def switch_on(apps, schema_editor):
    Switch = apps.get_model("waffle", "Switch")
    Switch.objects.get_or_create(name=SWITCH, defaults={"active": True, "note": "Created by the sandbox LMS."})


class Migration(migrations.Migration):
    dependencies = [
        ("sandbox_lms", "0001_initial"),
        ("waffle", "0004_update_everyone_nullbooleanfield"),
    ]

    operations = [migrations.RunPython(switch_on, migrations.RunPython.noop)]
