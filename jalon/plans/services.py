"""Every write to plans: creating them, saving answers and the records of lists.

Each write locks the plan row first, so writes to one plan happen one after the other on
PostgreSQL as on SQLite; checks the edit is based on the current version (else `StaleEdit`, a
409 for the person); validates against the plan's definition (else `AnswerError`, a 400); and
appends a `Revision`. All or nothing. The first change to a validated plan makes it a draft
again (`review.reopen_after_edit`), in the same transaction.
"""

from __future__ import annotations

import datetime
import itertools
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from jalon.accounts.models import User
from jalon.organisations.models import Organisation
from jalon.worksheets.answers import AnswerError, clean_answer, clean_record, empty_value
from jalon.worksheets.library import Entry, indicator_record
from jalon.worksheets.loading import get_definition, latest_definition, upgrade_for
from jalon.worksheets.schema import Definition, FieldKind, Item, ItemKind

from .models import Answer, Plan, Record, Revision, Versioned
from .plan_file import TITLE_LENGTH, Authorship, PlanFile, item_name, problem_in, record_name
from .review import reopen_after_edit
from .signals import plan_imported

DEFAULT_DEFINITION = "gerer-les-services-urbains"


class StaleEdit(Exception):
    """The edit was based on an older version than the stored one; nothing was written."""

    def __init__(self, current: Answer | Record) -> None:
        self.current = current
        super().__init__("stale edit")


@dataclass(frozen=True)
class Saved:
    target: Answer | Record
    changed: bool  # False when the value was already the stored one
    ignored: bool = False  # an older autosave from the same tab, arrived late


def definition_of(plan: Plan) -> Definition:
    return get_definition(plan.definition_id, plan.definition_version)


@transaction.atomic
def plan_create(
    *,
    organisation: Organisation,
    user: User,
    service: str,
    title: str,
    service_other: str = "",
    horizon: datetime.date | None = None,
    definition_id: str = DEFAULT_DEFINITION,
) -> Plan:
    """A new plan, pinned to the newest version of the worksheet and the hash of its content."""
    definition = latest_definition(definition_id)
    return Plan.objects.create(
        organisation=organisation,
        service=service,
        service_other=service_other,
        title=title,
        horizon=horizon,
        definition_id=definition.id,
        definition_version=definition.version,
        definition_hash=definition.hash,
        created_by=user,
    )


class UpgradeError(ValueError):
    """The plan cannot move to a newer worksheet version; the message says why."""


@transaction.atomic
def plan_upgrade(*, plan: Plan, version: int) -> Definition:
    """Move the plan to `version` of its worksheet, the newest one it can move to as it is (see
    `upgrade_for`): its answers and records stay untouched, the new questions and fields appear.
    `version` is the one the person was offered: a colleague may have moved it meanwhile."""
    _lock(plan)
    plan.refresh_from_db(fields=["definition_version", "definition_hash"])
    target = upgrade_for(definition_of(plan))
    if target is None or target.version != version:
        raise UpgradeError(
            _("This plan already uses version %(version)s of its worksheet.")
            % {"version": plan.definition_version}
        )
    Plan.objects.filter(pk=plan.pk).update(
        definition_version=target.version, definition_hash=target.hash
    )
    plan.definition_version, plan.definition_hash = target.version, target.hash
    return target


def _lock(plan: Plan) -> None:
    """Writes to one plan queue here: the UPDATE holds the plan row's lock (PostgreSQL) and the
    database write lock (SQLite, IMMEDIATE transactions) until the transaction ends."""
    Plan.objects.filter(pk=plan.pk).update(updated=timezone.now())


def _item(plan: Plan, item_id: str, *, records: bool) -> Item:
    item = definition_of(plan).item(item_id)
    if item is None:
        raise AnswerError(_("This worksheet has no item %(id)r.") % {"id": item_id})
    if (item.kind is ItemKind.RECORDS) != records:
        kind = _("a list") if item.kind is ItemKind.RECORDS else _("not a list")
        raise AnswerError(_("Item %(id)r is %(kind)s.") % {"id": item_id, "kind": kind})
    return item


def _is_late(target: Versioned, client: str, seq: int) -> bool:
    """True when this tab already saved a newer edit of this target: this one is outdated."""
    return bool(client) and target.last_client == client and seq <= target.last_seq


