"""The operators' survey is data: it loads, it fits the worksheet it feeds (each question informs
a maturity question of 2.2, each operator type an actor type of 3.1), and a broken file fails with
the file, the question and the reason."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from jalon.worksheets.loading import DefinitionError, latest_definition
from jalon.worksheets.schema import ItemKind
from jalon.worksheets.survey import (
    SURVEY_PATH,
    QuestionKind,
    bundled_survey,
    load_survey,
    read_survey,
)

DEFINITION = latest_definition("gerer-les-services-urbains")


def raw() -> Any:
    return yaml.safe_load(SURVEY_PATH.read_text(encoding="utf-8"))


def test_the_bundled_survey_asks_what_the_issue_lists():
    survey = bundled_survey()
    kinds = {q.id: q.kind for q in survey.questions}
    assert kinds["operator_type"] is QuestionKind.CHOICE
    assert kinds["neighbourhood"] is QuestionKind.TEXT
    assert kinds["location"] is QuestionKind.GEOPOINT
    informed = {q.informs for q in survey.questions if q.informs}
    # equipment, uses, online presence, data kept, services offered, start-ups known
    assert informed == {
        "maturity_equipment",
        "maturity_uses",
        "maturity_online",
        "maturity_data",
        "maturity_services",
        "maturity_startups",
    }
    items = [DEFINITION.item(item) for item in informed]
    assert all(item and item.kind is ItemKind.MATURITY for item in items)
    actors = DEFINITION.item("actors")
    type_field = actors.field("type") if actors else None
    assert type_field is not None
    type_codes = {o.code for o in type_field.options}
    operator_type = survey.question("operator_type")
    assert operator_type is not None
    assert all(option.actor_type in type_codes for option in operator_type.options)


def test_every_text_is_in_both_languages_and_none_is_exclusive():
    survey = bundled_survey()
    for question in survey.questions:
        assert question.label.fr and question.label.en and question.label.fr != question.label.en
        for option in question.options:
            assert option.label.fr and option.label.en
            assert option.exclusive is (option.code == "none")


def test_the_hash_changes_with_the_content():
    changed = raw()
    changed["questions"][0]["label"]["fr"] = "Nom"
    assert read_survey(changed, "x.yaml", DEFINITION).hash != bundled_survey().hash
    assert read_survey(raw(), "x.yaml", DEFINITION).hash == bundled_survey().hash


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda r: r.update(worksheet="autre"), "must be 'gerer-les-services-urbains'"),
        (lambda r: r["questions"][4].update(informs="actors"), "which is no maturity question"),
        (lambda r: r["questions"][1]["options"][0].update(actor_type="x"), "not an actor type"),
        (lambda r: r["questions"][2].update(kind="photo"), "unknown kind 'photo'"),
        (lambda r: r["questions"].append(r["questions"][0]), "appears twice"),
        (lambda r: r["questions"][2].update(options=[]), "choice questions, and only they"),
        (
            lambda r: r["questions"][8].update(relevant={"question": "remarks", "equals": "x"}),
            "must name an earlier choice question",
        ),
        (
            lambda r: r["questions"][8].update(relevant={"question": "data_kept", "not": "zz"}),
            "needs `equals`",
        ),
        (lambda r: r["questions"][0]["label"].pop("en"), "exactly the languages fr and en"),
    ],
)
def test_a_broken_survey_says_where_and_why(change, reason):
    broken = raw()
    change(broken)
    with pytest.raises(DefinitionError) as error:
        read_survey(broken, "broken.yaml", DEFINITION)
    assert reason in str(error.value)
    assert str(error.value).startswith("broken.yaml: ")


def test_a_file_that_is_not_yaml_is_refused(tmp_path: Path):
    path = tmp_path / "survey.yaml"
    path.write_text("questions: [\n", encoding="utf-8")
    with pytest.raises(DefinitionError, match="is not valid YAML"):
        load_survey(path, DEFINITION)
    with pytest.raises(DefinitionError, match="cannot be read"):
        load_survey(tmp_path / "missing.yaml", DEFINITION)
