"""``automations_import`` / ``automations_export`` as an operator runs them."""
import json

import pytest
from django.core.management import CommandError, call_command

from lms_automations.models import Automation

from ..engine.test_definition import EXAMPLES, spec_example

pytestmark = pytest.mark.django_db


def test_import_then_export_gives_back_the_files(tmp_path, capsys):
    documents = [json.loads(path.read_text()) for path in EXAMPLES]
    source = tmp_path / "in.json"
    source.write_text(json.dumps(documents))
    call_command("automations_import", str(source))
    assert "imported automation" in capsys.readouterr().out

    target = tmp_path / "out.json"
    call_command("automations_export", str(target))
    exported = json.loads(target.read_text())
    assert sorted(exported, key=lambda d: d["name"]) == sorted(documents, key=lambda d: d["name"])


def test_activate_flag_sets_the_status(tmp_path):
    source = tmp_path / "one.json"
    source.write_text(json.dumps(spec_example()))
    call_command("automations_import", str(source), "--activate")
    assert Automation.objects.get().status == Automation.STATUS.active


def test_one_bad_document_imports_nothing_and_names_every_error(tmp_path):
    bad = spec_example()
    bad["steps"][1]["params"] = "two days"
    bad["triggers"] = []
    source = tmp_path / "two.json"
    source.write_text(json.dumps([spec_example(), bad]))
    with pytest.raises(CommandError) as caught:
        call_command("automations_import", str(source))
    message = str(caught.value)
    assert "nothing imported" in message
    assert "[1] steps[1].params: must be an object" in message
    assert "[1] triggers: add at least one trigger" in message
    assert Automation.objects.count() == 0


def test_unreadable_or_invalid_json_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="cannot read"):
        call_command("automations_import", str(tmp_path / "missing.json"))
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    with pytest.raises(CommandError, match="is not valid JSON"):
        call_command("automations_import", str(broken))


def test_export_of_an_unknown_id_is_refused(tmp_path):
    with pytest.raises(CommandError, match="no automation with id 99"):
        call_command("automations_export", "--id", "99", str(tmp_path / "x.json"))
