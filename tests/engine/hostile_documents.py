"""Hypothesis strategies for automation documents a careless or hostile sender could write.

Two families: documents *mutated* from the real ones (the shipped examples, the README's and one that
uses every kind of param) by replacing, adding or deleting values at random paths; and documents
*generated* from the format's skeleton with arbitrary values inside. Values are arbitrary JSON, huge
and non-finite numbers, nests thousands of levels deep, text with NUL characters or lone surrogates,
overlong text, and things that are not JSON at all.
"""
import copy
import datetime
import json
import re
from pathlib import Path

from hypothesis import strategies as st

import lms_automations
from lms_automations.engine.json_values import MAX_TEXT_LENGTH

_ROOT = Path(lms_automations.__file__).parent


def _readme_document():
    text = (_ROOT.parent / "README.md").read_text(encoding="utf-8")
    return json.loads(re.search(r"```json\n(.*?)```", text, re.DOTALL).group(1))


KITCHEN_SINK = {
    "format": "lms-automations/v1",
    "name": "Every kind of param",
    "scope": {"courses": ["course-v1:Demo+W1+2026"], "orgs": ["Demo"]},
    "entry": {"policy": "once_per", "period": "P7D"},
    "triggers": [{"event": "enrollment.created", "filter": {"all": [
        {"condition": "event.field", "params": {"path": "mode", "op": "regex", "value": "^(audit|honor)$"}},
        {"not": {"condition": "event.occurred", "params": {"event": "tag.added", "within": "P1D"}}},
    ]}}],
    "steps": [
        {"id": "start-other", "type": "action", "action": "automation.start", "params": {"automation_id": 1}},
        {"id": "hook", "type": "action", "action": "webhook.send",
         "params": {"url": "https://example.com/hook", "method": "POST", "headers": {"X-Trace": "{{ learner.id }}"},
                    "body": '{"who": "{{ learner.username }}", "n": [1, 2.5, true, null]}', "timeout": 5}},
        {"id": "wait-event", "type": "wait", "wait": "event",
         "params": {"event": "progress.block_completed", "timeout": "P3D", "on_timeout": "continue",
                    "filter": {"condition": "event.field", "params": {"path": "block_key", "op": "is_set"}}}},
        {"id": "check", "type": "branch",
         "condition": {"any": [{"condition": "event.field", "params": {"path": "enrolled_at", "op": "within_last",
                                                                 "value": "P2D"}},
                               {"condition": "automation.run", "params": {"automation_id": "2", "state": "active"}}]},
         "yes": [{"id": "extend", "type": "action", "action": "dates.extend",
                  "params": {"course_key": "{{ event.course_key }}", "days": 3}}],
         "no": [{"id": "wait-date", "type": "wait", "wait": "course_date",
                 "params": {"course_key": "course-v1:Demo+W1+2026", "anchor": "end", "offset": "-P2D",
                            "if_past": "continue"}}]},
    ],
    "exit_conditions": [{"event": "enrollment.deactivated", "filter": None, "outcome": "exited"}],
}

BASE_DOCUMENTS = [
    *(json.loads(path.read_text(encoding="utf-8")) for path in sorted((_ROOT / "examples").glob("*.json"))),
    _readme_document(),
    KITCHEN_SINK,
]

KNOWN_KEYS = [
    "format", "name", "description", "scope", "courses", "orgs", "status", "execution", "entry", "policy", "period",
    "triggers", "steps", "exit_conditions", "event", "filter", "outcome", "id", "type", "action", "wait", "params",
    "condition", "yes", "no", "all", "any", "not", "op", "value", "days", "hours", "automation_id", "course_key",
    "tags", "timeout", "url", "headers", "body", "secret", "offset", "within", "path", "subject", "body_html",
]
INTERESTING_TEXT = [
    "", " ", "action", "wait", "branch", "tag.add", "automation.start", "webhook.send", "duration", "event",
    "course.progress", "event.field", "enrollment.created", "custom.thing", "lms-automations/v1", "once_per",
    "each_time", "active", "draft", "finishing", "async", "sync", "exited", "converted", "regex", "within_last", "in",
    "gt", "P1D", "PT0S", "-P3D", "P99999999999D", "P999999999W", "PT99999999999999999999S", "P", "PT", "P1M",
    "{{ learner.email }}", "{{", "{% if %}", "{% for x in y %}", "{% debug %}", "{{ x|center:'99' }}",
    "{% if a %}" * 3000 + "{% endif %}" * 3000, "course-v1:A+B+C", "course-v1:" + "A" * 300, "9" * 5000, " 7 ",
    "(a+)+$", "a{99999}", "[", "https://127.0.0.1/", "********",
]
BAD_TEXT = st.one_of(
    st.sampled_from(["\x00", "\ud800", "a\x00b", "\udfff tail", "name\ud83d", "x" * (MAX_TEXT_LENGTH + 1)]),
    st.text(alphabet=st.characters(codec=None, categories=("Cs", "Cc")), min_size=1, max_size=5),
)
HUGE_NUMBERS = st.one_of(
    st.sampled_from([10**400, -(10**400), 2**53, -(2**53), 2**63, 10**4000, float("inf"), float("-inf"),
                     float("nan"), 1e300, -1e300, 1e16]),
    st.integers(),
    st.floats(),
)
# Built afresh for every example: a shared mutable value would be changed by the next mutation.
NOT_JSON = st.sampled_from([
    lambda: (1, 2), lambda: {1, 2}, frozenset, lambda: b"bytes", lambda: datetime.date(2026, 1, 1),
    lambda: datetime.timedelta(days=1), object, lambda: {1: "int key"}, lambda: {("a",): 1}, lambda: {None: 1},
    lambda: 1j,
]).map(lambda make: make())
PLAIN_LEAVES = st.one_of(
    st.none(), st.booleans(), st.integers(-3, 300), st.floats(-1e6, 1e6, allow_nan=False),
    st.text(max_size=20), st.sampled_from(INTERESTING_TEXT),
)
LEAVES = st.one_of(PLAIN_LEAVES, HUGE_NUMBERS, BAD_TEXT)
#: Wrong types and values, but JSON the database could store: these reach the structural and catalogue checks.
PLAIN_JSON = st.recursive(
    PLAIN_LEAVES,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(st.sampled_from(KNOWN_KEYS) | st.text(max_size=6), children,
                                                        max_size=4)),
    max_leaves=8,
)
JSON_VALUES = st.recursive(
    LEAVES,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.one_of(st.sampled_from(KNOWN_KEYS), st.text(max_size=6), BAD_TEXT), children, max_size=4),
    ),
    max_leaves=12,
)