def _check_base(target: Answer | Record, base_version: int | None, client: str) -> None:
    """Refuse an edit made on an older version, unless that version was this tab's own save
    whose acknowledgement got lost on the network (same tab wrote last, newer sequence)."""
    if base_version is None or base_version == target.version:
        return
    if client and target.last_client == client:
        return
    raise StaleEdit(target)


def _stamp(target: Versioned, user: User, client: str, seq: int) -> None:
    target.version += 1
    target.updated_by = user
    target.last_client = client[:64]
    target.last_seq = seq
    target.file_author, target.file_updated = "", None  # the value is now this server's own


def _references(plan: Plan, item: Item) -> dict[str, set[str]]:
    """The records each reference field of `item` may point to: those of this plan only."""
    targets = {f.references for f in item.fields if f.references}
    found: dict[str, set[str]] = {target: set() for target in targets if target}
    for item_id, uid in Record.objects.filter(plan=plan, item_id__in=found).values_list(
        "item_id", "uid"
    ):
        found[item_id].add(uid)
    return found


@transaction.atomic
def answer_save(
    *,
    plan: Plan,
    user: User,
    item_id: str,
    raw: Any,
    base_version: int | None,
    client: str = "",
    seq: int = 0,
) -> Saved:
    """Store the answer to a non-list item. `base_version` None means "whatever is stored"."""
    item = _item(plan, item_id, records=False)
    value = clean_answer(item, raw)
    _lock(plan)
    answer = Answer.objects.filter(plan=plan, item_id=item_id).first()
    if answer is None:
        answer = Answer(plan=plan, item_id=item_id, value=empty_value(item))
    if _is_late(answer, client, seq):
        return Saved(answer, changed=False, ignored=True)
    _check_base(answer, base_version, client)
    if answer.pk and answer.value == value:
        return Saved(answer, changed=False)
    before = answer.value if answer.pk else None
    answer.value = value
    _stamp(answer, user, client, seq)
    answer.save()
    Revision.objects.create(
        plan=plan,
        item_id=item_id,
        action=Revision.Action.SET,
        before=before,
        after=value,
        version=answer.version,
        user=user,
    )
    reopen_after_edit(plan=plan, user=user)
    return Saved(answer, changed=True)


@transaction.atomic
def record_add(
    *, plan: Plan, user: User, item_id: str, raw: Mapping[str, Any], client: str = "", seq: int = 0
) -> Record:
    item = _item(plan, item_id, records=True)
    data = clean_record(item, raw, _references(plan, item))
    _lock(plan)
    existing = Record.objects.filter(plan=plan, item_id=item_id)
    if existing.count() >= item.max_records:
        raise AnswerError(
            _("This list already holds %(max)s records, its limit.") % {"max": item.max_records}
        )
    position = (existing.aggregate(last=Max("position"))["last"] or 0) + 1
    record = Record(plan=plan, item_id=item_id, uid=secrets.token_hex(8), position=position)
    record.data = data
    _stamp(record, user, client, seq)
    record.save()
    Revision.objects.create(
        plan=plan,
        item_id=item_id,
        record_uid=record.uid,
        action=Revision.Action.ADD,
        before=None,
        after=data,
        version=record.version,
        user=user,
    )
    reopen_after_edit(plan=plan, user=user)
    return record


def indicator_from_library(*, plan: Plan, user: User, entry: Entry, language: str) -> Record:
    """A new indicator of step 6 filled from a library entry, in `language`: a record added
    like any other (history, versions, review reopening), which the team then completes with
    its baseline, target and dates. On worksheets before v3 the list has no field for the
    code and SDG target: only the name, definition, unit and family are filled."""
    item = _item(plan, "indicators", records=True)
    raw = indicator_record(entry, language, (field.id for field in item.fields))
    return record_add(plan=plan, user=user, item_id=item.id, raw=raw)


def _record(plan: Plan, uid: str) -> Record:
    record = Record.objects.filter(plan=plan, uid=uid).first()
    if record is None:
        raise AnswerError(_("This record no longer exists: someone may have removed it."))
    return record


