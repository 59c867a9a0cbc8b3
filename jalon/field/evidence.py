"""The operators' survey as evidence of a plan's step 2: the submissions kept, and what they say.

    store_responses(plan=…, user=…, survey=…, responses=…, source=…)   keep them (a write)
    remove_response(plan=…, user=…, response_id=…)                      drop a mistaken one
    plan_responses(plan)                                                what a plan keeps
    summarise(survey, responses, language)                              what they say, as data

The summary is what the team reads next to its own judgement of each maturity question of
step 2.2: it counts and shares, it never sets a level. Pure (no database) from `summarise` on.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Count, Max
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from jalon.accounts.models import User
from jalon.discussions.activity import Event, Filters
from jalon.plans.models import Plan
from jalon.plans.services import definition_of
from jalon.worksheets.survey import CHOICE_KINDS, Question, QuestionKind, Survey, bundled_survey

from .models import OperatorResponse

TYPE_QUESTION = "operator_type"
PLACE_QUESTION = "neighbourhood"
NEIGHBOURHOODS = 8  # the most cited, then « others »
TEXTS = 30  # distinct texts listed per free-text question
OPERATORS_KIND = "operators"  # an activity line's kind: responses added to the survey


@dataclass(frozen=True)
class OperatorAnswers:
    """One submission, as the import read it: answers by question id, as the survey's codes."""

    instance_id: str
    submitted: datetime.datetime | None
    answers: dict[str, str | list[str]]
    latitude: float | None
    longitude: float | None


@dataclass(frozen=True)
class Stored:
    added: int
    already_there: int  # in the plan already (imported before), or twice in the file


def stored_message(stored: Stored) -> str:
    """« 5 operators' answers added to step 2; 2 were there already. »"""
    text = ngettext(
        "%(count)s operator's answers added to the evidence of step 2.",
        "%(count)s operators' answers added to the evidence of step 2.",
        stored.added,
    ) % {"count": stored.added}
    if stored.already_there:
        text += " " + ngettext(
            "%(count)s was there already (imported before): not added twice.",
            "%(count)s were there already (imported before): not added twice.",
            stored.already_there,
        ) % {"count": stored.already_there}
    return text


def _touch(plan: Plan) -> None:
    """The plan's responses changed: its pages' caches and ETags are keyed on `updated`, the
    survey's summary on `operators_updated`."""
    now = timezone.now()
    Plan.objects.filter(pk=plan.pk).update(updated=now, operators_updated=now)
    plan.updated = plan.operators_updated = now


def _create(
    plan: Plan, survey: Survey, user: User | None, responses: Sequence[tuple[Any, str]]
) -> None:
    """Keep each (response, the file it came from): an OperatorAnswers, or a plan file's own
    operator entry, which has the same fields."""
    OperatorResponse.objects.bulk_create(
        OperatorResponse(
            plan=plan,
            survey_id=survey.id,
            survey_version=survey.version,
            instance_id=response.instance_id,
            submitted=response.submitted,
            answers=response.answers,
            latitude=response.latitude,
            longitude=response.longitude,
            source=source[:255],
            imported_by=user,
        )
        for response, source in responses
    )


@transaction.atomic
def store_responses(
    *,
    plan: Plan,
    user: User | None,
    survey: Survey,
    responses: Sequence[OperatorAnswers],
    source: str,
) -> Stored:
    """Keep the submissions the plan does not hold yet (by their instance id); all or nothing.
    A submission repeated inside `responses` counts once."""
    known = set(
        OperatorResponse.objects.filter(
            plan=plan, instance_id__in=[r.instance_id for r in responses]
        ).values_list("instance_id", flat=True)
    )
    new: dict[str, OperatorAnswers] = {}
    for response in responses:
        if response.instance_id not in known:
            new.setdefault(response.instance_id, response)
    _create(plan, survey, user, [(response, source) for response in new.values()])
    if new:
        _touch(plan)
    return Stored(added=len(new), already_there=len(responses) - len(new))


