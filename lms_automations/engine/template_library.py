"""The only template tags and filters automation params may use.

Django's default tag set includes ``{% debug %}`` (which prints the whole context and the loaded
modules), ``{% load %}``, ``{% include %}`` and ``{% url %}``: none of them belongs in an e-mail a
course team writes, and each reaches past the run context. This library keeps the rest.
"""
from django.template import Library, defaultfilters, defaulttags

ALLOWED_TAGS = (
    "autoescape", "comment", "cycle", "filter", "firstof", "for", "if", "ifchanged", "now", "regroup",
    "spaceless", "templatetag", "verbatim", "widthratio", "with",
)

register = Library()
register.tags = {name: defaulttags.register.tags[name] for name in ALLOWED_TAGS}
register.filters = dict(defaultfilters.register.filters)
