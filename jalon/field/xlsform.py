"""The worksheet and the operators' survey as XLSForms, for KoboToolbox, ODK Collect and Enketo.

An XLSForm is three sheets (survey, choices, settings); these builders return them as plain rows
and `form_xlsx` writes the workbook. Every name, list name, form id and version comes from
`naming`, because the submissions import reads them back with the same module. The form's texts
come from the definitions' French and English, in both languages whatever the person's language
(a field team may switch on the phone); `language` only says which one opens first.

Worksheet items are never required (a team fills what it knows); a record's required fields
are. Pure: no database, no request.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass

from openpyxl import Workbook

from jalon.worksheets.answers import MAX_FIELD_TEXT, MAX_LINE_TEXT
from jalon.worksheets.schema import (
    LANGUAGES,
    Definition,
    Field,
    FieldKind,
    Item,
    ItemKind,
    Level,
    Option,
    Section,
    Step,
    Text,
)
from jalon.worksheets.survey import Question, QuestionKind, Survey

from . import naming

Row = dict[str, str]

# The language columns' names, as KoboToolbox and ODK show them: a name and its ISO 639 code.
LANGUAGE_NAMES = {"fr": "Français (fr)", "en": "English (en)"}
TRANSLATED = ("label", "hint", "constraint_message", "required_message")
SURVEY_COLUMNS = (
    "type",
    "name",
    *(f"{column}::{LANGUAGE_NAMES[lang]}" for column in TRANSLATED for lang in LANGUAGES),
    "required",
    "constraint",
    "relevant",
    "appearance",
    "calculation",
)
CHOICES_COLUMNS = ("list_name", "name", *(f"label::{LANGUAGE_NAMES[lang]}" for lang in LANGUAGES))
SETTINGS_COLUMNS = ("form_title", "form_id", "version", "default_language", "style")

# Texts of the form that no definition holds, in both languages (not gettext: the form carries
# both whatever the language of the person who downloads it).
REQUIRED = Text(fr="Cette réponse est obligatoire.", en="This answer is required.")
TARGET = Text(fr="Cible", en="Target")
TARGET_LEVEL = Text(fr="Niveau cible", en="Target level")
TARGET_DATE = Text(fr="Date cible", en="Target date")
CURRENCY = Text(fr="Devise (code à trois lettres)", en="Currency (three-letter code)")
CURRENCY_HINT = Text(fr="Par exemple XOF, EUR.", en="For example XOF, EUR.")
CURRENCY_MESSAGE = Text(
    fr="La devise est un code de trois lettres majuscules, comme XOF ou EUR.",
    en="The currency is a three-letter code in capitals, such as XOF or EUR.",
)
EXCLUSIVE_MESSAGE = Text(
    fr="« {option} » ne se coche pas avec une autre réponse.",
    en="“{option}” cannot be ticked with another answer.",
)
REFERENCE_HINT = Text(
    fr="Écrivez le titre tel qu’il figure dans la liste « {list} ».",
    en="Write the title as it appears in the list “{list}”.",
)
REFERENCES_HINT = Text(
    fr="Écrivez les titres tels qu’ils figurent dans la liste « {list} », un par ligne.",
    en="Write the titles as they appear in the list “{list}”, one per line.",
)
# Enketo's `pages` style shows each field-list group (a section, a record) on its own page.
STYLE = "pages"
FIELD_LIST = "field-list"
MULTILINE = "multiline"


@dataclass(frozen=True)
class Form:
    """An XLSForm's three sheets, each a list of rows keyed by column name."""

    survey: tuple[Row, ...]
    choices: tuple[Row, ...]
    settings: Row
    mark: naming.Mark

    @property
    def form_id(self) -> str:
        return self.settings["form_id"]


def _texts(column: str, text: Text | None) -> Row:
    if text is None:
        return {}
    return {f"{column}::{LANGUAGE_NAMES[lang]}": text.get(lang) for lang in LANGUAGES}


def _join(*texts: Text | None, between: str = " ") -> Text:
    """The texts present, joined in each language; at least one must be present."""
    present = [text for text in texts if text is not None]
    assert present, "nothing to join"
    return Text(
        fr=between.join(text.fr for text in present), en=between.join(text.en for text in present)
    )


def _thousands(number: int, language: str) -> str:
    grouped = f"{number:,}"
    return grouped.replace(",", "\u202f") if language == "fr" else grouped


