from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from jalon.backups import BackupError, backup_restore


class Command(BaseCommand):
    help = (
        "Load a backup made by `backup` into this database, all or nothing, after checking the "
        "whole file. The database must be migrated and empty, unless --force. Stop the server "
        "first: a restore logs everyone out."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", metavar="FILE", type=Path)
        parser.add_argument(
            "--force",
            action="store_true",
            help="Replace everything this database holds with the backup's content.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            counts = backup_restore(options["file"], replace=options["force"])
        except BackupError as error:
            raise CommandError(str(error)) from None
        rows = ", ".join(f"{label} {n}" for label, n in counts.items())
        self.stdout.write(self.style.SUCCESS(f"Restored from {options['file']}: {rows}."))
