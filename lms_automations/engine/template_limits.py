"""What one render of a step's templates may cost: output size, loop iterations and CPU time.

A course team's template runs inside a Celery worker, so it must not be able to hold that worker
or fill its memory: ``{{ x|add:x }}`` chained through ``{% with %}`` doubles a string each time,
and nested loops multiply. The bounded nodes and filters of ``template_library`` ask the budget of
the render in progress (``current_budget``) before and after each piece of work. CPU time is
``time.thread_time`` — the thread's own, so it holds in threaded Celery pools and needs no signal.

A limit reached raises ``LimitReached``; ``templates`` turns it into a permanent step error that
names the param. The budget also remembers it, because Django's ``{% if %}`` swallows exceptions
raised while it evaluates a condition.
"""
import contextlib
import contextvars
import time

from django.utils.translation import gettext as _

from ..conf import get_setting

_active = contextvars.ContextVar("lms_automations_render_budget", default=None)


class LimitReached(Exception):
    """A render went past one of its limits; ``message`` says which and how to fix the template."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


class RenderBudget:
    """The limits of one render (one step's params, or one webhook body) and what it has used."""

    def __init__(self, *, max_bytes, max_iterations=None, max_cpu_seconds=None, setting="EMAIL_BODY_MAX_BYTES"):
        self.max_bytes = int(max_bytes)
        self.setting = setting
        self.max_iterations = int(max_iterations if max_iterations is not None
                                  else get_setting("TEMPLATE_MAX_LOOP_ITERATIONS"))
        self.max_cpu_seconds = float(max_cpu_seconds if max_cpu_seconds is not None
                                     else get_setting("TEMPLATE_MAX_CPU_SECONDS"))
        self.iterations = 0
        self.started = time.thread_time()
        self.reached = None

    def fail(self, message):
        """Stop the render (and every later check of it) with ``message``."""
        self.reached = self.reached or LimitReached(message)
        raise self.reached

    def check_time(self):
        if self.reached is not None:
            raise self.reached
        if time.thread_time() - self.started > self.max_cpu_seconds:
            self.fail(_("rendering took more than {seconds:g} s of CPU time (LMS_AUTOMATIONS"
                         "['TEMPLATE_MAX_CPU_SECONDS']); simplify the template or loop over less")
                       .format(seconds=self.max_cpu_seconds))

    def count_iteration(self):
        self.iterations += 1
        if self.iterations > self.max_iterations:
            self.fail(_("the template's loops ran more than {limit:,} times in one render (LMS_AUTOMATIONS"
                         "['TEMPLATE_MAX_LOOP_ITERATIONS']); loop over fewer items")
                       .format(limit=self.max_iterations))
        self.check_time()

    def check_size(self, value):
        """``value`` (a filter's result, a loop's output so far, a rendered text) fits the output limit.

        Strings are measured in characters first (each is at least one byte) and encoded only when
        they might be too long in UTF-8; lists and dicts by their number of items.
        """
        if isinstance(value, str):
            if len(value) * 4 > self.max_bytes and len(value.encode("utf-8", "surrogatepass")) > self.max_bytes:
                self.fail(self.too_long_message())
        elif isinstance(value, (list, tuple, dict)) and len(value) > self.max_bytes:
            self.fail(self.too_long_message())

    def too_long_message(self):
        return (_("the rendered text would be longer than {limit:,} bytes (LMS_AUTOMATIONS['{setting}']); "
                  "shorten the template or what it repeats").format(limit=self.max_bytes, setting=self.setting))


def current_budget():
    """The budget of the render in progress; outside one (a template rendered directly), a fresh one."""
    return _active.get() or RenderBudget(max_bytes=get_setting("EMAIL_BODY_MAX_BYTES"))


@contextlib.contextmanager
def render_budget(*, max_bytes=None, setting="EMAIL_BODY_MAX_BYTES"):
    """Make a budget the current one for the block; a block inside another render shares its budget,
    so every string of one step (or of one webhook body) draws on the same CPU time and loops."""
    budget = _active.get()
    if budget is not None:
        yield budget
        return
    budget = RenderBudget(max_bytes=max_bytes if max_bytes is not None else get_setting(setting), setting=setting)
    token = _active.set(budget)
    try:
        yield budget
    finally:
        _active.reset(token)