def _length(limit: int) -> Row:
    message = Text(
        fr=f"{_thousands(limit, 'fr')} caractères au plus.",
        en=f"At most {_thousands(limit, 'en')} characters.",
    )
    return {"constraint": f"string-length(.) <= {limit}", **_texts("constraint_message", message)}


def _required() -> Row:
    return {"required": "yes", **_texts("required_message", REQUIRED)}


def _question(kind: str, name: str, label: Text, hint: Text | None = None, /, **extra: str) -> Row:
    return {"type": kind, "name": name, **_texts("label", label), **_texts("hint", hint), **extra}


def _mark(mark: naming.Mark) -> Row:
    # Hidden and calculated: Kobo and ODK keep it in every submission, whatever version the
    # server gives the form, so the import can tell which form a submission answers.
    return {"type": "calculate", "name": naming.MARK, "calculation": f"'{mark}'"}


def _leaves(options: Iterable[Option]) -> list[tuple[str, Text]]:
    """The options one can tick, a family's options labelled « Family — option »."""
    leaves: list[tuple[str, Text]] = []
    for option in options:
        if option.is_family:
            leaves.extend(
                (leaf.code, _join(option.label, leaf.label, between=" — "))
                for leaf in option.options
            )
        else:
            leaves.append((option.code, option.label))
    return leaves


def _choices(list_name: str, leaves: Iterable[tuple[str, Text]]) -> list[Row]:
    return [
        {"list_name": list_name, "name": code, **_texts("label", label)} for code, label in leaves
    ]


def _level_label(level: Level) -> Text:
    # The field worker chooses from the rubric, as on the step page, not from a bare number.
    return Text(
        fr=f"{level.level} — {level.label.fr}\u00a0: {level.rubric.fr}",
        en=f"{level.level} — {level.label.en}: {level.rubric.en}",
    )


