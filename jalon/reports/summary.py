"""A plan on one page: the « Synthèse » every deliverable opens with, and the plan page shows.

`summarise` reads the plan's answers and records as plain data (no database) and returns what a
council or a funder asks first: which service and orientation, how mature the service is and
aims to be, which pilot actions, where, when, led by whom and for how much, the budget drawn on
each funding source against the funding identified (per currency: amounts in different
currencies are never added), the key indicators, and what is still open.

Items are found by their ids in the bundled worksheet (orientation, pilot_actions, perimeters,
roadmap, funding_programmes, indicators); a worksheet without one simply has that part empty.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from jalon.worksheets.answers import is_answered
from jalon.worksheets.display import (
    RecordData,
    format_number,
    joined,
    list_separator,
    long_day,
    option_label,
)
from jalon.worksheets.followup import FollowUp, stored_date, stored_number
from jalon.worksheets.profile import Profile, Score
from jalon.worksheets.schema import Definition, ItemKind

# What one page holds; the totals always count every record.
MAX_PILOTS = 6
MAX_INDICATORS = 6
MAX_OPEN = 5
MAX_FUNDING = 5  # sources named one by one; the others are added up, per currency


@dataclass(frozen=True)
class Money:
    amount: Decimal
    currency: str


@dataclass(frozen=True)
class Pilot:
    title: str
    family: str
    perimeter: str  # the territory of its first perimeter (4.2)
    start: datetime.date | None  # the earliest start of its roadmap lines (5.3)
    end: datetime.date | None  # the latest end
    lead: str  # the lead partner of its first roadmap line that names one
    budget: tuple[Money, ...]  # its roadmap lines' budgets, one sum per currency


@dataclass(frozen=True)
class Funding:
    """One funding source as the roadmap draws on it, in one currency."""

    source: str  # the programme's name; "" for roadmap lines that name no source
    funder: str
    currency: str
    planned: Decimal  # the budgets of the roadmap lines drawn on it
    identified: Decimal | None  # the programme's amount (2.1), when it is in this currency
    lines: int  # roadmap lines drawn on it


@dataclass(frozen=True)
class Total:
    """Per currency: every roadmap line's budget against every programme identified."""

    currency: str
    planned: Decimal
    identified: Decimal

    @property
    def balance(self) -> Decimal:
        """Identified less planned: negative when the plan needs more than it has found."""
        return self.identified - self.planned


@dataclass(frozen=True)
class KeyIndicator:
    name: str
    unit: str
    baseline: Decimal | None
    baseline_date: datetime.date | None
    target: Decimal | None
    target_date: datetime.date | None
    latest: Decimal | None  # the last measurement (6.3), if any
    latest_date: datetime.date | None


@dataclass(frozen=True)
class Summary:
    orientation: str
    maturity: Score
    positions: Score
    pilots: tuple[Pilot, ...]  # at most MAX_PILOTS, in the plan's order
    pilot_count: int
    funding: tuple[Funding, ...]
    totals: tuple[Total, ...]
    indicators: tuple[KeyIndicator, ...]  # at most MAX_INDICATORS
    indicator_count: int
    unanswered: tuple[str, ...]  # « 2.1 Question… » of the items still empty, at most MAX_OPEN
    unanswered_count: int
    late: tuple[str, ...]  # the pilot actions of the roadmap lines that are late
    pilots_without_budget: tuple[str, ...]


def _money(value: Any) -> Money | None:
    if not isinstance(value, Mapping):
        return None
    amount = stored_number(value.get("amount"))
    currency = str(value.get("currency") or "").strip().upper()
    return Money(amount, currency) if amount is not None else None


def _sums(amounts: list[Money]) -> tuple[Money, ...]:
    """One sum per currency, in the order the currencies first appear."""
    sums: dict[str, Decimal] = {}
    for money in amounts:
        sums[money.currency] = sums.get(money.currency, Decimal(0)) + money.amount
    return tuple(Money(amount, currency) for currency, amount in sums.items())


def _choice_label(definition: Definition, item_id: str, field_id: str, code: Any) -> str:
    item = definition.item(item_id)
    field = item.field(field_id) if item else None
    return option_label(field.options, code) if field and code else ""


