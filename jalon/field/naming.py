"""The names Jalon gives a worksheet's and a survey's parts in an XLSForm, in one place.

The XLSForm export writes these names and the submissions import reads them back: KoboToolbox
and ODK Central export each answer under its group path (`step_2/section_2_2/maturity_uses`),
so a name must say, by itself, which item, field or survey question it holds. Names are valid
XML names (letters, digits, `_`), unique in a form, and stable: a published worksheet version
always gives the same names.

Every form also carries a hidden calculated question, `jalon_form`, whose value says which
worksheet or survey, version and content hash it was made from and what it covers: Kobo and ODK
keep it in every submission (a form's `version` setting can be replaced by the server's own), so
an import can refuse a submission of another form or version and say which it is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from jalon.worksheets.schema import Definition, Field, Item, Section, Step
from jalon.worksheets.survey import Survey

MARK = "jalon_form"  # the hidden question that says which form a submission answers
HASH_LENGTH = 12
WHOLE = "all"  # what a whole-worksheet form covers; a step's form covers `step-N`
OPERATORS = "operators"  # what the operators' survey covers


@dataclass(frozen=True)
class Mark:
    """What a form was made from: `source` is a worksheet or survey id."""

    source: str
    version: int
    hash: str  # the first HASH_LENGTH characters of the definition's or survey's sha256
    scope: str  # WHOLE, `step-N`, or OPERATORS

    def __str__(self) -> str:
        return f"{self.source} v{self.version} {self.hash} {self.scope}"

    @property
    def step(self) -> int | None:
        return int(self.scope[5:]) if self.scope.startswith("step-") else None


MARK_PATTERN = re.compile(
    r"^([a-z0-9][a-z0-9_.-]*) v([0-9]+) ([0-9a-f]+) (all|step-[0-9]+|operators)$"
)


def parse_mark(text: str) -> Mark | None:
    found = MARK_PATTERN.match(text.strip())
    if not found:
        return None
    return Mark(found[1], int(found[2]), found[3], found[4])


def worksheet_mark(definition: Definition, step: Step | None = None) -> Mark:
    scope = f"step-{step.number}" if step else WHOLE
    return Mark(definition.id, definition.version, definition.hash[:HASH_LENGTH], scope)


def survey_mark(survey: Survey) -> Mark:
    return Mark(survey.id, survey.version, survey.hash[:HASH_LENGTH], OPERATORS)


def _xml(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_]", "_", text)


def form_id(mark: Mark) -> str:
    """The XLSForm `form_id`: `jalon_gerer_les_services_urbains_v3_step2`, `jalon_operators_v1`."""
    suffix = f"_step{mark.step}" if mark.step else ""
    return f"jalon_{_xml(mark.source)}_v{mark.version}{suffix}"


def form_version(mark: Mark) -> str:
    """The XLSForm `version`: the worksheet version, then its hash (`3.fc7ac572efb7`)."""
    return f"{mark.version}.{mark.hash}"


def step_group(step: Step) -> str:
    return f"step_{step.number}"


def section_group(section: Section) -> str:
    return "section_" + _xml(section.id)


def item_name(item: Item) -> str:
    """A text, a choice or a level; a list's repeat group."""
    return item.id


def note_name(item: Item) -> str:
    """The free text beside a choice or a maturity level."""
    return f"{item.id}_note"


def target_name(item: Item) -> str:
    return f"{item.id}_target"


def target_date_name(item: Item) -> str:
    return f"{item.id}_target_date"


def field_name(item: Item, field: Field) -> str:
    """A field of a list's record, inside the list's repeat. Prefixed with the list, because
    two lists have fields of the same name (`family`) and XLSForm references must be unique.
    For money, this is the amount."""
    return f"{item.id}__{field.id}"


def currency_name(item: Item, field: Field) -> str:
    """A money field's currency, beside its amount."""
    return f"{item.id}__{field.id}__currency"


def choice_list(item: Item, field: Field | None = None) -> str:
    """The `list_name` of an item's or a field's options, or a maturity item's levels."""
    return f"{item.id}__{field.id}" if field else item.id


def question_name(question_id: str) -> str:
    """An operators' survey question: its id (they are unique in the survey)."""
    return question_id


def instruction_name(section: Section) -> str:
    """The note that shows a section's instruction at the top of its group."""
    return f"{section_group(section)}_instruction"


def intro_name() -> str:
    """The operators' survey's opening note; no survey question may take this id."""
    return "survey_intro"