@transaction.atomic
def remove_response(*, plan: Plan, user: User | None, response_id: int) -> bool:
    """Drop one response of the plan (entered by mistake, or twice under two ids); False when
    the plan holds no such response. `user`: who did it (checked by the view)."""
    removed, _kinds = OperatorResponse.objects.filter(plan=plan, pk=response_id).delete()
    if removed:
        _touch(plan)
    return bool(removed)


def on_plan_imported(
    sender: object, *, plan: Plan, user: User | None, data: Any, **kw: Any
) -> None:
    """plans' `plan_imported`: the plan file's operators' responses, already checked against
    the survey by the file reader, kept with the new plan (inside the import's transaction)."""
    if not data.operators:
        return
    survey = bundled_survey()  # the only one the file reader accepts
    _create(plan, survey, user, [(operator, operator.source) for operator in data.operators])
    _touch(plan)


def as_answers(response: OperatorResponse) -> OperatorAnswers:
    return OperatorAnswers(
        instance_id=response.instance_id,
        submitted=response.submitted,
        answers=response.answers if isinstance(response.answers, dict) else {},
        latitude=response.latitude,
        longitude=response.longitude,
    )


def plan_responses(plan: Plan, survey: Survey) -> list[OperatorAnswers]:
    """The plan's responses to this survey, oldest first. One query, none for a plan that
    never had any (most plans: every document and step 2 ask)."""
    if plan.operators_updated is None:
        return []
    rows = OperatorResponse.objects.filter(plan=plan, survey_id=survey.id).order_by(
        "submitted", "id"
    )
    return [as_answers(row) for row in rows]


# The summary (pure) -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Share:
    """How many of `base` gave this answer (a share of those asked, never of all)."""

    code: str
    label: str
    count: int
    base: int

    @property
    def share(self) -> float:
        return self.count / self.base if self.base else 0.0

    @property
    def percent(self) -> int:
        return round(100 * self.share)


@dataclass(frozen=True)
class QuestionSummary:
    id: str
    label: str
    kind: str  # a QuestionKind value
    asked: int  # responses the question applied to (its `relevant` condition held)
    answered: int
    options: tuple[Share, ...] = ()  # choice questions: every option, in the survey's order
    texts: tuple[Share, ...] = ()  # free-text questions: distinct texts, the most cited first

    @property
    def unanswered(self) -> int:
        return self.asked - self.answered

    @property
    def ranked(self) -> tuple[Share, ...]:
        """The answers given, the most frequent first (a compact line on the step page)."""
        given = [s for s in (self.options or self.texts) if s.count]
        return tuple(sorted(given, key=lambda s: -s.count))


@dataclass(frozen=True)
class ItemEvidence:
    """What the survey says for one maturity question of step 2.2."""

    item: str
    questions: tuple[QuestionSummary, ...]


@dataclass(frozen=True)
class Point:
    latitude: float
    longitude: float
    type_code: str
    type_label: str


@dataclass(frozen=True)
class OperatorsSummary:
    title: str
    count: int
    first: datetime.date | None
    last: datetime.date | None
    types: tuple[Share, ...]  # every operator type, in the survey's order
    neighbourhoods: tuple[Share, ...]  # the most cited, then « others »
    items: tuple[ItemEvidence, ...]  # in the order of the questions that inform them
    points: tuple[Point, ...]

    @property
    def located(self) -> int:
        return len(self.points)

    def item(self, item_id: str) -> ItemEvidence | None:
        return next((i for i in self.items if i.item == item_id), None)


def codes(value: Any) -> list[str]:
    """A stored choice answer as a list of codes: a list, or one code, or codes separated by
    spaces (as ODK and Kobo write a multiple choice)."""
    if isinstance(value, list):
        return [str(code) for code in value if str(code)]
    if isinstance(value, str):
        return value.split()
    return []


