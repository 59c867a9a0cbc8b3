"""`python manage.py export_xlsform --output FILE [--lang fr|en] [--step N] [--survey operators]
[--plan ID]`"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from jalon.field.xlsform import form_xlsx, operators_form, step_numbered, worksheet_form
from jalon.plans.models import MAX_ID, Plan
from jalon.plans.services import DEFAULT_DEFINITION, definition_of
from jalon.worksheets.loading import latest_definition
from jalon.worksheets.schema import LANGUAGES
from jalon.worksheets.survey import bundled_survey


class Command(BaseCommand):
    help = (
        "Write an XLSForm for KoboToolbox, ODK Collect or Enketo: the whole worksheet, one step "
        "(--step), or the operators' survey (--survey operators). Labels are in French and "
        "English; --lang chooses the one the form opens in. Without --plan, the latest "
        "worksheet version; with it, the plan's own."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output", required=True, metavar="FILE", help="where to write it; - for stdout"
        )
        parser.add_argument(
            "--lang",
            choices=LANGUAGES,
            default=settings.LANGUAGE_CODE,
            help="the language the form opens in (default: %(default)s)",
        )
        parser.add_argument("--step", type=int, metavar="N", help="one step of the worksheet")
        parser.add_argument(
            "--survey", choices=["operators"], help="the operators' survey, not the worksheet"
        )
        parser.add_argument("--plan", type=int, metavar="ID", help="use this plan's worksheet")

    def handle(self, *args: Any, **options: Any) -> None:
        definition = latest_definition(DEFAULT_DEFINITION)
        plan_id = options["plan"]
        if plan_id is not None:
            plan = Plan.objects.filter(pk=plan_id).first() if 0 < plan_id < MAX_ID else None
            if plan is None:
                raise CommandError(f"No plan with id {plan_id}.")
            definition = definition_of(plan)
        language = options["lang"]
        number = options["step"]
        if options["survey"]:
            if number is not None:
                raise CommandError("--step is for the worksheet, not for the operators' survey.")
            form = operators_form(bundled_survey(), definition, language)
        else:
            step = step_numbered(definition, number) if number is not None else None
            if number is not None and step is None:
                numbers = [s.number for s in definition.steps]
                raise CommandError(
                    f"No step {number} in worksheet {definition.id} v{definition.version}: "
                    f"its steps are {numbers[0]} to {numbers[-1]}."
                )
            form = worksheet_form(definition, step, language)
        content = form_xlsx(form)
        output = options["output"]
        if output == "-":
            sys.stdout.buffer.write(content)  # bytes: the command's text stream would mangle them
            sys.stdout.buffer.flush()
            return
        try:
            Path(output).write_bytes(content)
        except OSError as error:
            raise CommandError(f"Cannot write {output}: {error.strerror}.") from error
        self.stdout.write(f"{output}: {form.form_id} version {form.settings['version']}.")
