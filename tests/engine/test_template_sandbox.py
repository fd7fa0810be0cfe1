"""Templates in step params are a sandbox: only the documented tags and filters exist, variables read
plain data only, and every render is bounded in output size, loop iterations and CPU time."""
import datetime
import json
import re
import time
from pathlib import Path

import hypothesis
import pytest
from django.conf import settings as django_settings
from django.test import override_settings
from hypothesis import strategies as st

from lms_automations import api
from lms_automations.engine.errors import PermanentError, RenderLimitError
from lms_automations.engine.template_library import FILTERS, TAGS, template_language
from lms_automations.engine.templates import render_params, render_text, template_errors
from lms_automations.exceptions import InvalidAutomation
from lms_automations.models import Automation

EXAMPLES = sorted((Path(api.__file__).parent / "examples").glob("*.json"))
DOCS = Path(api.__file__).parent.parent / "docs" / "course-teams.md"
NOW = datetime.datetime(2026, 5, 4, 9, 30, tzinfo=datetime.UTC)


def context():
    return {
        "learner": {"id": 7, "username": "ada", "first_name": "Ada", "email": "ada@example.com",
                    "tags": ["alpha", "beta"], "items": "a key named like a method"},
        "event": {"type": "enrollment.created", "course_key": "course-v1:Demo+A1+2026", "score": 0.8734,
                  "size": 123456, "lines": "one\ntwo", "blank": None},
        "course": {"display_name": "Demo <course>", "end": NOW + datetime.timedelta(days=3),
                   "start": datetime.date(2026, 4, 1)},
        "automation": {"id": 1, "name": "Welcome"},
        "run": {"id": 9, "started_at": NOW - datetime.timedelta(days=2)},
        "now": NOW,
    }


def render(text, values=None, *, html=False):
    path = "params.body_html" if html else "params.body"
    return render_params({path.split(".")[1]: text}, values or context())[path.split(".")[1]]


def document(params):
    return {"format": "lms-automations/v1", "name": "Templates", "status": "draft",
            "triggers": [{"event": "enrollment.created"}],
            "steps": [{"id": "mail", "type": "action", "action": "email.send",
                       "params": {"subject": "Hi", "body_html": "<p>x</p>", **params}}]}


# --- only the documented tags and filters ---------------------------------------------------------

REFUSED_TAGS = [
    "{% debug %}", "{% url 'admin:index' %}", "{% lorem 3 w %}", "{% include 'admin/base.html' %}",
    "{% extends 'admin/base.html' %}", "{% load static %}", "{% csrf_token %}", "{% now 'Y' %}",
    "{% autoescape off %}x{% endautoescape %}", "{% cycle 'a' 'b' %}", "{% firstof a b %}",
    "{% spaceless %}x{% endspaceless %}", "{% templatetag openblock %}", "{% verbatim %}x{% endverbatim %}",
    "{% widthratio 1 2 3 %}", "{% regroup a by b as c %}", "{% ifchanged %}x{% endifchanged %}",
    "{% filter upper %}x{% endfilter %}", "{% block b %}x{% endblock %}", "{% translate 'x' %}",
    "{% static 'x.css' %}",
]
REFUSED_FILTERS = ["center:'20000000'", "ljust:'1500'", "rjust:'9'", "stringformat:'099999999d'", "make_list",
                   "wordwrap:5", "pprint", "safe", "safeseq", "dictsort:'id'", "random", "unordered_list",
                   "striptags", "urlize", "escapejs", "addslashes", "get_digit:1", "force_escape", "json_script"]


@pytest.mark.django_db
@pytest.mark.parametrize("template", REFUSED_TAGS)
def test_a_tag_outside_the_set_is_refused_at_validation_with_its_path_and_what_is_allowed(template):
    with pytest.raises(InvalidAutomation) as refused:
        api.import_automation(document({"body_html": f"<p>{template}</p>"}))
    (error,) = refused.value.errors
    assert error["path"] == "steps[0].params.body_html"
    name = re.match(r"{% (\w+)", template).group(1)
    assert f"{{% {name} %}} is not available in automation templates" in error["message"]
    assert "if / elif / else, for / empty, with, comment" in error["message"]
    assert Automation.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("expression", REFUSED_FILTERS)
