"""A stand-in for `jalon.field.evidence`, which the `evidence` helper writes in parallel: the
exact signature agreed (`OperatorAnswers`, `store_responses`), storing nothing but what it was
given, so the import's tests run before the real module lands. Used only when the real module
is missing (tests/field/conftest.py); remove once it is merged."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class OperatorAnswers:
    instance_id: str
    submitted: datetime.datetime | None
    answers: dict[str, str | list[str]]
    latitude: float | None
    longitude: float | None


@dataclass(frozen=True)
class Stored:
    added: int


def store_responses(
    *, plan: Any, user: Any, survey: Any, responses: list[OperatorAnswers], source: str
) -> Stored:
    return Stored(added=len(responses))
