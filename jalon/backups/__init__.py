"""Backups: the whole database as one portable file, and back (`manage.py backup` / `restore`).

The file is gzip-compressed JSON Lines:

    line 1    header   {"jalon_backup": 1, "created": …, "engine": …, "migrations": …, "models": …}
    then      one line per row, in Django's serialisation: {"model", "pk", "fields"}
    last      trailer  {"jalon_backup_end": true, "counts": {model: rows}}

Why this rather than a copy of the SQLite file (its online backup API):

- it restores onto either engine and across them: a municipality that outgrows SQLite moves to
  PostgreSQL, or a small host goes back to SQLite, with one backup and one restore;
- it keeps every primary key and record uid, so links, exports and imports made before still
  point at the same plans and records;
- gzip's checksum and the trailer's counts tell a truncated or damaged file before anything is
  written, and `zcat` shows it to a person when something must be recovered by hand.

Its cost is speed on very large databases, which Jalon's are not (a plan is a few hundred rows).

Consistency: every row is read in one transaction that sees the database as of one moment:
REPEATABLE READ, READ ONLY on PostgreSQL; on SQLite a deferred transaction, which in WAL mode
reads one snapshot without taking the write lock, so autosaves go on during a backup.

What is in it: every table of Jalon's own apps (users with their password hashes, municipalities,
memberships, plans, answers, records, revisions, and the tables added later) and auth groups. Not
in it: content types and permissions, which `migrate` creates (rows that point at them do so by
natural key, because each database numbers them its own way), and sessions: a restore logs
everyone out, since a session names its user by a number that must not carry over.

A restore first reads the whole file (frame, counts, migrations, every value), then writes in one
transaction: all or nothing. It refuses a database that holds data unless told to replace it.
"""

from __future__ import annotations

import datetime
import gzip
import json
import os
import zlib
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.cache import caches
from django.core.management.color import no_style
from django.core.serializers.base import DeserializationError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.serializers.jsonl import Serializer as JSONLinesSerializer
from django.core.serializers.python import Deserializer as PythonDeserializer
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, models, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

FORMAT = 1
GZIP_MAGIC = b"\x1f\x8b"
# Numbered differently in each database by `migrate`: referred to by natural key instead.
BY_NATURAL_KEY = {"contenttypes.contenttype", "auth.permission"}


class BackupError(Exception):
    """The backup cannot be written or restored; the message says why, for a person."""


def backed_up_models() -> list[type[models.Model]]:
    """Every concrete table of Jalon's apps, and auth groups, in the registry's order."""
    chosen = [apps.get_model("auth", "Group")]
    for config in apps.get_app_configs():
        if config.name.startswith("jalon."):
            chosen += [m for m in config.get_models() if not m._meta.proxy and m._meta.managed]
    return chosen


def _label(model: type[models.Model]) -> str:
    return model._meta.label_lower


class _ExactEncoder(DjangoJSONEncoder):
    """Times to the microsecond: Django's encoder cuts them to the millisecond, which would make
    a restored database differ from the one backed up."""

    def default(self, o: Any) -> Any:
        if isinstance(o, datetime.datetime | datetime.time):
            return o.isoformat()
        return super().default(o)


class _Serializer(JSONLinesSerializer):
    """Django's JSON Lines, with primary keys everywhere except towards content types and
    permissions (see BY_NATURAL_KEY); counts the rows it writes."""

    rows = 0

    def handle_fk_field(self, obj: Any, field: Any) -> None:
        self.use_natural_foreign_keys = _label(field.remote_field.model) in BY_NATURAL_KEY
        super().handle_fk_field(obj, field)

    def handle_m2m_field(self, obj: Any, field: Any) -> None:
        self.use_natural_foreign_keys = _label(field.remote_field.model) in BY_NATURAL_KEY
        super().handle_m2m_field(obj, field)

    def end_object(self, obj: Any) -> None:
        super().end_object(obj)
        self.rows += 1


@contextmanager
def _snapshot(connection: BaseDatabaseWrapper) -> Iterator[None]:
    """One transaction that reads the whole database as of one moment, without blocking writers."""
    outermost = not connection.in_atomic_block
    if connection.vendor == "sqlite" and outermost:
        # Jalon's SQLite connections begin IMMEDIATE transactions, which take the write lock:
        # a deferred one only reads, and in WAL mode keeps one snapshot until it ends.
        connection.ensure_connection()
        mode = connection.transaction_mode  # type: ignore[attr-defined]
        connection.transaction_mode = "DEFERRED"  # type: ignore[attr-defined]
        try:
            with transaction.atomic(using=connection.alias):
                yield
        finally:
            connection.transaction_mode = mode  # type: ignore[attr-defined]
        return
    with transaction.atomic(using=connection.alias):
        if connection.vendor == "postgresql" and outermost:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield


