"""The plugin's templates are translatable: no text a person reads is left outside ``{% translate %}``
or ``{% blocktranslate %}``, and every string they mark is in the source catalogue that
``make extract_translations`` writes (``lms_automations/conf/locale/en/LC_MESSAGES/django.po``)."""
import ast
import re
from pathlib import Path

import pytest
from django.template.base import Lexer, TokenType
from django.utils.translation.template import templatize

import lms_automations

PACKAGE = Path(lms_automations.__file__).parent
TEMPLATES = sorted(path for path in (PACKAGE / "templates").rglob("*") if path.suffix in (".html", ".txt"))
CATALOGUE = PACKAGE / "conf" / "locale" / "en" / "LC_MESSAGES" / "django.po"
#: Attributes whose values people read (a button's label is its ``value``).
READ_ATTRIBUTES = re.compile(r'\b(?:value|title|placeholder|alt|aria-label)="([^"]*)"')
#: Where text is code, not words: styles, scripts, ``<code>`` and HTML comments.
NOT_WORDS = re.compile(r"<(style|script|code)\b.*?</\1>|<!--.*?-->", re.S)
#: A marked string (templatize turns each into a gettext call): (function, its quoted arguments).
_QUOTED = r"""u?'(?:[^'\\]|\\.)*'|u?"(?:[^"\\]|\\.)*\""""
_CALL = re.compile(rf"\b(n?p?gettext)\(((?:{_QUOTED})(?:, (?:{_QUOTED}))*)")


def _skeleton(source):
    """The template's text with what is translated, computed or commented out replaced by markers."""
    parts, skipping = [], None
    for token in Lexer(source).tokenize():
        words = token.contents.split()
        name = words[0] if token.token_type == TokenType.BLOCK and words else ""
        if skipping:
            if name == skipping:
                skipping = None
            continue
        if name in ("comment", "blocktranslate", "blocktrans") or words[:2] == ["block", "bodyclass"]:
            # A comment and the body's class names are nobody's reading; a blocktranslate is translated.
            skipping = {"comment": "endcomment", "block": "endblock"}.get(name, f"end{name}")
            parts.append("§" if name.startswith("blocktrans") else "")
        elif token.token_type == TokenType.TEXT:
            parts.append(token.contents)
        elif token.token_type != TokenType.COMMENT:
            parts.append("§" if token.token_type == TokenType.VAR or name in ("translate", "trans") else "¤")
    return NOT_WORDS.sub(" ", "".join(parts))


def untranslated(source):
    """The pieces of text a person would read that no translate tag covers."""
    skeleton = _skeleton(source)
    pieces = [value for tag in re.findall(r"<[^>]*>", skeleton) if 'type="hidden"' not in tag
              for value in READ_ATTRIBUTES.findall(tag)]
    pieces += re.split(r"[§¤]", re.sub(r"&#?\w+;", " ", re.sub(r"<[^>]*>", " ", skeleton)))
    return [" ".join(piece.split()) for piece in pieces
            if any(ch.isalpha() for ch in re.sub(r"[§¤]", "", piece))]


def marked_strings(source, origin):
    """``(context, msgid)`` of every string the template marks for translation (plurals: both forms)."""
    found = set()
    for function, arguments in _CALL.findall(templatize(source, origin=origin)):
        values = ast.literal_eval(f"({arguments},)")
        context, texts = (values[0], values[1:]) if "p" in function.removesuffix("gettext") else ("", values)
        found.update((context, text) for text in texts)
    return found


def catalogue_strings(text):
    """``(context, msgid)`` and ``(context, msgid_plural)`` of a .po file's entries."""
    entries, current, field = set(), {}, None
    for line in text.splitlines() + [""]:
        keyword = re.match(r"(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?) (\".*\")$", line)
        if keyword:
            field = keyword[1]
            current[field] = ast.literal_eval(keyword[2])
        elif line.startswith('"') and field:
            current[field] += ast.literal_eval(line)
        elif not line.strip() and current:
            entries.update((current.get("msgctxt", ""), current[key]) for key in ("msgid", "msgid_plural")
                           if current.get(key))
            current, field = {}, None
    return entries


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda path: str(path.relative_to(PACKAGE / "templates")))
def test_no_text_of_a_template_is_left_untranslated(path):
    assert untranslated(path.read_text(encoding="utf-8")) == []


def test_the_checker_finds_text_outside_translate_tags():
    source = ('{% load i18n %}{% block bodyclass %}app-{{ a }} x{% endblock %}'
              '<p class="x">{% translate "Fine" %} Left out</p><code>ok.{{ a }}</code>'
              '<input type="submit" value="Go"><input type="hidden" value="yes">{# note #}'
              '{% comment %}notes{% endcomment %}{% blocktranslate %}Fine {{ a }}{% endblocktranslate %}')
    assert untranslated(source) == ["Go", "Left out"]


def test_every_string_the_templates_mark_is_in_the_catalogue():
    catalogue = catalogue_strings(CATALOGUE.read_text(encoding="utf-8"))
    missing = {}
    for path in TEMPLATES:
        absent = marked_strings(path.read_text(encoding="utf-8"), str(path)) - catalogue
        if absent:
            missing[str(path.relative_to(PACKAGE))] = sorted(text for _context, text in absent)
    assert not missing, f"run `make extract_translations`: {missing}"


def test_marked_strings_are_read_as_makemessages_reads_them():
    source = ('{% load i18n %}{% translate "Home" %}{% translate "May" context "month" %}'
              '{% blocktranslate trimmed count counter=n %}\n  {{ counter }} learner\n{% plural %}'
              '{{ counter }} "learners"{% endblocktranslate %}')
    assert marked_strings(source, "x.html") == {("", "Home"), ("month", "May"), ("", "%(counter)s learner"),
                                                ("", '%(counter)s "learners"')}
    assert catalogue_strings('msgctxt "month"\nmsgid "May"\nmsgstr ""\n\nmsgid ""\n"two "\n"lines"\n'
                             'msgid_plural "plural"\nmsgstr[0] ""\n') == {("month", "May"), ("", "two lines"),
                                                                         ("", "plural")}
