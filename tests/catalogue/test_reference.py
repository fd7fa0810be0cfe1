"""The reference in docs/reference/ is what the catalogue says: regenerate it when an entry changes."""
import pathlib

from django.core.management import call_command

from lms_automations.catalogue import get_actions
from lms_automations.catalogue.reference import describe_limits, describe_type, render_reference

REFERENCE = pathlib.Path(__file__).resolve().parents[2] / "docs" / "reference"


def test_the_committed_reference_is_what_the_builtin_catalogue_produces():
    stale = [name for name, text in render_reference(builtin_only=True).items()
             if not (REFERENCE / name).exists() or (REFERENCE / name).read_text(encoding="utf-8") != text]
    assert not stale, (f"docs/reference is out of date for {stale}: run "
                       "`python manage.py automations_reference docs/reference --builtin-only`")


def test_every_action_with_its_params_is_in_the_reference():
    page = render_reference()["actions.md"]
    for key, action in get_actions().items():
        assert f"### `{key}` — {action.label}" in page
        for name in (action.params_schema.get("properties") or {}):
            assert f"| `{name}` |" in page


def test_installed_third_party_entries_appear_unless_builtin_only():
    # tests/catalogue/thirdparty_pkg is installed into the test virtualenv.
    everything = "".join(render_reference().values())
    builtin = "".join(render_reference(builtin_only=True).values())
    assert len(everything) > len(builtin)


def test_types_and_limits_are_said_in_words():
    assert describe_type({"type": "array", "items": {"type": "string"}}) == "list of text"
    assert describe_type({"anyOf": [{"type": "integer"}, {"type": "string"}]}) == "whole number or text"
    assert describe_limits({"type": "integer", "minimum": 1, "maximum": 365}) == "at least 1; at most 365"
    assert describe_limits({"enum": ["a", "b"]}) == "one of `a`, `b`"


def test_the_command_writes_the_pages(tmp_path):
    call_command("automations_reference", str(tmp_path), "--builtin-only")
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted(render_reference(builtin_only=True))
