"""What every JSON value the plugin accepts must be, checked before anything looks inside it.

A document (or a REST body) is walked once, without recursion, so that no later check — the
structural one, jsonschema, templates, the condition walkers, copying, the database — meets a value
it cannot handle::

    json_value_errors({"name": "a\\x00b"})   # [{"path": "name", "message": "remove the NUL character ..."}]

Refused: nesting deeper than ``MAX_DEPTH`` (the walk stops there instead of recursing, so 3,000
levels of ``not`` cost nothing), NUL characters and lone surrogates in any text or key (PostgreSQL's
jsonb and text and MySQL's utf8mb4 cannot store them), text longer than ``MAX_TEXT_LENGTH``,
infinite and NaN numbers (JSON has none), numbers beyond ``MAX_NUMBER`` when asked (an automation's
counts and ids never need more, and every JSON reader keeps them exact), and anything that is not
JSON at all (a tuple, a set, bytes, a date, a non-text key) from Python callers.

JSON *text* (a REST body, an admin field) is measured before it is parsed (``nesting_exceeds``),
because Python's ``json`` itself recurses: ``parse_json`` and ``JSONFormField`` do both.
"""
import json
import math
import re

from django import forms
from django.utils.translation import gettext as _

#: Nesting levels (objects and lists) a value may have; a v1 document needs about 30 at most.
MAX_DEPTH = 64
#: Characters in one text value or key (the longest real ones are e-mail bodies).
MAX_TEXT_LENGTH = 100_000
#: Values (objects, lists, texts, numbers …) in one document.
MAX_VALUES = 100_000
#: The largest magnitude of a number in an automation document: 2**53 - 1, exact in every JSON reader.
MAX_NUMBER = 2**53 - 1
#: The walk stops after this many problems; they are enough to show what is wrong.
MAX_REPORTED = 20

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
# A JSON string: quotes around anything but a quote or backslash, or an escaped character (unrolled).
_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_ONE_KIND = str.maketrans("{}", "[]")


def json_value_errors(value, *, max_number=MAX_NUMBER, max_depth=MAX_DEPTH):
    """``[{"path", "message"}]`` for every way ``value`` is not a JSON value the plugin can store.

    ``max_number=None`` accepts integers of any size (event payloads carry other systems' numbers).
    """
    errors = []
    stack = [(value, "", 1)]
    seen = 0
    while stack and len(errors) < MAX_REPORTED:
        item, path, depth = stack.pop()
        seen += 1
        if seen > MAX_VALUES:
            errors.append({"path": path or "$", "message": _(
                "the document holds more than {limit} values; make it smaller").format(limit=MAX_VALUES)})
            break
        if isinstance(item, (dict, list)):
            if depth > max_depth:
                errors.append({"path": path or "$", "message": _(
                    "nested deeper than {limit} levels of objects and lists; flatten it").format(limit=max_depth)})
                continue
            if isinstance(item, dict):
                children = []
                for key, child in item.items():
                    if not isinstance(key, str):
                        errors.append({"path": path or "$", "message": _(
                            "object keys must be text (got {kind})").format(kind=type(key).__name__)})
                        continue
                    problem = text_problem(key)
                    child_path = f"{path}.{printable(key)}" if path else printable(key)
                    if problem:
                        errors.append({"path": child_path, "message": _("this key: {problem}").format(
                            problem=problem)})
                        continue
                    children.append((child, child_path, depth + 1))
            else:
                children = [(child, f"{path}[{index}]", depth + 1) for index, child in enumerate(item)]
            stack.extend(reversed(children))
        elif isinstance(item, str):
            problem = text_problem(item)
            if problem:
                errors.append({"path": path or "$", "message": problem})
        elif isinstance(item, bool) or item is None:
            continue
        elif isinstance(item, (int, float)):
            problem = number_problem(item, max_number)
            if problem:
                errors.append({"path": path or "$", "message": problem})
        else:
            errors.append({"path": path or "$", "message": _(
                "not a JSON value ({kind}); use text, a number, true/false, null, a list or an object").format(
                kind=type(item).__name__)})
    return errors


