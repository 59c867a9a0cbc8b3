"""Answers are checked against the definition; stored values hold codes, never labels."""

from __future__ import annotations

import re
from typing import Any

import pytest

from jalon.worksheets.answers import (
    AnswerError,
    ItemState,
    clean_answer,
    clean_record,
    is_answered,
    item_state,
)
from jalon.worksheets.loading import latest_definition


@pytest.fixture(autouse=True)
def _english(english):
    """These tests read messages outside any request."""


@pytest.fixture(scope="module")
def definition():
    return latest_definition("gerer-les-services-urbains")


def test_text_is_trimmed_and_limited(definition):
    item = definition.item("competences")
    assert clean_answer(item, "  L’État finance, la commune exploite.\r\n") == (
        "L’État finance, la commune exploite."
    )
    with pytest.raises(AnswerError, match="20000"):
        clean_answer(item, "x" * 20_001)


def test_single_choice_takes_a_known_code_and_a_note(definition):
    item = definition.item("orientation")
    value = clean_answer(item, {"choice": "inclusion", "note": "Quartiers périphériques"})
    assert value == {"choice": "inclusion", "note": "Quartiers périphériques"}
    assert is_answered(item, value)
    with pytest.raises(AnswerError, match="not an option"):
        clean_answer(item, {"choice": "Le numérique contribue…", "note": ""})


def test_multiple_choice_keeps_definition_order_and_refuses_family_codes(definition):
    item = definition.item("affordable_tools")
    leaves = [option.code for option in item.leaf_options()]
    value = clean_answer(item, {"choices": [leaves[3], leaves[0], leaves[3]], "note": ""})
    assert value["choices"] == [leaves[0], leaves[3]]
    with pytest.raises(AnswerError):
        clean_answer(item, {"choices": [item.options[0].code], "note": ""})


def test_maturity_level_is_a_whole_number_from_zero_to_four(definition):
    item = definition.item("maturity_equipment")
    assert clean_answer(item, {"level": "3", "note": ""}) == {
        "level": 3,
        "note": "",
        "target": None,
        "target_date": None,
    }
    assert not is_answered(item, clean_answer(item, {"level": "", "note": "vu"}))
    for bad in ("5", "-1", "two", 2.5):
        with pytest.raises(AnswerError, match="0 to 4"):
            clean_answer(item, {"level": bad, "note": ""})


def test_a_target_is_a_level_or_a_scored_option_with_a_date(definition):
    maturity, position = definition.item("maturity_data"), definition.item("position_team")
    assert maturity.target and position.target and not definition.item("orientation").target
    raw = {"level": 1, "note": "", "target": "3", "target_date": "2027-12-31"}
    assert clean_answer(maturity, raw) == {
        "level": 1,
        "note": "",
        "target": 3,
        "target_date": "2027-12-31",
    }
    raw = {"choice": "obstacle", "target": "asset", "target_date": ""}
    assert clean_answer(position, raw)["target"] == "asset"
    assert clean_answer(position, raw)["target_date"] is None
    for item, bad, message in (
        (maturity, {"target": 7}, "target level"),
        (maturity, {"target": 2, "target_date": "2027-02-30"}, "YYYY-MM-DD"),
        (position, {"target": "moon"}, "not an option of the target"),
        (definition.item("orientation"), {"target": "x"}, "Unknown part"),
    ):
        with pytest.raises(AnswerError, match=message):
            clean_answer(item, bad)


def test_unknown_parts_and_wrong_types_are_refused(definition):
    with pytest.raises(AnswerError, match="Unknown part"):
        clean_answer(definition.item("orientation"), {"choice": None, "colour": "red"})
    with pytest.raises(AnswerError, match="must be text"):
        clean_answer(definition.item("competences"), ["a list"])
    with pytest.raises(AnswerError, match="a list"):
        clean_answer(definition.item("actors"), "text")


def test_a_record_is_checked_field_by_field(definition):
    item = definition.item("funding_programmes")
    data = clean_record(
        item,
        {
            "name": "Programme Villes Durables",
            "kind": "international_programme",
            "deadline": "2027-03-31",
            "amount": {"amount": "1 500 000,50", "currency": "xof"},
        },
        {},
    )
    assert data["amount"] == {"amount": "1500000.5", "currency": "XOF"}
    assert data["deadline"] == "2027-03-31" and data["funder"] == ""
    with pytest.raises(AnswerError, match="date"):
        clean_record(item, {"name": "X", "deadline": "31/03/2027"}, {})
    with pytest.raises(AnswerError, match="number"):
        clean_record(item, {"name": "X", "amount": {"amount": "beaucoup", "currency": "XOF"}}, {})
    with pytest.raises(AnswerError, match="required"):
        clean_record(item, {"name": "  "}, {})
    with pytest.raises(AnswerError, match="Unknown field"):
        clean_record(item, {"name": "X", "colour": "red"}, {})


def test_a_reference_must_name_a_record_of_the_same_plan(definition):
    item = definition.item("indicators")
    known = {"pilot_actions": {"a1", "a2"}}
    data = clean_record(item, {"name": "Taux de collecte", "actions": ["a2", "a1", "a2"]}, known)
    assert data["actions"] == ["a2", "a1"]
    with pytest.raises(AnswerError, match="not in this plan"):
        clean_record(item, {"name": "Taux", "actions": ["elsewhere"]}, known)


def test_a_multiple_reference_left_out_is_an_empty_list(definition):
    item = definition.item("indicators")
    data = clean_record(item, {"name": "Taux de collecte"}, {"pilot_actions": set()})
    assert data["actions"] == []


