"""Print, as JSON, what the durability tests check in a database that a server wrote to.

Run as `python -m tests.durability.dbstate` with the server's environment: it reads the same
database through the same settings, on either engine.
"""

from __future__ import annotations

import json
import os

import django


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jalon.settings")
    django.setup()
    from django.db import connection

    from jalon.plans.models import Answer, Plan, Record, Revision

    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            integrity = [row[0] for row in cursor.execute("PRAGMA integrity_check").fetchall()]
            foreign_keys = cursor.execute("PRAGMA foreign_key_check").fetchall()
    else:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            integrity = ["ok"] if cursor.fetchone() == (1,) else ["no answer"]
        foreign_keys = []
    fields = ("plan_id", "item_id", "version", "last_client", "last_seq")
    state = {
        "integrity": integrity,
        "foreign_key_violations": len(foreign_keys),
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
