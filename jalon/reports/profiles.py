"""Maturity profiles for the pages: one plan's, and every plan of a municipality side by side.

The profile itself is the engine's (`jalon.worksheets.profile`); this reads the answers it needs
(only the profile's items: a municipality page loads one query's worth, whatever the number of
plans) and shapes them into rows and radars.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from jalon.organisations.models import Organisation
from jalon.plans.models import Answer, Plan
from jalon.plans.services import definition_of
from jalon.worksheets.profile import Profile, Question, is_position, plan_profile
from jalon.worksheets.schema import Definition, ItemKind, Text

from .charts.chart import Chart
from .charts.maturity import maturity_figure
from .document import maturity_points

# Beyond this many plans the municipality page shows the table alone: each radar costs about a
# kilobyte compressed, and the page keeps under 20 KB.
MAX_RADARS = 6


def _profile_ids(definition: Definition) -> list[str]:
    return [
        item.id for item in definition.items if item.kind is ItemKind.MATURITY or is_position(item)
    ]


def profile_of(plan: Plan) -> Profile:
    definition = definition_of(plan)
    answers = Answer.objects.filter(plan=plan, item_id__in=_profile_ids(definition))
    return plan_profile(definition, {a.item_id: a.value for a in answers})


def profile_chart(profile: Profile, chart_id: str = "maturity", title: str = "") -> Chart:
    return maturity_figure(maturity_points(profile), chart_id, title)


@dataclass(frozen=True)
class Row:
    """One question across the plans: its label, and each plan with its question (None: the
    plan's worksheet does not ask it)."""

    label: Text
    cells: tuple[tuple[Plan, Question | None], ...]


@dataclass(frozen=True)
class Comparison:
    plans: tuple[Plan, ...]
    profiles: tuple[Profile, ...]
    maturity: tuple[Row, ...]
    positions: tuple[Row, ...]
    charts: tuple[Chart, ...]  # one small radar per plan; () past MAX_RADARS plans

    @property
    def takes_targets(self) -> bool:
        return any(p.takes_targets for p in self.profiles)

    @property
    def columns(self) -> tuple[tuple[Plan, Profile], ...]:
        return tuple(zip(self.plans, self.profiles, strict=True))


def _rows(plans: list[Plan], profiles: list[Profile], part: str) -> tuple[Row, ...]:
    """Rows in worksheet order, with the newest worksheet's labels: plans pinned to an older
    version line up on the questions (item ids) they share."""
    by_plan = [{q.item.id: q for q in getattr(profile, part)} for profile in profiles]
    newest_first = sorted(range(len(plans)), key=lambda i: -plans[i].definition_version)
    labels: dict[str, Text] = {}
    for index in newest_first:
        for item_id, question in by_plan[index].items():
            labels.setdefault(item_id, question.label)
    return tuple(
        Row(
            label,
            tuple(
                (plan, questions.get(item_id))
                for plan, questions in zip(plans, by_plan, strict=True)
            ),
        )
        for item_id, label in labels.items()
    )


def organisation_comparison(organisation: Organisation) -> Comparison:
    plans = sorted(organisation.plans.all(), key=lambda p: (p.title.casefold(), p.pk))
    definitions = {plan.pk: definition_of(plan) for plan in plans}
    wanted = {item_id for d in definitions.values() for item_id in _profile_ids(d)}
    answers: dict[int, dict[str, object]] = {plan.pk: {} for plan in plans}
    for plan_id, item_id, value in Answer.objects.filter(
        plan__organisation=organisation, item_id__in=wanted
    ).values_list("plan_id", "item_id", "value"):
        answers[plan_id][item_id] = value
    profiles = [plan_profile(definitions[p.pk], answers[p.pk]) for p in plans]
    charts: tuple[Chart, ...] = ()
    if len(plans) <= MAX_RADARS:
        charts = tuple(
            profile_chart(
                profile,
                f"maturity-{plan.pk}",
                _("%(plan)s: maturity profile") % {"plan": plan.title},
            )
            for plan, profile in zip(plans, profiles, strict=True)
        )
    return Comparison(
        plans=tuple(plans),
        profiles=tuple(profiles),
        maturity=_rows(plans, profiles, "maturity"),
        positions=_rows(plans, profiles, "positions"),
        charts=charts,
    )
