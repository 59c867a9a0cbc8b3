"""`manage.py backup` and `restore`: a whole database out to one file and back, unchanged.

These tests run outside a test transaction (`transaction=True`), as the commands do in real use:
the backup's snapshot transaction and the restore's all-or-nothing transaction are the real ones.
"""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
import threading
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connections
from django.urls import reverse

from jalon import backups
from jalon.accounts.models import User
from jalon.backups import backed_up_models
from jalon.plans import services
from jalon.plans.demo import DEMO_USER, PASSWORD, load_demo
from jalon.plans.models import Answer, Plan, Revision

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = Path(__file__).resolve().parents[1]


def contents() -> dict[str, Any]:
    """Every row of every backed-up table as the database holds it (times to the microsecond,
    JSON values parsed), and users' groups and permissions by name, not by number."""
    rows: dict[str, Any] = {
        model._meta.label_lower: list(model._base_manager.order_by("pk").values())
        for model in backed_up_models()
    }
    rows["user permissions"] = sorted(
        User.user_permissions.through.objects.values_list("user__email", "permission__codename")
    )
    rows["user groups"] = sorted(
        User.groups.through.objects.values_list("user__email", "group__name")
    )
    rows["group permissions"] = sorted(
        Group.permissions.through.objects.values_list("group__name", "permission__codename")
    )
    return rows


@pytest.fixture
def demo() -> Plan:
    """The demo, plus a group and permissions: rows that point at permissions, which each
    database numbers its own way."""
    plan = load_demo()
    user = User.objects.get(email=DEMO_USER["email"])
    group = Group.objects.create(name="Facilitateurs")
    group.permissions.add(Permission.objects.get(codename="view_plan"))
    user.groups.add(group)
    user.user_permissions.add(Permission.objects.get(codename="change_plan"))
    return plan


def backup(path: Path) -> None:
    call_command("backup", str(path), stdout=StringIO())


def restore(path: Path, **options: Any) -> str:
    out = StringIO()
    call_command("restore", str(path), stdout=out, **options)
    return out.getvalue()


def fresh_database() -> None:
    """As after `migrate` on a new database: no rows, and permissions numbered differently."""
    call_command("flush", interactive=False, verbosity=0)
    permission = Permission.objects.get(codename="change_plan")
    permission.delete()
    Permission.objects.create(
        codename=permission.codename, name=permission.name, content_type=permission.content_type
    )
    assert not User.objects.exists()


def test_a_backup_restores_every_table_onto_a_fresh_database(demo, tmp_path, client):
    before = contents()
    path = tmp_path / "jalon.backup.gz"
    backup(path)
    fresh_database()

    output = restore(path)

    assert "plans.revision" in output
    assert contents() == before
    login = client.post(reverse("login"), {"username": DEMO_USER["email"], "password": PASSWORD})
    assert (login.status_code, login.url) == (302, reverse("home"))
    assert client.get(reverse("plan_overview", args=[demo.pk])).status_code == 200
    # New rows are numbered after the restored ones (PostgreSQL's sequences were moved on).
    services.answer_save(
        plan=demo,
        user=User.objects.get(email=DEMO_USER["email"]),
        item_id="competences",
        raw="Après la restauration",
        base_version=None,
    )
    newest = Revision.objects.order_by("-pk").first()
    assert newest is not None and newest.after == "Après la restauration"
    assert newest.pk == max(r["id"] for r in before["plans.revision"]) + 1


def test_restore_refuses_a_database_that_holds_data_unless_forced(demo, tmp_path, client):
    before = contents()
    path = tmp_path / "jalon.backup.gz"
    backup(path)
    services.answer_save(
        plan=demo,
        user=User.objects.get(email=DEMO_USER["email"]),
        item_id="competences",
        raw="Écrit après la sauvegarde",
        base_version=None,
    )
    client.force_login(User.objects.get(email=DEMO_USER["email"]))
    changed = contents()

    with pytest.raises(CommandError, match="not empty"):
        restore(path)
    assert contents() == changed

    restore(path, force=True)
    assert contents() == before
    # Everyone is logged out: a session names a user by a number that may now be someone else's.
    response = client.get(reverse("plan_overview", args=[demo.pk]))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_a_backup_is_one_moment_and_does_not_hold_up_saves(demo, tmp_path, monkeypatch):
    """A save made by someone else while the backup is being written goes through at once, and
    is not in the backup, which shows the database as it was when it began."""
    before = contents()
    saves: list[object] = []

    def save_meanwhile() -> None:
        try:
            saves.append(
                services.answer_save(
                    plan=demo,
                    user=User.objects.get(email=DEMO_USER["email"]),
                    item_id="competences",
                    raw="Écrit pendant la sauvegarde",
                    base_version=None,
                )
            )
        except Exception as error:  # reported by the assertion below
            saves.append(error)
        finally:
            connections.close_all()

    write_tables = backups._Serializer.start_serialization

    def start_serialization(self: Any) -> None:
        if not saves:  # while the first table is being written
            other = threading.Thread(target=save_meanwhile)
            other.start()
            other.join(timeout=60)
        write_tables(self)

    monkeypatch.setattr(backups._Serializer, "start_serialization", start_serialization)
    path = tmp_path / "jalon.backup.gz"
    backup(path)

    assert [type(save).__name__ for save in saves] == ["Saved"]
    assert Answer.objects.get(plan=demo, item_id="competences").value == (
        "Écrit pendant la sauvegarde"
    )
    fresh_database()
    restore(path)
    assert contents() == before


