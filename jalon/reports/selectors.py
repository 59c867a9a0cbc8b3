"""Loading a plan into the plain `Document` the deliverables are built from."""

from __future__ import annotations

from django.utils import timezone, translation

from jalon.plans.models import Plan, Revision
from jalon.plans.selectors import plan_state

from .document import Document, Meta, build_document


def plan_document(plan: Plan, language: str) -> Document:
    state = plan_state(plan)
    definition = state.definition
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
            revision_count=Revision.objects.filter(plan=plan).count(),
        )
    answers = {item_id: answer.value for item_id, answer in state.answers.items()}
    records = {
        item_id: [(r.uid, r.data) for r in item_records]
        for item_id, item_records in state.records.items()
    }
    return build_document(definition, answers, records, meta)
