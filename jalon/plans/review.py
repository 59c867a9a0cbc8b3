"""A plan's review and sign-off: draft → in review → changes requested → validated.

Each change of state is a `ReviewEvent` (who, their role then, when, from which state to which,
what they said). Validating freezes the whole plan into a read-only `PlanVersion`; the first
change made to a validated plan opens a new draft (`reopen_after_edit`, called by every write in
`services` in the same transaction), and the validated version stays as it was.

Who may do what is decided in `jalon.access` (request: editors and up; request changes and
validate: owners and the members they named validators); these functions check only that the
move makes sense from the state the plan is in, read under the plan's lock. Every change sends
`signals.review_changed` once the transaction is committed, so nobody hears of a change that
was rolled back.

Validating straight from a draft, or from « changes requested », is allowed: in many
municipalities the owner writes the plan and signs it off alone, and making them first ask
themselves for a review would add a click and nothing else. The history still says the plan was
validated from a draft, so nobody can pass it off as reviewed.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from jalon.accounts.models import User
from jalon.organisations.models import Membership

from .models import Answer, Plan, PlanVersion, Record, ReviewEvent, ReviewState, Revision
from .signals import review_changed

MESSAGE_LENGTH = 2000
# Stored untranslated and shown in the reader's language: the history is read by people of
# either language.
EDITED_AFTER_VALIDATION = gettext_noop("Changed after validation")


class ReviewError(Exception):
    """A review move the plan's state does not allow (409), or one lacking what it needs (400);
    the message says why, in the person's language."""

    def __init__(self, message: str, status: int = 409) -> None:
        super().__init__(message)
        self.status = status


def _state_name(state: str) -> str:
    return str(ReviewState(state).label).lower()


def _locked_state(plan: Plan) -> str:
    """The plan's review state, read once its row is locked: writes to one plan queue here (see
    `services._lock`), so two validators cannot both validate the same draft."""
    Plan.objects.filter(pk=plan.pk).update(updated=timezone.now())
    state: str = Plan.objects.values_list("review_state", flat=True).get(pk=plan.pk)
    return state


def _move(
    *,
    plan: Plan,
    membership: Membership,
    from_state: str,
    to_state: str,
    message: str,
    version: PlanVersion | None = None,
) -> ReviewEvent:
    Plan.objects.filter(pk=plan.pk).update(review_state=to_state)
    plan.review_state = to_state
    user = membership.user
    event = ReviewEvent.objects.create(
        plan=plan,
        actor=user,
        actor_name=user.name,
        role=membership.role,
        from_state=from_state,
        to_state=to_state,
        message=message,
        version=version,
    )
    transaction.on_commit(lambda: review_changed.send(sender=ReviewEvent, event=event))
    return event


def _message(message: str) -> str:
    message = message.strip()
    if len(message) > MESSAGE_LENGTH:
        raise ReviewError(
            _("A message holds at most %(max)s characters.") % {"max": MESSAGE_LENGTH}, 400
        )
    return message


@transaction.atomic
def review_request(*, plan: Plan, membership: Membership, message: str = "") -> ReviewEvent:
    """Ask the validators to read the plan: from a draft, or after they asked for changes."""
    message = _message(message)
    state = _locked_state(plan)
    if state == ReviewState.IN_REVIEW:
        raise ReviewError(_("This plan is already in review."))
    if state == ReviewState.VALIDATED:
        raise ReviewError(
            _("This plan is validated as it stands: change it first, which opens a new draft.")
        )
    return _move(
        plan=plan,
        membership=membership,
        from_state=state,
        to_state=ReviewState.IN_REVIEW,
        message=message,
    )


@transaction.atomic
def review_request_changes(*, plan: Plan, membership: Membership, message: str) -> ReviewEvent:
    """Send a plan in review back to its team, saying what should change."""
    message = _message(message)
    if not message:
        raise ReviewError(_("Say what should change: the team reads it to revise the plan."), 400)
    state = _locked_state(plan)
    if state != ReviewState.IN_REVIEW:
        raise ReviewError(
            _("Changes can be requested only on a plan in review; this one is %(state)s.")
            % {"state": _state_name(state)}
        )
    return _move(
        plan=plan,
        membership=membership,
        from_state=state,
        to_state=ReviewState.CHANGES_REQUESTED,
        message=message,
    )


def last_change(plan: Plan) -> int:
    """The plan's latest change (its revision's id; 0 for none): what a validator has seen."""
    return (
        Revision.objects.filter(plan=plan).order_by("-id").values_list("id", flat=True).first() or 0
    )


@transaction.atomic
def review_validate(
    *, plan: Plan, membership: Membership, message: str = "", seen: int | None = None
) -> ReviewEvent:
    """Sign the plan off as it stands, freezing it into a validated version. `seen`: the
    latest change the validator saw (`last_change`); if someone changed the plan since, nothing
    is validated (409): nobody signs off what they have not read."""
    message = _message(message)
    state = _locked_state(plan)
    if state == ReviewState.VALIDATED:
        raise ReviewError(_("This plan is already validated as it stands."))
    if seen is not None and last_change(plan) != seen:
        raise ReviewError(
            _(
                "The plan changed since you opened this page: read the latest changes, then "
                "validate again."
            )
        )
    version = _freeze(plan=plan, membership=membership, message=message)
    return _move(
        plan=plan,
        membership=membership,
        from_state=state,
        to_state=ReviewState.VALIDATED,
        message=message,
        version=version,
    )


