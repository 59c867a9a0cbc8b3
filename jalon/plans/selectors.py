"""Reads of plans, shaped for pages: a plan's whole state in two queries, progress per step,
recent changes and an item's history."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from jalon.worksheets.answers import empty_value, is_answered
from jalon.worksheets.display import describe_answer, describe_record, record_titles
from jalon.worksheets.schema import Definition, Item, ItemKind, Step

from .models import Answer, Plan, Record, Revision
from .services import definition_of


@dataclass
class PlanState:
    plan: Plan
    definition: Definition
    answers: dict[str, Answer]
    records: dict[str, list[Record]]
    titles: dict[str, str] = field(default_factory=dict)  # record uid → its name

    def value(self, item: Item) -> Any:
        answer = self.answers.get(item.id)
        return answer.value if answer else empty_value(item)

    def answered(self, item: Item) -> bool:
        if item.kind is ItemKind.RECORDS:
            return bool(self.records.get(item.id))
        return is_answered(item, self.value(item))

    def item_records(self, item: Item) -> list[Record]:
        return self.records.get(item.id, [])


@dataclass(frozen=True)
class StepProgress:
    step: Step
    answered: int
    total: int

    @property
    def percent(self) -> int:
        return round(100 * self.answered / self.total) if self.total else 0

    @property
    def complete(self) -> bool:
        return self.answered == self.total


def plan_state(plan: Plan) -> PlanState:
    definition = definition_of(plan)
    answers = {a.item_id: a for a in Answer.objects.filter(plan=plan).select_related("updated_by")}
    records: dict[str, list[Record]] = {}
    for record in Record.objects.filter(plan=plan).select_related("updated_by"):
        records.setdefault(record.item_id, []).append(record)
    state = PlanState(plan, definition, answers, records)
    state.titles = record_titles(
        definition, {item_id: [(r.uid, r.data) for r in rs] for item_id, rs in records.items()}
    )
    return state


def step_progress(state: PlanState) -> list[StepProgress]:
    return [
        StepProgress(step, sum(state.answered(i) for i in step.items), len(step.items))
        for step in state.definition.steps
    ]


@dataclass(frozen=True)
class Change:
    revision: Revision
    item: Item | None
    step: Step | None
    before: str
    after: str


def describe_revision_value(
    item: Item | None, revision: Revision, value: Any, titles: dict[str, str]
) -> str:
    if item is None:
        return ""
    if item.kind is ItemKind.RECORDS:
        if revision.action == Revision.Action.MOVE:
            return str(value)
        return describe_record(item, value, titles)
    return describe_answer(item, value)


def _changes(state: PlanState, revisions: Iterable[Revision]) -> list[Change]:
    definition = state.definition
    return [
        Change(
            revision=r,
            item=definition.item(r.item_id),
            step=definition.step_of(r.item_id),
            before=describe_revision_value(definition.item(r.item_id), r, r.before, state.titles),
            after=describe_revision_value(definition.item(r.item_id), r, r.after, state.titles),
        )
        for r in revisions
    ]


def recent_changes(state: PlanState, limit: int = 10) -> list[Change]:
    revisions = Revision.objects.filter(plan=state.plan).select_related("user")[:limit]
    return _changes(state, revisions)


def item_history(state: PlanState, item_id: str, limit: int = 200) -> list[Change]:
    revisions = Revision.objects.filter(plan=state.plan, item_id=item_id).select_related("user")
    return _changes(state, revisions[:limit])


def changes_made_here(plan: Plan) -> int:
    """How many changes the plan has had on this server; an import's entries are not changes."""
    return Revision.objects.filter(plan=plan).exclude(action=Revision.Action.IMPORT).count()
