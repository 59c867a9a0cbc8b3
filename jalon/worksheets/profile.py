"""The maturity profile of a plan: where each question stands now, where the team aims, by when.

    plan_profile(definition, answers)   → Profile (the seven maturity questions of step 2.2 and
                                          the positions of step 5.2, with their overall scores)
    profile_scores(profile)             → the same as plain JSON data (the plan file's `scores`)

A maturity question is on its 0–4 scale; a position on its options' scores (obstacle 0, to build
1, asset 2). An overall score is the mean over the questions that have a value, as a share of the
scale, and says how many questions it rests on: an unanswered question is never counted as a 0.
Plain data in, plain data out: no database, no language (labels are the definition's `Text`).
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from .schema import Definition, Item, ItemKind, Level, Option, Text

MATURITY_SCALE = 4


@dataclass(frozen=True)
class Question:
    """One question of the profile: its value now and its target, on the same scale."""

    item: Item
    scale: int  # the highest value: 4 for a maturity level, the best option's score for a position
    current: int | None
    target: int | None
    target_date: datetime.date | None
    current_code: str | None = None  # a position's option code; None for a maturity question
    target_code: str | None = None

    @property
    def label(self) -> Text:
        return self.item.label

    @property
    def gap(self) -> int | None:
        """How far the target is from now (negative: the target is below today's level)."""
        if self.current is None or self.target is None:
            return None
        return self.target - self.current

    @property
    def current_level(self) -> Level | None:
        return _level(self.item, self.current) if self.current_code is None else None

    @property
    def target_level(self) -> Level | None:
        return _level(self.item, self.target) if self.target_code is None else None

    @property
    def current_option(self) -> Option | None:
        return _option(self.item, self.current_code)

    @property
    def target_option(self) -> Option | None:
        return _option(self.item, self.target_code)


@dataclass(frozen=True)
class Score:
    """The questions' mean, now and as targeted, each over the questions that have one."""

    total: int  # questions in the profile
    scale: int
    answered: int  # questions with a value now
    targeted: int  # questions with a target
    current_mean: Decimal | None  # on the scale, one decimal; None when nothing is answered
    target_mean: Decimal | None

    @property
    def current_percent(self) -> int | None:
        return _percent(self.current_mean, self.scale)

    @property
    def target_percent(self) -> int | None:
        return _percent(self.target_mean, self.scale)


@dataclass(frozen=True)
class Profile:
    maturity: tuple[Question, ...]
    positions: tuple[Question, ...]
    maturity_score: Score
    positions_score: Score

    @property
    def takes_targets(self) -> bool:
        """The worksheet asks for targets (definition v3 on); older plans show levels only."""
        return any(q.item.target for q in (*self.maturity, *self.positions))


def _level(item: Item, value: int | None) -> Level | None:
    return next((lvl for lvl in item.levels if lvl.level == value), None)


def _option(item: Item, code: str | None) -> Option | None:
    return next((o for o in item.leaf_options() if o.code == code), None) if code else None


def _percent(mean: Decimal | None, scale: int) -> int | None:
    if mean is None or not scale:
        return None
    return int((mean * 100 / scale).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _whole(value: Any, scale: int) -> int | None:
    """A stored level, kept only when it is one (an imported file may hold anything)."""
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value if 0 <= value <= scale else None


def _day(value: Any) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value) if isinstance(value, str) and value else None
    except ValueError:
        return None


def _maturity_question(item: Item, value: Mapping[str, Any]) -> Question:
    return Question(
        item=item,
        scale=MATURITY_SCALE,
        current=_whole(value.get("level"), MATURITY_SCALE),
        target=_whole(value.get("target"), MATURITY_SCALE) if item.target else None,
        target_date=_day(value.get("target_date")) if item.target else None,
    )


def _position_question(item: Item, value: Mapping[str, Any]) -> Question:
    scores = {o.code: o.score for o in item.leaf_options() if o.score is not None}
    current = value.get("choice") if value.get("choice") in scores else None
    target = value.get("target") if value.get("target") in scores else None
    return Question(
        item=item,
        scale=max(scores.values(), default=0),
        current=scores[current] if current else None,
        target=scores[target] if target else None,
        target_date=_day(value.get("target_date")),
        current_code=current,
        target_code=target,
    )


def _mean(values: list[int]) -> Decimal | None:
    if not values:
        return None
    return (Decimal(sum(values)) / len(values)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _score(questions: tuple[Question, ...], scale: int) -> Score:
    now = [q.current for q in questions if q.current is not None]
    aimed = [q.target for q in questions if q.target is not None]
    return Score(
        total=len(questions),
        scale=scale,
        answered=len(now),
        targeted=len(aimed),
        current_mean=_mean(now),
        target_mean=_mean(aimed),
    )


def is_position(item: Item) -> bool:
    """A single choice that takes a target, on scored options (step 5.2 of the worksheet)."""
    return (
        item.kind is ItemKind.SINGLE_CHOICE
        and item.target
        and any(o.score is not None for o in item.leaf_options())
    )


def plan_profile(definition: Definition, answers: Mapping[str, Any]) -> Profile:
    """`answers`: item id → stored value (as `clean_answer` stores it); anything else is read as
    unanswered rather than refused, so that a plan imported from an odd file still shows."""

    def value(item: Item) -> Mapping[str, Any]:
        stored = answers.get(item.id)
        return stored if isinstance(stored, Mapping) else {}

    maturity = tuple(
        _maturity_question(item, value(item))
        for item in definition.items
        if item.kind is ItemKind.MATURITY
    )
    positions = tuple(
        _position_question(item, value(item)) for item in definition.items if is_position(item)
    )
    position_scale = max((q.scale for q in positions), default=0)
    return Profile(
        maturity=maturity,
        positions=positions,
        maturity_score=_score(maturity, MATURITY_SCALE),
        positions_score=_score(positions, position_scale),
    )


def _question_data(question: Question) -> dict[str, Any]:
    data: dict[str, Any] = {
        "item": question.item.id,
        "current": question.current,
        "target": question.target,
        "target_date": question.target_date.isoformat() if question.target_date else None,
        "gap": question.gap,
    }
    if question.item.kind is ItemKind.SINGLE_CHOICE:
        data |= {"current_choice": question.current_code, "target_choice": question.target_code}
    return data


def _score_data(score: Score) -> dict[str, Any]:
    return {
        "scale": score.scale,
        "questions": score.total,
        "answered": score.answered,
        "targeted": score.targeted,
        "current_mean": str(score.current_mean) if score.current_mean is not None else None,
        "target_mean": str(score.target_mean) if score.target_mean is not None else None,
        "current_percent": score.current_percent,
        "target_percent": score.target_percent,
    }


def profile_scores(profile: Profile) -> dict[str, Any]:
    """The profile as JSON data (numbers as numbers, means as decimal strings, dates ISO)."""
    return {
        "maturity": {
            "overall": _score_data(profile.maturity_score),
            "questions": [_question_data(q) for q in profile.maturity],
        },
        "positions": {
            "overall": _score_data(profile.positions_score),
            "questions": [_question_data(q) for q in profile.positions],
        },
    }