def _lines(path: Path) -> list[str]:
    with gzip.open(path, "rt", encoding="utf-8") as backup_file:
        return backup_file.read().splitlines(keepends=True)


def _damage(path: Path, how: str) -> None:
    data = path.read_bytes()
    if how == "cut short":  # a copy interrupted half-way
        path.write_bytes(data[: len(data) // 2])
    elif how == "garbled":  # bytes changed in the middle
        middle = len(data) // 2
        path.write_bytes(data[:middle] + bytes(b ^ 0x5A for b in data[middle : middle + 64]))
    elif how == "last lines lost":  # decompressed for a look, and saved without its end
        path.write_text("".join(_lines(path)[:-5]), encoding="utf-8")
    elif how == "not a backup":
        path.write_text('{"model": "plans.plan", "pk": 1, "fields": {}}\n', encoding="utf-8")


@pytest.mark.parametrize(
    ("how", "message"),
    [
        ("cut short", "is truncated"),
        ("garbled", r"is (damaged|truncated)"),
        ("last lines lost", "is truncated: its end line is missing"),
        ("not a backup", "is not a Jalon backup"),
    ],
)
def test_a_damaged_backup_is_refused_and_nothing_is_written(demo, tmp_path, how, message):
    path = tmp_path / "jalon.backup.gz"
    backup(path)
    _damage(path, how)
    fresh_database()
    empty = contents()

    with pytest.raises(CommandError, match=message):
        restore(path)
    assert contents() == empty


def test_a_row_that_cannot_be_written_undoes_the_whole_restore(demo, tmp_path):
    """The file is well formed, but one record repeats another's uid: the database refuses it
    at the end, after every other row was written, and none of them stays."""
    path = tmp_path / "jalon.backup.jsonl"
    backup(tmp_path / "source.gz")
    lines = _lines(tmp_path / "source.gz")
    at = next(i for i, line in enumerate(lines) if '"model": "plans.record"' in line)
    twin = json.loads(lines[at])
    twin["pk"] = 10_000
    lines.insert(len(lines) - 1, json.dumps(twin) + "\n")
    trailer = json.loads(lines[-1])
    trailer["counts"]["plans.record"] += 1
    lines[-1] = json.dumps(trailer) + "\n"
    path.write_text("".join(lines), encoding="utf-8")
    fresh_database()
    empty = contents()

    with pytest.raises(CommandError, match=r"could not be written.*Nothing was restored"):
        restore(path)
    assert contents() == empty


def test_a_backup_from_another_schema_is_refused(demo, tmp_path):
    source, path = tmp_path / "source.gz", tmp_path / "jalon.backup.jsonl"
    backup(source)
    lines = _lines(source)
    header = json.loads(lines[0])
    header["migrations"]["plans"].append("9999_from_the_future")
    lines[0] = json.dumps(header) + "\n"
    path.write_text("".join(lines), encoding="utf-8")
    fresh_database()

    with pytest.raises(CommandError, match="9999_from_the_future"):
        restore(path)
    assert not User.objects.exists()


def test_a_backup_goes_through_a_sqlite_file_and_back(demo, tmp_path):
    """Restored into a new SQLite database by the commands, backed up from it, and restored
    here again, unchanged. In CI's PostgreSQL pass, that is PostgreSQL → SQLite → PostgreSQL."""
    before = contents()
    there, back = tmp_path / "there.gz", tmp_path / "back.gz"
    backup(there)
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "JALON_DB_PATH"}}
    env["JALON_DB_PATH"] = str(tmp_path / "other.sqlite3")
    # One process for the three commands: what a person would run one after the other.
    commands = (
        "import django; django.setup(); from django.core.management import call_command; "
        f"call_command('migrate', verbosity=0); call_command('restore', {str(there)!r}); "
        f"call_command('backup', {str(back)!r})"
    )
    done = subprocess.run(  # noqa: S603 — our own interpreter and commands
        [sys.executable, "-c", commands],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "jalon.settings"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    fresh_database()

    restore(back)
    assert contents() == before
