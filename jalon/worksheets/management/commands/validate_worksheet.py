from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from jalon.worksheets.loading import DefinitionError, load_definition


class Command(BaseCommand):
    help = (
        "Validate a worksheet definition file; prints its id, version, hash and size, or the error."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+", metavar="FILE")

    def handle(self, *args: Any, **options: Any) -> None:
        for path in options["files"]:
            try:
                definition = load_definition(path)
            except DefinitionError as error:
                raise CommandError(str(error)) from None
            items = definition.items
            self.stdout.write(
                f"{path}: {definition.id} v{definition.version} is valid — "
                f"{len(definition.steps)} steps, {len(items)} items, sha256 {definition.hash[:12]}"
            )
