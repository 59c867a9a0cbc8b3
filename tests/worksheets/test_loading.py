"""The engine refuses broken definitions with the file, the item and the reason."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from jalon.worksheets.loading import (
    BUNDLED,
    DefinitionError,
    bundled_definitions,
    latest_definition,
    load_definition,
)
from jalon.worksheets.schema import ItemKind

MINIMAL = """
id: tiny
version: 1
title: {fr: Petit, en: Tiny}
source: {fr: Test, en: Test}
steps:
  - id: "1"
    title: {fr: Étape, en: Step}
    sections:
      - id: "1.1"
        title: {fr: Section, en: Section}
        instruction: {fr: Faire, en: Do}
        items:
%s
"""

TEXT_ITEM = """
          - id: why
            kind: text
            label: {fr: "Pourquoi ?", en: "Why?"}
"""


@pytest.fixture(autouse=True)
def _english(english):
    """These tests read messages outside any request."""


def write(tmp_path: Path, items: str, name: str = "def.yaml") -> Path:
    path = tmp_path / name
    path.write_text(MINIMAL % textwrap.indent(textwrap.dedent(items), " " * 10), encoding="utf-8")
    return path


def error_of(tmp_path: Path, items: str) -> DefinitionError:
    path = write(tmp_path, items)
    with pytest.raises(DefinitionError) as caught:
        load_definition(path)
    assert caught.value.path == str(path)
    return caught.value


def test_a_minimal_definition_loads_with_a_stable_hash(tmp_path):
    first = load_definition(write(tmp_path, TEXT_ITEM, "a.yaml"))
    second = load_definition(write(tmp_path, TEXT_ITEM, "b.yaml"))
    assert first.id == "tiny" and first.version == 1
    why = first.item("why")
    assert why is not None and why.kind is ItemKind.TEXT
    assert len(first.hash) == 64 and first.hash == second.hash


def test_changing_a_label_changes_the_hash(tmp_path):
    first = load_definition(write(tmp_path, TEXT_ITEM, "a.yaml"))
    changed = load_definition(write(tmp_path, TEXT_ITEM.replace("Why?", "Why not?"), "b.yaml"))
    assert first.hash != changed.hash


def test_unknown_kind_names_the_item(tmp_path):
    error = error_of(tmp_path, "- {id: q1, kind: essay, label: {fr: Q, en: Q}}")
    assert error.where == "item q1" and "unknown kind 'essay'" in error.reason


def test_missing_translation_is_refused(tmp_path):
    error = error_of(tmp_path, "- {id: q1, kind: text, label: {fr: Question}}")
    assert error.where == "item q1.label" and "fr and en" in error.reason


def test_duplicate_item_ids_are_refused(tmp_path):
    error = error_of(tmp_path, TEXT_ITEM + TEXT_ITEM)
    assert "item id 'why' appears twice" in error.reason


def test_duplicate_option_codes_are_refused(tmp_path):
    error = error_of(
        tmp_path,
        """
        - id: pick
          kind: single_choice
          label: {fr: Choix, en: Choice}
          options:
            - {code: a, label: {fr: A, en: A}}
            - {code: a, label: {fr: B, en: B}}
        """,
    )
    assert error.where == "item pick" and "option code 'a' appears twice" in error.reason


def test_a_maturity_scale_needs_levels_zero_to_four(tmp_path):
    levels = "".join(
        f"    - {{level: {n}, label: {{fr: L{n}, en: L{n}}}, rubric: {{fr: R, en: R}}}}\n"
        for n in (0, 1, 2, 4)
    )
    error = error_of(
        tmp_path, "- id: m\n  kind: maturity\n  label: {fr: M, en: M}\n  levels:\n" + levels
    )
    assert error.where == "item m" and "0, 1, 2, 3, 4" in error.reason


def test_a_reference_must_point_to_a_list(tmp_path):
    error = error_of(
        tmp_path,
        """
        - {id: why, kind: text, label: {fr: "Pourquoi ?", en: "Why?"}}
        - id: actions
          kind: records
          label: {fr: Actions, en: Actions}
          title_field: name
          fields:
            - {id: name, kind: text, label: {fr: Nom, en: Name}}
            - {id: about, kind: reference, references: why, label: {fr: Lien, en: Link}}
        """,
    )
    assert error.where == "item actions" and "references 'why'" in error.reason


def test_unknown_keys_are_refused(tmp_path):
    error = error_of(tmp_path, "- {id: q1, kind: text, label: {fr: Q, en: Q}, colour: red}")
    assert "unknown key(s): colour" in error.reason


def test_invalid_yaml_is_reported(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("id: [unclosed", encoding="utf-8")
    with pytest.raises(DefinitionError) as caught:
        load_definition(path)
    assert caught.value.where == "file" and "not valid YAML" in caught.value.reason


def test_validate_worksheet_command_reports_valid_and_invalid_files(tmp_path, capsys):
    call_command("validate_worksheet", str(write(tmp_path, TEXT_ITEM)))
    assert "tiny v1 is valid" in capsys.readouterr().out
    with pytest.raises(CommandError, match="item q1: unknown kind"):
        call_command(
            "validate_worksheet", str(write(tmp_path, "- {id: q1, kind: x, label: {fr: Q, en: Q}}"))
        )


def test_the_bundled_worksheet_is_valid_and_complete():
    definition = latest_definition("gerer-les-services-urbains")
    assert [step.id for step in definition.steps] == ["1", "2", "3", "4", "5", "6"]
    kinds = {item.kind for item in definition.items}
    assert kinds == set(ItemKind)
    assert len(bundled_definitions()) >= 1


def test_published_versions_never_change():
    lines = (BUNDLED / "PUBLISHED").read_text(encoding="utf-8").splitlines()
    published = {
        (id_, int(version)): sha
        for id_, version, sha in (line.split() for line in lines if line and line[0] != "#")
    }
    bundled = {key: definition.hash for key, definition in bundled_definitions().items()}
    assert bundled == published, "a published worksheet changed: add a new version instead"


LISTS = """
- id: actions
  kind: records
  label: {fr: Actions, en: Actions}
  title_field: name
  fields:
    - {id: name, kind: text, required: true, label: {fr: Nom, en: Name}}
    - {id: where, kind: text, label: {fr: Où, en: Where}}
