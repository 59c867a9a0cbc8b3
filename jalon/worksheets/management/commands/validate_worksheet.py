from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import ngettext

from jalon.worksheets.loading import DefinitionError, load_definition
from jalon.worksheets.rules import rules_beside


class Command(BaseCommand):
    help = (
        "Validate a worksheet definition file and the consistency rules beside it; prints its id, "
        "version, hash and size and how many rules it holds, or the error."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+", metavar="FILE")

    def handle(self, *args: Any, **options: Any) -> None:
        for path in options["files"]:
            try:
                definition = load_definition(path)
                rule_sets = rules_beside(definition, Path(path).parent)
            except DefinitionError as error:  # a RulesError too: file, rule and reason
                raise CommandError(str(error)) from None
            items = definition.items
            self.stdout.write(
                f"{path}: {definition.id} v{definition.version} is valid — "
                f"{len(definition.steps)} steps, {len(items)} items, sha256 {definition.hash[:12]}"
            )
            for rule_set in rule_sets:
                count = len(rule_set.rules)
                self.stdout.write(
                    f"{rule_set.path}: "
                    + ngettext("%(count)d rule", "%(count)d rules", count) % {"count": count}
                )
