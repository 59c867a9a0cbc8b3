"""Writing checked submissions into plans: a new plan, or proposals on an existing one.

A new plan is made through `jalon.plans.services` (`plan_create`, `answer_save`,
`record_add`), so its history and versions are those of any plan typed in by hand. An existing
plan gets proposals (`SubmissionImport`): each changed answer, each new or changed record, with
the version it had when proposed; the person accepts or rejects each, and applying goes through
the same services with that version, so a colleague's change made since shows as a conflict
instead of being overwritten. Records are matched by their title; a record of the plan the
submission does not mention is left alone (a form filled in the field may hold part of a list).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jalon.accounts.models import User
from jalon.organisations.models import Organisation
from jalon.plans.compare import answer_changes
from jalon.plans.models import Answer, Plan, Record, UrbanService
from jalon.plans.services import (
    StaleEdit,
    answer_save,
    definition_of,
    plan_create,
    record_add,
    record_update,
)
from jalon.worksheets.answers import AnswerError
from jalon.worksheets.display import describe_answer, describe_record, record_titles
from jalon.worksheets.schema import Definition, FieldKind, Item
from jalon.worksheets.survey import Survey

from . import evidence
from .exports import parse_time
from .models import SubmissionImport
from .submissions import (
    AMBIGUOUS,
    NEW,
    CheckedRecord,
    OperatorsFile,
    PlanRecords,
    SubmissionsError,
    WorksheetEntry,
    WorksheetFile,
    by_title,
    plain,
)

TITLE_LENGTH = 200  # Plan.title


# Plain data in and out of the JSON fields ------------------------------------------------------


def entry_json(entry: WorksheetEntry) -> dict[str, Any]:
    return {
        "row": entry.row,
        "instance_id": entry.instance_id,
        "submitted": entry.submitted.isoformat() if entry.submitted else None,
        "submitter": entry.submitter,
        "title": entry.title,
        "answers": entry.answers,
        "records": {
            item_id: [{"token": r.token, "title": r.title, "data": r.data} for r in records]
            for item_id, records in entry.records.items()
        },
    }


def entry_from_json(data: Mapping[str, Any]) -> WorksheetEntry:
    submitted = data.get("submitted")
    return WorksheetEntry(
        row=data["row"],
        instance_id=data["instance_id"],
        # parse_time, not fromisoformat: a proposal kept before times were bounded may hold one
        # (`9999-12-31T23:59:59-12:00`) that no page could show.
        submitted=parse_time(submitted) if submitted else None,
        submitter=data["submitter"],
        title=data["title"],
        answers=dict(data["answers"]),
        records={
            item_id: [CheckedRecord(r["token"], r["title"], r["data"]) for r in records]
            for item_id, records in data["records"].items()
        },
    )


def plan_records(plan: Plan) -> PlanRecords:
    """Each list's records as (uid, title): what references and matching by title read."""
    definition = definition_of(plan)
    rows: dict[str, list[tuple[str, Mapping[str, Any]]]] = {}
    for record in Record.objects.filter(plan=plan).order_by("position"):
        rows.setdefault(record.item_id, []).append((record.uid, record.data))
    titles = record_titles(definition, rows)
    return {
        item_id: [(uid, titles.get(uid, "")) for uid, _data in records]
        for item_id, records in rows.items()
    }


def _resolved(item: Item, data: Mapping[str, Any], uids: Mapping[str, str]) -> dict[str, Any]:
    """A record's data with references to this submission's records made plan uids; a token
    left means a record the person did not accept."""
    resolved = dict(data)
    for f in item.fields:
        value = data.get(f.id)
        if f.kind is not FieldKind.REFERENCE or not value:
            continue
        values = value if isinstance(value, list) else [value]
        if any(v.startswith(NEW) and v not in uids for v in values):
            raise AnswerError(
                _("%(field)s names a record of the submission that was not accepted.")
                % {"field": f.label}
            )
        mapped = [uids.get(v, v) for v in values]
        resolved[f.id] = mapped if isinstance(value, list) else mapped[0]
    return resolved


def _merged(before: Any, submitted: Any) -> Any:
    """What the submission proposes: its parts left blank keep the plan's (a note or a target
    not filled in the field, a record's field left empty, erase nothing)."""
    if not isinstance(before, Mapping) or not isinstance(submitted, Mapping):
        return submitted
    filled = {k: v for k, v in submitted.items() if v not in (None, "", [])}
    return {**before, **filled}


# A new plan ------------------------------------------------------------------------------------


@transaction.atomic
def plan_from_submission(
    *,
    organisation: Organisation,
    user: User | None,
    entry: WorksheetEntry,
    title: str,
    service: str = UrbanService.OTHER,
) -> Plan:
    """A new plan holding one worksheet submission, written answer by answer and record by
    record through the plans' services (history, versions). All or nothing."""
    if user is None:
        raise AnswerError(_("A new plan needs a member as its author: give --user."))
    plan = plan_create(
        organisation=organisation,
        user=user,
        service=service,
        title=(entry.title or title)[:TITLE_LENGTH] or _("Imported plan"),
    )
    definition = definition_of(plan)
    for item_id, value in entry.answers.items():
        answer_save(plan=plan, user=user, item_id=item_id, raw=value, base_version=None)
    uids: dict[str, str] = {}
    for item in definition.items:  # definition order: a list comes before those naming it
        for record in entry.records.get(item.id, []):
            added = record_add(
                plan=plan, user=user, item_id=item.id, raw=_resolved(item, record.data, uids)
            )
            uids[record.token] = added.uid
    return plan


