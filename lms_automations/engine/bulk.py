"""Updating many rows with different values in one statement, without the ORM's per-row expressions.

Django's ``bulk_update`` builds a ``Case(When(...))`` expression tree per field and row and then
resolves it: for a batch of a few hundred runs that costs more Python time than everything else
the batch does. The statement it sends is simple, so it is written here directly::

    UPDATE t SET a = CASE id WHEN 1 THEN %s WHEN 2 THEN %s END, b = %s WHERE id IN (1, 2)

A column whose value is the same in every row is set once, without a CASE. Values are prepared by
each field (``get_db_prep_save``), and cast on PostgreSQL, where a CASE of parameters has no type.
"""
from django.db import connections, router

CHUNK = 500


def update_rows(model, objects, fields):
    """Write ``fields`` of ``objects`` (saved instances of ``model``) in one statement per chunk."""
    objects = [obj for obj in objects if obj.pk is not None]
    if not objects:
        return
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    meta = model._meta
    pk_column = quote(meta.pk.column)
    cast = connection.vendor == "postgresql"
    for start in range(0, len(objects), CHUNK):
        chunk = objects[start:start + CHUNK]
        assignments, params = [], []
        for name in fields:
            field = meta.get_field(name)
            values = [field.get_db_prep_save(getattr(obj, field.attname), connection) for obj in chunk]
            placeholder = f"CAST(%s AS {field.db_type(connection)})" if cast else "%s"
            raw = [getattr(obj, field.attname) for obj in chunk]
            if all(value == raw[0] for value in raw):
                assignments.append(f"{quote(field.column)} = {placeholder}")
                params.append(values[0])
                continue
            cases = []
            for obj, value in zip(chunk, values, strict=True):
                cases.append(f"WHEN %s THEN {placeholder}")
                params.extend([obj.pk, value])
            assignments.append(f"{quote(field.column)} = CASE {pk_column} {' '.join(cases)} END")
        params.extend(obj.pk for obj in chunk)
        sql = (f"UPDATE {quote(meta.db_table)} SET {', '.join(assignments)} "
               f"WHERE {pk_column} IN ({', '.join(['%s'] * len(chunk))})")
        with connection.cursor() as cursor:
            cursor.execute(sql, params)


def insert_unless_present(instance):
    """INSERT ``instance`` unless a unique constraint says it exists; True if this call wrote it.

    One statement (``ON CONFLICT DO NOTHING`` / ``INSERT IGNORE`` / ``INSERT OR IGNORE``) where
    ``get_or_create`` costs four (SELECT, SAVEPOINT, INSERT, RELEASE); the row count tells whether
    the row is new, so two workers adding the same row at once still fire one event between them.
    The instance's primary key is not set. Any other database error propagates (inside an engine
    round: the round is done again with a savepoint around each action).
    """
    from django.db.models.constants import OnConflict  # pylint: disable=import-outside-toplevel
    from django.db.models.sql import InsertQuery  # pylint: disable=import-outside-toplevel

    model = type(instance)
    connection = connections[router.db_for_write(model)]
    query = InsertQuery(model, on_conflict=OnConflict.IGNORE)
    query.insert_values([field for field in model._meta.concrete_fields if not field.primary_key], [instance])
    ((sql, params),) = query.get_compiler(connection=connection).as_sql()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount == 1
