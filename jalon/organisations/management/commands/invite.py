from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.validators import validate_email
from django.forms import ValidationError
from django.utils import translation

from jalon.accounts.models import User
from jalon.organisations import services
from jalon.organisations.models import Organisation, Role

# Ids are 64-bit integers (jalon.plans.models.MAX_ID, a room above this one): a larger number
# names nothing and would fail in the query itself.
MAX_ID = 2**63


class Command(BaseCommand):
    help = (
        "Invite an e-mail address to a municipality with a role. Sends the invitation e-mail and "
        "prints the link on the last line, to pass on by other means where there is no e-mail. "
        "Without --by, the invitation is made in the name of the municipality's first owner."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email", metavar="EMAIL", help="the address to invite")
        parser.add_argument(
            "--organisation", type=int, required=True, metavar="ID", help="id of the municipality"
        )
        parser.add_argument("--role", required=True, choices=Role.values, help="their role")
        parser.add_argument(
            "--plan", type=int, metavar="ID", help="a plan of the municipality to land on"
        )
        parser.add_argument(
            "--language",
            choices=["fr", "en"],
            help="language of the e-mail (default: the one they chose for their account, else "
            "the inviting owner's, else French)",
        )
        parser.add_argument(
            "--by",
            metavar="EMAIL",
            help="the owner who invites (default: the municipality's first owner)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        email = options["email"].strip()
        try:
            validate_email(email)
        except ValidationError:
            raise CommandError(f"{email!r} is not an e-mail address.") from None
        organisation_id = options["organisation"]
        organisation = (
            Organisation.objects.filter(pk=organisation_id).first()
            if 0 < organisation_id < MAX_ID  # past 64 bits the query itself would fail
            else None
        )
        if organisation is None:
            raise CommandError(f"No municipality has the id {organisation_id}.")
        owners = organisation.memberships.filter(role=Role.OWNER).select_related("user")
        if options["by"]:
            owner = owners.filter(user__email__iexact=options["by"].strip()).first()
            if owner is None:
                raise CommandError(f"{options['by']} is not an owner of {organisation}.")
        else:
            owner = owners.order_by("created", "pk").first()
            if owner is None:
                raise CommandError(f"{organisation} has no owner to invite in the name of.")
        plan_id = options["plan"]
        if plan_id is not None and not (
            0 < plan_id < MAX_ID and organisation.plans.filter(pk=plan_id).exists()
        ):
            raise CommandError(f"{organisation} has no plan with the id {plan_id}.")
        invitee = User.objects.filter(email__iexact=email).first()
        language = (
            options["language"]
            or (invitee.language if invitee else "")
            or owner.user.language
            or settings.LANGUAGE_CODE
        )
        try:
            with translation.override("en"):  # the command's own messages are in English
                sent = services.invitation_create(
                    organisation=organisation,
                    invited_by=owner.user,
                    email=email,
                    role=options["role"],
                    language=language,
                    plan_id=plan_id,
                )
        except (services.InvitationError, services.MembershipError) as error:
            raise CommandError(str(error)) from None
        try:
            services.invitation_send(sent=sent)
        except OSError as error:  # smtplib's errors are OSErrors: no mail server here
            self.stderr.write(f"The e-mail could not be sent ({error}); give them the link.")
        else:
            self.stdout.write(f"Invitation e-mailed to {sent.invitation.email}.")
        self.stdout.write(sent.link)
