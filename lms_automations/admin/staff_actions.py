"""What course staff do to automations and runs from the admin (SPEC §5.10, §5.11), on top of the
Python API: finding the learners staff typed in and why some of them will not start, the learners
held at each wait step, and the trace each action leaves (a timeline line naming the staff member).

The admin views (``automation_views``, ``run_views``) call these; nothing here renders a page.
"""
import dataclasses
import functools
import operator

from django.contrib.auth import get_user_model
from django.db.models import Count, Q
from django.http import Http404
from django.utils import timezone

from .. import api
from ..authority import changeable_automation_ids, org_of, visible_automation_ids
from ..engine import bulk_start
from ..engine.flow import flow_step_ids, get_step, next_step_id
from ..host import get_host
from ..models import Automation, LearnerEntry, Run, RunLog, Step, TestLearner
from .scoping import sees_everything

#: Up to this many learners, their next steps run in the admin request (staff see the outcome at
#: once); more are handed to Celery workers, as the tick does, so the request stays short.
IN_REQUEST_LIMIT = 20
MAX_LEARNERS = 1000  # learners listed on one start page
#: Enrolled learners read per page by the "everyone enrolled" preview.
PREVIEW_PAGE = 5000
LISTED_IN_MESSAGES = 10
REPLAYABLE = (Run.STATUS.pending, Run.STATUS.fulfilled, Run.STATUS.failed)

UNKNOWN = "no such learner"
INACTIVE = "the account is not active"
TWICE = "listed twice"
ALREADY_IN = "already in this automation"
ONCE = "entry policy: the automation runs once per learner, and this learner has been in it"
NOT_TESTER = "not a test learner of this automation (it is in testing)"
REFUSED = "entry policy: refused when starting"
#: What a course team member sees for a learner they may not start: unknown or not enrolled alike,
#: so the page does not tell them who has an account on the site.
NOT_THEIR_LEARNER = "not a learner enrolled in this automation's courses"


# --- scoping ------------------------------------------------------------------------------------
def scoped_automation(user, pk):
    """The automation ``pk`` if ``user`` works on its courses; 404 otherwise (as if it did not exist)."""
    visible = visible_automation_ids(user)
    queryset = Automation.objects.all() if visible is None else Automation.objects.filter(pk__in=visible)
    automation = queryset.filter(pk=_int_or_404(pk)).first()
    if automation is None:
        raise Http404("No such automation.")
    return automation


def scoped_run(user, pk):
    """The run ``pk`` if its automation is one ``user`` may change (runs are learners' data); 404 otherwise."""
    visible = changeable_automation_ids(user)
    queryset = Run.objects.select_related("automation", "user")
    if visible is not None:
        queryset = queryset.filter(automation_id__in=visible)
    run = queryset.filter(pk=_int_or_404(pk)).first()
    if run is None:
        raise Http404("No such run.")
    return run


def _int_or_404(pk):
    try:
        return int(pk)
    except (TypeError, ValueError):
        raise Http404("No such object.") from None


# --- the trace ----------------------------------------------------------------------------------
def actor(user):
    return f"{user.get_username()} (Django admin)"


def log_staff(run_ids, message, *, at, step_id=""):
    """One timeline line per run, dated ``at`` (taken before the API call, so it reads first)."""
    RunLog.objects.bulk_create([
        RunLog(run_id=run_id, kind=RunLog.KIND.staff, message=message, step_id=step_id, at=at, detail={})
        for run_id in run_ids
    ])


