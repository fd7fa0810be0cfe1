"""The inactivity scan's one statement per range: ``INSERT … SELECT`` of the new ``activity.inactive``
events from the host's query, conflicts on the idempotency key ignored (ADR 0014); and the access
scan's one statement for the day's ``access.ended`` (``insert_access_ends``).

Used where the host's tables live in the plugin's database (the sandbox LMS; an Open edX LMS whose
backend returns a queryset). The key and the payload are those ``scans._streamed_events`` builds in
Python — ``last_activity_at`` is written as Python's ``isoformat()`` of the UTC instant — so both
paths record the same events. One SQL dialect per supported database; any other database takes the
streamed path.
"""
from django.db import connection
from django.db.models.constants import OnConflict

from .models import Event

VENDORS = ("postgresql", "mysql", "sqlite")
#: Per dialect: the sortable form of the instant ``{x}``, its UTC date, its ISO text, a JSON object
#: of the ``{pairs}``, the concatenation / truncation of ``{parts}``, and the clause that keeps the
#: database from merging the host's query into the insert (merged, its per-enrolment subquery would
#: run once per reference and per threshold instead of once per enrolment).
DIALECTS = {
    "postgresql": {
        "sortable": "{x}",
        "date": "to_char({x} AT TIME ZONE 'UTC', 'YYYY-MM-DD')",
        "iso": ("to_char({x} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS') || CASE WHEN date_trunc('second', {x}) "
                "= {x} THEN '' ELSE to_char({x} AT TIME ZONE 'UTC', '.US') END || '+00:00'"),
        "json": "jsonb_build_object({pairs})",
        "fence": "OFFSET 0",
        "key": "left({parts}, 255)",
        "join": " || ",
    },
    "mysql": {
        "sortable": "{x}",
        "date": "DATE_FORMAT({x}, '%%Y-%%m-%%d')",
        "iso": ("CONCAT(DATE_FORMAT({x}, '%%Y-%%m-%%dT%%H:%%i:%%s'), IF(MICROSECOND({x}) = 0, '', "
                "CONCAT('.', LPAD(MICROSECOND({x}), 6, '0'))), '+00:00')"),
        "json": "JSON_OBJECT({pairs})",
        "fence": "LIMIT 18446744073709551615",
        "key": "LEFT(CONCAT({parts}), 255)",
        "join": ", ",
    },
    "sqlite": {
        # Django stores instants as text ('YYYY-MM-DD HH:MM:SS[.ffffff]'); a cast date reads
        # 'YYYY-MM-DD HH:MM:SS.SSS'. Compared in one normalised form, written as Python writes them.
        "sortable": "strftime('%%Y-%%m-%%d %%H:%%M:%%f', {x})",
        "date": "substr({x}, 1, 10)",
        "iso": ("substr({x}, 1, 10) || 'T' || substr({x}, 12, 8) || CASE WHEN CAST(substr({x}, 21) AS INTEGER) <> 0 "
                "THEN '.' || substr(substr({x}, 21) || '000000', 1, 6) ELSE '' END || '+00:00'"),
        "json": "json_object({pairs})",
        "fence": "LIMIT -1 OFFSET 0",
        "key": "substr({parts}, 1, 255)",
        "join": " || ",
    },
}


def supported():
    return connection.vendor in VENDORS


