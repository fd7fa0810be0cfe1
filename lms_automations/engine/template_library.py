"""The only template tags and filters automation params may use — the one definition of them.

Django's default builtins are never loaded (``templates.SandboxEngine``), so ``{% debug %}``,
``{% load %}``, ``{% include %}``, ``{% extends %}``, ``{% url %}``, ``{% csrf_token %}``,
``{% lorem %}`` and ``{% now %}`` do not exist. What is left is what an e-mail or a webhook body
needs: variables, ``if``, a bounded ``for``, ``with``, ``comment`` and the filters in ``FILTERS``.

Left out on purpose: filters that multiply their input by an argument (``center``, ``ljust``,
``rjust``, ``stringformat``, ``wordwrap``, ``make_list``), that read objects' internals
(``pprint``, ``dictsort``), that are random or recursive (``random``, ``unordered_list``), and
``safe`` / ``safeseq`` / ``{% autoescape %}``: a course team writes its own HTML in the template
itself; the only thing ``safe`` would add is learner or event data inserted unescaped.

Every filter runs through the render's budget (``template_limits``): its CPU time is checked and a
result longer than the render's output limit stops the render; ``floatformat`` and ``join``, which
could build a huge string before anything is checked, are checked before they run.
"""
import functools

from django.template import Library, NodeList, defaultfilters, defaulttags
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from .template_limits import current_budget

#: Tags, with the words that belong to them (shown to course teams as written here).
TAGS = {
    "if": ("elif", "else", "endif"),
    "for": ("empty", "endfor"),
    "with": ("endwith",),
    "comment": ("endcomment",),
}
FILTERS = (
    "add", "capfirst", "date", "default", "default_if_none", "escape", "filesizeformat", "first", "floatformat",
    "join", "last", "length", "linebreaks", "linebreaksbr", "lower", "pluralize", "slice", "slugify", "time",
    "timesince", "timeuntil", "title", "truncatechars", "truncatewords", "upper", "urlencode", "wordcount", "yesno",
)
#: ``floatformat`` builds a number with this many decimal places at most.
MAX_DECIMAL_PLACES = 20


def template_language():
    """What automation templates can use, for the docs and the admin's params reference."""
    return {
        "tags": [" / ".join((name, *(word for word in words if not word.startswith("end")))) for name, words in
                 TAGS.items()],
        "filters": list(FILTERS),
    }


def allowed_summary():
    """One line listing the allowed tags and filters (the end of a refusal's message)."""
    language = template_language()
    return _("tags: {tags}; filters: {filters}").format(tags=", ".join(language["tags"]),
                                                        filters=", ".join(language["filters"]))


def _bounded(func):
    """``func`` with the render's CPU time checked around it and its result's size checked after."""

    @functools.wraps(func)
    def bounded(*args, **kwargs):
        budget = current_budget()
        budget.check_time()
        result = func(*args, **kwargs)
        budget.check_size(result)
        budget.check_time()
        return result

    return bounded


def _checked_floatformat(func):
    @functools.wraps(func)
    def floatformat(text, arg=-1):
        digits = str(arg).rstrip("gGuU").lstrip("+-")
        if digits.isdigit() and int(digits) > MAX_DECIMAL_PLACES:
            current_budget().fail(_("floatformat shows at most {limit} decimal places (got {arg})")
                                  .format(limit=MAX_DECIMAL_PLACES, arg=str(arg)[:20]))
        return func(text, arg)

    return floatformat


def _checked_join(func):
    @functools.wraps(func)
    def join(value, arg, autoescape=True):
        if isinstance(value, (list, tuple)) and value:
            budget = current_budget()
            budget.check_size(value)
            estimate = sum(len(str(item)) for item in value) + len(str(arg)) * (len(value) - 1)
            if estimate > budget.max_bytes:
                budget.fail(budget.too_long_message())
        return func(value, arg, autoescape=autoescape)

    return join


_CHECKED_FIRST = {"floatformat": _checked_floatformat, "join": _checked_join}


class BoundedForNode(defaulttags.ForNode):
    """``{% for %}`` whose every iteration counts against the render's budget (nested loops
    included) and whose output so far must fit the render's output limit."""

    def render(self, context):
        budget = current_budget()
        parentloop = context.get("forloop", {})
        with context.push():
            values = self.sequence.resolve(context, ignore_failures=True)
            if values is None:
                values = []
            if not hasattr(values, "__len__"):
                values = list(values)
            count = len(values)
            if count < 1:
                return self.nodelist_empty.render(context)
            if self.is_reversed:
                values = reversed(values)
            output, length = [], 0
            loop = context["forloop"] = {"parentloop": parentloop}
            for index, item in enumerate(values):
                budget.count_iteration()
                loop.update(counter0=index, counter=index + 1, revcounter=count - index,
                            revcounter0=count - index - 1, first=index == 0, last=index == count - 1)
                unpacked = self._unpack(item)
                if unpacked is None:
                    context[self.loopvars[0]] = item
                else:
                    context.update(unpacked)
                for node in self.nodelist_loop:
                    part = node.render_annotated(context)
                    length += len(part)
                    if length > budget.max_bytes:
                        budget.fail(budget.too_long_message())
                    output.append(part)
                if unpacked is not None:
                    context.pop()
        return mark_safe("".join(output))

    def _unpack(self, item):
        if len(self.loopvars) == 1:
            return None
        try:
            size = len(item)
        except TypeError:
            size = 1
        if size != len(self.loopvars):
            raise ValueError(f"Need {len(self.loopvars)} values to unpack in for loop; got {size}.")
        return dict(zip(self.loopvars, item, strict=True))


def do_for(parser, token):
    node = defaulttags.do_for(parser, token)
    return BoundedForNode(node.loopvars, node.sequence, node.is_reversed, node.nodelist_loop,
                          node.nodelist_empty or NodeList())


register = Library()
register.tags = {"if": defaulttags.do_if, "for": do_for, "with": defaulttags.do_with,
                 "comment": defaulttags.comment}
register.filters = {}
for _name in FILTERS:
    _original = defaultfilters.register.filters[_name]
    register.filters[_name] = _bounded(_CHECKED_FIRST.get(_name, lambda func: func)(_original))
