from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from jalon.backups import backup_write


class Command(BaseCommand):
    help = (
        "Write the whole database to FILE (gzip-compressed JSON Lines): a consistent snapshot, "
        "taken while the server keeps running, that `restore` loads into an empty database of "
        "either engine (SQLite or PostgreSQL)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", metavar="FILE", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            counts = backup_write(options["file"])
        except OSError as error:
            raise CommandError(f"Cannot write {options['file']}: {error.strerror}.") from None
        rows = ", ".join(f"{label} {n}" for label, n in counts.items() if n)
        self.stdout.write(self.style.SUCCESS(f"Backup written to {options['file']}: {rows}."))
