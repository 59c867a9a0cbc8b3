"""Fifty plausible operators' responses for the demo plan and the tests, without a command.

The operators of Kandia's waste collection: informal collectors with a cart, their groups,
cooperatives, companies, a start-up, the municipal service; in invented neighbourhoods of the
invented city, 35 of them located around its centre. Built from a fixed seed: the same fifty
every time, so the demo and the tests read the same figures.
"""

from __future__ import annotations

import datetime
import random
import uuid

from jalon.accounts.models import User
from jalon.plans.models import Plan
from jalon.worksheets.survey import Survey, bundled_survey

from .evidence import OperatorAnswers, store_responses

CENTRE = (14.062, -16.233)  # the invented city of Kandia, inland Senegal
SPREAD = 0.025  # degrees: about 2.8 km either way
NEIGHBOURHOODS = (
    "Escale",
    "Médina",
    "Santhiaba",
    "Boudody",
    "Tilène",
    "Kandia Nord",
    "Goumel",
    "Diabir",
    "Lyndiane",
    "Grand Kandia",
    "Sam",
)
# Operator types, as many as a waste-collection survey of fifty finds.
TYPES = (
    ("informal_individual", 22),
    ("informal_group", 9),
    ("social_economy", 7),
    ("private_company", 6),
    ("startup", 2),
    ("public_operator", 4),
)
STARTUPS = ("Kandia Propre", "SetalKandia", "Xaalis Bin", "Kandia Propre")
NAMESPACE = uuid.UUID("6f1f0c1e-4c0b-4f55-9f64-2a5b1d7c9e12")
SOURCE = "demo"


def _some(rng: random.Random, codes: list[str], chance: float) -> list[str]:
    return [code for code in codes if rng.random() < chance]


def demo_responses(count: int = 50, located: int = 35) -> list[OperatorAnswers]:
    """`count` responses, the first `located` with a position."""
    rng = random.Random(12)  # noqa: S311  # nosec B311  (made-up data, not a secret)
    kinds = [code for code, n in TYPES for _ in range(n)]
    rng.shuffle(kinds)  # every type among the located ones and on every day
    out = []
    start = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
    for index in range(count):
        kind = kinds[index % len(kinds)]
        formal = kind in ("private_company", "startup", "public_operator")
        equipment = (
            ["smartphone", "internet", *_some(rng, ["computer", "gps"], 0.6)]
            if formal
            else ["basic_phone" if rng.random() < 0.55 else "smartphone"]
        )
        if equipment == ["smartphone"] and rng.random() < 0.5:
            equipment.append("internet")
        unequipped = not formal and rng.random() < 0.12
        if unequipped:
            equipment = ["none"]
        uses = _some(
            rng,
            ["calls_sms", "messaging_groups", "mobile_money", "bookkeeping", "customer_list"],
            0.7 if formal else 0.35,
        ) or ["calls_sms"]
        online = _some(rng, ["whatsapp_business", "facebook", "website"], 0.5 if formal else 0.1)
        if unequipped:  # no phone: no use of one, and nowhere online
            uses, online = ["none"], []
        data_kept = _some(rng, ["customers", "payments", "volumes"], 0.6 if formal else 0.3)
        answers: dict[str, str | list[str]] = {
            "operator_type": kind,
            "neighbourhood": NEIGHBOURHOODS[rng.randrange(len(NEIGHBOURHOODS))],
            "equipment": equipment,
            "uses": uses,
            "online_presence": online or ["none"],
            "data_kept": data_kept or ["none"],
            "services_offered": _some(rng, ["information", "order", "pay"], 0.4) or ["none"],
            "startups_known": "yes" if rng.random() < 0.3 else "no",
        }
        if data_kept:
            answers["data_medium"] = "paper" if not formal else rng.choice(["own_device", "shared"])
        if answers["startups_known"] == "yes":
            answers["startups_names"] = STARTUPS[index % len(STARTUPS)]
        if index % 7 == 0:
            answers["operator_name"] = f"Opérateur {index + 1}"
        point = (
            (
                round(CENTRE[0] + rng.uniform(-SPREAD, SPREAD), 5),
                round(CENTRE[1] + rng.uniform(-SPREAD, SPREAD), 5),
            )
            if index < located
            else (None, None)
        )
        out.append(
            OperatorAnswers(
                instance_id=f"uuid:{uuid.uuid5(NAMESPACE, str(index))}",
                submitted=start + datetime.timedelta(days=index // 3, hours=index % 3),
                answers=answers,
                latitude=point[0],
                longitude=point[1],
            )
        )
    return out


def add_demo_responses(plan: Plan, user: User | None, survey: Survey | None = None) -> int:
    """The fifty demo responses into `plan` (none twice); how many were added."""
    survey = survey or bundled_survey()
    stored = store_responses(
        plan=plan, user=user, survey=survey, responses=demo_responses(), source=SOURCE
    )
    return stored.added


def on_demo_loaded(sender: object, *, plan: Plan, demo: User, **kwargs: object) -> None:
    """plans' `demo_loaded`: the demo plan gets its operators' survey."""
    add_demo_responses(plan, demo)
