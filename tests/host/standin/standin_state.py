"""What the stand-in LMS holds, and a small in-memory table with the ORM calls the backend makes."""
import dataclasses

from django.db.models import Max


class Table:
    """Rows (dataclass instances) with ``filter`` / ``values_list`` / ``values`` / ``annotate`` /
    ``aggregate`` / ``first`` / ``distinct`` / slices: only the lookups the ``openedx`` backend uses (exact,
    ``__in``, ``__gt``, ``__gte``, ``__lte``)."""

    def __init__(self, rows=None):
        self.rows = list(rows or [])
        self.flat_field = None
        self.fields = None
        self.grouped = None
        self.unique = False

    def _copy(self, rows):
        copy = Table(rows)
        copy.fields, copy.flat_field, copy.grouped = self.fields, self.flat_field, self.grouped
        copy.unique = self.unique
        return copy

    def distinct(self):
        copy = self._copy(self.rows)
        copy.unique = True
        return copy

    def __getitem__(self, index):
        """Slices only (``[a:b]``), taken after ``distinct`` as in SQL."""
        assert isinstance(index, slice)
        rows = self.rows
        if self.unique:
            seen, rows = set(), []
            for row in self.rows:
                if self._shaped(row) not in seen:
                    seen.add(self._shaped(row))
                    rows.append(row)
        copy = self._copy(rows[index])
        copy.unique = False
        return copy

    @staticmethod
    def _matches(row, lookup, wanted):
        name, _, op = lookup.partition("__")
        value = getattr(row, name)
        if op == "in":
            return value in wanted
        if op == "gte":
            return value is not None and value >= wanted
        if op == "gt":
            return value is not None and value > wanted
        if op == "lte":
            return value is not None and value <= wanted
        assert not op, f"the stand-in table has no lookup {lookup!r}"
        return value == wanted

    def filter(self, **lookups):
        return self._copy([row for row in self.rows if all(self._matches(row, k, v) for k, v in lookups.items())])

    def all(self):
        return self._copy(self.rows)

    def select_related(self, *_):
        return self

    def order_by(self, *fields):
        """Sorts by the fields named (a grouped table's rows are dicts); no field: as stored."""
        if not fields:
            return self

        def key(row):
            return tuple(row[f] if isinstance(row, dict) else getattr(row, f) for f in fields)

        return self._copy(sorted(self.rows, key=key))

    def values_list(self, *fields, flat=False):
        copy = self._copy(self.rows)
        copy.fields, copy.flat_field = fields, (fields[0] if flat else None)
        return copy

    def values(self, *fields):
        copy = self._copy(self.rows)
        copy.grouped = fields
        return copy

    def annotate(self, **aggregates):
        (name, aggregate), = aggregates.items()
        assert isinstance(aggregate, Max) and self.grouped
        field = aggregate.source_expressions[0].name
        groups = {}
        for row in self.rows:
            group = tuple(getattr(row, f) for f in self.grouped)
            value = getattr(row, field)
            groups[group] = value if group not in groups else max(groups[group], value)
        return Table([{**dict(zip(self.grouped, group, strict=True)), name: value} for group, value in groups.items()])

    def aggregate(self, **aggregates):
        (name, aggregate), = aggregates.items()
        field = aggregate.source_expressions[0].name
        values = [getattr(row, field) for row in self.rows if getattr(row, field) is not None]
        return {name: max(values) if values else None}

    def _shaped(self, row):
        if self.flat_field:
            return getattr(row, self.flat_field)
        if self.fields:
            return tuple(getattr(row, f) for f in self.fields)
        return row

    def __iter__(self):
        shaped = [self._shaped(row) for row in self.rows]
        return iter(list(dict.fromkeys(shaped)) if self.unique else shaped)

    def iterator(self, chunk_size=None):  # pylint: disable=unused-argument
        return iter(self)

    def first(self):
        return self._shaped(self.rows[0]) if self.rows else None

    def exists(self):
        return bool(self.rows)


@dataclasses.dataclass
class StandinLms:
    """Everything the stand-in LMS knows, reset for each test."""

    calls: list = dataclasses.field(default_factory=list)
    raises: dict = dataclasses.field(default_factory=dict)
    enrollments: Table = dataclasses.field(default_factory=Table)
    user_attributes: Table = dataclasses.field(default_factory=Table)
    access_roles: Table = dataclasses.field(default_factory=Table)
    overviews: Table = dataclasses.field(default_factory=Table)
    activity: Table = dataclasses.field(default_factory=Table)
    grades: Table = dataclasses.field(default_factory=Table)
    certificates: dict = dataclasses.field(default_factory=dict)
    allowlist: list = dataclasses.field(default_factory=list)
    eligible: set = dataclasses.field(default_factory=set)
    cohorts: dict = dataclasses.field(default_factory=dict)
    memberships: dict = dataclasses.field(default_factory=dict)
    preferences: dict = dataclasses.field(default_factory=dict)
    structures: dict = dataclasses.field(default_factory=dict)
    due_dates: dict = dataclasses.field(default_factory=dict)
    # Every personal override written (edx-when keeps them all; the newest wins in ``due_dates``).
    user_dates: Table = dataclasses.field(default_factory=Table)
    expirations: dict = dataclasses.field(default_factory=dict)
    anonymous_ids: dict = dataclasses.field(default_factory=dict)
    extended_profiles: Table = dataclasses.field(default_factory=Table)
    extended_profile_model: object = None
    # The course waffle flag notifications.enable_notifications: {"everyone": bool, "courses": {CourseKey}}.
    notification_flags: dict = dataclasses.field(default_factory=dict)

    def record(self, name, *args, **kwargs):
        """Log a call; raise what the test asked this function to raise."""
        self.calls.append((name, args, kwargs))
        if name in self.raises:
            raise self.raises[name]

    def called(self, name):
        return [(args, kwargs) for called, args, kwargs in self.calls if called == name]


LMS = StandinLms()


def reset():
    global LMS  # pylint: disable=global-statement
    LMS = StandinLms()
    return LMS


def lms():
    return LMS