def test_a_filter_outside_the_set_is_refused_at_validation_with_its_path_and_what_is_allowed(expression):
    with pytest.raises(InvalidAutomation) as refused:
        api.import_automation(document({"subject": f"{{{{ learner.first_name|{expression} }}}}"}))
    (error,) = refused.value.errors
    assert error["path"] == "steps[0].params.subject"
    assert f"the filter |{expression.split(':')[0]} is not available" in error["message"]
    assert "filters: add, capfirst, date" in error["message"]


def test_a_refused_template_that_reaches_the_engine_anyway_fails_the_step_naming_the_param():
    """An automation saved before the sandbox (or written to the table directly) fails, never renders."""
    with pytest.raises(PermanentError, match=r"^params\.body: the template does not compile: {% debug %} is not"):
        render("{% debug %}")
    with pytest.raises(PermanentError, match=r"^params\.body: .*the filter \|center is not available"):
        render("{{ 'x'|center:'20000000' }}")


def test_a_template_nested_too_deeply_to_compile_is_a_validation_error_not_a_crash():
    deep = "{% if a %}" * 3000 + "x" + "{% endif %}" * 3000
    assert template_errors({"body": deep}) == [
        {"path": "params.body", "message": "the template does not compile: the tags are nested too deeply"}]
    with pytest.raises(PermanentError, match="nested too deeply"):
        render(deep)


@pytest.mark.parametrize(("template", "expected"), [
    ("{{ learner.first_name }} {{ event.course_key }}", "Ada course-v1:Demo+A1+2026"),
    ("{% if event.score > 0.9 %}top{% elif event.score > 0.5 %}good{% else %}low{% endif %}", "good"),
    ("{% for tag in learner.tags %}{{ forloop.counter }}.{{ tag }}{% if not forloop.last %} {% endif %}"
     "{% endfor %}", "1.alpha 2.beta"),
    ("{% for tag in learner.missing %}x{% empty %}none{% endfor %}", "none"),
    ("{% for tag in learner.tags reversed %}{{ tag }}{% endfor %}", "betaalpha"),
    ("{% with name=learner.first_name|upper %}{{ name }}!{% endwith %}", "ADA!"),
    ("a{% comment %}not shown{% endcomment %}b{# nor this #}", "ab"),
    ("{{ event.blank|default:'friend' }} {{ event.blank|default_if_none:'-' }}", "friend -"),
    ("{{ learner.username|upper }} {{ 'ADA'|lower }} {{ 'ada lovelace'|title }} {{ 'ada'|capfirst }}",
     "ADA ada Ada Lovelace Ada"),
    ("{{ 'abcdefghij'|truncatechars:5 }} {{ 'one two three'|truncatewords:2 }}", "abcd… one two …"),
    ("{{ now|date:'Y-m-d' }} {{ now|time:'H:i' }}", "2026-05-04 09:30"),
    ("{{ event.score|floatformat:2 }} {{ event.size|filesizeformat }}", "0.87 120.6\xa0KB"),
    ("{{ learner.tags|length }} {{ learner.tags|first }} {{ learner.tags|last }} {{ learner.tags|join:', ' }}",
     "2 alpha beta alpha, beta"),
    ("{{ learner.tags|slice:':1'|join:'' }} {{ 2|add:3 }} {{ 'Hello World'|slugify }}", "alpha 5 hello-world"),
    ("{{ True|yesno:'yes,no' }} {{ 2|pluralize }} {{ 1|pluralize:'y,ies' }} {{ 'a b c'|wordcount }}",
     "yes s y 3"),
    ("{{ 'a b&c'|urlencode }} {{ event.lines|linebreaksbr }}", "a%20b%26c one<br>two"),
    ("{{ event.lines|linebreaks }}", "<p>one<br>two</p>"),
    ("{{ course.display_name|escape }}", "Demo &lt;course&gt;"),
    ("{{ run.started_at|timesince:now }} / {{ course.end|timeuntil:now }}", "2\xa0days / 3\xa0days"),
    ("{{ now.year }}-{{ now.month }}-{{ now.day }} {{ now.hour }}:{{ now.minute }}:{{ now.second }}",
     "2026-5-4 9:30:0"),
    ("{{ course.start.year }}[{{ course.start.hour }}]", "2026[]"),  # a date has no hour
])
def test_every_allowed_tag_and_filter_still_works(template, expected):
    assert template_errors({"body": template}) == []
    assert render(template) == expected