def listed(items, limit=LISTED_IN_MESSAGES):
    """``a, b, c and 4 more`` for messages that would otherwise grow with the selection."""
    items = list(items)
    shown = ", ".join(items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")


def plural(count, word):
    return f"{count} {word}{'' if count == 1 else 's'}"


# --- starting learners ----------------------------------------------------------------------------
@dataclasses.dataclass
class LearnerSelection:
    """The learners staff listed: who would start, who is skipped and why (in the order typed)."""

    starting: list = dataclasses.field(default_factory=list)   # [(identifier, user)]
    skipped: list = dataclasses.field(default_factory=list)    # [(identifier, reason)]

    @property
    def starting_count(self):
        return len(self.starting)

    @property
    def skipped_count(self):
        return len(self.skipped)

    def skipped_summary(self):
        return listed(f"{identifier} ({reason})" for identifier, reason in self.skipped)


def split_identifiers(text):
    """Usernames or e-mail addresses, one per line (commas also separate), blanks ignored."""
    return [part.strip() for line in (text or "").splitlines() for part in line.split(",") if part.strip()]


@dataclasses.dataclass
class EnrolledPreview:
    """The preview of "everyone enrolled": counts of who starts and who is skipped, and only the
    first rows of each (``rows``) — read page by page, never one list of every learner."""

    starting: list = dataclasses.field(default_factory=list)   # [(username, user)], the first rows
    skipped: list = dataclasses.field(default_factory=list)    # [(username, reason)], the first rows
    starting_count: int = 0
    skipped_count: int = 0

    def skipped_summary(self):
        return listed(f"{identifier} ({reason})" for identifier, reason in self.skipped)


#: The admin's words for ``bulk_start``'s reasons.
REASONS = {bulk_start.UNKNOWN: UNKNOWN, bulk_start.INACTIVE: INACTIVE, bulk_start.ALREADY_IN: ALREADY_IN,
           bulk_start.ONCE: ONCE, bulk_start.NOT_TESTER: NOT_TESTER}


def preview_enrolled(automation, rows):
    """Who of everyone actively enrolled in the automation's scope courses a start would put in the
    flow (``EnrolledPreview``), or raises ValueError when the automation names no course. Pages of
    ``PREVIEW_PAGE`` learners, each read in a fixed number of statements."""
    if not automation.scope_courses:
        raise ValueError("the automation names no course in its scope (organisations cannot be listed): "
                         "list the learners instead")
    preview, rules, after = EnrolledPreview(), bulk_start.Rules.for_staff(automation), None
    while True:
        user_ids = get_host().enrolled_user_ids_between(automation.scope_courses, after, limit=PREVIEW_PAGE)
        if not user_ids:
            return preview
        startable, refused, _open = bulk_start.standing(automation, user_ids, rules)
        preview.starting_count += len(startable)
        preview.skipped_count += len(refused)
        show_starting = startable[:max(0, rows - len(preview.starting))]
        show_skipped = [user_id for user_id in user_ids if user_id in refused][:max(0, rows - len(preview.skipped))]
        users = get_user_model().objects.in_bulk(show_starting + show_skipped) if show_starting or show_skipped else {}
        preview.starting += [(users[user_id].username, users[user_id]) for user_id in show_starting]
        preview.skipped += [(users[user_id].username if user_id in users else str(user_id), REASONS[refused[user_id]])
                            for user_id in show_skipped]
        after = user_ids[-1]


def start_everyone(automation, staff_user):
    """Hand the start of everyone enrolled to the workers (``api.start_enrolled``): ranges of
    learners, each started in sets; the request returns at once."""
    note = f"learner started by {actor(staff_user)}"
    return api.start_enrolled(automation, by="staff", staff_note=note)


def select_learners(automation, identifiers, staff_user=None):
    """Sort the listed learners into those a staff start would put in the flow and those it skips.

    A staff start bypasses the time-based entry rules (the 60 s guard, once per period) but not
    "once per learner, ever"; a learner already in the flow is skipped rather than restarted
    (replay their run to send them through again); in ``testing`` only test learners start.
    """
    users = _users_by_identifier(identifiers)
    if staff_user is not None and not sees_everything(staff_user):
        theirs = _enrolled_in_scope(automation, {user.pk for user in users.values() if user is not None})
        users = {key: user if user is not None and user.pk in theirs else None for key, user in users.items()}
    unknown = UNKNOWN if staff_user is None or sees_everything(staff_user) else NOT_THEIR_LEARNER
    user_ids = [user.pk for user in users.values() if user is not None]
    open_runs = set(Run.objects.filter(automation=automation, status__in=Run.OPEN_STATUSES,
                                       user_id__in=user_ids).values_list("user_id", flat=True))
    entered = set()
    if automation.entry_policy == Automation.ENTRY_POLICY.once:
        entered = set(LearnerEntry.objects.filter(automation=automation, user_id__in=user_ids, entry_count__gt=0)
                      .values_list("user_id", flat=True))
    testers = None
    if automation.status == Automation.STATUS.testing:
        testers = set(TestLearner.objects.filter(automation=automation).values_list("user_id", flat=True))
    selection, seen = LearnerSelection(), set()
    for identifier in identifiers:
        user = users.get(identifier.lower())
        reason = (
            unknown if user is None else
            TWICE if user.pk in seen else
            INACTIVE if not user.is_active else
            ALREADY_IN if user.pk in open_runs else
            ONCE if user.pk in entered else
            NOT_TESTER if testers is not None and user.pk not in testers else
            None
        )
        if user is not None:
            seen.add(user.pk)
        if reason:
            selection.skipped.append((identifier, reason))
        else:
            selection.starting.append((identifier, user))
    return selection


def _enrolled_in_scope(automation, user_ids):
    """Which of ``user_ids`` have an active enrolment in a course of the automation's scope: course
    teams may start only their own learners. Scope courses are checked in one read; only learners
    left over are checked one by one against the scope's organisations."""
    enrolled = set(get_host().enrolled_user_ids(automation.scope_courses)) & user_ids \
        if automation.scope_courses else set()
    orgs = set(automation.scope_orgs or [])
    if orgs:
        enrolled |= {user_id for user_id in user_ids - enrolled
                     if any(org_of(key) in orgs for key in get_host().active_course_keys(user_id))}
    return enrolled


def _users_by_identifier(identifiers):
    """``{identifier.lower(): user or None}``: an address matches the e-mail (any case), else the username."""
    model = get_user_model()
    found = {}
    names = [identifier for identifier in identifiers if "@" not in identifier]
    for user in model.objects.filter(username__in=names):
        found[user.username.lower()] = user
    addresses = {identifier.lower() for identifier in identifiers if "@" in identifier}
    by_address = {}
    if addresses:
        query = functools.reduce(operator.or_, (Q(email__iexact=address) for address in sorted(addresses)))
        for user in model.objects.filter(query):
            by_address.setdefault(user.email.lower(), []).append(user)
    for address, users in by_address.items():
        found[address] = users[0] if len(users) == 1 else None  # two accounts share it: ambiguous
    return {identifier.lower(): found.get(identifier.lower()) for identifier in identifiers}


def start_selected(automation, selection, staff_user):
    """Start the selected learners through ``api.start_learners``; returns ``(started, refused)``
    as lists of identifiers, after writing who started them into each new run's timeline."""
    at = timezone.now()
    users = [user for _identifier, user in selection.starting]
    runs = api.start_learners(automation, users, in_background=len(users) > IN_REQUEST_LIMIT)
    started_ids = {run.user_id for run in runs}
    log_staff([run.pk for run in runs], f"learner started by {actor(staff_user)}", at=at)
    started = [identifier for identifier, user in selection.starting if user.pk in started_ids]
    refused = [identifier for identifier, user in selection.starting if user.pk not in started_ids]
    return started, refused


# --- waiting learners -----------------------------------------------------------------------------
def waiting_counts(automation):
    """``[(step, learners waiting there)]`` for every wait step of the automation, in flow order."""
    waits = {step.step_id: step for step in Step.objects.filter(automation=automation, step_type=Step.TYPE.wait)}
    counts = dict(
        Run.objects.filter(automation=automation, status=Run.STATUS.pending, current_step_id__in=list(waits))
        .values_list("current_step_id").annotate(count=Count("pk")).order_by()
    )
    return [(waits[step_id], counts.get(step_id, 0)) for step_id in flow_step_ids(automation.pk) if step_id in waits]


def step_after(automation, step_id):
    """Where learners advanced past ``step_id`` go next (``None``: the end of the flow)."""
    return next_step_id(get_step(automation.pk, step_id))


def advance_waiting(automation, step_id, staff_user):
    """Move every learner waiting at ``step_id`` on through ``api.advance_waiting``; returns how many."""
    at = timezone.now()
    waiting = list(Run.objects.filter(automation=automation, status=Run.STATUS.pending, current_step_id=step_id)
                   .values_list("pk", flat=True))
    moved = api.advance_waiting(automation, step_id, in_background=len(waiting) > IN_REQUEST_LIMIT)
    advanced = (RunLog.objects.filter(run_id__in=waiting, kind=RunLog.KIND.staff, step_id=step_id, at__gte=at)
                .values_list("run_id", flat=True).distinct())
    log_staff(list(advanced), f"advance past {step_id} requested by {actor(staff_user)}", at=at, step_id=step_id)
    return moved


# --- runs ---------------------------------------------------------------------------------------
def step_choices(automation):
    """The automation's steps in flow order, labelled for a select: ``(step_id, "id — type kind")``."""
    steps = {step.step_id: step for step in Step.objects.filter(automation=automation)}
    return [(step_id, f"{step_id} — {' '.join(filter(None, (steps[step_id].step_type, steps[step_id].kind)))}")
            for step_id in flow_step_ids(automation.pk)]


def cancel_run(run, staff_user):
    """Cancel an open run through ``api.cancel``; False when it had already ended."""
    if run.status not in Run.OPEN_STATUSES:
        return False
    at = timezone.now()
    run = api.cancel(run)
    if run.status != Run.STATUS.cancelled:
        return False
    log_staff([run.pk], f"cancel requested by {actor(staff_user)}", at=at, step_id=run.current_step_id)
    return True


def replay_run(run, from_step, staff_user):
    """Replay through ``api.replay`` (raises ``ValueError`` for a run that cannot be replayed)."""
    at = timezone.now()
    result = api.replay(run, from_step or None)
    log_staff([run.pk], f"replay from {from_step or run.current_step_id or 'the end'} requested by "
                        f"{actor(staff_user)}", at=at, step_id=from_step or "")
    return Run.objects.get(pk=getattr(result, "pk", run.pk))


def describe_run(run):
    where = f" at {run.current_step_id}" if run.current_step_id and run.is_open else ""
    return f"{run.get_status_display().lower()}{where}"
