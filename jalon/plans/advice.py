"""Consistency advice on a plan: the rules of its worksheet evaluated over its answers, records
and horizon (the pure engine, jalon.worksheets.rules), cut into pieces a person can act on, and
the pieces members set aside, with why.

A piece is one rule on one record (or on the plan, for a rule that names no record): that is
what a person sets aside, so that a rule firing on three pilot actions can be set aside for the
one it does not fit. A piece set aside stays so while its rule fires on the same record, and is
no longer listed once it stops firing; it comes back only when a member restores it.

Setting aside, restoring and changing the horizon bump `Plan.updated`, as every write to a plan
does: the pages' caches and ETags, keyed on it, then show the change at once.
"""

from __future__ import annotations

import dataclasses
import datetime
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jalon.accounts.models import User
from jalon.worksheets.rules import Rule, Severity, bundled_rules, evaluate
from jalon.worksheets.schema import Definition, Step
from jalon.worksheets.text import text_problem

from .models import AdviceSetAside, Plan
from .selectors import PlanState, plan_state


class AdviceError(Exception):
    """A set-aside or restore that cannot be done; the message says why, in the person's
    language."""


@dataclass(frozen=True)
class Piece:
    """One rule on one record (or on the plan), as a person sees and sets it aside."""

    rule: str
    severity: Severity
    items: tuple[str, ...]  # the items concerned, the first being where it shows first
    record: str  # a record's uid, or "" for advice on the plan
    record_title: str
    record_item: str  # the list that holds the record, or ""
    message: str
    set_aside: AdviceSetAside | None = None

    @property
    def home(self) -> str:
        """The item it shows at first: the record's list, or the rule's first item."""
        return self.record_item or self.items[0]

    @property
    def fix(self) -> bool:
        return self.severity is Severity.FIX


def rules_of(plan: Plan) -> tuple[Rule, ...]:
    return bundled_rules(plan.definition_id, plan.definition_version)


def _pieces(state: PlanState) -> list[Piece]:
    """The advice the plan gets now, one piece per rule and record, in the rules' order."""
    rules = rules_of(state.plan)
    if not rules:
        return []
    answers = {item_id: answer.value for item_id, answer in state.answers.items()}
    lists = {record.uid: item_id for item_id, rows in state.records.items() for record in rows}
    advice = evaluate(rules, state.definition, answers, state.rows, horizon=state.plan.horizon)
    return [
        Piece(
            rule=one.rule,
            severity=one.severity,
            items=one.items,
            record=uid,
            record_title=state.titles.get(uid, "") if uid else "",
            record_item=lists.get(uid, "") if uid else "",
            message=one.message,
        )
        for one in advice
        for uid in (one.records or ("",))
    ]


def _active_set_aside(plan: Plan) -> dict[tuple[str, str], AdviceSetAside]:
    rows = AdviceSetAside.objects.filter(plan=plan, restored_at__isnull=True).select_related(
        "set_by"
    )
    return {(row.rule, row.record_uid): row for row in rows}


@dataclass(frozen=True)
class PlanAdvice:
    """The plan's advice now: what shows, and what members set aside (and still fires)."""

    shown: list[Piece]
    set_aside: list[Piece]

    @property
    def fix_count(self) -> int:
        return sum(piece.fix for piece in self.shown)

    @property
    def consider_count(self) -> int:
        return len(self.shown) - self.fix_count

    def at_item(self, item_id: str) -> list[Piece]:
        """The pieces shown beside an item (not at one of its records)."""
        return [
            piece
            for piece in self.shown
            if item_id in piece.items and not (piece.record and piece.record_item == item_id)
        ]

    def at_record(self, uid: str) -> list[Piece]:
        return [piece for piece in self.shown if piece.record == uid]


def plan_advice(plan: Plan, state: PlanState | None = None) -> PlanAdvice:
    """The plan's advice, « to fix » first, each set-aside piece apart. One query for the
    set-aside pieces besides the plan's state (given, or read: two queries)."""
    state = state or plan_state(plan)
    pieces = _pieces(state)
    if not pieces:
        return PlanAdvice([], [])
    aside = _active_set_aside(plan)
    shown, kept = [], []
    for piece in pieces:
        row = aside.get((piece.rule, piece.record))
        if row is None:
            shown.append(piece)
        else:
            kept.append(dataclasses.replace(piece, set_aside=row))
    shown.sort(key=lambda piece: not piece.fix)  # stable: the rules' order within each
    return PlanAdvice(shown, kept)