def test_the_allowed_set_is_exactly_the_documented_one():
    assert template_language() == {
        "tags": ["if / elif / else", "for / empty", "with", "comment"],
        "filters": list(FILTERS),
    }
    assert set(TAGS) == {"if", "for", "with", "comment"}
    assert "safe" not in FILTERS and "center" not in FILTERS and "stringformat" not in FILTERS


def test_the_course_team_guide_lists_the_allowed_tags_and_filters_from_the_one_definition():
    guide = DOCS.read_text()
    section = guide[guide.index("## What templates can use"):]
    section = section[:section.find("\n## ", 1) if "\n## " in section[1:] else len(section)]
    listed_filters = re.findall(r"`(\w+)`", section[section.index("Filters:"):].split("\n\n")[0])
    assert listed_filters == list(FILTERS)
    for tag in template_language()["tags"]:
        assert f"`{tag}`" in section


def test_html_params_escape_learner_data_and_no_filter_can_turn_that_off():
    values = {**context(), "learner": {"first_name": "<script>x</script>"}}
    assert render("<p>{{ learner.first_name }}</p>", values, html=True) == "<p>&lt;script&gt;x&lt;/script&gt;</p>"
    assert render("{{ learner.first_name|escape|linebreaksbr }}", values, html=True) == \
        "&lt;script&gt;x&lt;/script&gt;"
    assert template_errors({"body_html": "{{ learner.first_name|safe }}"})[0]["path"] == "params.body_html"


# --- plain data only ------------------------------------------------------------------------------

def test_variables_read_dict_keys_and_list_positions_but_never_methods_or_internals():
    values = context()
    learner_before = json.dumps(values["learner"])
    assert render("{{ learner.keys }}|{{ learner.values }}|{{ learner.clear }}|{{ learner.popitem }}|"
                  "{{ learner.tags.pop }}|{{ learner.tags.clear }}|{{ learner.username.upper }}|"
                  "{{ now.timestamp }}|{{ now.tzinfo }}|{{ now.astimezone }}|{{ learner.tags.count }}",
                  values) == "||||||||||"
    assert json.dumps(values["learner"]) == learner_before  # nothing was called: the context is unchanged
    assert render("{{ learner.items }} {{ learner.tags.1 }} {{ learner.username.0 }}",
                  values) == "a key named like a method beta a"


def test_a_callable_in_the_context_is_never_called():
    called = []
    values = {"learner": {"name": lambda: called.append(1) or "called"}}
    assert render("[{{ learner.name }}]{% if learner.name %}yes{% endif %}", values) == "[]"
    assert called == []


@pytest.mark.parametrize("template", ["{{ learner.__class__ }}", "{{ learner._meta }}",
                                      "{% for x in learner.__class__.__subclasses__ %}{% endfor %}",
                                      "{{ x|default:learner.__dict__ }}"])
def test_internals_are_refused_at_validation(template):
    (error,) = template_errors({"body": template})
    assert "may not begin with underscores" in error["message"]


@pytest.mark.parametrize(("template", "expected"), [
    ("{% for x in learner.values %}{{ x }}{% endfor %}", ""),
    ("{% for x in learner.items %}{{ x }}{% endfor %}", "i"),  # the key, not dict.items()
    ("{% with k=learner.keys %}[{{ k }}]{% endwith %}", "[]"),
    ("{% if learner.keys %}yes{% else %}no{% endif %}", "no"),
])
def test_methods_are_unreachable_from_tags_and_filter_arguments_too(template, expected):
    values = {"learner": {"tags": ["a", "b"], "items": ["i"]}}
    assert render(template, values) == expected


def test_a_filter_argument_that_is_a_method_is_a_missing_value_and_fails_the_step():
    with pytest.raises(PermanentError, match=r"params\.body: the template failed to render: .*\[keys\]"):
        render("{{ learner.tags|join:learner.keys }}", {"learner": {"tags": ["a", "b"]}})