class _Builder:
    def __init__(self, definition: Definition) -> None:
        self.definition = definition
        self.titles: dict[str, str] = {}  # a list written so far → its title field's name
        self.survey: list[Row] = []
        self.choices: list[Row] = []
        self.lists: set[str] = set()

    def choice_list(self, list_name: str, leaves: Iterable[tuple[str, Text]]) -> None:
        if list_name not in self.lists:
            self.lists.add(list_name)
            self.choices.extend(_choices(list_name, leaves))

    def item(self, item: Item) -> None:
        if item.kind is ItemKind.RECORDS:
            self.records(item)
            return
        if item.kind is ItemKind.TEXT:
            self.survey.append(
                _question(
                    "text",
                    naming.item_name(item),
                    item.label,
                    item.help,
                    appearance=MULTILINE,
                    **_length(item.max_length),
                )
            )
            return
        list_name = naming.choice_list(item)
        if item.kind is ItemKind.MATURITY:
            levels = [(str(lv.level), _level_label(lv)) for lv in item.levels]
            self.choice_list(list_name, levels)
        else:
            self.choice_list(list_name, _leaves(item.options))
        select = "select_multiple" if item.kind is ItemKind.MULTIPLE_CHOICE else "select_one"
        self.survey.append(
            _question(f"{select} {list_name}", naming.item_name(item), item.label, item.help)
        )
        if item.note is not None:  # an item without one takes no note (answers.py)
            self.survey.append(
                _question(
                    "text",
                    naming.note_name(item),
                    item.note,
                    appearance=MULTILINE,
                    **_length(item.max_length),
                )
            )
        if item.target:
            target = TARGET_LEVEL if item.kind is ItemKind.MATURITY else TARGET
            target_name = naming.target_name(item)
            self.survey.append(_question(f"select_one {list_name}", target_name, target))
            self.survey.append(_question("date", naming.target_date_name(item), TARGET_DATE))

    def records(self, item: Item) -> None:
        repeat = naming.item_name(item)
        self.survey.append(_question("begin_repeat", repeat, item.label, appearance=FIELD_LIST))
        family = item.family_field()
        for field in item.fields:
            relevant = (
                {"relevant": f"selected(${{{naming.field_name(item, family)}}}, '{field.group}')"}
                if family is not None and field.group is not None
                else {}
            )
            required = _required() if field.required else {}
            for row in self.field(item, field):
                self.survey.append({**row, **relevant, **required})
        self.survey.append({"type": "end_repeat"})
        # Known once the repeat is written: a later list may point at this one's records.
        title = item.field(item.title_field or "")
        if title is not None and title.kind is FieldKind.TEXT:
            self.titles[item.id] = naming.field_name(item, title)

    def field(self, item: Item, field: Field) -> list[Row]:
        name = naming.field_name(item, field)
        kind = field.kind
        if kind in (FieldKind.TEXT, FieldKind.LONG_TEXT):
            long = kind is FieldKind.LONG_TEXT
            return [
                _question(
                    "text",
                    name,
                    field.label,
                    field.help,
                    **({"appearance": MULTILINE} if long else {}),
                    **_length(MAX_FIELD_TEXT if long else MAX_LINE_TEXT),
                )
            ]
        if kind in (FieldKind.CHOICE, FieldKind.MULTIPLE_CHOICE):
            list_name = naming.choice_list(item, field)
            self.choice_list(list_name, _leaves(field.options))
            select = "select_one" if kind is FieldKind.CHOICE else "select_multiple"
            return [_question(f"{select} {list_name}", name, field.label, field.help)]
        if kind is FieldKind.NUMBER:
            return [_question("decimal", name, field.label, field.help)]
        if kind is FieldKind.DATE:
            return [_question("date", name, field.label, field.help)]
        if kind is FieldKind.MONEY:
            return [
                _question("decimal", name, field.label, field.help),
                _question(
                    "text",
                    naming.currency_name(item, field),
                    _join(field.label, CURRENCY, between=" — "),
                    CURRENCY_HINT,
                    constraint="regex(., '^[A-Z]{3}$')",
                    **_texts("constraint_message", CURRENCY_MESSAGE),
                ),
            ]
        return [self.reference(name, field)]

    def reference(self, name: str, field: Field) -> Row:
        # A record is named by its title: chosen from the list's records when the list is in
        # this form (and already written), else typed, the import finding it by its title.
        title = self.titles.get(field.references or "")
        if title is not None and not field.multiple:
            return _question(f"select_one ${{{title}}}", name, field.label, field.help)
        listed = self.definition.item(field.references or "")
        list_label = listed.label if listed else field.label
        hint = REFERENCES_HINT if field.multiple else REFERENCE_HINT
        formatted = Text(
            fr=hint.fr.format(list=list_label.fr), en=hint.en.format(list=list_label.en)
        )
        return _question(
            "text",
            name,
            field.label,
            _join(field.help, formatted),
            **({"appearance": MULTILINE} if field.multiple else {}),
            **_length(MAX_FIELD_TEXT if field.multiple else MAX_LINE_TEXT),
        )


def _settings(title: Text, mark: naming.Mark, language: str) -> Row:
    # pyxform has no translated form title: it is in the language that opens first.
    return {
        "form_title": title.get(language),
        "form_id": naming.form_id(mark),
        "version": naming.form_version(mark),
        "default_language": LANGUAGE_NAMES[language],
        "style": STYLE,
    }


def _check_language(language: str) -> None:
    if language not in LANGUAGES:
        raise ValueError(f"language must be one of {', '.join(LANGUAGES)}, not {language!r}")


def step_numbered(definition: Definition, number: int) -> Step | None:
    return next((step for step in definition.steps if step.number == number), None)


def _section(builder: _Builder, section: Section) -> None:
    # A section without lists is one page; ODK Collect cannot show a repeat inside a field-list.
    has_list = any(item.kind is ItemKind.RECORDS for item in section.items)
    builder.survey.append(
        _question(
            "begin_group",
            naming.section_group(section),
            _join(Text(fr=section.id, en=section.id), section.title),
            **({} if has_list else {"appearance": FIELD_LIST}),
        )
    )
    instruction = _join(section.lead, section.instruction, between="\n\n")
    builder.survey.append(_question("note", naming.instruction_name(section), instruction))
    for item in section.items:
        builder.item(item)
    builder.survey.append({"type": "end_group"})