def deep(kind, depth):
    """A value nested ``depth`` levels deep, built without recursion."""
    value = {"condition": "testext.always"} if kind in ("not", "all") else 1
    for _level in range(depth):
        if kind == "not":
            value = {"not": value}
        elif kind == "all":
            value = {"all": [value]}
        elif kind == "list":
            value = [value]
        else:
            value = {"k": value}
    return value


DEEP = st.builds(deep, st.sampled_from(["not", "all", "list", "dict"]), st.sampled_from([65, 100, 1000, 3000]))
HOSTILE = st.one_of(JSON_VALUES, HUGE_NUMBERS, BAD_TEXT, DEEP, NOT_JSON, st.sampled_from(INTERESTING_TEXT))


def _paths(document, max_depth=25):
    """Every path (a tuple of keys and indexes) into ``document``, without recursion."""
    found, stack = [], [((), document)]
    while stack:
        path, value = stack.pop()
        found.append(path)
        if len(path) >= max_depth:
            continue
        if isinstance(value, dict):
            stack.extend((path + (key,), child) for key, child in value.items())
        elif isinstance(value, list):
            stack.extend((path + (index,), child) for index, child in enumerate(value))
    return sorted(found, key=repr)


def _at(document, path):
    for part in path:
        document = document[part]
    return document


@st.composite
def mutated_documents(draw):
    """A real document with one to four values replaced, added or deleted anywhere."""
    document = copy.deepcopy(draw(st.sampled_from(BASE_DOCUMENTS)))
    for _mutation in range(draw(st.sampled_from([1, 1, 1, 2, 3]))):
        if not isinstance(document, (dict, list)):
            break
        paths = _paths(document)
        path = draw(st.sampled_from(paths))
        # Mostly storable values (some taken from elsewhere in the document, so they are the wrong kind of
        # right thing: params where a condition goes), sometimes values no database could store.
        elsewhere = st.sampled_from(paths).map(lambda other, source=document: copy.deepcopy(_at(source, other)))
        value = draw(st.one_of(PLAIN_JSON, PLAIN_JSON, elsewhere, elsewhere, HOSTILE))
        if not path:
            document = value
            continue
        parent, last = _at(document, path[:-1]), path[-1]
        action = draw(st.sampled_from(["replace", "replace", "add", "delete"]))
        if action == "replace":
            parent[last] = value
        elif action == "delete":
            del parent[last]
        elif isinstance(parent, dict):
            parent[draw(st.one_of(st.sampled_from(KNOWN_KEYS), st.text(max_size=6), BAD_TEXT))] = value
        else:
            parent.insert(last, value)
    return document


def _step(children):
    kind = st.sampled_from(["action", "wait", "branch", "other"])
    keys = st.sampled_from(["tag.add", "automation.start", "webhook.send", "duration", "event", "email.send"])
    return st.one_of(
        st.fixed_dictionaries({"type": kind, "action": keys, "params": PLAIN_JSON | JSON_VALUES},
                              optional={"id": st.one_of(st.text(max_size=5), LEAVES)}),
        st.fixed_dictionaries({"type": kind, "wait": keys, "params": PLAIN_JSON | JSON_VALUES}),
        st.fixed_dictionaries({"type": st.just("branch"), "condition": PLAIN_JSON | JSON_VALUES},
                              optional={"yes": st.lists(children, max_size=3), "no": children}),
        HOSTILE,
    )


STEPS = st.recursive(st.just([]), lambda children: st.lists(_step(children), max_size=4), max_leaves=6)

GENERATED_DOCUMENTS = st.fixed_dictionaries(
    {"format": st.one_of(st.just("lms-automations/v1"), LEAVES),
     "name": st.one_of(st.text(min_size=1, max_size=20), LEAVES),
     "triggers": st.one_of(st.lists(st.fixed_dictionaries(
         {"event": st.sampled_from(["enrollment.created", "tag.added"]) | LEAVES},
         optional={"filter": JSON_VALUES}), min_size=1, max_size=3), HOSTILE),
     "steps": st.one_of(STEPS, HOSTILE)},
    optional={"scope": JSON_VALUES, "entry": JSON_VALUES, "exit_conditions": JSON_VALUES, "status": LEAVES,
              "description": LEAVES, "execution": LEAVES},
)

DOCUMENTS = st.one_of(*[mutated_documents()] * 4, GENERATED_DOCUMENTS, HOSTILE)