# --- bounded renders ------------------------------------------------------------------------------

@pytest.fixture
def limits(settings):
    def _set(**values):
        settings.LMS_AUTOMATIONS = {**settings.LMS_AUTOMATIONS, **values}

    return _set


def doubling(times, seed="x" * 1000):
    return (f"{{% with a='{seed}' %}}" + "{% with a=a|add:a %}" * times + "{{ a|length }}"
            + "{% endwith %}" * (times + 1))


def test_a_string_doubled_past_the_output_limit_stops_the_render_at_the_limit():
    """30 doublings of 1,000 characters would be 1 TB; the render stops at the first result over 1 MB."""
    assert render(doubling(5)) == "32000"
    started = time.thread_time()
    with pytest.raises(RenderLimitError) as stopped:
        render(doubling(30), html=True)
    assert time.thread_time() - started < 1
    assert stopped.value.message == (
        "params.body_html: the rendered text would be longer than 1,048,576 bytes "
        "(LMS_AUTOMATIONS['EMAIL_BODY_MAX_BYTES']); shorten the template or what it repeats")
    assert stopped.value.permanent


def test_the_output_limit_counts_what_loops_repeat_and_utf8_bytes(limits):
    limits(EMAIL_BODY_MAX_BYTES=1000)
    assert len(render("{% for a in '" + "x" * 99 + "' %}0123456789{% endfor %}")) == 990
    with pytest.raises(RenderLimitError, match="longer than 1,000 bytes"):
        render("{% for a in '" + "x" * 101 + "' %}0123456789{% endfor %}")
    with pytest.raises(RenderLimitError, match="longer than 1,000 bytes"):
        render("é" * 400 + "{{ learner.id }}" + "€" * 100)  # 400 characters, 1,100 bytes


def test_a_limit_reached_inside_an_if_condition_still_fails_the_render(limits):
    """Django's {% if %} turns an exception in its condition into False; the budget remembers."""
    limits(EMAIL_BODY_MAX_BYTES=1000)
    half = "x" * 600
    assert render(f"{{% if 'x'|add:'{half}' %}}yes{{% endif %}}") == "yes"
    with pytest.raises(RenderLimitError, match="longer than 1,000 bytes"):
        render(f"{{% if 'x'|add:'{half}'|add:'{half}' %}}yes{{% else %}}no{{% endif %}}")


def test_nested_loops_share_one_iteration_budget():
    hundred, ninety_nine = "'" + "x" * 100 + "'", "'" + "x" * 99 + "'"
    # 99 outer iterations and 99 × 100 inner ones: 9,999
    assert len(render(f"{{% for i in {ninety_nine} %}}{{% for j in {hundred} %}}.{{% endfor %}}{{% endfor %}}")) == 9900
    with pytest.raises(RenderLimitError) as stopped:
        render(f"{{% for i in {hundred} %}}{{% for j in {hundred} %}}{{% for k in 'xy' %}}{{% endfor %}}"
               "{% endfor %}{% endfor %}")
    assert stopped.value.message == (
        "params.body: the template's loops ran more than 10,000 times in one render "
        "(LMS_AUTOMATIONS['TEMPLATE_MAX_LOOP_ITERATIONS']); loop over fewer items")


def test_one_steps_params_share_one_budget(limits):
    limits(TEMPLATE_MAX_LOOP_ITERATIONS=150)
    loop = "{% for i in '" + "x" * 100 + "' %}.{% endfor %}"
    with pytest.raises(RenderLimitError, match=r"^params\.b: the template's loops ran more than 150 times"):
        render_params({"a": loop, "b": loop}, context())
    assert render_params({"a": loop}, context()) == {"a": "." * 100}


def test_cpu_time_is_bounded_per_render(limits):
    limits(TEMPLATE_MAX_CPU_SECONDS=0.05)
    heavy = ("{% for i in '" + "x" * 100 + "' %}{% for j in '" + "x" * 100 + "' %}{{ '" + "y " * 20000
             + "'|slugify|length }}{% endfor %}{% endfor %}")
    started = time.thread_time()
    with pytest.raises(RenderLimitError) as stopped:
        render(heavy)
    assert time.thread_time() - started < 1  # 10,000 slugify calls of 40 kB would take many seconds
    assert stopped.value.message == (
        "params.body: rendering took more than 0.05 s of CPU time (LMS_AUTOMATIONS['TEMPLATE_MAX_CPU_SECONDS']); "
        "simplify the template or loop over less")


