"""The tests' own worksheet checker (tests/fidelity.py): it finds what is missing, and only that."""

from __future__ import annotations

import ast
import re
from collections import Counter
from pathlib import Path

from .fidelity import ITEMS_FILE, Item, load_items, missing_items, missing_texts, words

REPOSITORY = Path(__file__).resolve().parents[1]


def every_item_as_printed() -> str:
    return "\n".join(item.shown for item in load_items())


def test_all_77_items_of_the_worksheet_load_from_the_repository():
    items = load_items()
    assert len(items) == 77
    assert ITEMS_FILE.is_relative_to(REPOSITORY / "tests")
    assert Counter(item.kind for item in items) == {
        "title": 1,
        "step": 6,
        "section-options": 5,
        "section-questions": 7,
        "option": 22,
        "question": 23,
        "bullet": 13,
    }
    assert all(item.text.strip() and item.where for item in items)


def test_the_page_breaks_of_the_paper_form_are_not_items():
    assert not [item for item in load_items() if "(suite)" in item.text]


def test_a_text_holding_every_item_misses_none():
    assert missing_items(every_item_as_printed()) == []


def test_an_empty_text_misses_all_77():
    assert len(missing_items("")) == 77


def test_it_names_the_one_item_left_out():
    question = next(i for i in load_items() if i.text.startswith("Quelle est la présence en ligne"))
    text = every_item_as_printed().replace(question.shown, "Autre chose.")
    assert missing_items(text) == [question]
    assert missing_texts(text) == ["Quelle est la présence en ligne des opérateurs ?"]


def test_one_changed_word_is_missing():
    text = every_item_as_printed().replace("équipement informatique", "équipement numérique")
    assert missing_texts(text) == [
        "Quel est le niveau d’équipement informatique des opérateurs de service urbain ?"
    ]


def test_words_out_of_order_or_cut_apart_are_missing():
    question = "Quelle est la présence en ligne des opérateurs ?"
    assert question in missing_texts("des opérateurs ? Quelle est la présence en ligne")
    assert question in missing_texts("Quelle est la présence en ligne de nos opérateurs ?")
    # A word is whole: « opérateurs » is not found in « coopérateurs ».
    assert question in missing_texts("Quelle est la présence en ligne des coopérateurs ?")


def test_french_spaces_apostrophes_case_and_line_breaks_do_not_matter():
    page = (
        "<p>QUELLE EST LA RÉPARTITION des compétences et responsabilités entre\n"
        "l'État (s\u2019il est partie prenante),\u00a0l\u2018autorité   locale\r\n"
        "et l\u02bcopérateur\u202f?</p>"
    )
    assert (
        "Quelle est la répartition des compétences et responsabilités entre l’État "
        "(s’il est partie prenante), l’autorité locale et l’opérateur ?" not in missing_texts(page)
    )


def test_html_entities_and_tags_are_read_as_a_browser_shows_them():
    page = (
        "<label for='x'>Quelle est la pr&eacute;sence en <em>ligne</em> des "
        "op&#233;rateurs&nbsp;&#x3F;</label>"
    )
    assert "Quelle est la présence en ligne des opérateurs ?" not in missing_texts(page)


def test_scripts_styles_comments_and_attributes_are_not_text():
    question = "Quelle est la présence en ligne des opérateurs ?"
    hidden = (
        f"<script>var q = '{question}';</script><style>/* {question} */</style>"
        f"<!-- {question} --><input value='{question}' aria-label='{question}'>"
    )
    assert question in missing_texts(hidden)


def test_a_step_is_found_by_its_title_however_the_application_numbers_it():
    step = next(item for item in load_items() if item.kind == "step")
    assert step.shown == "Expliciter ses attentes du numérique pour chaque service urbain"
    page = "<h2>Étape 1 — Expliciter ses attentes du numérique pour chaque service urbain</h2>"
    assert step not in missing_items(page)
    assert step in missing_items("<h2>Étape 1 — Expliciter ses attentes</h2>")


def test_the_title_is_found_by_the_worksheet_s_name():
    (title,) = (item for item in load_items() if item.kind == "title")
    assert title.shown.strip() == "Gérer les services urbains"
    assert title not in missing_items("Fiche « Gérer les services urbains »")


def test_an_enumeration_shown_as_a_heading_and_checkboxes_is_found_when_every_element_is():
    option = next(i for i in load_items() if i.text.startswith("Interfaces de communication"))
    elements = [
        "portails web",
        "applications mobiles",
        "clouds et serveurs",
        "réseaux sociaux et forums",  # also « réseaux sociaux », the paper form's duplicate
        "Open Data",
        "plateformes",
    ]
    heading = "<legend>Interfaces de communication (échange et partage des données)</legend>"
    boxes = "".join(f"<label><input type=checkbox> {e}</label>" for e in elements)
    assert option not in missing_items(heading + boxes)
    # One element fewer, or the elements before their heading: missing.
    assert option in missing_items(heading + boxes.replace("clouds et serveurs", ""))
    assert option in missing_items(boxes + heading)


def test_the_paper_form_s_slip_is_looked_for_as_corrected():
    option = next(i for i in load_items() if i.text.startswith("Diffuser l’information"))
    assert "présence les réseaux sociaux" in option.text
    assert "présence sur les réseaux sociaux" in option.shown


def test_words_fold_case_markup_and_typography():
    assert words("L&rsquo;<b>ÉTAT</b>\u00a0?  Citoyen·nes…") == ["l", "état", "citoyen", "nes"]
    assert words("a < b et c > d") == ["a", "b", "et", "c", "d"]  # not a tag: kept
    assert Item("1", "question", "x").shown == "x"


def _climbs(tree: ast.AST) -> list[str]:
    """Path pieces that go up a folder (« .. »), where a path is built: `Path(…)`, `open(…)`,
    `os.path.join(…)`, or the right of `/`. Strings elsewhere (hostile input in a test table)
    are data, not paths the tests read."""
    pieces: list[ast.expr] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = getattr(node.func, "id", getattr(node.func, "attr", ""))
            if name in {"Path", "PurePath", "open", "join"}:
                pieces += node.args
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
            pieces.append(node.right)
    texts = [p.value for p in pieces if isinstance(p, ast.Constant) and isinstance(p.value, str)]
    return [t for t in texts if t == ".." or t.startswith("../") or "/../" in t]


def test_no_test_reads_outside_the_repository():
    """The tests own their data: no path in tests/ climbs above the repository, by `parents[n]`
    past the repository's root or by « .. »."""
    offenders = []
    for path in (REPOSITORY / "tests").rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        climbs = [int(n) for n in re.findall(r"parents\[(\d+)\]", source)]
        offenders += [
            (path.name, f"parents[{n}]")
            for n in climbs
            if n >= len(path.parents) or not path.parents[n].is_relative_to(REPOSITORY)
        ]
        offenders += [(path.name, piece) for piece in _climbs(ast.parse(source))]
    assert offenders == []


def test_the_climb_check_sees_a_path_that_goes_up():
    tree = ast.parse('Path(__file__).parent / ".." / "x"\nopen("../data.tsv")\n_set("id", "../a")')
    assert sorted(_climbs(tree)) == ["..", "../data.tsv"]