@transaction.atomic
def record_update(
    *,
    plan: Plan,
    user: User,
    uid: str,
    raw: Mapping[str, Any],
    base_version: int | None,
    client: str = "",
    seq: int = 0,
) -> Saved:
    _lock(plan)
    record = _record(plan, uid)
    item = _item(plan, record.item_id, records=True)
    data = clean_record(item, raw, _references(plan, item))
    if _is_late(record, client, seq):
        return Saved(record, changed=False, ignored=True)
    _check_base(record, base_version, client)
    if record.data == data:
        return Saved(record, changed=False)
    before = record.data
    record.data = data
    _stamp(record, user, client, seq)
    record.save()
    Revision.objects.create(
        plan=plan,
        item_id=record.item_id,
        record_uid=uid,
        action=Revision.Action.UPDATE,
        before=before,
        after=data,
        version=record.version,
        user=user,
    )
    reopen_after_edit(plan=plan, user=user)
    return Saved(record, changed=True)


@transaction.atomic
def record_delete(*, plan: Plan, user: User, uid: str, base_version: int | None) -> None:
    _lock(plan)
    record = _record(plan, uid)
    _check_base(record, base_version, "")
    Revision.objects.create(
        plan=plan,
        item_id=record.item_id,
        record_uid=uid,
        action=Revision.Action.DELETE,
        before=record.data,
        after=None,
        version=record.version + 1,
        user=user,
    )
    record.delete()
    reopen_after_edit(plan=plan, user=user)


@transaction.atomic
def record_move(*, plan: Plan, user: User, uid: str, offset: int) -> None:
    """Move a record up (offset -1) or down (+1) in its list, by swapping with its neighbour."""
    _lock(plan)
    record = _record(plan, uid)
    siblings = list(Record.objects.filter(plan=plan, item_id=record.item_id))
    index = next(i for i, sibling in enumerate(siblings) if sibling.pk == record.pk)
    other_index = index + offset
    if offset not in (-1, 1) or not 0 <= other_index < len(siblings):
        return
    siblings[index], siblings[other_index] = siblings[other_index], siblings[index]
    for position, sibling in enumerate(siblings, start=1):
        if sibling.position != position:
            Record.objects.filter(pk=sibling.pk).update(position=position)
    Revision.objects.create(
        plan=plan,
        item_id=record.item_id,
        record_uid=uid,
        action=Revision.Action.MOVE,
        before=index + 1,
        after=other_index + 1,
        version=record.version,
        user=user,
    )
    reopen_after_edit(plan=plan, user=user)


def _new_uids(uids: list[str]) -> dict[str, str]:
    """Each imported record's uid: its own when no record has it yet, else a new one. Uids are
    unique across the database (references and exports rely on it): importing a plan next to
    the one it was exported from gives it new ids, importing it elsewhere keeps them."""
    taken: set[str] = set()
    for start in range(0, len(uids), 500):  # SQLite bounds the parameters of one query
        chunk = uids[start : start + 500]
        taken |= set(Record.objects.filter(uid__in=chunk).values_list("uid", flat=True))
    given = set(uids) - taken
    mapping: dict[str, str] = {}
    for uid in uids:
        if uid in taken:
            new = secrets.token_hex(8)
            while new in given or new in taken:
                new = secrets.token_hex(8)
            given.add(new)
            mapping[uid] = new
        else:
            mapping[uid] = uid
    return mapping


def _remap(item: Item, data: Mapping[str, Any], uids: Mapping[str, str]) -> dict[str, Any]:
    """A record's data with its references following the records' new uids."""
    remapped = dict(data)
    for f in item.fields:
        value = data.get(f.id)
        if f.kind is not FieldKind.REFERENCE or value is None:
            continue
        if isinstance(value, list):
            remapped[f.id] = [uids.get(one, one) if isinstance(one, str) else one for one in value]
        elif isinstance(value, str):
            remapped[f.id] = uids.get(value, value)
    return remapped


def _distinct_title(organisation: Organisation, title: str, today: str) -> str:
    """`title`, or « title (importé le 01/12/2026) » when the municipality already has a plan of
    that title (the plan was imported beside its original), with a number if that is taken too."""
    taken = set(organisation.plans.values_list("title", flat=True))
    if title not in taken:
        return title
    suffix = _("imported on %(date)s") % {"date": today}
    for number in itertools.count(1):  # ends: `taken` is finite
        tail = f" ({suffix})" if number == 1 else f" ({suffix}, {number})"
        candidate = title[: TITLE_LENGTH - len(tail)] + tail
        if candidate not in taken:
            return candidate
    raise AssertionError("unreachable")


