"""The plugin's schema on the running database (MariaDB and PostgreSQL in `make test-services`).

Migrations apply (and reverse), and the unique keys the engine relies on for exactly-once behaviour
hold in the database itself, not just in Python.
"""
import datetime
import os

import dj_database_url
import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from lms_automations.models import Automation, Event, LearnerEntry, LearnerTag, PointsEntry

from .support import SERVICES

pytestmark = SERVICES
NOW = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)


def make_event(user, key, **fields):
    return Event(event_type="custom.signup", user=user, payload=fields.pop("payload", {}), occurred_at=NOW,
                 source=Event.SOURCE.api, idempotency_key=key, **fields)


def test_the_suite_runs_on_the_database_named_by_database_url(server_database, settings):
    configured = dj_database_url.parse(os.environ["DATABASE_URL"])
    assert settings.DATABASES["default"]["ENGINE"] == configured["ENGINE"]
    assert connection.settings_dict["NAME"] == f"test_{configured['NAME']}" or \
        connection.settings_dict["NAME"].startswith(f"test_{configured['NAME']}_gw")  # xdist's per-worker databases


@pytest.mark.django_db
def test_every_migration_is_applied_and_the_models_need_no_new_one():
    executor = MigrationExecutor(connection)
    assert executor.migration_plan(executor.loader.graph.leaf_nodes()) == []
    call_command("makemigrations", "lms_automations", "--check", "--dry-run", verbosity=0)


@pytest.mark.django_db(transaction=True)
def test_the_plugin_migrations_reverse_and_apply_again(server_database):
    call_command("migrate", "lms_automations", "zero", verbosity=0)
    assert "lms_automations_event" not in connection.introspection.table_names()
    call_command("migrate", "lms_automations", verbosity=0)
    assert "lms_automations_event" in connection.introspection.table_names()


@pytest.mark.django_db
def test_the_database_has_the_unique_key_on_event_idempotency_key():
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, Event._meta.db_table)
    assert any(c["unique"] and c["columns"] == ["idempotency_key"] for c in constraints.values()), constraints


@pytest.mark.django_db
def test_a_duplicate_event_key_is_ignored_by_bulk_create_and_refused_by_insert(django_user_model):
    ada = django_user_model.objects.create(username="ada")
    Event.objects.bulk_create([make_event(ada, "dup-1"), make_event(ada, "dup-1"), make_event(ada, "other")],
                              ignore_conflicts=True)
    Event.objects.bulk_create([make_event(ada, "dup-1")], ignore_conflicts=True)
    assert Event.objects.filter(idempotency_key="dup-1").count() == 1
    assert Event.objects.count() == 2

    with pytest.raises(IntegrityError), transaction.atomic():
        make_event(ada, "dup-1").save()
    assert Event.objects.filter(idempotency_key="dup-1").count() == 1


@pytest.mark.django_db
def test_one_learner_entry_per_automation_and_learner(django_user_model):
    ada = django_user_model.objects.create(username="ada")
    automation = Automation.objects.create(name="Welcome")
    LearnerEntry.objects.create(automation=automation, user=ada)
    with pytest.raises(IntegrityError), transaction.atomic():
        LearnerEntry.objects.create(automation=automation, user=ada)
    assert LearnerEntry.objects.filter(automation=automation, user=ada).count() == 1


@pytest.mark.django_db
def test_points_keys_are_unique_but_entries_without_a_key_are_not(django_user_model):
    ada = django_user_model.objects.create(username="ada")
    PointsEntry.objects.create(user=ada, amount=5, idempotency_key=None)
    PointsEntry.objects.create(user=ada, amount=5, idempotency_key=None)
    PointsEntry.objects.create(user=ada, amount=10, idempotency_key="award-1")
    with pytest.raises(IntegrityError), transaction.atomic():
        PointsEntry.objects.create(user=ada, amount=10, idempotency_key="award-1")
    assert sorted(PointsEntry.objects.values_list("amount", flat=True)) == [5, 5, 10]


@pytest.mark.django_db
def test_text_outside_the_basic_plane_round_trips(django_user_model):
    """MySQL's utf8 is three bytes a character: the sandbox asks for utf8mb4, and emoji must survive."""
    ada = django_user_model.objects.create(username="ada")
    tag = LearnerTag.objects.create(user=ada, tag="🎓 graduate")
    event = make_event(ada, "emoji-1", payload={"title": "Week 1 🚀"}, dispatch_note="ok ✅")
    event.save()
    assert LearnerTag.objects.get(pk=tag.pk).tag == "🎓 graduate"
    stored = Event.objects.get(pk=event.pk)
    assert stored.payload == {"title": "Week 1 🚀"} and stored.dispatch_note == "ok ✅"


@pytest.mark.django_db
def test_the_database_supports_what_the_tick_relies_on(server_database):
    """Claiming due rows uses SELECT … FOR UPDATE SKIP LOCKED (MariaDB ≥ 10.6, MySQL 8, PostgreSQL)."""
    assert connection.features.has_select_for_update_skip_locked
    with transaction.atomic():
        list(Event.objects.select_for_update(skip_locked=True).filter(recorded_at__lte=timezone.now()))