def insert_events(source, windows, *, now, stamp):
    """Insert the events of ``source`` (a queryset with values ``user_id``, ``course_key``,
    ``last_activity_at``) whose last activity lies in a threshold's window; one statement."""
    dialect = DIALECTS[connection.vendor]
    last = "a.last_activity_at"
    sortable = dialect["sortable"].format(x=last)
    conditions, window_params = [], []
    for days, after, upto in windows:
        condition = f"(t.days = {int(days)} AND {sortable} <= %s"
        window_params.append(_sortable_param(upto))
        if after is not None:
            condition += f" AND {sortable} > %s"
            window_params.append(_sortable_param(after))
        conditions.append(condition + ")")
    days_table = " UNION ALL ".join(f"SELECT {int(days)} AS days" for days, _after, _upto in windows)
    return _insert(
        "activity.inactive", source, now=now, stamp=stamp,
        key=("'inactive:'", "a.user_id", "':'", "a.course_key", "':'", "t.days", "':'", dialect["date"].format(x=last)),
        payload=("'user_id', a.user_id", "'course_key', a.course_key", "'days', t.days",
                 "'last_activity_at', " + dialect["iso"].format(x=last)),
        names=("user_id", "course_key", "last_activity_at"), joins=f"CROSS JOIN ({days_table}) t",
        where=" OR ".join(conditions), where_params=window_params)


def insert_access_ends(source, *, now, stamp):
    """Insert ``access.ended`` for every end of ``source`` (a queryset with values ``user_id``,
    ``course_key``, ``mode``, ``ended_at``, ``reason``); one statement. The key and payload are
    those ``happened.access_scan`` builds in Python."""
    dialect = DIALECTS[connection.vendor]
    ended = "a.ended_at"
    return _insert(
        "access.ended", source, now=now, stamp=stamp,
        key=("'access-ended:'", "a.user_id", "':'", "a.course_key", "':'", "a.reason", "':'",
             dialect["date"].format(x=ended)),
        payload=("'user_id', a.user_id", "'course_key', a.course_key", "'reason', a.reason",
                 "'mode', COALESCE(a.mode, '')", "'ended_at', " + dialect["iso"].format(x=ended)),
        names=("user_id", "course_key", "mode", "ended_at", "reason"))


def _insert(event_type, source, *, now, stamp, key, payload, names, joins="", where="", where_params=()):
    """``INSERT … SELECT`` of one event per row of ``source`` (fenced as a derived table ``a`` whose
    columns are ``names``), conflicts on the idempotency key ignored; returns the database's row count."""
    dialect = DIALECTS[connection.vendor]
    source_sql, source_params = source.query.get_compiler(connection=connection).as_sql()
    if source.query.combinator:
        # A union's columns are named by its first part, which Django 4.2 aliases "col1", "col2"…
        # for model fields: a first part with no rows names them as the statement reads them.
        nulls = ", ".join(f"NULL AS {connection.ops.quote_name(name)}" for name in names)
        source_sql = f"SELECT {nulls} WHERE 1 = 0 UNION ALL {source_sql}"
    columns = ", ".join(connection.ops.quote_name(Event._meta.get_field(name).column) for name in (
        "event_type", "user", "payload", "occurred_at", "source", "idempotency_key", "recorded_at",
        "dispatch_status", "dispatch_note", "dispatch_attempts"))
    sql = (f"{connection.ops.insert_statement(on_conflict=OnConflict.IGNORE)} "
           f"{connection.ops.quote_name(Event._meta.db_table)} ({columns}) "
           f"SELECT %s, a.user_id, {dialect['json'].format(pairs=', '.join(payload))}, %s, %s, "
           f"{dialect['key'].format(parts=dialect['join'].join(key))}, %s, %s, '', 0 "
           f"FROM ({source_sql} {dialect['fence']}) a {joins} {f'WHERE {where}' if where else ''} "
           f"{connection.ops.on_conflict_suffix_sql([], OnConflict.IGNORE, None, None) or ''}")
    adapt = connection.ops.adapt_datetimefield_value
    params = [event_type, adapt(now), Event.SOURCE.scan, adapt(stamp), Event.DISPATCH.pending,
              *source_params, *where_params]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def _sortable_param(value):
    """An instant as the dialect compares it (SQLite: the normalised text, to the millisecond)."""
    if connection.vendor == "sqlite":
        import datetime  # pylint: disable=import-outside-toplevel

        value = value.astimezone(datetime.UTC)
        return value.strftime("%Y-%m-%d %H:%M:%S.") + f"{value.microsecond // 1000:03d}"
    return connection.ops.adapt_datetimefield_value(value)