def worksheet_form(definition: Definition, step: Step | None = None, language: str = "fr") -> Form:
    """The whole worksheet, or one step, with a group per step and per section."""
    _check_language(language)
    mark = naming.worksheet_mark(definition, step)
    builder = _Builder(definition)
    builder.survey.append(_mark(mark))
    for one in (step,) if step else definition.steps:
        builder.survey.append(
            _question(
                "begin_group",
                naming.step_group(one),
                _join(Text(fr=f"{one.number}.", en=f"{one.number}."), one.title),
            )
        )
        for section in one.sections:
            _section(builder, section)
        builder.survey.append({"type": "end_group"})
    title = definition.title
    if step is not None:
        numbered = Text(fr=f"étape {step.number}", en=f"step {step.number}")
        title = _join(title, numbered, between=" — ")
    return Form(
        survey=tuple(builder.survey),
        choices=tuple(builder.choices),
        settings=_settings(title, mark, language),
        mark=mark,
    )


def _relevance(question: Question) -> Row:
    relevance = question.relevant
    if relevance is None:
        return {}
    other = naming.question_name(relevance.question)
    if relevance.equals is not None:
        return {"relevant": f"${{{other}}} = '{relevance.equals}'"}
    return {"relevant": f"not(selected(${{{other}}}, '{relevance.excludes}'))"}


def _exclusive(question: Question) -> Row:
    exclusive = [option for option in question.options if option.exclusive]
    if question.kind is not QuestionKind.MULTIPLE_CHOICE or not exclusive:
        return {}
    constraint = " and ".join(
        f"not(selected(., '{option.code}') and count-selected(.) > 1)" for option in exclusive
    )
    message = _join(
        *(
            Text(
                fr=EXCLUSIVE_MESSAGE.fr.format(option=option.label.fr),
                en=EXCLUSIVE_MESSAGE.en.format(option=option.label.en),
            )
            for option in exclusive
        )
    )
    return {"constraint": constraint, **_texts("constraint_message", message)}


SURVEY_TYPES = {
    QuestionKind.TEXT: "text",
    QuestionKind.LONG_TEXT: "text",
    QuestionKind.GEOPOINT: "geopoint",
}


def operators_form(survey: Survey, definition: Definition, language: str = "fr") -> Form:
    """The operators' survey: the same short questions asked of many operators."""
    _check_language(language)
    if survey.worksheet != definition.id:
        raise ValueError(f"the survey feeds {survey.worksheet!r}, not {definition.id!r}")
    mark = naming.survey_mark(survey)
    rows: list[Row] = [_question("note", naming.intro_name(), survey.intro), _mark(mark)]
    choices: list[Row] = []
    for question in survey.questions:
        name = naming.question_name(question.id)
        extra: Row = {**_relevance(question), **(_required() if question.required else {})}
        if question.kind in (QuestionKind.CHOICE, QuestionKind.MULTIPLE_CHOICE):
            choices.extend(_choices(name, ((o.code, o.label) for o in question.options)))
            select = "select_one" if question.kind is QuestionKind.CHOICE else "select_multiple"
            kind = f"{select} {name}"
            extra.update(_exclusive(question))
        else:
            kind = SURVEY_TYPES[question.kind]
            if question.kind is QuestionKind.LONG_TEXT:
                extra.update({"appearance": MULTILINE, **_length(MAX_FIELD_TEXT)})
            elif question.kind is QuestionKind.TEXT:
                extra.update(_length(MAX_LINE_TEXT))
        rows.append(_question(kind, name, question.label, question.help, **extra))
    return Form(
        survey=tuple(rows),
        choices=tuple(choices),
        settings=_settings(survey.title, mark, language),
        mark=mark,
    )


def _sheet(workbook: Workbook, title: str, columns: tuple[str, ...], rows: Iterable[Row]) -> None:
    sheet = workbook.create_sheet(title)
    sheet.append(list(columns))
    for row in rows:
        unknown = set(row) - set(columns)
        assert not unknown, f"columns {unknown} are not in the {title} sheet"
        sheet.append([row.get(column, "") for column in columns])
    sheet.freeze_panes = "A2"


def form_xlsx(form: Form) -> bytes:
    """The XLSForm workbook, as KoboToolbox, ODK Central and pyxform read it."""
    workbook = Workbook()
    if workbook.active is not None:
        workbook.remove(workbook.active)
    _sheet(workbook, "survey", SURVEY_COLUMNS, form.survey)
    _sheet(workbook, "choices", CHOICES_COLUMNS, form.choices)
    _sheet(workbook, "settings", SETTINGS_COLUMNS, (form.settings,))
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
