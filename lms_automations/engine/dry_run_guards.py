"""What keeps a dry run free of side effects: a host that refuses every call that changes something,
and a database that refuses every write.

The dry run only reads (conditions, waits and templates read the learner, the course and the
plugin's own rows), so neither guard should ever fire; they are there so that a condition or a
wait that one day writes, or a host call added to one, fails the dry run loudly instead of acting
on a learner who was only being looked at.
"""
import contextlib
import re

from django.db import connections

#: ``HostBackend`` methods that only read. Anything else — the writes of the base class (enrol,
#: cohorts, completions, certificates, due dates, e-mail, notifications) and any method a
#: third-party backend adds — is refused.
HOST_READS = frozenset((
    "name", "get_learner", "is_marketable", "user_id_for_anonymous_id", "staff_course_keys", "staff_orgs",
    "get_course", "get_course_outline", "get_enrollment", "enrolled_user_ids", "enrollment_user_id_bound",
    "enrolled_user_ids_between", "active_course_keys", "access_expires_at", "upgrade_deadline",
    "completed_blocks", "last_activity", "enrollment_activity", "get_grade", "get_certificate", "get_cohort",
))
_WRITE_SQL = re.compile(r"^\s*(insert|update|delete|replace|merge|create|drop|alter|truncate)\b"
                        r"|\bfor\s+(update|share|no\s+key\s+update)\b", re.IGNORECASE)


class DryRunWriteRefused(Exception):
    """Something tried to change the site during a dry run: not a step's error (which the dry run
    would report and go on from) but the end of the dry run, whose transaction is rolled back."""


class ReadOnlyHost:
    """A host backend that answers reads from the real one and refuses every other call."""

    def __init__(self, host):
        self._host = host

    def __getattr__(self, name):
        if name in HOST_READS:
            return getattr(self._host, name)
        if name.startswith("_"):
            raise AttributeError(name)
        raise DryRunWriteRefused(f"the host's {name} (it could change something)")


def _refuse_writes(execute, sql, params, many, context):
    if _WRITE_SQL.search(sql or ""):
        raise DryRunWriteRefused(f"a database {sql.split()[0].upper()}")
    return execute(sql, params, many, context)


@contextlib.contextmanager
def no_writes():
    """Every database statement in the block that would write (or lock rows) raises."""
    with contextlib.ExitStack() as stack:
        for connection in connections.all():
            stack.enter_context(connection.execute_wrapper(_refuse_writes))
        yield