Imported = TypeVar("Imported", Answer, Record)


def _imported(
    target: Imported, user: User | None, authorship: Authorship
) -> tuple[Imported, Revision]:
    """An imported answer or record, at version 1 by `user`, keeping who wrote it and when as
    the file says; and its « imported » history entry."""
    value = target.value if isinstance(target, Answer) else target.data
    uid = target.uid if isinstance(target, Record) else ""
    target.version, target.updated_by = 1, user
    revision = Revision(
        plan=target.plan,
        item_id=target.item_id,
        record_uid=uid,
        action=Revision.Action.IMPORT,
        before=None,
        after=value,
        version=1,
        user=user,
    )
    for stamped in (target, revision):
        stamped.file_author, stamped.file_updated = authorship.by, authorship.at
    return target, revision


def plan_import(*, organisation: Organisation, user: User | None, data: PlanFile) -> Plan:
    """A new plan in `organisation` holding a plan file's answers and records.

    The plan is pinned to the file's worksheet version and hash, which must be bundled here.
    Every value goes through the checks of every other write; any problem raises `AnswerError`
    naming the item and the record, and nothing is written.

    Provenance is kept: the plan records when `user` (the person importing; None from the
    command line without --user) imported it and what the file says of its origin; each answer
    and record keeps its author's name and date from the file, and its history starts with one
    « imported » entry (not counted as a change made here).

    Record ids are unique across the database. Two imports of one file at the same moment may
    both find an id free and then collide as they write: the loser's transaction fails on the
    unique constraint, and the import is simply run again, now seeing the other's ids.
    """
    for attempt in range(3):
        try:
            return _plan_import(organisation=organisation, user=user, data=data)
        except IntegrityError:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


@transaction.atomic
def _plan_import(*, organisation: Organisation, user: User | None, data: PlanFile) -> Plan:
    definition = get_definition(data.definition.id, data.definition.version)
    if definition.hash != data.definition.hash:
        raise AnswerError(_("This worksheet version differs from the one on this server."))
    now = timezone.now()
    today = formats.date_format(timezone.localtime(now), "SHORT_DATE_FORMAT")
    plan = Plan.objects.create(
        organisation=organisation,
        service=data.service,
        service_other=data.service_other,
        title=_distinct_title(organisation, data.title, today),
        definition_id=definition.id,
        definition_version=definition.version,
        definition_hash=definition.hash,
        created_by=user,
        imported_at=now,
        imported_from=data.source.organisation,
        imported_file_date=data.source.exported_at,
        horizon=data.horizon,
    )
    answers: list[Answer] = []
    revisions: list[Revision] = []
    for item_id, raw in data.answers.items():
        item = _item(plan, item_id, records=False)
        try:
            value = clean_answer(item, raw)
        except AnswerError as error:
            raise AnswerError(problem_in(item_name(item), str(error))) from None
        answer, revision = _imported(
            Answer(plan=plan, item_id=item_id, value=value),
            user,
            data.authorship.get(item_id, Authorship()),
        )
        answers.append(answer)
        revisions.append(revision)
    uids = _new_uids([record.uid for records in data.lists.values() for record in records])
    references = {
        item_id: {uids[record.uid] for record in records} for item_id, records in data.lists.items()
    }
    records: list[Record] = []
    for item_id, imported in data.lists.items():
        item = _item(plan, item_id, records=True)
        if len(imported) > item.max_records:
            raise AnswerError(
                problem_in(
                    item_name(item),
                    _("This list already holds %(max)s records, its limit.")
                    % {"max": item.max_records},
                )
            )
        for position, record in enumerate(imported, start=1):
            try:
                cleaned = clean_record(item, _remap(item, record.data, uids), references)
            except AnswerError as error:
                where = record_name(item, position, record.uid)
                raise AnswerError(problem_in(where, str(error))) from None
            row, revision = _imported(
                Record(
                    plan=plan,
                    item_id=item_id,
                    uid=uids[record.uid],
                    position=position,
                    data=cleaned,
                ),
                user,
                record.authorship,
            )
            records.append(row)
            revisions.append(revision)
    Answer.objects.bulk_create(answers)
    Record.objects.bulk_create(records)
    Revision.objects.bulk_create(revisions)
    plan_imported.send(sender=Plan, plan=plan, user=user, data=data)
    return plan