- id: places
  kind: records
  label: {fr: Lieux, en: Places}
  title_field: action
  complete: %s
  fields:
    - {id: action, kind: reference, references: actions, label: {fr: Action, en: Action}}
    - {id: where, kind: text, label: {fr: Où, en: Where}}
"""


@pytest.mark.parametrize(
    ("complete", "reason"),
    [
        ("{fields: [nowhere]}", "unknown field(s): nowhere"),
        ("{min_records: -1}", "min_records must be a whole number from 0"),
        ("{each_of: actions}", "each_of and via go together"),
        ("{each_of: actions, via: where}", "via must be a reference field"),
        ("{each_of: places, via: action}", "via must be a reference field"),
        ("{at_least: 2}", "unknown key(s): at_least"),
    ],
)
def test_what_makes_a_list_complete_is_checked(tmp_path, complete, reason):
    error = error_of(tmp_path, LISTS % complete)
    assert error.where == "item places.complete" and reason in error.reason


def test_only_lists_say_what_makes_them_complete(tmp_path):
    item = '- {id: why, kind: text, complete: {min_records: 1}, label: {fr: "Pourquoi ?", en: W}}'
    error = error_of(tmp_path, item)
    assert "only lists" in error.reason


def test_each_list_of_the_bundled_worksheet_says_what_makes_it_complete():
    definition = latest_definition("gerer-les-services-urbains")
    lists = [item for item in definition.items if item.kind is ItemKind.RECORDS]
    assert lists and all(item.complete.fields for item in lists)
    perimeters = definition.item("perimeters")
    assert perimeters is not None
    assert (perimeters.complete.each_of, perimeters.complete.via) == ("pilot_actions", "action")