def text_problem(text):
    """Why ``text`` cannot be stored, or None."""
    if len(text) > MAX_TEXT_LENGTH:
        return _("at most {limit} characters (got {length})").format(limit=MAX_TEXT_LENGTH, length=len(text))
    bad = _UNSTORABLE.search(text)
    if bad is None:
        return None
    if bad.group() == "\x00":
        return _("remove the NUL character (\\u0000) at position {position}; the database cannot store it").format(
            position=bad.start())
    return _("remove the lone surrogate {code} at position {position}; it is not a character and the database "
             "cannot store it").format(code=f"\\u{ord(bad.group()):04x}", position=bad.start())


def number_problem(number, max_number=MAX_NUMBER):
    """Why ``number`` is refused, or None. Never prints the number: a huge int has no short text."""
    if isinstance(number, float) and not math.isfinite(number):
        return _("must be a finite number (JSON has no infinity or NaN)")
    if max_number is not None and abs(number) > max_number:
        return _("must be between -{limit} and {limit}").format(limit=max_number)
    return None


def printable(text):
    """``text`` as it may appear in an error path: escaped when it holds characters that cannot."""
    if _UNSTORABLE.search(text):
        return ascii(text)[1:-1]
    return text if len(text) <= 100 else text[:100] + "…"


def nesting_exceeds(text, limit=MAX_DEPTH):
    """Whether the objects and lists of JSON ``text`` nest deeper than ``limit`` (text in strings ignored).

    Linear in the text and without recursion. Only the brackets matter, and not their kind: each pass
    removes every empty pair, which takes exactly one level off the deepest nesting (``str.replace``
    does not rescan what it produced); what is left after the passes is counted with an early stop.
    """
    brackets = _NOT_BRACKET.sub("", _JSON_STRING.sub("", text)).translate(_ONE_KIND)
    removed = 0
    while removed < limit:
        inner = brackets.replace("[]", "")
        if inner == brackets:
            break
        brackets, removed = inner, removed + 1
    depth = removed
    for char in brackets:
        depth += 1 if char == "[" else -1
        if depth > limit:
            return True
    return False


class UnacceptableJSON(ValueError):
    """JSON text that is refused; ``errors`` are ``{"path", "message"}`` (empty when it does not parse)."""

    def __init__(self, message, errors=()):
        super().__init__(message)
        self.errors = list(errors)


def _refuse_constant(name):
    raise UnacceptableJSON(_("JSON has no {name}; send a number").format(name=name))


def parse_json(text, *, max_number=None):
    """The value of JSON ``text``, or ``UnacceptableJSON`` saying why not (never a ``RecursionError``)."""
    if nesting_exceeds(text):
        raise UnacceptableJSON(_("The JSON nests objects and lists deeper than {limit} levels; flatten it.").format(
            limit=MAX_DEPTH))
    try:
        value = json.loads(text, parse_constant=_refuse_constant)
    except UnacceptableJSON:
        raise
    except ValueError as exc:  # JSONDecodeError, and int() of more than 4,300 digits
        raise UnacceptableJSON(_("JSON parse error - {error}").format(error=exc)) from None
    errors = json_value_errors(value, max_number=max_number)
    if errors:
        raise UnacceptableJSON(_("The JSON holds a value that cannot be stored: {path}: {message}").format(
            path=errors[0]["path"], message=errors[0]["message"]), errors)
    return value


class JSONFormField(forms.JSONField):
    """Django's JSON form field with ``parse_json``'s limits: a form error instead of a 500.

    For admin: ``formfield_overrides = {models.JSONField: {"form_class": JSONFormField}}``.
    """

    def to_python(self, value):
        if self.disabled or value in self.empty_values or not isinstance(value, str):
            return super().to_python(value)
        try:
            parse_json(value, max_number=MAX_NUMBER)
        except UnacceptableJSON as exc:
            raise forms.ValidationError(str(exc), code="invalid") from None
        return super().to_python(value)

    def bound_data(self, data, initial):
        """What the form shows again after an error: a refused value is shown as typed (Django would
        parse it once more — a ``RecursionError`` — or render a lone surrogate the page cannot encode)."""
        if self.disabled or not isinstance(data, str):
            return super().bound_data(data, initial)
        try:
            parse_json(data, max_number=MAX_NUMBER)
        except UnacceptableJSON:
            return forms.fields.InvalidJSONInput(data.encode("utf-8", "replace").decode("utf-8"))
        return super().bound_data(data, initial)
