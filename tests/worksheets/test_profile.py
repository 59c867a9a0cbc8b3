"""The maturity profile: levels and targets per question, overall scores over what is answered,
positions on their options' scores; and an answer's target in words."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import translation

from jalon.worksheets.display import describe_answer
from jalon.worksheets.loading import get_definition, latest_definition
from jalon.worksheets.profile import plan_profile, profile_scores

MATURITY = (
    "maturity_equipment",
    "maturity_uses",
    "maturity_online",
    "maturity_data",
    "maturity_mapping",
    "maturity_services",
    "maturity_startups",
)
POSITIONS = (
    "position_data",
    "position_innovation_agenda",
    "position_team",
    "position_innovation_funds",
    "position_infrastructure_funds",
)


@pytest.fixture(scope="module")
def definition():
    return latest_definition("gerer-les-services-urbains")


def test_each_question_has_its_level_target_date_and_gap(definition):
    answers = {
        "maturity_equipment": {"level": 1, "target": 3, "target_date": "2027-12-31", "note": ""},
        "maturity_uses": {"level": 2, "target": None, "target_date": None, "note": ""},
        "maturity_data": {"level": None, "target": 2, "target_date": None, "note": ""},
    }
    profile = plan_profile(definition, answers)
    assert [q.item.id for q in profile.maturity] == list(MATURITY)
    equipment, uses, _online, data = profile.maturity[:4]
    assert (equipment.current, equipment.target, equipment.gap) == (1, 3, 2)
    assert equipment.target_date == datetime.date(2027, 12, 31)
    assert equipment.current_level is not None and equipment.current_level.level == 1
    assert equipment.target_level is not None and equipment.target_level.level == 3
    assert (uses.current, uses.target, uses.gap) == (2, None, None)
    assert (data.current, data.target, data.gap) == (None, 2, None)


def test_the_overall_score_counts_only_what_is_answered(definition):
    answers = {
        "maturity_equipment": {"level": 1, "target": 3},
        "maturity_uses": {"level": 2, "target": 4},
        "maturity_online": {"level": 4},
    }
    score = plan_profile(definition, answers).maturity_score
    assert (score.total, score.answered, score.targeted) == (7, 3, 2)
    assert score.current_mean == Decimal("2.3")  # 7 / 3, never (7 + 0 × 4) / 7
    assert score.current_percent == 58
    assert score.target_mean == Decimal("3.5")
    assert score.target_percent == 88


def test_an_empty_plan_has_no_score_rather_than_zero(definition):
    profile = plan_profile(definition, {})
    assert profile.maturity_score.answered == 0
    assert profile.maturity_score.current_mean is None
    assert profile.maturity_score.current_percent is None
    assert all(q.current is None and q.target is None for q in profile.maturity)


def test_positions_are_scored_on_their_options(definition):
    answers = {
        "position_data": {"choice": "obstacle", "target": "asset", "target_date": "2028-06-30"},
        "position_team": {"choice": "asset", "target": None},
        "position_innovation_funds": {"choice": "to_build", "target": "to_build"},
    }
    profile = plan_profile(definition, answers)
    assert [q.item.id for q in profile.positions] == list(POSITIONS)
    data = profile.positions[0]
    assert (data.current, data.target, data.gap, data.scale) == (0, 2, 2, 2)
    assert (data.current_code, data.target_code) == ("obstacle", "asset")
    assert data.target_option is not None and data.target_option.code == "asset"
    score = profile.positions_score
    assert (score.answered, score.targeted) == (3, 2)
    assert score.current_mean == Decimal("1.0")
    assert score.target_percent == 75  # (2 + 1) / 2 of 2


@pytest.mark.parametrize(
    "odd",
    [
        {"level": 9, "target": -1},
        {"level": True, "target": "3"},
        {"level": "2", "target": 2.5, "target_date": "not a date"},
        "a text where a level should be",
        None,
    ],
)
def test_what_is_not_a_level_reads_as_unanswered(definition, odd):
    """An imported file may hold anything; the profile shows it as missing, never fails."""
    question = plan_profile(definition, {"maturity_equipment": odd}).maturity[0]
    assert (question.current, question.target, question.target_date) == (None, None, None)


def test_an_unknown_position_code_reads_as_unanswered(definition):
    answers = {"position_data": {"choice": "excellent", "target": "obstacle"}}
    question = plan_profile(definition, answers).positions[0]
    assert (question.current, question.target) == (None, 0)


def test_a_worksheet_without_targets_still_profiles_its_levels():
    definition = get_definition("gerer-les-services-urbains", 2)
    answers = {"maturity_equipment": {"level": 3, "target": 4}}
    profile = plan_profile(definition, answers)
    assert not profile.takes_targets
    assert profile.maturity[0].current == 3
    assert profile.maturity[0].target is None  # v2 takes no target: a stray one is not read
    assert profile.positions == ()


def test_the_scores_are_plain_json_data(definition):
    answers = {
        "maturity_equipment": {"level": 1, "target": 3, "target_date": "2027-12-31"},
        "position_data": {"choice": "obstacle", "target": "asset"},
    }
    scores = profile_scores(plan_profile(definition, answers))
    assert scores["maturity"]["overall"] == {
        "scale": 4,
        "questions": 7,
        "answered": 1,
        "targeted": 1,
        "current_mean": "1.0",
        "target_mean": "3.0",
        "current_percent": 25,
        "target_percent": 75,
    }
    assert scores["maturity"]["questions"][0] == {
        "item": "maturity_equipment",
        "current": 1,
        "target": 3,
        "target_date": "2027-12-31",
        "gap": 2,
    }
    assert scores["positions"]["questions"][0]["target_choice"] == "asset"


def test_an_answer_reads_with_its_target_and_date(definition):
    item = definition.item("maturity_equipment")
    value = {"level": 1, "note": "", "target": 3, "target_date": "2027-12-31"}
    with translation.override("fr"):
        assert describe_answer(item, value).splitlines()[-1] == (
            "Cible\u00a0: 3/4 d’ici le 31 décembre 2027"
        )
        first = {**value, "target_date": "2028-03-01"}
        assert describe_answer(item, first).endswith("d’ici le 1er mars 2028")
    with translation.override("en"):
        assert describe_answer(item, value).endswith("Target: 3/4 by 31 December 2027")
        assert describe_answer(item, {**value, "target_date": None}).endswith("Target: 3/4")
    position = definition.item("position_team")
    with translation.override("en"):
        text = describe_answer(position, {"choice": "obstacle", "target": "asset"})
    assert text == "It is an obstacle\nTarget: It is an asset"
