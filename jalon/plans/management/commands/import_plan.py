from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.urls import reverse

from jalon.accounts.models import User
from jalon.organisations.models import Organisation
from jalon.plans.models import MAX_ID
from jalon.plans.plan_file import PlanFileError, parse, read_limited
from jalon.plans.services import plan_import
from jalon.worksheets.answers import AnswerError


class Command(BaseCommand):
    help = (
        "Import a plan file (Jalon's JSON export) as a new plan of a municipality. Checks the "
        "whole file first and writes nothing if anything is wrong. Prints the new plan's id."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", metavar="FILE", help="a JSON file exported from Jalon")
        parser.add_argument(
            "--organisation",
            type=int,
            required=True,
            metavar="ID",
            help="id of the municipality that receives the plan",
        )
        parser.add_argument(
            "--user",
            metavar="EMAIL",
            help="the member recorded as author of the import in the plan's history",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        try:  # the file first: a bad one is refused before anything else is looked up
            with path.open("rb") as stream:
                data = parse(read_limited(stream))
        except OSError as error:
            raise CommandError(f"{path}: cannot be read ({error.strerror}).") from None
        except PlanFileError as error:
            if len(error.messages) == 1:
                raise CommandError(f"{path}: {error.messages[0]}") from None
            raise CommandError(f"{path}:\n- " + "\n- ".join(error.messages)) from None
        organisation_id = options["organisation"]
        organisation = (
            Organisation.objects.filter(pk=organisation_id).first()
            if 0 < organisation_id < MAX_ID  # past 64 bits the query itself would fail
            else None
        )
        if organisation is None:
            raise CommandError(f"No municipality has the id {options['organisation']}.")
        user = None
        if options["user"]:
            user = User.objects.filter(email__iexact=options["user"]).first()
            if user is None or not organisation.memberships.filter(user=user).exists():
                raise CommandError(f"{options['user']} is not a member of {organisation}.")
        try:
            plan = plan_import(organisation=organisation, user=user, data=data)
        except AnswerError as error:
            raise CommandError(f"{path}: {error}") from None
        # The id alone on stdout, for scripts; the sentence for people goes to stderr.
        self.stdout.write(str(plan.pk))
        self.stderr.write(
            f"Imported « {plan.title} » into {organisation}: "
            f"{reverse('plan_overview', args=[plan.pk])}",
            style_func=str,  # not the red of errors
        )
