"""Locking learners' ``LearnerEntry`` rows in bulk, through the (automation, learner) unique index.

On InnoDB (MySQL, MariaDB) a locking read that the optimizer answers by scanning the table's
primary key also waits on rows another transaction has just inserted and is still checking against
the unique index — an ``INSERT IGNORE`` of an overlapping set of learners (a bulk start, the
dispatcher creating missing entries). That transaction in turn waits on the rows we hold: a
deadlock, seen between two overlapping bulk-start chunks on MariaDB. Read through the unique index,
the lock touches only the pairs asked for, whatever plan the optimizer would have chosen for a
small table or a large share of it. Other databases lock by the same ORM query without a hint.
"""
from django.db import connection

from ..models import LearnerEntry

UNIQUE_INDEX = "lmsauto_learnerentry_unique"


def locked_entries(automation_ids, user_ids):
    """The existing ``LearnerEntry`` rows of these automations and learners, locked in (automation,
    learner) order — one order for every worker. Call inside a transaction."""
    automation_ids, user_ids = sorted(set(automation_ids)), sorted(set(user_ids))
    if not automation_ids or not user_ids:
        return []
    if connection.vendor != "mysql":
        return list(LearnerEntry.objects.select_for_update().filter(
            automation_id__in=automation_ids, user_id__in=user_ids).order_by("automation_id", "user_id"))
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in LearnerEntry._meta.concrete_fields)
    sql = (f"SELECT {columns} FROM {quote(LearnerEntry._meta.db_table)} FORCE INDEX ({quote(UNIQUE_INDEX)}) "
           f"WHERE {quote('automation_id')} IN ({', '.join(['%s'] * len(automation_ids))}) "
           f"AND {quote('user_id')} IN ({', '.join(['%s'] * len(user_ids))}) "
           f"ORDER BY {quote('automation_id')}, {quote('user_id')} FOR UPDATE")
    return list(LearnerEntry.objects.raw(sql, [*automation_ids, *user_ids]))
