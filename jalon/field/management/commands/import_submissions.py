from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.urls import reverse

from jalon.accounts.models import User
from jalon.organisations.models import Organisation
from jalon.plans.models import MAX_ID, Plan, UrbanService
from jalon.plans.services import DEFAULT_DEFINITION, definition_of
from jalon.worksheets.answers import AnswerError
from jalon.worksheets.loading import latest_definition
from jalon.worksheets.survey import bundled_survey

from ...evidence import stored_message
from ...exports import ExportError, read_export, read_limited
from ...services import (
    import_apply,
    import_propose,
    operators_store,
    plan_from_submission,
    plan_records,
    proposal_views,
)
from ...submissions import OperatorsFile, SubmissionsError, WorksheetFile, check_file


def _problems(path: Path, messages: list[str]) -> CommandError:
    if len(messages) == 1:
        return CommandError(f"{path}: {messages[0]}")
    return CommandError(f"{path}:\n- " + "\n- ".join(messages))


class Command(BaseCommand):
    help = (
        "Import a KoboToolbox or ODK Central export of a form made by Jalon. Operators' survey "
        "answers are kept as evidence of the plan; a worksheet submission becomes proposals to "
        "review (their page's address is printed), applied at once with --accept-all, or a new "
        "plan with --organisation. The whole file is checked first: nothing is written if "
        "anything is wrong."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", metavar="FILE", help="an XLSX, CSV, JSON or ZIP export")
        target = parser.add_mutually_exclusive_group(required=True)
        target.add_argument("--plan", type=int, metavar="ID", help="the plan to fill")
        target.add_argument(
            "--organisation", type=int, metavar="ID", help="make a new plan in this municipality"
        )
        parser.add_argument("--user", metavar="EMAIL", help="the member the changes are by")
        parser.add_argument(
            "--accept-all", action="store_true", help="apply every proposed change at once"
        )
        parser.add_argument(
            "--row", type=int, metavar="N", help="the submission's row, when there are several"
        )
        parser.add_argument(
            "--service",
            choices=UrbanService.values,
            default=UrbanService.OTHER,
            help="the urban service of a new plan",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        try:  # the file first: a bad one is refused before anything else is looked up
            with path.open("rb") as stream:
                export = read_export(read_limited(stream), path.name)
        except OSError as error:
            raise CommandError(f"{path}: cannot be read ({error.strerror}).") from None
        except ExportError as error:
            raise _problems(path, error.messages) from None
        if options["organisation"] is not None:
            self._new_plan(path, export, options)
            return
        plan_id = options["plan"]
        plan = Plan.objects.filter(pk=plan_id).first() if 0 < plan_id < MAX_ID else None
        if plan is None:
            raise CommandError(f"No plan has the id {plan_id}.")
        user = self._user(options["user"], plan.organisation)
        survey = bundled_survey()
        try:
            checked = check_file(
                export,
                definition=definition_of(plan),
                survey=survey,
                plan_records=plan_records(plan),
            )
        except SubmissionsError as error:
            raise _problems(path, error.messages) from None
        if isinstance(checked, OperatorsFile):
            stored = operators_store(
                plan=plan, user=user, survey=survey, checked=checked, source=path.name
            )
            self.stdout.write(f"“{plan}”: {stored_message(stored)}")
            return
        self._propose(path, plan, user, checked, export.format, options)

    def _user(self, email: str | None, organisation: Organisation) -> User | None:
        if not email:
            return None
        user = User.objects.filter(email__iexact=email).first()
        if user is None or not organisation.memberships.filter(user=user).exists():
            raise CommandError(f"{email} is not a member of {organisation}.")
        return user

    def _chosen(self, checked: WorksheetFile, row: int | None) -> int:
        rows = [entry.row for entry in checked.entries]
        if row is None and len(rows) == 1:
            return 0
        if row in rows:
            return rows.index(row)
        listed = ", ".join(
            f"{e.row} ({e.submitted:%Y-%m-%d %H:%M} {e.submitter})".strip()
            if e.submitted
            else str(e.row)
            for e in checked.entries
        )
        raise CommandError(
            f"The file holds {len(rows)} submissions; choose one with --row: {listed}"
        )

    def _propose(
        self,
        path: Path,
        plan: Plan,
        user: User | None,
        checked: WorksheetFile,
        file_format: str,
        options: dict[str, Any],
    ) -> None:
        index = self._chosen(checked, options["row"])
        if options["accept_all"] and user is None:
            raise CommandError("--accept-all needs --user: the member the changes are by.")
        try:
            proposal = import_propose(
                plan=plan,
                user=user,
                checked=checked,
                file_name=path.name,
                file_format=file_format,
                index=index,
            )
        except SubmissionsError as error:
            raise _problems(path, error.messages) from None
        for view in proposal_views(proposal):
            title = f" — {view.title}" if view.title else ""
            for change in view.changes:
                before = change.before.replace("\n", " / ") or "∅"
                after = change.after.replace("\n", " / ") or "∅"
                self.stdout.write(f"[{view.id}] {view.item_label}{title}: {before} → {after}")
        if options["accept_all"]:
            assert user is not None
            done = import_apply(
                submission_import=proposal,
                user=user,
                accepted={p["id"] for p in proposal.proposals},
            )
            self.stdout.write(
                f"{done.applied} applied, {done.conflicts} in conflict, {done.failed} failed."
            )
            for view in proposal_views(proposal):
                if view.outcome in ("conflict", "failed"):
                    self.stdout.write(f"[{view.id}] {view.outcome}: {view.message}".rstrip(": "))
            return
        url = reverse("submissions_review", args=[plan.pk, proposal.pk])
        self.stdout.write(f"Review them at {settings.JALON_BASE_URL}{url}")

    def _new_plan(self, path: Path, export: Any, options: dict[str, Any]) -> None:
        organisation_id = options["organisation"]
        organisation = (
            Organisation.objects.filter(pk=organisation_id).first()
            if 0 < organisation_id < MAX_ID
            else None
        )
        if organisation is None:
            raise CommandError(f"No municipality has the id {organisation_id}.")
        user = self._user(options["user"], organisation)
        try:
            checked = check_file(
                export, definition=latest_definition(DEFAULT_DEFINITION), survey=bundled_survey()
            )
        except SubmissionsError as error:
            raise _problems(path, error.messages) from None
        if isinstance(checked, OperatorsFile):
            raise CommandError(f"{path}: operators' survey answers go to a plan: use --plan.")
        entry = checked.entries[self._chosen(checked, options["row"])]
        try:
            plan = plan_from_submission(
                organisation=organisation,
                user=user,
                entry=entry,
                title=path.stem,
                service=options["service"],
            )
        except AnswerError as error:
            raise CommandError(f"{path}: {error}") from None
        self.stdout.write(str(plan.pk))
        self.stderr.write(
            f"Made “{plan.title}” in {organisation}: {reverse('plan_overview', args=[plan.pk])}",
            style_func=str,
        )