def _applied_migrations(
    connection: BaseDatabaseWrapper, app_labels: set[str]
) -> dict[str, list[str]]:
    applied = MigrationRecorder(connection).applied_migrations()
    return {
        app: sorted(name for label, name in applied if label == app) for app in sorted(app_labels)
    }


def backup_write(path: Path, *, using: str = DEFAULT_DB_ALIAS) -> dict[str, int]:
    """Write the whole database to `path`; return the number of rows of each table.

    The file appears under its name only once complete: it is written next to it first."""
    connection = connections[using]
    chosen = backed_up_models()
    partial = path.with_name(path.name + ".partial")
    counts: dict[str, int] = {}
    try:
        with (
            _snapshot(connection),
            gzip.open(partial, "wt", encoding="utf-8", newline="\n", compresslevel=6) as out,
        ):
            header = {
                "jalon_backup": FORMAT,
                "created": timezone.now().isoformat(),
                "engine": connection.vendor,
                "migrations": _applied_migrations(connection, {m._meta.app_label for m in chosen}),
                "models": [_label(m) for m in chosen],
            }
            out.write(json.dumps(header, ensure_ascii=False) + "\n")
            for model in chosen:
                rows = model._base_manager.using(using).order_by("pk")
                many = [f.name for f in model._meta.many_to_many]
                if many:
                    rows = rows.prefetch_related(*many)
                serializer = _Serializer()
                serializer.serialize(rows.iterator(chunk_size=2000), stream=out, cls=_ExactEncoder)
                counts[_label(model)] = serializer.rows
            out.write(json.dumps({"jalon_backup_end": True, "counts": counts}) + "\n")
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return counts


def _lines(path: Path) -> Iterator[tuple[int, Any]]:
    """Each line of the file, numbered from 1 and parsed; a problem with the file as a whole
    (missing, truncated, corrupted) becomes a BackupError that says so."""
    try:
        with path.open("rb") as raw:
            compressed = raw.read(2) == GZIP_MAGIC
        opener = gzip.open if compressed else open
        with opener(path, "rt", encoding="utf-8", newline="\n") as stream:
            for number, line in enumerate(stream, start=1):
                try:
                    yield number, json.loads(line)
                except ValueError:
                    raise BackupError(
                        f"{path}: line {number} is not valid JSON; the file is damaged or is not "
                        "a Jalon backup."
                    ) from None
    except FileNotFoundError:
        raise BackupError(f"{path}: no such file.") from None
    except EOFError:
        raise BackupError(
            f"{path} is truncated: the compressed data stops before its end marker. Nothing "
            "was restored from it; use a complete copy."
        ) from None
    except (gzip.BadGzipFile, zlib.error, UnicodeDecodeError) as error:
        raise BackupError(f"{path} is damaged ({error}). Use another copy.") from None
    except OSError as error:  # a directory, no permission…
        raise BackupError(f"{path}: {error.strerror or error}.") from None


def _header(path: Path) -> dict[str, Any]:
    for _number, header in _lines(path):
        if not isinstance(header, dict) or "jalon_backup" not in header:
            break
        if header["jalon_backup"] != FORMAT:
            raise BackupError(
                f"{path} is a Jalon backup of format {header['jalon_backup']}; this version of "
                f"Jalon reads format {FORMAT}."
            )
        return header
    raise BackupError(f"{path} is not a Jalon backup: its first line is not a backup header.")


class _Rows:
    """The rows of a backup file, in order, checking its frame as it goes: known tables only,
    an end line last, and as many rows of each table as the end line says. `line` is the line
    being read, for messages."""

    def __init__(self, path: Path, known: set[str]) -> None:
        self.path = path
        self.known = known
        self.line = 0

    def __iter__(self) -> Iterator[dict[str, Any]]:
        counts: Counter[str] = Counter()
        trailer: dict[str, Any] | None = None
        for number, data in _lines(self.path):
            self.line = number
            if number == 1:
                continue  # the header, read by _header
            if trailer is not None:
                raise BackupError(f"{self.path}: line {number} comes after the end line.")
            if isinstance(data, dict) and data.get("jalon_backup_end") is True:
                trailer = data
                continue
            if not isinstance(data, dict) or data.get("model") not in self.known:
                model = data.get("model") if isinstance(data, dict) else None
                raise BackupError(f"{self.path}: line {number} is not a row of Jalon ({model!r}).")
            counts[data["model"]] += 1
            yield data
        if trailer is None:
            raise BackupError(
                f"{self.path} is truncated: its end line is missing (last line read: "
                f"{self.line}). Nothing was restored from it; use a complete copy."
            )
        expected = {label: n for label, n in trailer.get("counts", {}).items() if n}
        if expected != dict(counts):
            raise BackupError(
                f"{self.path} is damaged: its end line announces {expected} rows, the file "
                f"holds {dict(counts)}."
            )


