"""Comparing two versions of a plan, as plain data: each kind of change is found and said with
the worksheet's labels, nothing unchanged is listed, texts show the words that changed, and two
versions of the worksheet are walked together. No database."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import translation

from jalon.plans.compare import (
    Counts,
    Mark,
    RecordChangeKind,
    compare,
    list_diff,
    word_diff,
)
from jalon.worksheets.schema import (
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


def text(fr: str, en: str = "") -> Text:
    return Text(fr, en or fr)


def definition(version: int, steps: list[tuple[str, list[Item]]]) -> Definition:
    built = tuple(
        Step(
            id=str(number),
            number=number,
            title=text(title),
            sections=(Section(f"{number}.1", text(f"Section {number}.1"), text(""), tuple(items)),),
        )
        for number, (title, items) in enumerate(steps, start=1)
    )
    items = {item.id: item for step in built for item in step.items}
    return Definition("w", version, text("Fiche"), text("Source"), built, _items=items)


ORIENTATION = Item(
    "orientation",
    ItemKind.SINGLE_CHOICE,
    text("Quelle orientation ?"),
    options=(Option("inclusion", text("Inclusion")), Option("efficacite", text("Efficacité"))),
    note=text("Pourquoi cette orientation ?"),
)
COMPETENCES = Item("competences", ItemKind.TEXT, text("Quelles compétences ?"))
MATURITY = Item(
    "maturity_data",
    ItemKind.MATURITY,
    text("Données"),
    levels=tuple(Level(n, text(f"Niveau {n}"), text("…")) for n in range(5)),
    note=text("Constats et sources"),
)
CHANNELS = Item(
    "channels",
    ItemKind.MULTIPLE_CHOICE,
    text("Canaux"),
    options=(
        Option("radio", text("Radio")),
        Option("sms", text("SMS")),
        Option("app", text("Appli")),
    ),
)
ACTORS = Item(
    "actors",
    ItemKind.RECORDS,
    text("Acteurs"),
    fields=(
        Field("name", FieldKind.TEXT, text("Nom")),
        Field(
            "type",
            FieldKind.CHOICE,
            text("Type"),
            options=(Option("public", text("Public")), Option("ngo", text("ONG"))),
        ),
        Field("description", FieldKind.LONG_TEXT, text("Description")),
        Field("budget", FieldKind.MONEY, text("Budget")),
    ),
    title_field="name",
)
PARTNERS = Item(
    "partners",
    ItemKind.RECORDS,
    text("Partenaires"),
    fields=(Field("actor", FieldKind.REFERENCE, text("Acteur"), references="actors"),),
    title_field="actor",
)
V1 = definition(1, [("Diagnostic", [ORIENTATION, COMPETENCES, MATURITY]),
                    ("Acteurs", [CHANNELS, ACTORS, PARTNERS])])  # fmt: skip


def content(answers: dict[str, Any] | None = None, lists: dict[str, list[Any]] | None = None):
    """A content as `plan_content` shapes it; records given as (uid, data)."""
    return {
        "answers": {
            item: {"value": value, "version": 1} for item, value in (answers or {}).items()
        },
        "lists": {
            item: [
                {"id": uid, "position": n, "data": data}
                for n, (uid, data) in enumerate(records, start=1)
            ]
            for item, records in (lists or {}).items()
        },
    }


BASE_ANSWERS = {
    "orientation": {"choice": "inclusion", "note": "Les quartiers périphériques d'abord."},
    "competences": "Une équipe de deux agents formés au SIG et à la collecte mobile.",
    "maturity_data": {"level": 1, "note": ""},
    "channels": {"choices": ["radio", "sms"], "note": ""},
}
MAIRIE = ("a1", {"name": "Mairie", "type": "public", "description": "Service technique."})
ONG = ("a2", {"name": "ONG Kalaba", "type": "ngo", "description": "Collecte."})
GIE = ("a3", {"name": "GIE des femmes", "type": "ngo", "description": ""})
BASE = content(BASE_ANSWERS, {"actors": [MAIRIE, ONG, GIE], "partners": [("p1", {"actor": "a2"})]})


@pytest.fixture(autouse=True)
def french():
    with translation.override("fr"):
        yield


def changed(answers: dict[str, Any] | None = None, lists: dict[str, list[Any]] | None = None):
    return content({**BASE_ANSWERS, **(answers or {})}, {
        "actors": [MAIRIE, ONG, GIE], "partners": [("p1", {"actor": "a2"})], **(lists or {})
    })  # fmt: skip


def only_item(comparison):
    (step,) = comparison.steps
    (section,) = step.sections
    (item,) = section.items
    return item


# Nothing changed


def test_the_same_content_on_both_sides_is_unchanged():
    comparison = compare(V1, BASE, V1, changed())
    assert comparison.unchanged and comparison.steps == ()
    assert comparison.counts == Counts() and comparison.counts.total == 0


def test_an_empty_answer_and_no_answer_read_the_same():
    old = content({"orientation": {"choice": None, "note": ""}, "competences": ""})
    assert compare(V1, old, V1, content()).unchanged


def test_who_saved_and_when_is_not_a_change():
    new = changed()
    new["answers"]["competences"]["version"] = 7
    new["answers"]["competences"]["updated_by"] = "Moussa"
    assert compare(V1, BASE, V1, new).unchanged


# Answers


def test_a_choice_changed_reads_with_the_options_labels():
    comparison = compare(V1, BASE, V1, changed({"orientation": {
        "choice": "efficacite", "note": "Les quartiers périphériques d'abord."}}))  # fmt: skip
    item = only_item(comparison)
    assert item.item_id == "orientation" and item.label == "Quelle orientation ?"
    (change,) = item.answer
    assert (change.label, change.before, change.after) == ("Choix", "Inclusion", "Efficacité")
    assert comparison.counts == Counts(answers=1)


def test_a_note_changed_is_named_by_its_label_and_shows_its_words():
    new = changed({"orientation": {"choice": "inclusion", "note": "Les marchés d'abord."}})
    (change,) = only_item(compare(V1, BASE, V1, new)).answer
    assert change.label == "Pourquoi cette orientation ?"
    assert change.words == (
        (Mark.SAME, "Les "), (Mark.DELETED, "quartiers périphériques"), (Mark.INSERTED, "marchés"),
        (Mark.SAME, " d'abord."),
    )  # fmt: skip


def test_a_level_reads_with_its_name():
    (change,) = only_item(compare(V1, BASE, V1, changed({"maturity_data": {"level": 3}}))).answer
    assert (change.label, change.before, change.after) == ("Niveau", "1/4 — Niveau 1",
                                                          "3/4 — Niveau 3")  # fmt: skip


def test_several_choices_show_which_were_ticked_and_unticked():
    new = changed({"channels": {"choices": ["sms", "app"], "note": ""}})
    (change,) = only_item(compare(V1, BASE, V1, new)).answer
    assert change.words == (
        (Mark.SAME, "SMS"), (Mark.SAME, " ; "), (Mark.INSERTED, "Appli"), (Mark.SAME, " ; "),
        (Mark.DELETED, "Radio"),
    )  # fmt: skip


def test_a_text_answer_shows_the_words_that_changed():
    new = changed({"competences": "Une équipe de trois agents formés au SIG et à la collecte."})
    (change,) = only_item(compare(V1, BASE, V1, new)).answer
    assert change.label == "Réponse"
    deleted = [t for mark, t in change.words if mark is Mark.DELETED]
    inserted = [t for mark, t in change.words if mark is Mark.INSERTED]
    assert deleted == ["deux", " mobile"] and inserted == ["trois"]


def test_a_key_the_worksheet_added_later_is_compared_too():
    # A target beside a level (worksheet v3): whatever keys the value holds.
    old = changed({"maturity_data": {"level": 1, "note": "", "target": {"level": 2}}})
    new = changed(
        {"maturity_data": {"level": 1, "note": "", "target": {"level": 4, "date": "2028-06"}}}
    )
    changes = only_item(compare(V1, old, V1, new)).answer
    assert [(c.label, c.before, c.after) for c in changes] == [
        ("Cible — Date", "", "2028-06"),
        ("Cible — Niveau", "2/4 — Niveau 2", "4/4 — Niveau 4"),
    ]


# Records


def test_a_record_added_lists_its_filled_fields():
    new = changed(lists={"actors": [MAIRIE, ONG, GIE, ("a4", {"name": "Radio Kalaba",
                                                              "type": "ngo"})]})  # fmt: skip
    item = only_item(compare(V1, BASE, V1, new))
    (record,) = item.records
    assert record.kind is RecordChangeKind.ADDED and record.title == "Radio Kalaba"
    assert [(f.label, f.before, f.after) for f in record.fields] == [
        ("Nom", "", "Radio Kalaba"), ("Type", "", "ONG")
    ]  # fmt: skip


def test_a_record_removed_says_what_it_held_and_moves_nobody():
    comparison = compare(V1, BASE, V1, changed(lists={"actors": [MAIRIE, GIE]}))
    (record,) = only_item(comparison).records
    assert record.kind is RecordChangeKind.REMOVED and record.title == "ONG Kalaba"
    assert [(f.label, f.before, f.after) for f in record.fields] == [
        ("Nom", "ONG Kalaba", ""), ("Type", "ONG", ""), ("Description", "Collecte.", "")
    ]  # fmt: skip
    # The partner's own data did not change: it is not listed, though what it names is gone.
    assert comparison.counts == Counts(removed=1)


def test_a_record_changed_lists_only_the_fields_that_changed():
    new = changed(
        lists={
            "actors": [
                MAIRIE,
                ("a2", {**ONG[1], "type": "public", "description": "Collecte et tri."}),
                GIE,
            ]
        }
    )
    (record,) = only_item(compare(V1, BASE, V1, new)).records
    assert record.kind is RecordChangeKind.CHANGED and not record.moved
    assert [f.label for f in record.fields] == ["Type", "Description"]
    assert record.fields[0].before == "ONG" and record.fields[0].after == "Public"
    assert record.fields[1].words == (
        (Mark.SAME, "Collecte"), (Mark.INSERTED, " et tri"), (Mark.SAME, "."),
    )  # fmt: skip


def test_a_record_only_moved_is_moved_and_the_others_are_not():
    new = changed(lists={"actors": [ONG, GIE, MAIRIE]})
    comparison = compare(V1, BASE, V1, new)
    (record,) = only_item(comparison).records
    assert (record.kind, record.title, record.fields) == (RecordChangeKind.MOVED, "Mairie", ())
    assert comparison.counts == Counts(moved=1)


def test_a_reference_reads_as_the_title_of_the_record_it_points_at():
    new = changed(lists={"partners": [("p1", {"actor": "a3"})]})
    (record,) = only_item(compare(V1, BASE, V1, new)).records
    assert record.title == "GIE des femmes"
    assert [(f.before, f.after) for f in record.fields] == [("ONG Kalaba", "GIE des femmes")]


def test_a_money_amount_reads_as_money():
    old = changed(
        lists={
            "actors": [("a1", {"name": "Mairie", "budget": {"amount": "1000", "currency": "XOF"}})]
        }
    )
    new = changed(
        lists={
            "actors": [("a1", {"name": "Mairie", "budget": {"amount": "2500", "currency": "XOF"}})]
        }
    )
    (record,) = only_item(compare(V1, old, V1, new)).records
    (field,) = record.fields
    assert field.label == "Budget"
    assert field.before.endswith("XOF") and "1" in field.before and "2" in field.after


def test_every_kind_of_change_is_counted_and_grouped_by_step():
    new = changed(
        {"competences": "Personne.", "maturity_data": {"level": 2, "note": ""}},
        {"actors": [("a4", {"name": "Radio"}), ONG, MAIRIE]},
    )
    comparison = compare(V1, BASE, V1, new)
    assert comparison.counts == Counts(answers=2, added=1, removed=1, moved=1)
    assert [step.number for step in comparison.steps] == [1, 2]
    assert [i.item_id for i in comparison.steps[0].sections[0].items] == [
        "competences", "maturity_data"
    ]  # fmt: skip
    assert comparison.counts.sentence() == (
        "2 réponses modifiées, 1 fiche ajoutée, 1 supprimée, 1 déplacée"
    )


def test_the_counts_read_in_english_too():
    with translation.override("en"):
        said = Counts(answers=3, added=2, removed=1).sentence()
    assert said == "3 answers changed, 2 records added, 1 removed"
    with translation.override("en"):
        assert Counts(changed=1).sentence() == "1 record changed"


# Two versions of the worksheet


def test_two_worksheet_versions_walk_the_newer_order_then_the_items_only_the_older_had():
    renamed = Item("competences", ItemKind.TEXT, text("Quelles compétences, et où ?"))
    added = Item("scale_up", ItemKind.TEXT, text("Passage à l'échelle"))
    v2 = definition(2, [("Diagnostic", [added, renamed, ORIENTATION])])
    old = content({"competences": "Deux agents.", "maturity_data": {"level": 1, "note": ""}})
    new = content({"competences": "Trois agents.", "scale_up": "Toute la ville."})
    comparison = compare(V1, old, v2, new)
    walked = [item.item_id for step in comparison.steps for section in step.sections
              for item in section.items]  # fmt: skip
    assert walked == ["scale_up", "competences", "maturity_data"]
    labels = {i.item_id: i.label for s in comparison.steps for c in s.sections for i in c.items}
    assert labels["competences"] == "Quelles compétences, et où ?"  # the newer label
    # The older side's value is read with its own item: a level the newer worksheet lost.
    maturity = comparison.steps[-1].sections[0].items[-1]
    assert (maturity.answer[0].before, maturity.answer[0].after) == ("1/4 — Niveau 1", "")


def test_the_newer_worksheet_leads_whichever_side_it_is_on():
    added = Item("scale_up", ItemKind.TEXT, text("Passage à l'échelle"))
    v2 = definition(2, [("Diagnostic", [added, COMPETENCES])])
    comparison = compare(v2, content({"scale_up": "A", "competences": "B"}), V1, content())
    assert [i.item_id for s in comparison.steps for c in s.sections for i in c.items] == [
        "scale_up", "competences"
    ]  # fmt: skip


def test_a_field_the_newer_worksheet_dropped_is_still_shown_by_its_old_label():
    name = Field("name", FieldKind.TEXT, text("Nom"))
    slim = Item("actors", ItemKind.RECORDS, text("Acteurs"), fields=(name,), title_field="name")
    v2 = definition(2, [("Acteurs", [slim])])
    old = content(lists={"actors": [("a1", {"name": "Mairie", "type": "public"})]})
    new = content(lists={"actors": [("a1", {"name": "Mairie"})]})
    (record,) = only_item(compare(V1, old, v2, new)).records
    assert [(f.label, f.before, f.after) for f in record.fields] == [("Type", "Public", "")]


# Words


def test_word_diff_marks_deleted_and_inserted_words_in_place():
    assert word_diff("le chat dort", "le chien dort") == (
        (Mark.SAME, "le "), (Mark.DELETED, "chat"), (Mark.INSERTED, "chien"), (Mark.SAME, " dort"),
    )  # fmt: skip


def test_word_diff_ignores_a_reflowed_space():
    assert word_diff("un  deux\ntrois", "un deux trois") == ((Mark.SAME, "un deux trois"),)


def test_a_text_whose_spaces_alone_changed_is_not_listed():
    text = str(BASE_ANSWERS["competences"])
    new = changed({"competences": text.replace(" ", "\n", 3)})
    assert compare(V1, BASE, V1, new).unchanged


def test_a_full_stop_added_marks_only_the_full_stop():
    assert word_diff("Deux agents", "Deux agents.") == ((Mark.SAME, "Deux agents"),
                                                       (Mark.INSERTED, "."))  # fmt: skip


def test_word_diff_elides_long_unchanged_runs_around_the_change():
    words = [f"m{n}" for n in range(40)]
    before = " ".join(words)
    after = " ".join([*words[:20], "NOUVEAU", *words[20:]])
    segments = word_diff(before, after, context=3)
    assert segments == (
        (Mark.ELIDED, "… "), (Mark.SAME, "m17 m18 m19 "), (Mark.INSERTED, "NOUVEAU "),
        (Mark.SAME, "m20 m21 m22 "), (Mark.ELIDED, "… "),
    )  # fmt: skip


def test_a_replaced_phrase_reads_as_one_replacement():
    assert word_diff("Vu: le chat dort.", "Vu: un chien mange.") == (
        (Mark.SAME, "Vu: "), (Mark.DELETED, "le chat dort"), (Mark.INSERTED, "un chien mange"),
        (Mark.SAME, "."),
    )  # fmt: skip


def test_word_diff_keeps_a_short_run_between_two_changes_whole():
    segments = word_diff("a b c d e", "A b c d E", context=3)
    assert (Mark.SAME, " b c d ") in segments
    assert not any(mark is Mark.ELIDED for mark, _t in segments)


def test_word_diff_elides_a_long_run_between_two_changes_in_its_middle():
    middle = " ".join(f"m{n}" for n in range(10))
    segments = word_diff(f"a {middle} z", f"A {middle} Z", context=2)
    assert [mark for mark, _t in segments] == [
        Mark.DELETED, Mark.INSERTED, Mark.SAME, Mark.ELIDED, Mark.SAME, Mark.DELETED,
        Mark.INSERTED,
    ]  # fmt: skip
    assert segments[2] == (Mark.SAME, " m0 m1 ") and segments[4] == (Mark.SAME, "m8 m9 ")


def test_a_text_written_from_nothing_is_all_inserted():
    assert word_diff("", "Tout est nouveau") == ((Mark.INSERTED, "Tout est nouveau"),)


def test_list_diff_keeps_the_new_order_and_then_what_was_removed():
    assert list_diff(["a", "b"], ["b", "c"]) == (
        (Mark.SAME, "b"), (Mark.SAME, " ; "), (Mark.INSERTED, "c"), (Mark.SAME, " ; "),
        (Mark.DELETED, "a"),
    )  # fmt: skip
