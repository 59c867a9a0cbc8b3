"""The checks the crash test relies on can fail: an orphan planted in the database is found, on
SQLite and on PostgreSQL, and PostgreSQL's amcheck runs on every index and table of Jalon."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import connection

from jalon.plans.models import Answer, Record
from jalon.plans.services import answer_save, record_add

from .dbstate import foreign_key_orphans, foreign_keys_checked, postgres_consistency


def test_every_foreign_key_of_every_model_is_checked():
    expected = {
        f"{model._meta.db_table}.{field.column}"
        for model in apps.get_models(include_auto_created=True)
        for field in model._meta.get_fields()
        if (field.many_to_one or field.one_to_one) and field.concrete
    }
    assert set(foreign_keys_checked()) == expected
    assert {"plans_answer.plan_id", "plans_revision.user_id"} <= expected


def test_a_whole_database_has_no_orphan(plan, people):
    answer_save(plan=plan, user=people["owner"], item_id="competences", raw="x", base_version=0)
    assert foreign_key_orphans(connection) == {}


def test_an_orphan_planted_with_constraints_deferred_is_found(plan, people):
    """Foreign keys are checked at commit (Django makes them DEFERRABLE INITIALLY DEFERRED):
    inside the test's transaction rows can name a plan and a user that do not exist."""
    answer_save(plan=plan, user=people["owner"], item_id="competences", raw="x", base_version=0)
    record_add(plan=plan, user=people["owner"], item_id="actors", raw={"name": "GIE"})
    missing = plan.pk + 1000
    with connection.cursor() as cursor:
        cursor.execute("UPDATE plans_answer SET plan_id = %s", [missing])
        cursor.execute("UPDATE plans_record SET updated_by_id = %s", [missing])
    try:
        assert foreign_key_orphans(connection) == {
            "plans_answer.plan_id": Answer.objects.count(),
            "plans_record.updated_by_id": Record.objects.count(),
        }
    finally:  # made whole again before Django checks the constraints at the test's end
        with connection.cursor() as cursor:
            cursor.execute("UPDATE plans_answer SET plan_id = %s", [plan.pk])
            cursor.execute("UPDATE plans_record SET updated_by_id = %s", [people["owner"].pk])
    assert foreign_key_orphans(connection) == {}


@pytest.mark.postgres
def test_amcheck_checks_every_index_and_table_of_jalon(plan, people):
    answer_save(plan=plan, user=people["owner"], item_id="competences", raw="x", base_version=0)
    problems, checked = postgres_consistency(connection)
    assert problems == []
    tables = {model._meta.db_table for model in apps.get_models(include_auto_created=True)}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*) FROM pg_indexes WHERE schemaname = current_schema() "
            "AND tablename = ANY(%s) AND indexdef LIKE '%%USING btree%%'",
            [sorted(tables)],
        )
        (jalon_indexes,) = cursor.fetchone()
    assert checked["tables"] >= len(tables)
    assert checked["indexes"] >= jalon_indexes > len(tables)  # a primary key each, and more
