"""What the API reads and answers, as typed schemas: django-ninja makes the OpenAPI description
from them, and checks every request against them before a handler runs."""

from __future__ import annotations

import datetime
from typing import Any

from ninja import Field, Schema

# A version or offset beyond this is nonsense; bounding it keeps the database out of overflows.
MAX_INT = 2**31 - 1


class Problem(Schema):
    """Every refusal: `detail` says what went wrong in the person's language (Accept-Language,
    else their profile's language); `errors` names each wrong field; `current` is the stored
    value and version a stale write was refused against."""

    detail: str
    errors: list[FieldProblem] | None = None
    current: Current | None = None


class FieldProblem(Schema):
    field: str
    message: str


class Current(Schema):
    version: int
    value: Any = None  # an answer's
    data: dict[str, Any] | None = None  # a record's


class Municipality(Schema):
    id: int
    name: str
    country: str
    city: str
    currency: str
    role: str  # the token owner's role there


class Member(Schema):
    id: int
    name: str
    email: str
    role: str
    validator: bool


class DefinitionRef(Schema):
    id: str
    version: int
    hash: str


class PlanSummary(Schema):
    id: int
    municipality: int
    title: str
    service: str
    service_name: str
    review_state: str
    definition: DefinitionRef
    created: datetime.datetime
    updated: datetime.datetime


class StepProgressOut(Schema):
    step: str
    number: int
    done: int
    total: int
    percent: int


class PlanDetail(PlanSummary):
    horizon: datetime.date | None
    progress: list[StepProgressOut]


class AnswerOut(Schema):
    item: str
    value: Any = None
    version: int  # 0: never answered
    updated: datetime.datetime | None
    updated_by: str | None


class AnswerIn(Schema):
    value: Any = None
    base_version: int = Field(..., ge=0, le=MAX_INT)


class AnswerSaved(AnswerOut):
    changed: bool


class RecordOut(Schema):
    uid: str
    item: str
    position: int
    data: dict[str, Any]
    version: int
    updated: datetime.datetime
    updated_by: str | None


class RecordIn(Schema):
    data: dict[str, Any]


class RecordChange(Schema):
    data: dict[str, Any]
    base_version: int = Field(..., ge=0, le=MAX_INT)


class RecordMove(Schema):
    offset: int = Field(..., ge=-1, le=1, description="-1: up one place, 1: down one place")


class RevisionOut(Schema):
    id: int
    item: str
    record: str | None
    action: str
    before: Any = None
    after: Any = None
    version: int
    user: str | None
    created: datetime.datetime


class CommentOut(Schema):
    id: int
    author: str | None
    body: str
    created: datetime.datetime
    edited: datetime.datetime | None


class ThreadOut(Schema):
    id: int
    item: str
    record: str | None
    option: str | None
    resolved: bool
    comments: list[CommentOut]


class CommentIn(Schema):
    item: str = Field(..., max_length=64)
    body: str = Field(..., max_length=5000)  # a guard; the service says the real limit, in words
    record: str = Field("", max_length=32)


class AdviceOut(Schema):
    rule: str
    severity: str
    items: list[str]
    record: str | None
    message: str
    set_aside: bool
    reason: str | None
    set_aside_by: str | None
    set_aside_at: str | None


# The worksheet definitions, in both languages: read from the definition objects as they are.
class TextOut(Schema):
    fr: str
    en: str


class OptionOut(Schema):
    code: str
    label: TextOut
    help: TextOut | None = None
    score: int | None = None
    options: list[OptionOut] = []


class LevelOut(Schema):
    level: int
    label: TextOut
    rubric: TextOut


class FieldOut(Schema):
    id: str
    kind: str
    label: TextOut
    help: TextOut | None = None
    required: bool
    options: list[OptionOut]
    references: str | None = None
    multiple: bool


class ItemOut(Schema):
    id: str
    kind: str
    label: TextOut
    help: TextOut | None = None
    note: TextOut | None = None
    options: list[OptionOut]
    levels: list[LevelOut]
    fields: list[FieldOut]
    max_length: int
    max_records: int
    target: bool


class SectionOut(Schema):
    id: str
    title: TextOut
    instruction: TextOut
    items: list[ItemOut]


class StepOut(Schema):
    id: str
    number: int
    title: TextOut
    sections: list[SectionOut]


class DefinitionSummary(Schema):
    id: str
    version: int
    hash: str
    title: TextOut
    source: TextOut


class DefinitionOut(DefinitionSummary):
    steps: list[StepOut]


Problem.model_rebuild()
OptionOut.model_rebuild()