def is_asked(question: Question, answers: Mapping[str, Any]) -> bool:
    """Whether the form asked this question, by its `relevant` condition (as the XLSForm
    writes it: `${q} = 'code'`, `not(selected(${q}, 'code'))`)."""
    relevant = question.relevant
    if relevant is None:
        return True
    given = codes(answers.get(relevant.question))
    if relevant.equals is not None:
        return given == [relevant.equals]
    return relevant.excludes not in given


def _choice(question: Question, rows: Sequence[Mapping[str, Any]]) -> QuestionSummary:
    asked = [a for a in rows if is_asked(question, a)]
    given = [codes(a.get(question.id)) for a in asked]
    counts: Counter[str] = Counter(code for chosen in given for code in set(chosen))
    base = len(asked)
    options = [Share(o.code, str(o.label), counts.pop(o.code, 0), base) for o in question.options]
    options += [Share(code, code, n, base) for code, n in sorted(counts.items())]  # unknown codes
    return QuestionSummary(
        id=question.id,
        label=str(question.label),
        kind=question.kind.value,
        asked=base,
        answered=sum(bool(chosen) for chosen in given),
        options=tuple(options),
    )


def _clean(text: Any) -> str:
    return " ".join(str(text).split()) if isinstance(text, str | int | float) else ""


def grouped(texts: Iterable[str], base: int, limit: int, others: str) -> tuple[Share, ...]:
    """Distinct texts (« Kandia Sud » and « kandia sud » are one), the most cited first, as
    the first spelling seen; past `limit`, one line `others` counts the rest."""
    counts: Counter[str] = Counter()
    spelling: dict[str, str] = {}
    for text in texts:
        key = text.casefold()
        spelling.setdefault(key, text)
        counts[key] += 1
    ranked = sorted(counts.items(), key=lambda pair: (-pair[1], pair[0]))
    shown = [Share(key, spelling[key], n, base) for key, n in ranked[:limit]]
    rest = sum(n for _key, n in ranked[limit:])
    if rest:
        shown.append(Share("", others, rest, base))
    return tuple(shown)


def _text(question: Question, rows: Sequence[Mapping[str, Any]]) -> QuestionSummary:
    asked = [a for a in rows if is_asked(question, a)]
    texts = [t for t in (_clean(a.get(question.id)) for a in asked) if t]
    return QuestionSummary(
        id=question.id,
        label=str(question.label),
        kind=question.kind.value,
        asked=len(asked),
        answered=len(texts),
        texts=grouped(texts, len(asked), TEXTS, _("others")),
    )


def summarise_question(question: Question, rows: Sequence[Mapping[str, Any]]) -> QuestionSummary:
    if question.kind in CHOICE_KINDS:
        return _choice(question, rows)
    return _text(question, rows)


def _day(moment: datetime.datetime | None) -> datetime.date | None:
    if moment is None:
        return None
    return timezone.localtime(moment).date() if timezone.is_aware(moment) else moment.date()


def summarise(
    survey: Survey, responses: Sequence[OperatorAnswers], language: str
) -> OperatorsSummary:
    """What the responses say, in `language`: how many, when, who and where, and per maturity
    question of step 2.2 the distribution of each question that informs it."""
    with translation.override(language):
        rows = [r.answers for r in responses]
        by_item: dict[str, list[QuestionSummary]] = {}
        for question in survey.questions:
            if question.informs and question.kind is not QuestionKind.GEOPOINT:
                by_item.setdefault(question.informs, []).append(summarise_question(question, rows))
        type_question = survey.question(TYPE_QUESTION)
        types = _choice(type_question, rows).options if type_question else ()
        type_labels = {o.code: o.label for o in types}
        places = [_clean(a.get(PLACE_QUESTION)) for a in rows]
        days = sorted(d for d in (_day(r.submitted) for r in responses) if d)
        points = tuple(
            Point(
                r.latitude,
                r.longitude,
                kind,
                type_labels.get(kind, kind) or _("Type not given"),
            )
            for r in responses
            if r.latitude is not None and r.longitude is not None
            for kind in [next(iter(codes(r.answers.get(TYPE_QUESTION))), "")]
        )
        return OperatorsSummary(
            title=str(survey.title),
            count=len(responses),
            first=days[0] if days else None,
            last=days[-1] if days else None,
            types=tuple(types),
            neighbourhoods=grouped(
                (p for p in places if p), len(rows), NEIGHBOURHOODS, _("other neighbourhoods")
            ),
            items=tuple(
                ItemEvidence(item, tuple(questions)) for item, questions in by_item.items()
            ),
            points=points,
        )


