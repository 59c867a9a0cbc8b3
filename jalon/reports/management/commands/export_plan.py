"""`python manage.py export_plan PLAN_ID --format pdf --output FILE [--lang fr|en]`"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from jalon.plans.models import MAX_ID, Plan
from jalon.reports.formats import FORMATS, LANGUAGES


class Command(BaseCommand):
    help = (
        "Export a plan as PDF, DOCX, XLSX, CSV (a zip of tables) or JSON (its data, to keep or "
        "import elsewhere), in French or English."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("plan", type=int, metavar="PLAN_ID", help="id of the plan")
        parser.add_argument("--format", required=True, choices=sorted(FORMATS), dest="format_code")
        parser.add_argument(
            "--output", required=True, metavar="FILE", help="where to write it; - for stdout"
        )
        parser.add_argument(
            "--lang",
            choices=LANGUAGES,
            default=settings.LANGUAGE_CODE,
            help="language of the document (default: %(default)s); JSON is the same in both",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        plan_id = options["plan"]
        plan = (
            Plan.objects.select_related("organisation").filter(pk=plan_id).first()
            if 0 < plan_id < MAX_ID  # past 64 bits the query itself would fail
            else None
        )
        if plan is None:
            raise CommandError(f"No plan with id {plan_id}.")
        try:
            content = FORMATS[options["format_code"]].build(plan, options["lang"])
        except Exception as error:  # a builder's failure on this plan's data: say it in one line
            raise CommandError(
                f"Could not build the {options['format_code'].upper()} of plan {plan_id}: "
                f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"
            ) from None
        output = options["output"]
        if output == "-":
            sys.stdout.buffer.write(content)  # bytes: the command's text stream would mangle them
            sys.stdout.buffer.flush()
            return
        try:
            Path(output).write_bytes(content)
        except OSError as error:
            raise CommandError(f"Cannot write {output}: {error.strerror}.") from error
        self.stdout.write(f"{output}: {len(content):,} bytes.")
