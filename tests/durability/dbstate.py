"""Print, as JSON, what the durability tests check in a database that a server wrote to:
its contents, and whether it is whole — the engine's consistency check (SQLite's integrity_check,
PostgreSQL's amcheck) and one orphan-finding query per foreign key (foreign_key_orphans, with
SQLite's foreign_key_check as well). tests/durability/test_dbstate.py shows these checks fail.

Run as `python -m tests.durability.dbstate` with the server's environment: it reads the same
database through the same settings, on either engine.
"""

from __future__ import annotations

import json
import os
from typing import Any

import django
from django.db import DatabaseError, transaction
from django.db.backends.base.base import BaseDatabaseWrapper


def foreign_key_orphans(connection: BaseDatabaseWrapper) -> dict[str, int]:
    """Rows whose foreign key names no row, as {"table.column": count}, for every foreign key
    and one-to-one field of every model (auto-created many-to-many tables included): one query
    per key, the same on both engines. Empty when the database is whole."""
    from django.apps import apps

    quote = connection.ops.quote_name
    orphans = {}
    with connection.cursor() as cursor:
        for model in apps.get_models(include_auto_created=True):
            for field in model._meta.concrete_fields:
                related = field.related_model
                if not field.is_relation or related is None:
                    continue  # only ForeignKey and OneToOneField are concrete relations
                assert not isinstance(related, str), related  # resolved once apps are ready
                child, column = model._meta.db_table, field.column
                parent = related._meta.db_table
                target = field.target_field.column  # type: ignore[attr-defined]
                cursor.execute(
                    f"SELECT COUNT(*) FROM {quote(child)} AS child "  # noqa: S608 — names from models
                    f"WHERE child.{quote(column)} IS NOT NULL AND NOT EXISTS ("
                    f"SELECT 1 FROM {quote(parent)} AS parent "
                    f"WHERE parent.{quote(target)} = child.{quote(column)})"
                )
                (count,) = cursor.fetchone()
                if count:
                    orphans[f"{child}.{column}"] = count
    return orphans


def foreign_keys_checked() -> list[str]:
    """The "table.column" of every key foreign_key_orphans looks at."""
    from django.apps import apps

    return [
        f"{model._meta.db_table}.{field.column}"
        for model in apps.get_models(include_auto_created=True)
        for field in model._meta.concrete_fields
        if field.is_relation and field.related_model is not None
    ]


def postgres_consistency(connection: BaseDatabaseWrapper) -> tuple[list[str], dict[str, int]]:
    """PostgreSQL's own consistency checks, from contrib's amcheck: bt_index_check (with every
    heap row looked up in the index) on every B-tree index, verify_heapam on every table of the
    schema. Returns the problems found and how many indexes and tables were checked."""
    problems: list[str] = []
    with connection.cursor() as cursor:
        cursor.execute("CREATE EXTENSION IF NOT EXISTS amcheck")
        cursor.execute(
            "SELECT index.oid::regclass::text FROM pg_index AS i "
            "JOIN pg_class AS index ON index.oid = i.indexrelid "
            "JOIN pg_am AS am ON am.oid = index.relam "
            "WHERE am.amname = 'btree' AND i.indisvalid AND i.indisready "
            "AND index.relnamespace = current_schema()::regnamespace "
            "AND index.relpersistence = 'p'"
        )
        indexes = [row[0] for row in cursor.fetchall()]
        cursor.execute(
            "SELECT oid::regclass::text FROM pg_class WHERE relkind IN ('r', 'm') "
            "AND relnamespace = current_schema()::regnamespace AND relpersistence = 'p'"
        )
        tables = [row[0] for row in cursor.fetchall()]
        for index in indexes:
            # It raises on a corrupt index; the savepoint keeps the next checks running.
            try:
                with transaction.atomic(using=connection.alias):
                    cursor.execute("SELECT bt_index_check(%s::regclass, true)", [index])
            except DatabaseError as error:
                problems.append(f"index {index}: {error}")
        for table in tables:
            cursor.execute(
                "SELECT blkno, offnum, attnum, msg FROM verify_heapam(%s::regclass)", [table]
            )
            problems += [f"table {table}, block {b}, item {o}: {m}" for b, o, _a, m in cursor]
    return problems, {"indexes": len(indexes), "tables": len(tables)}


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jalon.settings")
    django.setup()
    from django.db import connection

    from jalon.plans.models import Answer, Plan, Record, Revision

    checked: dict[str, Any] = {"foreign_keys": foreign_keys_checked()}
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            integrity = [row[0] for row in cursor.execute("PRAGMA integrity_check").fetchall()]
            violations = len(cursor.execute("PRAGMA foreign_key_check").fetchall())
    else:
        problems, counts = postgres_consistency(connection)
        integrity = problems or ["ok"]  # "ok": SQLite's word for a whole database
        checked.update(counts)
        violations = 0
    orphans = foreign_key_orphans(connection)
    fields = ("plan_id", "item_id", "version", "last_client", "last_seq")
    state = {
        "integrity": integrity,
        "foreign_key_violations": violations + sum(orphans.values()),
        "orphans": orphans,
        "checked": checked,
        "plans": list(Plan.objects.order_by("pk").values_list("pk", flat=True)),
        "answers": list(Answer.objects.order_by("pk").values(*fields, "value")),
        "records": list(Record.objects.order_by("pk").values(*fields, "uid", "data")),
        "revisions": list(
            Revision.objects.order_by("pk").values(
                "plan_id", "item_id", "record_uid", "action", "before", "after", "version"
            )
        ),
    }
    print(json.dumps(state, default=str))


if __name__ == "__main__":
    main()