# Proposals on an existing plan -----------------------------------------------------------------


@transaction.atomic
def import_propose(
    *,
    plan: Plan,
    user: User | None,
    checked: WorksheetFile,
    file_name: str,
    file_format: str,
    index: int | None = None,
) -> SubmissionImport:
    """The file's submissions kept for the person to review; proposals made at once from the
    submission `index`, or the only one, else after the person chose one (`import_choose`).
    A proposal that cannot be made (a list over its limit) writes nothing."""
    proposal = SubmissionImport.objects.create(
        plan=plan,
        created_by=user,
        file_name=plain(file_name, 255),
        file_format=file_format,
        form=str(checked.mark)[:120],
        entries=[entry_json(entry) for entry in checked.entries],
        status=SubmissionImport.Status.CHOOSING,
    )
    if index is None and len(checked.entries) == 1:
        index = 0
    if index is not None:
        import_choose(submission_import=proposal, index=index)
    return proposal


@transaction.atomic
def import_choose(*, submission_import: SubmissionImport, index: int) -> SubmissionImport:
    """Proposals from the chosen submission, against the plan as it is now."""
    if submission_import.status not in (
        SubmissionImport.Status.CHOOSING,
        SubmissionImport.Status.PROPOSED,
    ):
        raise SubmissionsError([_("These proposals were already applied.")])
    if not 0 <= index < len(submission_import.entries):
        raise SubmissionsError([_("The file holds no such submission.")])
    plan = submission_import.plan
    entry = entry_from_json(submission_import.entries[index])
    definition = definition_of(plan)
    proposals: list[dict[str, Any]] = []
    answers = {a.item_id: a for a in Answer.objects.filter(plan=plan)}
    for item_id, submitted in entry.answers.items():
        current = answers.get(item_id)
        before = current.value if current else None
        value = _merged(before, submitted)
        if before == value:
            continue
        proposals.append(
            {
                "kind": "answer",
                "item": item_id,
                "before": before,
                "after": value,
                "version": current.version if current else 0,
            }
        )
    existing = plan_records(plan)
    stored = {r.uid: r for r in Record.objects.filter(plan=plan)}
    problems = []
    for item in definition.items:
        records = entry.records.get(item.id, [])
        # A record is matched by its title; a title two of the plan's records share matches
        # neither (the submission's record is proposed as a new one, for the person to judge).
        titles = by_title(existing.get(item.id, []))
        matched = {
            r.token: uid
            for r in records
            if (uid := titles.get(r.title.casefold())) and uid != AMBIGUOUS
        }
        added = sum(1 for r in records if r.token not in matched)
        if added and len(existing.get(item.id, [])) + added > item.max_records:
            problems.append(
                _(
                    "%(item)s: the plan holds %(count)s records and the submission adds %(added)s; "
                    "the limit is %(max)s."
                )
                % {
                    "item": item.label,
                    "count": len(existing.get(item.id, [])),
                    "added": added,
                    "max": item.max_records,
                }
            )
        for record in records:
            uid = matched.get(record.token)
            if uid is None:
                proposals.append(
                    {
                        "kind": "add",
                        "item": item.id,
                        "token": record.token,
                        "title": record.title,
                        "after": record.data,
                    }
                )
                continue
            current_record = stored[uid]
            proposals.append(
                {
                    "kind": "update",
                    "item": item.id,
                    "token": record.token,
                    "title": record.title,
                    "uid": uid,
                    "before": current_record.data,
                    "after": _merged(current_record.data, record.data),
                    "version": current_record.version,
                }
            )
    if problems:
        raise SubmissionsError(problems)
    # An update whose data, references followed, is the stored one proposes nothing.
    known = {p["token"]: p["uid"] for p in proposals if p["kind"] == "update"}
    kept = []
    for proposal in proposals:
        if proposal["kind"] == "update":
            listed = definition.item(proposal["item"])
            assert listed is not None
            try:
                same = _resolved(listed, proposal["after"], known) == proposal["before"]
            except AnswerError:
                same = False
            if same:
                continue
        kept.append(proposal)
    for number, proposal in enumerate(kept):
        proposal |= {"id": number, "decision": None, "outcome": None, "message": ""}
    submission_import.chosen = index
    submission_import.proposals = kept
    submission_import.status = SubmissionImport.Status.PROPOSED
    submission_import.save(update_fields=["chosen", "proposals", "status"])
    return submission_import


@dataclass(frozen=True)
class Applied:
    applied: int
    rejected: int
    conflicts: int
    failed: int


