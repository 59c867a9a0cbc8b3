"""Reads of plans, shaped for pages: a plan's whole state in two queries, progress per step,
recent changes and an item's history."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from jalon.worksheets.answers import ItemState, Rows, empty_value, item_state, section_state
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
    rows: Rows = field(default_factory=dict)  # list item id → (uid, data), for progress

    def value(self, item: Item) -> Any:
        answer = self.answers.get(item.id)
        return answer.value if answer else empty_value(item)

    def state(self, item: Item) -> ItemState:
        return item_state(item, self.value(item), self.rows)

    def answered(self, item: Item) -> bool:
        """All the worksheet asks of the item is there (see `item_state`)."""
        return self.state(item) is ItemState.COMPLETE

    def item_records(self, item: Item) -> list[Record]:
        return self.records.get(item.id, [])


@dataclass(frozen=True)
class StepProgress:
    """A step's items and where each stands; the step is complete when all of them are."""

    step: Step
    states: tuple[tuple[Item, ItemState], ...]

    @property
    def total(self) -> int:
        return len(self.states)

    @property
    def done(self) -> int:
        return sum(state is ItemState.COMPLETE for _item, state in self.states)

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0

    @property
    def complete(self) -> bool:
        return self.done == self.total

    @property
    def state(self) -> ItemState:
        return section_state([state for _item, state in self.states])

    @property
    def open_items(self) -> list[Item]:
        """The questions and lists still lacking something, in the worksheet's order."""
        return [item for item, state in self.states if state is not ItemState.COMPLETE]


def plan_state(plan: Plan) -> PlanState:
    definition = definition_of(plan)
    answers = {a.item_id: a for a in Answer.objects.filter(plan=plan).select_related("updated_by")}
    records: dict[str, list[Record]] = {}
    for record in Record.objects.filter(plan=plan).select_related("updated_by"):
        records.setdefault(record.item_id, []).append(record)
    state = PlanState(plan, definition, answers, records)
    state.rows = {item_id: [(r.uid, r.data) for r in rs] for item_id, rs in records.items()}
    state.titles = record_titles(definition, state.rows)
    return state


def next_open(progress: list[StepProgress], step: Step) -> tuple[Step, Item] | None:
    """The question a person would answer next: the first still open in this step, else in
    the steps after it, else in those before."""
    index = next(i for i, p in enumerate(progress) if p.step.id == step.id)
    for p in progress[index:] + progress[:index]:
        if p.open_items:
            return p.step, p.open_items[0]
    return None


def step_progress(state: PlanState) -> list[StepProgress]:
    return [
        StepProgress(step, tuple((item, state.state(item)) for item in step.items))
        for step in state.definition.steps
    ]


@dataclass(frozen=True)
class Change:
    revision: Revision
    item: Item | None
    step: Step | None
    before: str
    after: str

    @property
    def created(self) -> Any:
        return self.revision.created


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