def advice_export(plan: Plan) -> list[dict[str, Any]]:
    """The plan's advice as plain data for its plan file: every piece that fires now, shown or
    set aside, with who set it aside, when and why."""
    advice = plan_advice(plan)
    return [
        {
            "rule": piece.rule,
            "severity": str(piece.severity),
            "items": list(piece.items),
            "record": piece.record or None,
            "message": piece.message,
            "set_aside": piece.set_aside is not None,
            "reason": piece.set_aside.reason if piece.set_aside else None,
            "set_aside_by": _name(piece.set_aside) if piece.set_aside else None,
            "set_aside_at": piece.set_aside.created.isoformat() if piece.set_aside else None,
        }
        for piece in advice.shown + advice.set_aside
    ]


def _name(row: AdviceSetAside) -> str:
    user = row.set_by
    return (user.name or user.email) if user else row.set_by_name


def setter_name(row: AdviceSetAside) -> str:
    """Who set it aside, by their name today (the one they had, if the account is gone)."""
    return _name(row) or _("someone")


def step_of_piece(definition: Definition, piece: Piece) -> Step | None:
    return definition.step_of(piece.home)


# Writes ---------------------------------------------------------------------------------------


def _touch(plan: Plan) -> None:
    # Locks the plan's row (writes to one plan queue here) and changes what caches key on.
    Plan.objects.filter(pk=plan.pk).update(updated=timezone.now())


def _clean_reason(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise AdviceError(_("Say why this advice does not apply: the reason is kept with it."))
    if len(reason) > AdviceSetAside.REASON_LENGTH:
        raise AdviceError(
            _("The reason is too long: at most %(limit)d characters.")
            % {"limit": AdviceSetAside.REASON_LENGTH}
        )
    problem = text_problem(reason, _("The reason"))
    if problem:
        raise AdviceError(problem)
    return reason


@transaction.atomic
def advice_set_aside(
    *, plan: Plan, user: User | None, rule: str, record_uid: str = "", reason: str
) -> AdviceSetAside:
    """Set aside the advice of `rule` on a record of the plan (or on the plan: ""), with why.
    Setting aside what is already set aside returns it unchanged."""
    known = {one.id: one for one in rules_of(plan)}
    if rule not in known:
        raise AdviceError(_("This advice is not one of the plan's worksheet."))
    reason = _clean_reason(reason)
    item_id = known[rule].items[0]
    if record_uid:
        found = plan.records.filter(uid=record_uid).values_list("item_id", flat=True).first()
        if found is None:
            raise AdviceError(_("This record is no longer in the plan."))
        item_id = found
    _touch(plan)
    current = AdviceSetAside.objects.filter(
        plan=plan, rule=rule, record_uid=record_uid, restored_at__isnull=True
    ).first()
    if current is not None:
        return current
    try:
        with transaction.atomic():
            return AdviceSetAside.objects.create(
                plan=plan,
                rule=rule,
                record_uid=record_uid,
                item_id=item_id,
                reason=reason,
                set_by=user,
                set_by_name=user.name if user else "",
            )
    except IntegrityError:  # pragma: no cover -- the plan's lock above serialises the writers
        return AdviceSetAside.objects.get(
            plan=plan, rule=rule, record_uid=record_uid, restored_at__isnull=True
        )


@transaction.atomic
def advice_restore(*, plan: Plan, user: User, set_aside_id: int) -> AdviceSetAside:
    """Show again a piece of advice set aside; the set-aside stays in the history."""
    _touch(plan)
    row = AdviceSetAside.objects.filter(
        plan=plan, pk=set_aside_id, restored_at__isnull=True
    ).first()
    if row is None:
        raise AdviceError(_("This advice is no longer set aside."))
    row.restored_by, row.restored_by_name = user, user.name
    row.restored_at = timezone.now()
    row.save(update_fields=["restored_by", "restored_by_name", "restored_at"])
    return row


@transaction.atomic
def plan_horizon_set(*, plan: Plan, horizon: datetime.date | None) -> None:
    """Set (or clear, with None) the date by which the plan should be carried out."""
    _touch(plan)
    Plan.objects.filter(pk=plan.pk).update(horizon=horizon)
    plan.horizon = horizon
