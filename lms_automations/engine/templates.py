"""Rendering step params as Django templates against the run context (SPEC §3).

Templates see plain data only (dicts, lists, strings, numbers, dates) — never a model or the
request — through a sandboxed engine: only the tags and filters of ``template_library`` exist,
a variable reads dict keys and list positions and nothing else (no attribute, no method, nothing
called: ``{{ learner.items }}`` is a missing value, not ``dict.items()``), and every render is
bounded by ``template_limits``. Keys ending in ``_html`` are autoescaped; the rest are rendered as
text. Rendering never raises into the engine: a bad template or a render past a limit is a
``PermanentError`` that names the param, so the step fails with a reason staff can fix.
"""
import datetime
from functools import cache

from django.template import Context, Engine, TemplateSyntaxError
from django.template.base import FilterExpression, Lexer, Parser, Template, Variable, VariableDoesNotExist
from django.utils.translation import gettext as _

from .errors import PermanentError, RenderLimitError
from .template_library import TAGS, allowed_summary
from .template_limits import LimitReached, render_budget

_LIBRARY = "lms_automations.engine.template_library"
#: The words a ``{% %}`` may start with: the allowed tags and their ``elif`` / ``endfor``…
_TAG_WORDS = frozenset(TAGS) | {word for words in TAGS.values() for word in words}
#: The only attributes a variable may read, and only on dates and times (``{{ now.year }}``).
_DATE_ATTRIBUTES = frozenset(("year", "month", "day", "hour", "minute", "second"))


class SandboxEngine(Engine):
    """An engine whose only builtins are the ones it is given (Django always adds its defaults)."""

    default_builtins = []


@cache
def _engine(autoescape):
    return SandboxEngine(builtins=[_LIBRARY], libraries={}, loaders=[], autoescape=autoescape, debug=False,
                         string_if_invalid="")


class DataVariable(Variable):
    """A variable that reads plain data only: dict keys, list (or string) positions, and a date's
    ``year`` … ``second``. A callable is never called; anything else is a missing value."""

    __slots__ = ()

    def _resolve_lookup(self, context):
        current = context
        for bit in self.lookups:
            current = _lookup(context, current, bit)
            if callable(current):
                raise VariableDoesNotExist("%s is not plain data", (bit,))
        return current


def _lookup(context, current, bit):
    try:
        if current is context or isinstance(current, dict):
            return current[bit]
        if isinstance(current, (list, tuple, str)) and bit.isdigit():
            return current[int(bit)]
        if isinstance(current, (datetime.date, datetime.time)) and bit in _DATE_ATTRIBUTES:
            return getattr(current, bit)
    except (KeyError, IndexError, TypeError, AttributeError):  # a date has no hour
        pass
    raise VariableDoesNotExist("Failed lookup for key [%s]", (bit,))


class SandboxFilterExpression(FilterExpression):
    """A filter expression whose variables (the value and the filters' arguments) are ``DataVariable``."""

    def __init__(self, token, parser):
        super().__init__(token, parser)
        if isinstance(self.var, Variable):
            self.var = DataVariable(self.var.var)
        self.filters = [(func, [(lookup, DataVariable(arg.var) if lookup else arg) for lookup, arg in args])
                        for func, args in self.filters]


class SandboxParser(Parser):
    """Refuses a tag or a filter outside the allowed set with a message that lists what is allowed."""

    def compile_filter(self, token):
        return SandboxFilterExpression(token, self)

    def find_filter(self, filter_name):
        if filter_name in self.filters:
            return self.filters[filter_name]
        raise TemplateSyntaxError(_("the filter |{name} is not available in automation templates; they can use "
                                    "{allowed}").format(name=filter_name, allowed=allowed_summary()))

    def invalid_block_tag(self, token, command, parse_until=None):
        if command in _TAG_WORDS:
            return super().invalid_block_tag(token, command, parse_until)
        raise self.error(token, _("{{% {name} %}} is not available in automation templates; they can use {allowed}")
                         .format(name=command, allowed=allowed_summary()))


class SandboxTemplate(Template):
    """A template compiled by ``SandboxParser``."""

    def compile_nodelist(self):
        parser = SandboxParser(Lexer(self.source).tokenize(), self.engine.template_libraries,
                               self.engine.template_builtins, self.origin)
        nodelist = parser.parse()
        if hasattr(parser, "extra_data"):  # Django 5.1+
            self.extra_data = parser.extra_data
        return nodelist


def is_template(value):
    return isinstance(value, str) and ("{{" in value or "{%" in value)


def contains_template(value):
    """Whether any string inside ``value`` (dicts and lists included) is a template."""
    if isinstance(value, dict):
        return any(contains_template(item) for item in value.values())
    if isinstance(value, list):
        return any(contains_template(item) for item in value)
    return is_template(value)


def compile_template(text, *, html=False):
    """Compile ``text``; raises ``TemplateSyntaxError`` (validation reports it with its path), also for
    a template nested too deeply to compile."""
    try:
        return SandboxTemplate(text, engine=_engine(bool(html)))
    except RecursionError as exc:
        raise TemplateSyntaxError(_("the tags are nested too deeply")) from exc


def render_params(params, template_context, path="params"):
    """A copy of ``params`` with every template string rendered, all within one render budget."""
    with render_budget():
        return _render_params(params, template_context, path)


def _render_params(params, template_context, path):
    if isinstance(params, dict):
        return {key: _render_params(value, template_context, f"{path}.{key}") for key, value in params.items()}
    if isinstance(params, list):
        return [_render_params(value, template_context, f"{path}[{index}]") for index, value in enumerate(params)]
    if not is_template(params):
        return params
    return _render(params, template_context, path, html=path.endswith("_html"))


def render_text(text, template_context, path="params"):
    """One template rendered as text (never HTML-escaped, whatever ``path`` ends with)."""
    return _render(text, template_context, path, html=False) if is_template(text) else text


def escaped_values(value, escape):
    """``value`` (the template context) with ``escape`` applied to every string inside it."""
    if isinstance(value, str):
        return escape(value)
    if isinstance(value, dict):
        return {key: escaped_values(item, escape) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [escaped_values(item, escape) for item in value]
    return value


def _render(text, template_context, path, *, html):
    with render_budget() as budget:
        try:
            template = compile_template(text, html=html)
            output = template.render(Context(template_context, autoescape=html))
            if budget.reached is not None:  # reached inside an {% if %}, which swallows exceptions
                raise budget.reached
            budget.check_size(output)
            return output
        except LimitReached as exc:
            raise RenderLimitError(f"{path}: {exc.message}") from exc
        except TemplateSyntaxError as exc:
            raise PermanentError(f"{path}: the template does not compile: {exc}") from exc
        except Exception as exc:  # pylint: disable=broad-except
            raise PermanentError(f"{path}: the template failed to render: {exc}") from exc


def template_errors(params, path="params"):
    """``[{"path", "message"}]`` for every template in ``params`` that does not compile."""
    errors = []
    if isinstance(params, dict):
        for key, value in params.items():
            errors.extend(template_errors(value, f"{path}.{key}"))
    elif isinstance(params, list):
        for index, value in enumerate(params):
            errors.extend(template_errors(value, f"{path}[{index}]"))
    elif is_template(params):
        try:
            compile_template(params, html=path.endswith("_html"))
        except TemplateSyntaxError as exc:
            errors.append({"path": path, "message": f"the template does not compile: {exc}"})
    return errors