def answer_text(question: Question, value: Any) -> str:
    """One response's answer in words: option labels (an unknown code as itself), or the text."""
    if question.kind in CHOICE_KINDS:
        return ", ".join(
            str(option.label) if (option := question.option(code)) else code
            for code in codes(value)
        )
    return _clean(value)


def response_table(
    survey: Survey, responses: Sequence[OperatorAnswers], language: str
) -> tuple[tuple[str, ...], ...]:
    """The responses as a table, in `language`: the header, then one row per operator (the
    day it was submitted, every question's answer in words, its position)."""
    with translation.override(language):
        questions = [q for q in survey.questions if q.kind is not QuestionKind.GEOPOINT]
        header = (
            _("Submitted"),
            *(str(q.label) for q in questions),
            _("Latitude"),
            _("Longitude"),
            _("Submission id"),
        )
        rows = [
            (
                d.isoformat() if (d := _day(r.submitted)) else "",
                *(answer_text(q, r.answers.get(q.id)) for q in questions),
                "" if r.latitude is None else f"{r.latitude:.5f}",
                "" if r.longitude is None else f"{r.longitude:.5f}",
                r.instance_id,
            )
            for r in responses
        ]
        return (header, *rows)


# The plan's activity ------------------------------------------------------------------------


def operator_events(plans: list[Plan], filters: Filters, limit: int) -> list[Event]:
    """Activity lines: each import of operators' responses (one person, one file, at one
    moment), newest first; none when narrowed to a step other than the one they inform. One
    query. A removed response is gone from the database, and from these lines."""
    if not plans or limit <= 0:
        return []
    survey = bundled_survey()
    by_id = {plan.pk: plan for plan in plans}
    rows = OperatorResponse.objects.filter(plan_id__in=list(by_id))
    if filters.person is not None:
        rows = rows.filter(imported_by_id=filters.person)
    grouped = (
        rows.order_by()
        .values("plan_id", "imported_by_id", "imported_by__name", "imported_by__email", "source")
        .annotate(when=Max("imported"), count=Count("id"))
        .order_by("-when")[:limit]
    )
    informed = next((q.informs for q in survey.questions if q.informs), "")
    events = []
    for row in grouped:
        plan = by_id[row["plan_id"]]
        step = definition_of(plan).step_of(informed) if informed else None
        if filters.step is not None and (step is None or step.id != filters.step):
            continue
        actor = row["imported_by__name"] or row["imported_by__email"] or _("someone")
        summary = ngettext(
            "%(name)s added %(count)s operator’s response to the survey (%(source)s)",
            "%(name)s added %(count)s operators’ responses to the survey (%(source)s)",
            row["count"],
        ) % {"name": actor, "count": row["count"], "source": row["source"] or "—"}
        events.append(
            Event(
                when=row["when"],
                actor=actor,
                actor_id=row["imported_by_id"],
                kind=OPERATORS_KIND,
                plan_id=plan.pk,
                plan_title=plan.title,
                step_id=step.id if step else "",
                item_id="",
                record_uid="",
                summary=summary,
                url=reverse("plan_operators", args=[plan.pk]),
                count=row["count"],
            )
        )
    return events
