"""The flow view on an automation's page: the step tree in the learner's order, with how many
learners stand at each step now and how their runs ended — what course teams watch."""
from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from ..models import Run, Step

#: Outcome order in the summary line, as course teams read it.
OUTCOMES = ("fulfilled", "converted", "exited", "failed", "failed_silently", "cancelled")


def flow_html(automation):
    steps = list(automation.steps.order_by("side", "position", "pk"))
    children = {}
    for step in steps:
        children.setdefault((step.parent_id, step.side), []).append(step)
    runs = Run.objects.filter(automation=automation).order_by()
    here = dict(runs.filter(status__in=Run.OPEN_STATUSES).values("current_step_id").annotate(n=Count("pk"))
                .values_list("current_step_id", "n"))
    ended = dict(runs.values("status").annotate(n=Count("pk")).values_list("status", "n"))
    triggers = format_html_join(", ", "<code>{}</code>", ((t.event_type,) for t in automation.triggers.all()))
    return format_html('<div class="lmsauto-flow"><p class="lmsauto-summary">{}</p><p>When {}</p>{}</div>',
                       _summary(automation, here, ended), triggers, _outline(automation, children, here, None, ""))


def _runs_url(automation, **filters):
    query = "&".join(f"{name}={value}" for name, value in {"automation__id__exact": automation.pk, **filters}.items())
    return f"{reverse('admin:lms_automations_run_changelist')}?{query}"


def _summary(automation, here, ended):
    in_flow = sum(here.values())
    parts = [format_html('<a href="{}">{} in the flow</a>', _runs_url(automation, status__in="pending,executing"),
                         in_flow)]
    parts += [format_html('<a href="{}">{} {}</a>', _runs_url(automation, status__exact=status), ended[status],
                          Run.STATUS[status].lower())
              for status in OUTCOMES if ended.get(status)]
    return format_html("Learners: {}", format_html_join(" · ", "{}", ((part,) for part in parts)))


def _here(automation, step, here):
    count = here.get(step.step_id)
    if not count:
        return ""
    word = "waiting" if step.step_type == Step.TYPE.wait else "here"
    return format_html(' <a class="lmsauto-here" href="{}">{} {}</a>',
                       _runs_url(automation, current_step_id=step.step_id, status__in="pending,executing"), count,
                       word)


def _outline(automation, children, here, parent_id, side):
    items = []
    for step in children.get((parent_id, side), []):
        if step.step_type == Step.TYPE.branch:
            items.append(format_html(
                "<li><strong>{}</strong> — branch{}<ul><li>yes{}</li><li>no{}</li></ul></li>",
                step.step_id, _here(automation, step, here),
                _outline(automation, children, here, step.pk, "yes"),
                _outline(automation, children, here, step.pk, "no"),
            ))
        else:
            items.append(format_html("<li><strong>{}</strong> — {} <code>{}</code>{}</li>",
                                     step.step_id, step.step_type, step.kind, _here(automation, step, here)))
    if not items:
        return format_html("{}", " (nothing)")
    return format_html("<ol>{}</ol>", format_html_join("", "{}", ((item,) for item in items)))


def step_counts(automation):
    """``{step_id: {"here": learners at the step now, "passed": runs that reached it}}`` for the builder
    (a step reached writes an action, branch or wait line to the run's timeline)."""
    from ..models import RunLog  # pylint: disable=import-outside-toplevel

    runs = Run.objects.filter(automation=automation).order_by()
    here = dict(runs.filter(status__in=Run.OPEN_STATUSES).values("current_step_id").annotate(n=Count("pk"))
                .values_list("current_step_id", "n"))
    reached = (RunLog.KIND.action, RunLog.KIND.branch, RunLog.KIND.wait)
    passed = dict(RunLog.objects.filter(run__automation=automation, kind__in=reached).order_by()
                  .values("step_id").annotate(n=Count("run_id", distinct=True)).values_list("step_id", "n"))
    return {step_id: {"here": here.get(step_id, 0), "passed": passed.get(step_id, 0)}
            for step_id in set(automation.steps.values_list("step_id", flat=True))}