@transaction.atomic
def import_apply(*, submission_import: SubmissionImport, user: User, accepted: set[int]) -> Applied:
    """Apply the accepted proposals with the version each had when proposed: a change made
    since is a conflict, kept as it is and shown; the rest is applied."""
    # A double click on a slow connection sends the same decisions twice: the second waits for
    # the first (the row's lock; SQLite's transactions are IMMEDIATE) and finds them applied.
    locked = SubmissionImport.objects.select_for_update().get(pk=submission_import.pk)
    submission_import.status, submission_import.proposals = locked.status, locked.proposals
    if submission_import.status == SubmissionImport.Status.CHOOSING:
        raise SubmissionsError([_("Choose first which submission fills the plan.")])
    if submission_import.status != SubmissionImport.Status.PROPOSED:
        raise SubmissionsError([_("These proposals were already applied.")])
    plan = submission_import.plan
    definition = definition_of(plan)
    uids = {p["token"]: p["uid"] for p in submission_import.proposals if p["kind"] == "update"}
    counts = {"applied": 0, "rejected": 0, "conflict": 0, "failed": 0}
    for proposal in submission_import.proposals:
        if proposal["id"] not in accepted:
            proposal |= {"decision": "rejected", "outcome": "rejected"}
            counts["rejected"] += 1
            continue
        proposal["decision"] = "accepted"
        item = definition.item(proposal["item"])
        assert item is not None
        try:
            if proposal["kind"] == "answer":
                answer_save(
                    plan=plan,
                    user=user,
                    item_id=item.id,
                    raw=proposal["after"],
                    base_version=proposal["version"],
                )
            elif proposal["kind"] == "update":
                record_update(
                    plan=plan,
                    user=user,
                    uid=proposal["uid"],
                    raw=_resolved(item, proposal["after"], uids),
                    base_version=proposal["version"],
                )
            else:
                record = record_add(
                    plan=plan,
                    user=user,
                    item_id=item.id,
                    raw=_resolved(item, proposal["after"], uids),
                )
                uids[proposal["token"]] = record.uid
        except StaleEdit as stale:
            current = stale.current
            proposal |= {
                "outcome": "conflict",
                "current": current.value if isinstance(current, Answer) else current.data,
            }
            counts["conflict"] += 1
            continue
        except AnswerError as error:
            proposal |= {"outcome": "failed", "message": str(error)[:300]}
            counts["failed"] += 1
            continue
        proposal["outcome"] = "applied"
        counts["applied"] += 1
    submission_import.status = SubmissionImport.Status.APPLIED
    submission_import.applied = timezone.now()
    submission_import.save(update_fields=["status", "applied", "proposals"])
    return Applied(counts["applied"], counts["rejected"], counts["conflict"], counts["failed"])


# The operators' survey -------------------------------------------------------------------------


def operators_store(
    *, plan: Plan, user: User | None, survey: Survey, checked: OperatorsFile, source: str
) -> evidence.Stored:
    """The operators' answers kept as evidence of the plan's step 2."""
    return evidence.store_responses(
        plan=plan, user=user, survey=survey, responses=checked.responses, source=source
    )


# Proposals in words, for the page and the command ----------------------------------------------


@dataclass(frozen=True)
class Change:
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class ProposalView:
    id: int
    kind: str  # answer, add, update
    item_label: str
    title: str
    changes: list[Change]
    outcome: str | None
    message: str
    current: str  # on a conflict: the value as a colleague left it


def _titles(plan: Plan, entry: WorksheetEntry) -> dict[str, str]:
    titles = {uid: title for records in plan_records(plan).values() for uid, title in records}
    for records in entry.records.values():
        titles |= {r.token: r.title for r in records}
    return titles


def _record_words(item: Item, data: Any, titles: Mapping[str, str]) -> str:
    return describe_record(item, data if isinstance(data, Mapping) else None, titles)


def proposal_views(submission_import: SubmissionImport) -> list[ProposalView]:
    plan = submission_import.plan
    definition: Definition = definition_of(plan)
    if submission_import.chosen is None:
        return []
    entry = entry_from_json(submission_import.entries[submission_import.chosen])
    titles = _titles(plan, entry)
    views = []
    for proposal in submission_import.proposals:
        item = definition.item(proposal["item"])
        if item is None:
            continue
        current = proposal.get("current")
        if proposal["kind"] == "answer":
            changes = [
                Change(c.label, c.before, c.after)
                for c in answer_changes(item, item, proposal["before"], proposal["after"])
            ] or [
                Change(
                    _("Answer"),
                    describe_answer(item, proposal["before"]),
                    describe_answer(item, proposal["after"]),
                )
            ]
            current_words = describe_answer(item, current) if current is not None else ""
        else:
            changes = [
                Change(
                    str(item.record_name or _("Record")),
                    _record_words(item, proposal.get("before"), titles),
                    _record_words(item, proposal["after"], titles),
                )
            ]
            current_words = _record_words(item, current, titles) if current is not None else ""
        views.append(
            ProposalView(
                id=proposal["id"],
                kind=proposal["kind"],
                item_label=str(item.label),
                title=proposal.get("title", ""),
                changes=changes,
                outcome=proposal.get("outcome"),
                message=proposal.get("message", ""),
                current=current_words,
            )
        )
    return views
