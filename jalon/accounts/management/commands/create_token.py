"""`python manage.py create_token EMAIL --name NAME --scope {read,write} [--days N]`: a personal
access token for a script, printed alone on the last line (the only time it is shown)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from jalon.accounts.models import Scope, User
from jalon.accounts.tokens import DEFAULT_DAYS, MAX_DAYS, TokenError, token_create


class Command(BaseCommand):
    help = "Make a personal access token for the JSON API and print it (shown once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email", help="the account the token acts as")
        parser.add_argument("--name", required=True, help="what will use the token")
        parser.add_argument("--scope", required=True, choices=Scope.values)
        parser.add_argument(
            "--days", type=int, default=DEFAULT_DAYS, help=f"1 to {MAX_DAYS} (default 90)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        email = options["email"].strip()
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            raise CommandError(f"No account has the address {email!r}.")
        try:
            new = token_create(
                user=user, name=options["name"], scope=options["scope"], days=options["days"]
            )
        except TokenError as error:
            raise CommandError(str(error)) from error
        self.stderr.write(
            f"Token « {new.token.name} » ({new.token.scope}) for {user.email}, "
            f"expires {new.token.expires:%Y-%m-%d}. Copy it now: it is not shown again."
        )
        self.stdout.write(new.secret)
