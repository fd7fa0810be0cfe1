"""The JSON parser of the REST API: bounded nesting and storable values, checked as it parses.

Python's ``json`` recurses once per nesting level, so ``"[" * 20000 + "]" * 20000`` (40 kB, under
every size limit) would end in a ``RecursionError`` and a 500. The nesting is measured on the text
first, without recursion, and a body nested deeper than ``MAX_DEPTH`` is a 400 that says so. A body
that parses is then walked once (``json_values``) for what no database column can store — NUL
characters, lone surrogates, infinities (``1e400`` parses as one) — so no view ever meets them.
"""
import json
import re

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from ..engine.json_values import MAX_DEPTH, json_value_errors

# A JSON string: quotes around anything but a quote or backslash, or an escaped character (unrolled).
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")


def nesting_exceeds(text, limit=MAX_DEPTH):
    """Whether the objects and lists of JSON ``text`` nest deeper than ``limit`` (text in strings ignored).

    Linear in the text and without recursion: empty pairs are removed level by level (C speed), and
    what remains is counted once, stopping at the first level past the limit.
    """
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    for _level in range(limit):
        inner = brackets.replace("[]", "").replace("{}", "")
        if inner == brackets:
            break
        brackets = inner
    depth = 0
    for char in brackets:
        depth += 1 if char in "[{" else -1
        if depth > limit:
            return True
    return False


def _refuse_constant(name):
    raise ParseError(_("JSON has no {name}; send a number").format(name=name))


class BoundedJSONParser(JSONParser):
    """``application/json`` bodies nested at most ``MAX_DEPTH`` levels, with only storable values."""

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = stream.read().decode(encoding)
        except (UnicodeDecodeError, LookupError) as exc:
            raise ParseError(_("The body is not text in {encoding}: {error}").format(
                encoding=encoding, error=exc)) from None
        if nesting_exceeds(text):
            raise ParseError(_("The JSON body nests objects and lists deeper than {limit} levels; flatten it.").format(
                limit=MAX_DEPTH))
        try:
            data = json.loads(text, parse_constant=_refuse_constant)
        except ValueError as exc:  # JSONDecodeError, and int() of more than 4,300 digits
            raise ParseError(_("JSON parse error - {error}").format(error=exc)) from None
        errors = json_value_errors(data, max_number=None)
        if errors:
            first = errors[0]
            raise ParseError({
                "detail": _("The JSON body holds a value that cannot be stored: {path}: {message}").format(
                    path=first["path"], message=first["message"]),
                "errors": errors,
            })
        return data
