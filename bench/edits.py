"""Edits as a colleague makes them, through the real services, for the measurements that must
start « right after an edit » (`bench.hotspots`, `bench.formats`). Django must be set up.

Every edit writes a text no earlier edit wrote, so that no cache keyed by content (the chart
images) can hold its result already, and every edit really writes (the services skip a save
whose value equals the stored one).
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from jalon.accounts.models import User
from jalon.plans.demo import COLLEAGUE
from jalon.plans.models import Answer, Plan, Record
from jalon.plans.services import answer_save, definition_of, record_update
from jalon.worksheets.schema import ItemKind

_counter = iter(range(10**9))


def colleague() -> User:
    """The demo's second member (an editor): the edits are « a colleague's save »."""
    return User.objects.get(email=COLLEAGUE["email"])


def _unique(what: str) -> str:
    return f"{what} — modifié par le banc d'essai {next(_counter)}-{time.time_ns()}"


def edit_step(plan: Plan, user: User, step_id: str) -> str:
    """One save to an item of this step, as the person editing it would make: a text answer, or
    the note of a choice or maturity answer, or the name of a list's first record. Returns the
    item's id."""
    step = definition_of(plan).step(step_id)
    if step is None:
        raise ValueError(f"no step {step_id}")
    for item in step.items:
        if item.kind is ItemKind.TEXT:
            answer_save(
                plan=plan, user=user, item_id=item.id, raw=_unique(item.id), base_version=None
            )
            return item.id
    for item in step.items:
        if item.kind in {ItemKind.SINGLE_CHOICE, ItemKind.MULTIPLE_CHOICE, ItemKind.MATURITY}:
            stored = Answer.objects.filter(plan=plan, item_id=item.id).first()
            value: dict[str, Any] = dict(stored.value) if stored and stored.value else {}
            value["note"] = _unique(item.id)
            answer_save(plan=plan, user=user, item_id=item.id, raw=value, base_version=None)
            return item.id
    for item in step.items:
        if item.kind is ItemKind.RECORDS:
            rename_record(plan, user, item.id)
            return item.id
    raise ValueError(f"step {step_id} has nothing to edit")


def rename_record(plan: Plan, user: User, item_id: str) -> None:
    """Give the list's first record a new name (its title field)."""
    item = definition_of(plan).item(item_id)
    record = Record.objects.filter(plan=plan, item_id=item_id).order_by("position").first()
    if item is None or record is None or not item.title_field:
        raise ValueError(f"{item_id}: no record to rename")
    data = copy.deepcopy(record.data)
    data[item.title_field] = _unique("Acteur")[:120]
    record_update(plan=plan, user=user, uid=record.uid, raw=data, base_version=None)


def edit_text(plan: Plan, user: User) -> None:
    """A text answer no chart draws (step 2's « competences »)."""
    answer_save(
        plan=plan, user=user, item_id="competences", raw=_unique("competences"), base_version=None
    )


def edit_chart(plan: Plan, user: User) -> None:
    """A new name for the first named actor: the partner map (a chart) changes."""
    rename_record(plan, user, "actors")


@dataclass
class CacheUse:
    """Calls to the default Django cache (the fragment and download caches) while counting."""

    reads: int = 0
    writes: int = 0


@contextmanager
def counting_cache() -> Iterator[CacheUse]:
    """Count reads and writes of Django's default cache in this process and thread: a request
    that writes to it missed; one that only reads hit (or found nothing it could keep)."""
    from django.core.cache import caches

    backend = caches["default"]
    use = CacheUse()
    wrapped: dict[str, Callable[..., Any]] = {}

    def wrap(name: str, field: str) -> None:
        original = getattr(backend, name)
        wrapped[name] = original

        def counted(*args: Any, **kwargs: Any) -> Any:
            setattr(use, field, getattr(use, field) + 1)
            return original(*args, **kwargs)

        setattr(backend, name, counted)

    for name in ("get", "get_many", "has_key"):
        wrap(name, "reads")
    for name in ("set", "set_many", "add", "touch"):
        wrap(name, "writes")
    try:
        yield use
    finally:
        for name in wrapped:
            delattr(backend, name)  # the class's own method shows through again