def _pilots(
    definition: Definition, records: Mapping[str, RecordData], titles: Mapping[str, str]
) -> list[Pilot]:
    roadmap = records.get("roadmap", ())
    perimeters = records.get("perimeters", ())
    pilots = []
    for uid, data in records.get("pilot_actions", ()):
        lines = [line for _uid, line in roadmap if line.get("action") == uid]
        starts = [d for d in (stored_date(line.get("start")) for line in lines) if d]
        ends = [d for d in (stored_date(line.get("end")) for line in lines) if d]
        lead = next((line["lead_partner"] for line in lines if line.get("lead_partner")), "")
        perimeter = next(
            (str(p.get("territory") or "") for _uid, p in perimeters if p.get("action") == uid),
            "",
        )
        pilots.append(
            Pilot(
                title=titles.get(uid, "") or str(data.get("title") or ""),
                family=_choice_label(definition, "pilot_actions", "family", data.get("family")),
                perimeter=perimeter,
                start=min(starts, default=None),
                end=max(ends, default=None),
                lead=titles.get(lead, "") if lead else "",
                budget=_sums(
                    [m for m in (_money(line.get("budget")) for line in lines) if m is not None]
                ),
            )
        )
    return pilots


def _funding(
    records: Mapping[str, RecordData], titles: Mapping[str, str]
) -> tuple[list[Funding], list[Total]]:
    programmes = dict(records.get("funding_programmes", ()))
    # (source uid, currency) → [budget, lines], in the order programmes then lines come.
    drawn: dict[tuple[str, str], list[Any]] = {}
    for uid, data in programmes.items():
        money = _money(data.get("amount"))
        if money is not None:
            drawn[(uid, money.currency)] = [Decimal(0), 0]
    for _uid, line in records.get("roadmap", ()):
        money = _money(line.get("budget"))
        if money is None:
            continue
        source = line.get("funding_source")
        source = source if isinstance(source, str) and source in programmes else ""
        entry = drawn.setdefault((source, money.currency), [Decimal(0), 0])
        entry[0] += money.amount
        entry[1] += 1
    funding = []
    for (source, currency), (planned, count) in drawn.items():
        programme = programmes.get(source, {})
        amount = _money(programme.get("amount"))
        funding.append(
            Funding(
                source=titles.get(source, "") or str(programme.get("name") or ""),
                funder=str(programme.get("funder") or ""),
                currency=currency,
                planned=planned,
                identified=amount.amount if amount and amount.currency == currency else None,
                lines=count,
            )
        )
    currencies = dict.fromkeys(f.currency for f in funding)
    totals = [
        Total(
            currency=currency,
            planned=sum((f.planned for f in funding if f.currency == currency), Decimal(0)),
            identified=sum(
                (f.identified or Decimal(0) for f in funding if f.currency == currency),
                Decimal(0),
            ),
        )
        for currency in currencies
    ]
    return funding, totals


def _indicators(records: Mapping[str, RecordData], progress: FollowUp) -> list[KeyIndicator]:
    latest = {t.uid: t.latest for t in progress.trajectories}
    indicators = []
    for uid, data in records.get("indicators", ()):
        last = latest.get(uid)
        indicators.append(
            KeyIndicator(
                name=str(data.get("name") or ""),
                unit=str(data.get("unit") or ""),
                baseline=stored_number(data.get("baseline_value")),
                baseline_date=stored_date(data.get("baseline_date")),
                target=stored_number(data.get("target_value")),
                target_date=stored_date(data.get("target_date")),
                latest=last.value if last else None,
                latest_date=last.date if last else None,
            )
        )
    return indicators


def summarise(
    definition: Definition,
    answers: Mapping[str, Any],
    records: Mapping[str, RecordData],
    titles: Mapping[str, str],
    profile: Profile,
    progress: FollowUp,
) -> Summary:
    """The plan's summary in the active language. `answers`: item id → stored value; `records`:
    item id → (uid, data) pairs in list order; `titles`: a record's uid → its name."""
    orientation = definition.item("orientation")
    chosen = answers.get("orientation")
    pilots = _pilots(definition, records, titles)
    funding, totals = _funding(records, titles)
    indicators = _indicators(records, progress)
    unanswered = [
        f"{section.id} {item.label}"
        for step in definition.steps
        for section in step.sections
        for item in section.items
        if not (
            bool(records.get(item.id))
            if item.kind is ItemKind.RECORDS
            else answers.get(item.id) is not None and is_answered(item, answers[item.id])
        )
    ]
    return Summary(
        orientation=option_label(orientation.options, chosen.get("choice"))
        if orientation and isinstance(chosen, Mapping) and chosen.get("choice")
        else "",
        maturity=profile.maturity_score,
        positions=profile.positions_score,
        pilots=tuple(pilots[:MAX_PILOTS]),
        pilot_count=len(pilots),
        funding=tuple(funding),
        totals=tuple(totals),
        indicators=tuple(indicators[:MAX_INDICATORS]),
        indicator_count=len(indicators),
        unanswered=tuple(unanswered[:MAX_OPEN]),
        unanswered_count=len(unanswered),
        late=tuple(line.action for line in progress.late),
        pilots_without_budget=tuple(p.title for p in pilots if not p.budget),
    )


