"""The JSON parser of the REST API: bounded nesting and storable values, checked as it parses.

Python's ``json`` recurses once per nesting level, so ``"[" * 20000 + "]" * 20000`` (40 kB, under
every size limit) would end in a ``RecursionError`` and a 500. The nesting is measured on the text
first, without recursion, and a body nested deeper than ``MAX_DEPTH`` is a 400 that says so. A body
that parses is then walked once (``json_values``) for what no database column can store — NUL
characters, lone surrogates, infinities (``1e400`` parses as one) — so no view ever meets them
(``json_values.parse_json``).
"""
from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from ..engine.json_values import UnacceptableJSON, parse_json


class BoundedJSONParser(JSONParser):
    """``application/json`` bodies nested at most ``MAX_DEPTH`` levels, with only storable values."""

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = stream.read().decode(encoding)
        except (UnicodeDecodeError, LookupError) as exc:
            raise ParseError(_("The body is not text in {encoding}: {error}").format(
                encoding=encoding, error=exc)) from None
        try:
            return parse_json(text)
        except UnacceptableJSON as exc:
            raise ParseError({"detail": str(exc), "errors": exc.errors} if exc.errors else str(exc)) from None