@pytest.mark.parametrize(
    ("text", "code", "kind"),
    [
        ("a\x00", "U+0000", "control character"),
        ("\x1b[31m", "U+001B", "control character"),
        ("\x85", "U+0085", "control character"),
        ("\x7f", "U+007F", "control character"),
        ("\ufdd0", "U+FDD0", "not a character"),
        ("\U0001fffe", "U+1FFFE", "not a character"),
        ("\udfff", "U+DFFF", "half of a character pair"),
    ],
)
def test_the_text_rule_names_the_field_and_the_character(definition, text, code, kind):
    with pytest.raises(AnswerError) as refused:
        clean_answer(definition.item("competences"), text)
    message = str(refused.value)
    assert message.startswith("The answer contains") and code in message and kind in message
    with pytest.raises(AnswerError, match=re.escape(code)):
        clean_record(definition.item("actors"), {"name": text}, {})


@pytest.mark.parametrize(
    "text",
    ["\t a\tb\nc ", "🚮♻️ 🇸🇳", "中文", "e\u0301\u0302", "a\u2028b\u2029c", "بلدية", "ɛɔŋƙɗẹọṣ"],
)
def test_the_text_rule_keeps_text(definition, text):
    assert clean_answer(definition.item("competences"), text) == text.strip()


def rows(**lists):
    return {
        item_id: [(f"{item_id}{n}", data) for n, data in enumerate(records)]
        for item_id, records in lists.items()
    }


def test_a_question_is_complete_once_answered_and_begun_by_its_note(definition):
    orientation = definition.item("orientation")
    assert item_state(orientation, {"choice": None, "note": ""}, {}) is ItemState.EMPTY
    assert item_state(orientation, {"choice": None, "note": "Peut-être"}, {}) is ItemState.STARTED
    assert item_state(orientation, {"choice": "inclusion", "note": ""}, {}) is ItemState.COMPLETE


def test_a_list_is_complete_when_every_record_has_the_fields_it_asks_for(definition):
    actors = definition.item("actors")
    assert item_state(actors, None, {}) is ItemState.EMPTY
    assert item_state(actors, None, rows(actors=[{"name": "ONG"}])) is ItemState.STARTED
    both = rows(actors=[{"name": "ONG", "type": "citizens"}, {"name": "Mairie"}])
    assert item_state(actors, None, both) is ItemState.STARTED  # the second has no type
    typed = rows(actors=[{"name": "ONG", "type": "citizens"}])
    assert item_state(actors, None, typed) is ItemState.COMPLETE


def test_a_perimeter_is_asked_for_each_pilot_action(definition):
    perimeters = definition.item("perimeters")
    full = {"territory": "Nord", "users": "Ménages", "scale": "pilot_project", "tool": ["sensors"]}
    actions: list[tuple[str, dict[str, Any]]] = [("a", {"title": "GPS"}), ("b", {"title": "SMS"})]
    first: list[tuple[str, dict[str, Any]]] = [("p", {"action": "a", **full})]
    both = [*first, ("q", {"action": "b", **full})]
    state = item_state(perimeters, None, {"pilot_actions": actions, "perimeters": first})
    assert state is ItemState.STARTED
    state = item_state(perimeters, None, {"pilot_actions": actions, "perimeters": both})
    assert state is ItemState.COMPLETE
    assert item_state(perimeters, None, {"perimeters": both}) is ItemState.STARTED  # no action


def test_a_maturity_question_takes_a_target_level_and_date_in_the_same_value(definition):
    item = definition.item("maturity_equipment")
    value = clean_answer(
        item, {"level": "1", "note": "", "target": "3", "target_date": "2027-12-31"}
    )
    assert value == {"level": 1, "note": "", "target": 3, "target_date": "2027-12-31"}
    assert clean_answer(item, {"level": 1, "target": "", "target_date": ""})["target"] is None


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"target": "5"}, "target level must be from 0 to 4"),
        ({"target": "trois"}, "target level must be from 0 to 4"),
        ({"target": True}, "target level must be from 0 to 4"),
        ({"target": "3", "target_date": "31/12/2027"}, "target date must be a date"),
        ({"target": "3", "target_date": "2027-02-30"}, "target date must be a date"),
    ],
)
def test_a_bad_target_is_refused_with_a_reason(definition, raw, message):
    with pytest.raises(AnswerError, match=message):
        clean_answer(definition.item("maturity_equipment"), {"level": "2", **raw})


def test_a_position_targets_one_of_its_own_options(definition):
    item = definition.item("position_team")
    value = clean_answer(item, {"choice": "obstacle", "target": "asset", "target_date": ""})
    assert value == {"choice": "obstacle", "note": "", "target": "asset", "target_date": None}
    with pytest.raises(AnswerError, match="not an option of the target"):
        clean_answer(item, {"choice": "obstacle", "target": "excellent"})


def test_an_item_without_a_target_refuses_one(definition):
    with pytest.raises(AnswerError, match="Unknown part"):
        clean_answer(definition.item("orientation"), {"choice": "inclusion", "target": "x"})


def test_a_target_set_before_the_level_has_begun_the_question_not_completed_it(definition):
    item = definition.item("maturity_data")
    aimed = clean_answer(item, {"level": "", "target": "3"})
    dated = clean_answer(item, {"level": "", "target_date": "2028-06-30"})
    assert item_state(item, aimed, {}) is ItemState.STARTED
    assert item_state(item, dated, {}) is ItemState.STARTED
    assert item_state(item, clean_answer(item, {"level": "2", "target": "3"}), {}) is (
        ItemState.COMPLETE
    )
    assert item_state(item, clean_answer(item, {"level": ""}), {}) is ItemState.EMPTY
