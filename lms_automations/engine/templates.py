"""Rendering step params as Django templates against the run context (SPEC §3).

Templates see plain data only (dicts, strings, numbers, dates) — never a model or the request — and
a restricted tag set (``template_library``). Keys ending in ``_html`` are autoescaped; the rest are
rendered as text. Rendering never raises into the engine: a bad template is a ``PermanentError``
that names the param, so the step fails with a reason staff can fix.
"""
from functools import cache

from django.template import Context, Engine, TemplateSyntaxError

from .errors import PermanentError

_LIBRARY = "lms_automations.engine.template_library"


@cache
def _engine(autoescape):
    return Engine(builtins=[_LIBRARY], libraries={}, loaders=[], autoescape=autoescape, debug=False)


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
    """Compile ``text``; raises ``TemplateSyntaxError`` (validation reports it with its path)."""
    return _engine(bool(html)).from_string(text)


def render_params(params, template_context, path="params"):
    """A copy of ``params`` with every template string rendered."""
    if isinstance(params, dict):
        return {key: render_params(value, template_context, f"{path}.{key}") for key, value in params.items()}
    if isinstance(params, list):
        return [render_params(value, template_context, f"{path}[{index}]") for index, value in enumerate(params)]
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
    try:
        template = compile_template(text, html=html)
        return template.render(Context(template_context, autoescape=html))
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
