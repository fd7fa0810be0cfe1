"""Admin fields that offer only what the catalogue holds (SPEC §4), and a reference of each entry's
params beside the JSON course teams type.

Event types, actions and waits are picked from grouped dropdowns built from the entry points (and the
admin's custom event types); a value the catalogue no longer holds (an uninstalled extension) is kept
and shown as unknown, so opening an old automation never loses it — validation names it on save.
"""
from django import forms
from django.utils.html import format_html, format_html_join

from ..catalogue import get_actions, get_conditions, get_custom_event_types, get_event_types, get_waits

UNKNOWN = "not in the catalogue"


def _grouped(entries):
    groups = {}
    for entry in sorted(entries, key=lambda entry: (entry.category.casefold(), entry.label.casefold(), entry.key)):
        groups.setdefault(entry.category or "Other", []).append((entry.key, f"{entry.label} ({entry.key})"))
    return list(groups.items())


def event_type_choices():
    return _grouped([*get_event_types().values(), *get_custom_event_types().values()])


def step_kind_choices():
    """Actions and waits, grouped under their kind, for the step's ``kind`` (empty for a branch)."""
    return [*[(f"Action · {group}", options) for group, options in _grouped(get_actions().values())],
            *[(f"Wait · {group}", options) for group, options in _grouped(get_waits().values())]]


def catalogue_select(form, name, choices, blank="---------"):
    """Turn ``form.fields[name]`` into a dropdown of ``choices`` (grouped: ``[(group, [(key, label)])]``)
    headed by an empty choice labelled ``blank``, keeping a current value the catalogue lacks."""
    current = form.initial.get(name) or getattr(form.instance, name, "") or ""
    known = {key for _group, options in choices for key, _label in options}
    head = [("", blank)] + ([(current, f"{current} — {UNKNOWN}")] if current and current not in known else [])
    field = form.fields[name]
    form.fields[name] = forms.ChoiceField(choices=head + choices, required=field.required,
                                          help_text=field.help_text, label=field.label)


def params_reference(entry_class):
    """What the entry does and the params it takes, as a short HTML list for the admin."""
    if entry_class is None:
        return "—"
    schema = entry_class.params_schema or {}
    required = set(schema.get("required") or ())
    rows = [(name, "required" if name in required else "optional", _kind_of(spec), spec.get("description", ""))
            for name, spec in (schema.get("properties") or {}).items()]
    listed = format_html_join("", "<li><code>{}</code> <em>{}</em>, {}{}</li>",
                              ((name, need, kind, f": {text}" if text else "") for name, need, kind, text in rows))
    return format_html('<div class="lmsauto-ref"><strong>{}</strong><p>{}</p><ul>{}</ul></div>',
                       entry_class.label, entry_class.description, listed or format_html("<li>no params</li>"))


def _kind_of(spec):
    if "enum" in spec:
        return "one of " + ", ".join(str(value) for value in spec["enum"])
    kind = spec.get("type", "any")
    return " or ".join(kind) if isinstance(kind, list) else kind


def entry_for_step(step):
    """The catalogue class of a step (None for branches and unknown kinds)."""
    if step is None or not step.kind:
        return None
    if step.step_type == "action":
        return get_actions().get(step.kind)
    if step.step_type == "wait":
        return get_waits().get(step.kind)
    return None


def catalogue_sections():
    """``[(title, what it is for, [(category, [entry class, ...]), ...]), ...]`` for the reference page."""
    def by_category(entries):
        groups = {}
        for entry in sorted(entries, key=lambda e: (e.category.casefold(), e.label.casefold(), e.key)):
            groups.setdefault(entry.category or "Other", []).append(entry)
        return list(groups.items())

    return [
        ("Event types", "what a trigger or an exit condition listens to (event) and the payload fields a "
                        "filter or template can read (event.<field>)",
         by_category([*get_event_types().values(), *get_custom_event_types().values()])),
        ("Conditions", "what a filter, a branch or an exit condition checks: "
                       '{"condition": key, "params": {...}}, combined with {"all": [...]} / {"any": [...]} / '
                       '{"not": ...}', by_category(get_conditions().values())),
        ("Actions", "what an action step does", by_category(get_actions().values())),
        ("Waits", "how long a wait step holds the learner", by_category(get_waits().values())),
    ]