# The summary as a page: words in the active language, cells that stay numbers, dates or
# amounts where they are (the spreadsheet keeps them so), the same for every deliverable.

Cell = str | Money | Decimal | datetime.date | None
SHORT = 80  # characters of a name or a place on the one page


@dataclass(frozen=True)
class Block:
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    totals: tuple[tuple[Cell, ...], ...] = ()
    more: str = ""  # « … and 42 more pilot actions, in section 4.1 »
    empty: str = ""  # said instead of the table when it has no row


@dataclass(frozen=True)
class Page:
    title: str
    facts: tuple[tuple[str, str], ...]  # label, value
    blocks: tuple[Block, ...]
    open_title: str
    open: tuple[str, ...]


def short(text: str, limit: int = SHORT) -> str:
    """A name cut to what one line of the page holds."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def amount_text(money: Money) -> str:
    return f"{format_number(str(money.amount))} {money.currency}".strip()


def cell_text(cell: Cell) -> str:
    """A cell as it reads on paper, in the active language."""
    if cell is None:
        return ""
    if isinstance(cell, Money):
        return amount_text(cell)
    if isinstance(cell, Decimal):
        return format_number(str(cell))
    if isinstance(cell, datetime.date):
        return long_day(cell)
    return cell


def _score(score: Score) -> str:
    if score.current_mean is None:
        return _("Not assessed yet")
    words = ngettext(
        "%(mean)s out of %(scale)s today (%(answered)s of %(total)s question answered)",
        "%(mean)s out of %(scale)s today (%(answered)s of %(total)s questions answered)",
        score.total,
    ) % {
        "mean": number_format(score.current_mean, 1),
        "scale": score.scale,
        "answered": score.answered,
        "total": score.total,
    }
    if score.target_mean is not None:
        words += list_separator() + _("target %(mean)s out of %(scale)s") % {
            "mean": number_format(score.target_mean, 1),
            "scale": score.scale,
        }
    return words


def _period(start: datetime.date | None, end: datetime.date | None) -> str:
    if start and end:
        return _("%(start)s to %(end)s") % {"start": long_day(start), "end": long_day(end)}
    if start:
        return _("from %(date)s") % {"date": long_day(start)}
    if end:
        return _("until %(date)s") % {"date": long_day(end)}
    return ""


def _budget(budget: tuple[Money, ...]) -> Cell:
    if len(budget) == 1:
        return budget[0]
    return joined(amount_text(m) for m in budget) or None


def _measure(value: Decimal | None, unit: str, day: datetime.date | None) -> str:
    if value is None:
        return ""
    text = f"{format_number(str(value))} {unit}".strip()
    return _("%(value)s on %(date)s") % {"value": text, "date": long_day(day)} if day else text


def _pilots_block(summary: Summary) -> Block:
    more = summary.pilot_count - len(summary.pilots)
    return Block(
        title=_("Pilot actions (%(count)s)") % {"count": summary.pilot_count},
        columns=(_("Pilot action"), _("Perimeter"), _("Dates"), _("Lead partner"), _("Budget")),
        rows=tuple(
            (
                short(p.title),
                short(p.perimeter),
                _period(p.start, p.end),
                short(p.lead, 60),
                _budget(p.budget),
            )
            for p in summary.pilots
        ),
        totals=tuple(
            (
                _("Total %(currency)s") % {"currency": t.currency},
                "",
                "",
                "",
                Money(t.planned, t.currency),
            )
            for t in summary.totals
            if t.planned
        ),
        more=ngettext(
            "… and %(count)s more pilot action, in section 4.1.",
            "… and %(count)s more pilot actions, in section 4.1.",
            more,
        )
        % {"count": more}
        if more > 0
        else "",
        empty=_("No pilot action yet."),
    )


def _others(funding: tuple[Funding, ...]) -> list[Funding]:
    """The sources past MAX_FUNDING, added up per currency into one row each."""
    rows = []
    for currency in dict.fromkeys(f.currency for f in funding):
        same = [f for f in funding if f.currency == currency]
        known = [f.identified for f in same if f.identified is not None]
        rows.append(
            Funding(
                source=ngettext("%(count)s other source", "%(count)s other sources", len(same))
                % {"count": len(same)},
                funder="",
                currency=currency,
                planned=sum((f.planned for f in same), Decimal(0)),
                identified=sum(known, Decimal(0)) if known else None,
                lines=sum(f.lines for f in same),
            )
        )
    return rows


def _funding_block(summary: Summary) -> Block:
    shown = list(summary.funding[:MAX_FUNDING]) + _others(summary.funding[MAX_FUNDING:])
    return Block(
        title=_("Budget by funding source"),
        columns=(
            _("Funding source"),
            _("Funding identified"),
            _("Budget drawn on it"),
            _("Balance"),
        ),
        rows=tuple(
            (
                short(f.source, 70) if f.source else _("No source named"),
                Money(f.identified, f.currency) if f.identified is not None else None,
                Money(f.planned, f.currency),
                Money(f.identified - f.planned, f.currency) if f.identified is not None else None,
            )
            for f in shown
        ),
        totals=tuple(
            (
                _("Total %(currency)s") % {"currency": t.currency},
                Money(t.identified, t.currency),
                Money(t.planned, t.currency),
                Money(t.balance, t.currency),
            )
            for t in summary.totals
        ),
        empty=_("No budget or funding programme yet."),
    )


def _indicators_block(summary: Summary) -> Block:
    more = summary.indicator_count - len(summary.indicators)
    return Block(
        title=_("Key indicators (%(count)s)") % {"count": summary.indicator_count},
        columns=(_("Indicator"), _("Baseline"), _("Latest measurement"), _("Target")),
        rows=tuple(
            (
                short(i.name),
                _measure(i.baseline, i.unit, i.baseline_date),
                _measure(i.latest, i.unit, i.latest_date),
                _measure(i.target, i.unit, i.target_date),
            )
            for i in summary.indicators
        ),
        more=ngettext(
            "… and %(count)s more indicator, in section 6.1.",
            "… and %(count)s more indicators, in section 6.1.",
            more,
        )
        % {"count": more}
        if more > 0
        else "",
        empty=_("No indicator yet."),
    )


def _open(summary: Summary) -> tuple[str, ...]:
    lines = [_("Not answered yet: %(item)s") % {"item": short(item)} for item in summary.unanswered]
    hidden = summary.unanswered_count - len(summary.unanswered)
    if hidden > 0:
        lines.append(
            ngettext(
                "… and %(count)s more item not answered yet.",
                "… and %(count)s more items not answered yet.",
                hidden,
            )
            % {"count": hidden}
        )
    if summary.late:
        lines.append(
            _("Late on the roadmap: %(actions)s")
            % {"actions": joined(short(a, 60) for a in summary.late[:MAX_OPEN])}
        )
    if summary.pilots_without_budget:
        lines.append(
            _("No budget on the roadmap yet: %(actions)s")
            % {"actions": joined(short(a, 60) for a in summary.pilots_without_budget[:MAX_OPEN])}
        )
    return tuple(lines) or (_("Nothing: every item is answered and no roadmap line is late."),)


def summary_page(summary: Summary, *, service: str, review: str) -> Page:
    """The summary in words, in the active language. `review`: the plan's review state as a
    sentence (« Projet — non validé », « Validé par … le … »)."""
    facts = [
        (_("Service"), service),
        (_("Orientation"), summary.orientation or _("Not chosen yet")),
        (_("Digital maturity"), _score(summary.maturity)),
    ]
    if summary.positions.total:
        facts.append((_("Positioning according to resources"), _score(summary.positions)))
    facts.append((_("State of the plan"), review))
    return Page(
        title=_("Summary"),
        facts=tuple(facts),
        blocks=(_pilots_block(summary), _funding_block(summary), _indicators_block(summary)),
        open_title=_("Still open"),
        open=_open(summary),
    )