def test_floatformat_and_join_are_checked_before_they_build_anything(limits):
    with pytest.raises(RenderLimitError, match="floatformat shows at most 20 decimal places"):
        render("{{ event.score|floatformat:'99999999' }}")
    assert render("{{ 1.5|floatformat:'-20' }} {{ 2|floatformat:'-20' }}") == "1.5" + "0" * 19 + " 2"
    limits(EMAIL_BODY_MAX_BYTES=1000)
    values = {"event": {"parts": ["x"] * 50, "glue": "y" * 100}}
    with pytest.raises(RenderLimitError, match="longer than 1,000 bytes"):
        render("{{ event.parts|join:event.glue|length }}", values)


def test_render_text_is_bounded_too():
    with pytest.raises(RenderLimitError, match=r"^params\.x:"):
        render_text(doubling(30), context(), "params.x")


def _templates_in(value, path):
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _templates_in(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _templates_in(item, f"{path}[{index}]")
    elif isinstance(value, str) and ("{{" in value or "{%" in value):
        yield path, value


@pytest.mark.django_db
@pytest.mark.parametrize("path", EXAMPLES, ids=lambda path: path.stem)
def test_the_examples_still_validate_and_their_templates_render(path):
    example = json.loads(path.read_text())
    api.import_automation(example)
    templates = list(_templates_in(example["steps"], "steps"))
    assert templates
    for where, template in templates:
        rendered = render_params({where.rsplit(".", 1)[-1]: template}, context())
        assert "{{" not in next(iter(rendered.values())), where


# --- any template, however assembled --------------------------------------------------------------

FRAGMENTS = [
    "{{ learner.first_name }}", "{{ learner.tags|join:', ' }}", "{{ learner.tags.0|upper }}", "{{ a|add:a }}",
    "{% for t in learner.tags %}", "{% for c in learner.email %}", "{% empty %}", "{% endfor %}",
    "{% if learner.id > 3 %}", "{% elif a %}", "{% else %}", "{% endif %}", "{% with a=learner.email %}",
    "{% with a=a|add:a %}", "{% endwith %}", "{{ a|length }}", "{{ event.score|floatformat:3 }}",
    "{{ now|date:'Y-m-d H:i' }}", "{% comment %}", "{% endcomment %}", "{{", "}}", "{%", "%}", "|", ":", "'",
    "{% debug %}", "{{ x|center:'999999' }}", "{{ learner.items }}", "{{ learner.__class__ }}", "{% load i18n %}",
    "{{ event.lines|linebreaksbr|truncatewords:2 }}", "{{ course.end|timeuntil:now }}", "\n", "<p>", "é",
]
SMALL_LIMITS = {"EMAIL_BODY_MAX_BYTES": 20_000, "TEMPLATE_MAX_LOOP_ITERATIONS": 300, "TEMPLATE_MAX_CPU_SECONDS": 0.2}


@hypothesis.settings(max_examples=400, deadline=None)
@hypothesis.given(st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=5)), max_size=40),
                  st.booleans())
def test_any_template_is_either_refused_with_its_path_or_rendered_within_the_limits(fragments, html):
    text, path = "".join(fragments), "params.body_html" if html else "params.body"
    with override_settings(LMS_AUTOMATIONS={**django_settings.LMS_AUTOMATIONS, **SMALL_LIMITS}):
        errors = template_errors({path.split(".")[1]: text})
        assert all(error["path"] == path for error in errors)
        started = time.thread_time()
        try:
            rendered = render_params({path.split(".")[1]: text}, context())[path.split(".")[1]]
        except PermanentError as refused:
            assert refused.message.startswith(f"{path}: ")
        else:
            assert errors == []  # what renders is what validation accepted
            assert len(rendered.encode()) <= SMALL_LIMITS["EMAIL_BODY_MAX_BYTES"]
        assert time.thread_time() - started < 1