def reopen_after_edit(*, plan: Plan, user: User) -> ReviewEvent | None:
    """After an accepted change to `plan`, in the same transaction and under the plan's lock: a
    validated plan becomes a draft again, recorded as this editor's doing. One query when the
    plan was not validated."""
    reopened = Plan.objects.filter(pk=plan.pk, review_state=ReviewState.VALIDATED).update(
        review_state=ReviewState.DRAFT
    )
    if not reopened:
        return None
    plan.review_state = ReviewState.DRAFT
    role = (
        Membership.objects.filter(organisation_id=plan.organisation_id, user=user)
        .values_list("role", flat=True)
        .first()
    )
    event = ReviewEvent.objects.create(
        plan=plan,
        actor=user,
        actor_name=user.name,
        role=role or "",
        from_state=ReviewState.VALIDATED,
        to_state=ReviewState.DRAFT,
        message=EDITED_AFTER_VALIDATION,
    )
    transaction.on_commit(lambda: review_changed.send(sender=ReviewEvent, event=event))
    return event


def event_message(event: ReviewEvent) -> str:
    """What the event says, in the reader's language (the automatic message is translated)."""
    return _(EDITED_AFTER_VALIDATION) if event.message == EDITED_AFTER_VALIDATION else event.message


# Freezing


def _when(moment: datetime.datetime | None) -> str | None:
    return moment.isoformat() if moment else None


STAMPS = ("version", "updated", "updated_by__name", "file_author", "file_updated")


def _stamps(row: dict[str, Any]) -> dict[str, Any]:
    """Who last wrote a value and when (for one imported and unchanged since, as its file
    said), as names and dates: the frozen version never depends on accounts that may change."""
    imported = bool(row["file_author"] or row["file_updated"])
    return {
        "version": row["version"],
        "updated_at": _when(row["file_updated"] if imported else row["updated"]),
        "updated_by": (row["file_author"] if imported else row["updated_by__name"]) or "",
    }


def plan_content(plan: Plan) -> dict[str, Any]:
    """The whole plan as plain JSON: what it is about, whose it is, every answer and record with
    its author and date. The shape of the plan file's `plan`, `organisation`, `answers` and
    `lists`, so a version exports as an importable plan file."""
    organisation = plan.organisation
    answers = {
        row["item_id"]: {"value": row["value"], **_stamps(row)}
        for row in Answer.objects.filter(plan=plan).values("item_id", "value", *STAMPS)
    }
    lists: dict[str, list[dict[str, Any]]] = {}
    for row in Record.objects.filter(plan=plan).values("item_id", "uid", "data", *STAMPS):
        records = lists.setdefault(row["item_id"], [])
        records.append(
            {"id": row["uid"], "position": len(records) + 1, "data": row["data"], **_stamps(row)}
        )
    return {
        "plan": {
            "title": plan.title,
            "service": plan.service,
            "service_other": plan.service_other,
            "created": _when(plan.created),
            "horizon": plan.horizon.isoformat() if plan.horizon else None,
        },
        "organisation": {
            "name": organisation.name,
            "country": organisation.country,
            "city": organisation.city,
            "currency": organisation.currency,
        },
        "answers": answers,
        "lists": lists,
        "revision_count": Revision.objects.filter(plan=plan)
        .exclude(action=Revision.Action.IMPORT)
        .count(),
    }


def _freeze(*, plan: Plan, membership: Membership, message: str) -> PlanVersion:
    now = timezone.now()
    user = membership.user
    content = plan_content(plan)
    content["validation"] = {
        "validated_by": user.name,
        "role": membership.role,
        "validated_at": _when(now),
        "message": message,
    }
    day = formats.date_format(timezone.localtime(now), "SHORT_DATE_FORMAT")
    return PlanVersion.objects.create(
        plan=plan,
        kind=PlanVersion.Kind.VALIDATION,
        name=_("Validated on %(date)s") % {"date": day},
        created_by=user,
        definition_id=plan.definition_id,
        definition_version=plan.definition_version,
        definition_hash=plan.definition_hash,
        content=content,
        validated_by=user.name,
        validated_role=membership.role,
        validated_at=now,
        message=message,
    )


def latest_validation(plan: Plan) -> PlanVersion | None:
    """The version the plan's current validation froze, or None when it is not validated."""
    if plan.review_state != ReviewState.VALIDATED:
        return None
    return (
        PlanVersion.objects.filter(plan=plan, kind=PlanVersion.Kind.VALIDATION)
        .order_by("-created", "-id")
        .first()
    )


def review_history(plan: Plan, limit: int = 50) -> list[ReviewEvent]:
    return list(ReviewEvent.objects.filter(plan=plan)[:limit])


def plan_versions(plan: Plan) -> list[PlanVersion]:
    # The list shows names and dates: the frozen content stays in the database.
    return list(PlanVersion.objects.filter(plan=plan).defer("content").select_related("created_by"))