def _objects(rows: _Rows, using: str) -> Iterator[Any]:
    """Model instances from the rows; a value a field cannot take is a BackupError."""
    try:
        yield from PythonDeserializer(rows, using=using)
    except BackupError:
        raise
    except (DeserializationError, LookupError, TypeError, ValueError, AttributeError) as error:
        # What a row with a wrong shape or value makes the deserializer raise.
        raise BackupError(f"{rows.path}: line {rows.line}: {error!r}") from None


def _check_migrations(header: dict[str, Any], connection: BaseDatabaseWrapper) -> None:
    """Rows fit a database whose tables are those the backup was made from."""
    made_at: dict[str, list[str]] = header.get("migrations", {})
    here = _applied_migrations(connection, set(made_at))
    for app, names in made_at.items():
        if names and not here[app]:
            raise BackupError(
                f"This database has no tables for '{app}' yet: run `manage.py migrate` first."
            )
        if here[app] != names:
            raise BackupError(
                f"The backup was made from a database at migration {names[-1] if names else None}"
                f" of '{app}'; this one is at {here[app][-1] if here[app] else None}. Restore "
                "onto a database migrated to the backup's point (`manage.py migrate`, with the "
                "version of Jalon that made the backup), then upgrade."
            )


def backup_check(path: Path, *, using: str = DEFAULT_DB_ALIAS) -> dict[str, Any]:
    """Read the whole backup without writing: its frame, its migrations against this database,
    and every value. Return its header; raise BackupError with the first problem found."""
    header = _header(path)
    known = {_label(m) for m in backed_up_models()}
    unknown = set(header.get("models", [])) - known
    if unknown:
        raise BackupError(f"{path} holds tables this version of Jalon does not have: {unknown}.")
    _check_migrations(header, connections[using])
    for _object in _objects(_Rows(path, known), using):
        pass
    return header


def _rows_held(chosen: list[type[models.Model]], using: str) -> dict[str, int]:
    return {_label(m): n for m in chosen if (n := m._base_manager.using(using).count())}


def _rows_text(counts: dict[str, int]) -> str:
    return ", ".join(f"{label} {n}" for label, n in counts.items())


def backup_restore(
    path: Path, *, using: str = DEFAULT_DB_ALIAS, replace: bool = False
) -> dict[str, int]:
    """Load a backup into this database, all or nothing; return the rows restored per table.

    The database must hold none of the backed-up tables' rows, unless `replace` is True: then
    they are all deleted first, in the same transaction."""
    backup_check(path, using=using)
    connection = connections[using]
    chosen = backed_up_models()
    restored: Counter[str] = Counter()
    rows = _Rows(path, {_label(m) for m in chosen})
    try:
        with transaction.atomic(using=using):
            held = _rows_held(chosen, using)
            if held and not replace:
                raise BackupError(
                    f"This database is not empty ({_rows_text(held)}): restoring would mix two "
                    "databases. Restore onto an empty, migrated database, or use --force to "
                    "replace everything in this one."
                )
            for model in reversed(chosen):
                model._base_manager.using(using).all().delete()
            if apps.is_installed("django.contrib.sessions"):
                apps.get_model("sessions", "Session")._base_manager.using(using).all().delete()
                # This process's copies too (jalon/sessions.py); servers are stopped meanwhile.
                caches[settings.SESSION_CACHE_ALIAS].clear()
            for deserialized in _objects(rows, using):
                deserialized.save(using=using, force_insert=True)
                restored[_label(type(deserialized.object))] += 1
            connection.check_constraints(table_names=[m._meta.db_table for m in chosen])
            # Rows came with their primary keys: PostgreSQL's sequences must start after them.
            with connection.cursor() as cursor:
                for sql in connection.ops.sequence_reset_sql(no_style(), chosen):
                    cursor.execute(sql)
    except DatabaseError as error:
        reason = " ".join(str(error).split())  # PostgreSQL's messages span several lines
        raise BackupError(
            f"{path}: line {rows.line} could not be written ({reason}). Nothing was restored."
        ) from None
    return dict(restored)
