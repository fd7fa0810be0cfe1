"""The builder's strings are translatable: they go through gettext in its JavaScript, Django's
``makemessages -d djangojs`` extracts them, and the page loads the plugin's JavaScript catalog."""
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command

import lms_automations

pytestmark = pytest.mark.django_db
PACKAGE = Path(lms_automations.__file__).parent


@pytest.mark.skipif(not shutil.which("xgettext"), reason="GNU gettext (xgettext) is not installed")
def test_makemessages_extracts_the_builders_strings(tmp_path, monkeypatch):
    copy = tmp_path / "lms_automations"
    shutil.copytree(PACKAGE / "static", copy / "static")
    (copy / "locale").mkdir()
    monkeypatch.chdir(copy)
    call_command("makemessages", domain="djangojs", locale=["en"], verbosity=0)
    catalog = (copy / "locale" / "en" / "LC_MESSAGES" / "djangojs.po").read_text()
    for text in ('msgid "Save and test"', 'msgid "Test learners"', 'msgid_plural "%s days"',
                 'msgid "Learners are at steps you deleted: %s. Save anyway?"', '"Click a card to edit it, or + to add '
                 'a step there. Nothing is kept until you "'):
        assert text in catalog
    assert catalog.count("msgid ") > 150


def test_the_builder_page_loads_the_plugins_javascript_catalog(admin_client):
    page = admin_client.get("/admin/lms_automations/automation/add/")
    assert b"/admin/lms_automations/automation/builder/jsi18n/" in page.content
    catalog = admin_client.get("/admin/lms_automations/automation/builder/jsi18n/")
    assert catalog.status_code == 200 and b"django.gettext" in catalog.content
