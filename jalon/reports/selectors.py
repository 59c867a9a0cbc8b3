"""Loading a plan into the plain `Document` the deliverables are built from, and into the plain
data of its JSON export."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from django.db.models import Count
from django.utils import timezone, translation

from jalon.field.evidence import plan_responses, response_table, summarise
from jalon.field.models import OperatorResponse
from jalon.plans.advice import advice_export
from jalon.plans.models import Answer, Plan, PlanVersion, Record, Revision
from jalon.plans.review import latest_validation, plan_versions
from jalon.plans.selectors import PlanState, changes_made_here, plan_state
from jalon.plans.services import definition_of
from jalon.worksheets.loading import get_definition
from jalon.worksheets.profile import plan_profile, profile_scores
from jalon.worksheets.survey import bundled_survey

from . import to_json
from .document import Document, Meta, build_document


def _validation(version: PlanVersion | None) -> dict[str, Any]:
    """The Meta fields of a validation (none: the plan is a draft)."""
    if version is None or version.validated_at is None:
        return {}
    return {
        "review_state": "validated",
        "validated_by": version.validated_by,
        "validated_role": version.validated_role,
        "validated_at": version.validated_at,
        "validation_message": version.message,
    }


def contributions(plan: Plan, until: datetime.datetime | None = None) -> dict[str, dict[str, int]]:
    """Who wrote in the plan, from its history: a person's name → item id → changes. Changes
    imported from a plan file count for the author the file names. `until`: a frozen version's
    moment (changes after it are not in it)."""
    rows = Revision.objects.filter(plan=plan)
    if until is not None:
        rows = rows.filter(created__lte=until)
    people: dict[str, dict[str, int]] = {}
    grouped = rows.order_by().values("user__name", "file_author", "item_id")
    for row in grouped.annotate(count=Count("id")):
        name = row["user__name"] or row["file_author"]
        if name:
            items = people.setdefault(name, {})
            items[row["item_id"]] = items.get(row["item_id"], 0) + row["count"]
    return people


def plan_document(plan: Plan, language: str, state: PlanState | None = None) -> Document:
    """`state`: the plan already loaded by the calling page, to spare loading it again."""
    state = state or plan_state(plan)
    definition = state.definition
    # A validated plan says who validated it; any other says its state (a draft, in review…).
    validation = _validation(latest_validation(plan)) or {"review_state": plan.review_state}
    with translation.override(language):
        meta = Meta(
            municipality=plan.organisation.name,
            country=plan.organisation.country,
            city=plan.organisation.city,
            service=plan.service_name,
            title=plan.title,
            definition_id=definition.id,
            definition_version=definition.version,
            definition_hash=definition.hash,
            worksheet_title=str(definition.title),
            worksheet_source=str(definition.source),
            language=language,
            generated=timezone.localdate(),
            revision_count=changes_made_here(plan),
            **validation,
        )
    answers = {item_id: answer.value for item_id, answer in state.answers.items()}
    records = {
        item_id: [(r.uid, r.data) for r in item_records]
        for item_id, item_records in state.records.items()
    }
    # Who entered each measurement: its last author here, or the one its plan file named.
    authors = {
        r.uid: r.updated_by.name if r.updated_by else r.file_author
        for r in state.records.get("measurements", ())
    }
    # The operators' survey kept as evidence (the survey of this worksheet only).
    survey = bundled_survey()
    responses = plan_responses(plan, survey) if survey.worksheet == definition.id else []
    return build_document(
        definition,
        answers,
        records,
        meta,
        authors=authors,
        contributions=contributions(plan),
        operators=summarise(survey, responses, language) if responses else None,
        operator_responses=response_table(survey, responses, language) if responses else (),
    )


def version_document(version: PlanVersion, language: str) -> Document:
    """A frozen version as a document: everything from its content, as it was validated (the
    municipality's name then, the answers then), nothing from the plan as it is now."""
    definition = get_definition(version.definition_id, version.definition_version)
    content = version.content
    plan, organisation = content["plan"], content["organisation"]
    with translation.override(language):
        service = Plan(service=plan["service"], service_other=plan["service_other"]).service_name
        meta = Meta(
            municipality=organisation["name"],
            country=organisation["country"],
            city=organisation["city"],
            service=service,
            title=plan["title"],
            definition_id=definition.id,
            definition_version=definition.version,
            definition_hash=definition.hash,
            worksheet_title=str(definition.title),
            worksheet_source=str(definition.source),
            language=language,
            generated=timezone.localdate(),
            revision_count=content["revision_count"],
            version_name=version.name,
            version_date=timezone.localtime(version.created).date(),
            **_validation(version),
        )
    answers = {item_id: answer["value"] for item_id, answer in content["answers"].items()}
    records = {
        item_id: [(record["id"], record["data"]) for record in item_records]
        for item_id, item_records in content["lists"].items()
    }
    authors = {
        record["id"]: record.get("updated_by") or ""
        for record in content["lists"].get("measurements", ())
    }
    return build_document(
        definition,
        answers,
        records,
        meta,
        authors=authors,
        contributions=contributions(version.plan, until=version.created),
    )


def _review_export(version: PlanVersion | None, state: str) -> dict[str, Any]:
    """The review as the JSON export says it; informative, never imported (an imported plan
    starts as a draft)."""
    if version is None:
        return {"state": state, "validated_by": None, "role": None, "validated_at": None}
    return {
        "state": "validated",
        "validated_by": version.validated_by,
        "role": version.validated_role,
        "validated_at": _when(version.validated_at),
    }


def version_export(version: PlanVersion) -> dict[str, Any]:
    """A frozen version as a plan file: what `plan_export` gives, from the version's content, so
    it imports as a plan like any other export."""
    content = version.content
    definition = get_definition(version.definition_id, version.definition_version)
    items = [item.id for item in definition.items]  # the worksheet's order, as `plan_export`'s
    answers, lists = content["answers"], content["lists"]
    return {
        "format": to_json.FORMAT,
        "format_version": to_json.FORMAT_VERSION,
        "exported_at": _when(timezone.now()),
        "plan": {
            "title": content["plan"]["title"],
            "service": content["plan"]["service"],
            "service_other": content["plan"]["service_other"],
            "created": content["plan"]["created"],
            "updated": _when(version.created),
            "horizon": content["plan"].get("horizon"),  # versions frozen before it: none
        },
        "organisation": {key: content["organisation"][key] for key in ("name", "country", "city")},
        "definition": {
            "id": version.definition_id,
            "version": version.definition_version,
            "hash": version.definition_hash,
        },
        "answers": {item: answers[item] for item in items if item in answers},
        "lists": {item: lists[item] for item in items if item in lists},
        "revision_count": content["revision_count"],
        "scores": profile_scores(plan_profile(definition, _values(answers))),
        # A snapshot validates nothing: it says the state the plan was in when it was taken.
        "review": _review_export(version, "validated")
        if version.validated_at
        else _review_export(None, content.get("snapshot", {}).get("review_state", "draft")),
    }


def _values(answers: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    return {item_id: answer["value"] for item_id, answer in answers.items()}


def _when(moment: datetime.datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _stamps(row: dict[str, Any]) -> dict[str, Any]:
    """Who last wrote a value and when: for one imported and not changed since, the author and
    date its own plan file gave, so provenance survives a second export."""
    if row["file_author"] or row["file_updated"]:
        return {
            "version": row["version"],
            "updated_at": _when(row["file_updated"]),
            "updated_by": row["file_author"],
        }
    return {
        "version": row["version"],
        "updated_at": _when(row["updated"]),
        "updated_by": row["updated_by__name"],
    }


STAMPS = ("version", "updated", "updated_by__name", "file_author", "file_updated")


def plan_export(plan: Plan) -> dict[str, Any]:
    """The plan as the plain data of its JSON export (see `to_json`), in three queries. Rows
    as dictionaries: a plan of 2,000 records loads three times faster than as model instances."""
    definition = definition_of(plan)
    answers = {
        row["item_id"]: row
        for row in Answer.objects.filter(plan=plan).values("item_id", "value", *STAMPS)
    }
    records: dict[str, list[dict[str, Any]]] = {}
    for row in Record.objects.filter(plan=plan).values("item_id", "uid", "data", *STAMPS):
        records.setdefault(row["item_id"], []).append(row)
    organisation = plan.organisation
    return {
        "format": to_json.FORMAT,
        "format_version": to_json.FORMAT_VERSION,
        "exported_at": _when(timezone.now()),
        "plan": {
            "title": plan.title,
            "service": plan.service,
            "service_other": plan.service_other,
            "created": _when(plan.created),
            "updated": _when(plan.updated),
            "horizon": plan.horizon.isoformat() if plan.horizon else None,
        },
        "organisation": {
            "name": organisation.name,
            "country": organisation.country,
            "city": organisation.city,
        },
        "definition": {
            "id": plan.definition_id,
            "version": plan.definition_version,
            "hash": plan.definition_hash,
        },
        "answers": {
            item.id: {"value": answers[item.id]["value"], **_stamps(answers[item.id])}
            for item in definition.items
            if item.id in answers
        },
        "lists": {
            item.id: [
                {"id": row["uid"], "position": position, "data": row["data"], **_stamps(row)}
                for position, row in enumerate(records[item.id], start=1)
            ]
            for item in definition.items
            if item.id in records
        },
        "revision_count": changes_made_here(plan),
        # What Jalon computes from the plan, for whoever reads the file (never imported).
        "scores": profile_scores(plan_profile(definition, _values(answers))),
        "advice": advice_export(plan),
        "review": _review_export(latest_validation(plan), plan.review_state),
        "snapshots": [
            {
                "kind": version.kind,
                "name": version.name,
                "created": _when(version.created),
                "created_by": version.created_by.name if version.created_by else None,
                "definition_version": version.definition_version,
            }
            for version in plan_versions(plan)
        ],
        # The operators' survey kept as evidence of step 2: each response as stored (codes),
        # so that a plan file keeps them and its import restores them.
        "operators": operators_export(plan),
    }


def operators_export(plan: Plan) -> list[dict[str, Any]]:
    return [
        {
            "instance_id": row.instance_id,
            "survey": {"id": row.survey_id, "version": row.survey_version},
            "submitted": _when(row.submitted),
            "answers": row.answers,
            "latitude": row.latitude,
            "longitude": row.longitude,
            "source": row.source,
        }
        for row in OperatorResponse.objects.filter(plan=plan).order_by("submitted", "id")
    ]
