"""The operators' survey: short questions asked of many operators of a service in the field.

The survey is data (`definitions/operators.survey.v1.yaml`), read and checked here like the
worksheet: a broken file fails with the file, the question and the reason. Each question may say
which maturity question of step 2.2 it `informs` (its summary is shown there), and each operator
type which actor type of step 3.1 it belongs to, so the evidence lands where the team decides.
Pure: no database, no request. jalon.field turns a survey into an XLSForm and reads its
submissions back; the deliverables summarise them.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from .loading import BUNDLED, DefinitionError, _Reader, latest_definition
from .schema import Definition, ItemKind, Text

SURVEY_PATH = BUNDLED / "operators.survey.v1.yaml"


class QuestionKind(StrEnum):
    TEXT = "text"  # one line
    LONG_TEXT = "long_text"
    CHOICE = "choice"
    MULTIPLE_CHOICE = "multiple_choice"
    GEOPOINT = "geopoint"  # latitude and longitude (and altitude, accuracy) from the phone


@dataclass(frozen=True)
class SurveyOption:
    code: str
    label: Text
    actor_type: str | None = None  # the step 3.1 actor type this operator type belongs to
    exclusive: bool = False  # « none »: cannot be ticked with another option


@dataclass(frozen=True)
class Relevance:
    """When a question is asked: another choice question `equals` a code, or a multiple choice
    question does `not` hold a code (« where is it kept » is not asked of who keeps nothing)."""

    question: str
    equals: str | None = None
    excludes: str | None = None


@dataclass(frozen=True)
class Question:
    id: str
    kind: QuestionKind
    label: Text
    help: Text | None = None
    required: bool = False
    options: tuple[SurveyOption, ...] = ()
    informs: str | None = None  # the id of the step 2.2 item it gives evidence for
    relevant: Relevance | None = None

    def option(self, code: str) -> SurveyOption | None:
        return next((option for option in self.options if option.code == code), None)


@dataclass(frozen=True)
class Survey:
    id: str
    version: int
    worksheet: str  # the worksheet definition id it feeds
    title: Text
    intro: Text
    questions: tuple[Question, ...]
    hash: str = ""  # sha256 of the file's canonical content
    path: str = ""

    def question(self, question_id: str) -> Question | None:
        return next((q for q in self.questions if q.id == question_id), None)

    def informing(self, item_id: str) -> tuple[Question, ...]:
        return tuple(q for q in self.questions if q.informs == item_id)


QUESTION_KEYS = {"id", "kind", "label", "help", "required", "options", "informs", "relevant"}
CHOICE_KINDS = (QuestionKind.CHOICE, QuestionKind.MULTIPLE_CHOICE)


def _options(reader: _Reader, raw: Any, where: str, actor_types: set[str]) -> list[SurveyOption]:
    options = []
    for index, raw_option in enumerate(reader.sequence(raw, f"{where}.options")):
        at = f"{where}.options[{index}]"
        data = reader.mapping(
            raw_option, at, {"code", "label", "actor_type", "exclusive"}, {"code", "label"}
        )
        actor_type = data.get("actor_type")
        if actor_type is not None and actor_type not in actor_types:
            raise reader.fail(at, f"actor_type {actor_type!r} is not an actor type of step 3.1")
        options.append(
            SurveyOption(
                code=reader.identifier(data["code"], at),
                label=reader.text(data["label"], f"{at}.label"),
                actor_type=actor_type,
                exclusive=data.get("exclusive") is True,
            )
        )
    reader.unique([o.code for o in options], where, "option")
    return options


def _relevance(reader: _Reader, raw: Any, where: str, earlier: dict[str, Question]) -> Relevance:
    data = reader.mapping(raw, where, {"question", "equals", "not"}, {"question"})
    other = earlier.get(str(data["question"]))
    if other is None or other.kind not in CHOICE_KINDS:
        raise reader.fail(where, "relevant must name an earlier choice question")
    equals, excludes = data.get("equals"), data.get("not")
    code = equals if other.kind is QuestionKind.CHOICE else excludes
    if (equals is None) == (excludes is None) or code is None or other.option(code) is None:
        raise reader.fail(
            where, "relevant needs `equals` (one choice) or `not` (multiple choice) and an option"
        )
    return Relevance(question=other.id, equals=equals, excludes=excludes)


def read_survey(raw: Any, path: str, definition: Definition) -> Survey:
    reader = _Reader(path)
    data = reader.mapping(
        raw,
        "survey",
        {"id", "version", "worksheet", "title", "intro", "questions"},
        {"id", "version", "worksheet", "title", "intro", "questions"},
    )
    if data["worksheet"] != definition.id:
        raise reader.fail("survey.worksheet", f"must be {definition.id!r}")
    version = data["version"]
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise reader.fail("survey.version", "must be a whole number from 1")
    actors = definition.item("actors")
    type_field = actors.field("type") if actors else None
    actor_types = {o.code for o in type_field.options} if type_field else set()
    maturity = {i.id for i in definition.items if i.kind is ItemKind.MATURITY}
    questions: dict[str, Question] = {}
    for index, raw_question in enumerate(reader.sequence(data["questions"], "survey.questions")):
        where = f"questions[{index}]"
        q = reader.mapping(raw_question, where, QUESTION_KEYS, {"id", "kind", "label"})
        question_id = reader.identifier(q["id"], where)
        where = f"question {question_id}"
        if question_id in questions:
            raise reader.fail(where, "appears twice")
        try:
            kind = QuestionKind(q["kind"])
        except ValueError:
            raise reader.fail(where, f"unknown kind {q['kind']!r}") from None
        if (kind in CHOICE_KINDS) != ("options" in q):
            raise reader.fail(where, "choice questions, and only they, have options")
        informs = q.get("informs")
        if informs is not None and informs not in maturity:
            raise reader.fail(where, f"informs {informs!r}, which is no maturity question")
        questions[question_id] = Question(
            id=question_id,
            kind=kind,
            label=reader.text(q["label"], f"{where}.label"),
            help=reader.optional_text(q, "help", where),
            required=q.get("required") is True,
            options=tuple(_options(reader, q["options"], where, actor_types))
            if "options" in q
            else (),
            informs=informs,
            relevant=_relevance(reader, q["relevant"], f"{where}.relevant", questions)
            if "relevant" in q
            else None,
        )
    canonical = json.dumps(raw, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return Survey(
        id=reader.identifier(data["id"], "survey.id"),
        version=version,
        worksheet=definition.id,
        title=reader.text(data["title"], "survey.title"),
        intro=reader.text(data["intro"], "survey.intro"),
        questions=tuple(questions.values()),
        hash=hashlib.sha256(canonical.encode()).hexdigest(),
        path=path,
    )


def load_survey(path: str | Path, definition: Definition) -> Survey:
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise DefinitionError(str(path), "file", f"cannot be read ({error.strerror})") from None
    except yaml.YAMLError as error:
        raise DefinitionError(str(path), "file", f"is not valid YAML ({error})") from None
    return read_survey(raw, str(path), definition)


@cache
def bundled_survey() -> Survey:
    """The operators' survey, checked against the latest worksheet it feeds."""
    return load_survey(SURVEY_PATH, latest_definition("gerer-les-services-urbains"))
