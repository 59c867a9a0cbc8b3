"""The indicator library picker of step 6: the search page (any member) and adding an entry as
an indicator record (members who may edit), on v3 plans and on plans of an earlier worksheet."""

from __future__ import annotations

import io
import re
import zipfile

import pytest

from jalon.plans.models import Plan, Record, Revision
from jalon.plans.review import review_validate
from jalon.plans.services import record_add
from jalon.worksheets.library import bundled_library
from jalon.worksheets.loading import get_definition

from ..conftest import client_for


def codes_on(page: str) -> list[str]:
    """The library codes of the results, in the order shown."""
    return re.findall(r'<input type="hidden" name="code" value="([^"]+)">', page) or re.findall(
        r'<li class="entry" id="library-([^"]+)">', page
    )


@pytest.fixture
def editor(client, people):
    return client_for(client, people["editor"])


def test_searching_a_u4ssc_code_finds_that_indicator_first(editor, plan):
    page = editor.get(f"/plans/{plan.pk}/library/", {"q": "ec-i-ws-5c", "all": "on"})
    assert page.status_code == 200
    text = page.content.decode()
    assert codes_on(text)[0] == "EC-I-WS-5C"
    assert "Ménages disposant d’un assainissement de base" in text
    assert "6.2.1" in text and "Utiliser cet indicateur" in text


def test_an_sdg_number_finds_the_sdg_indicator_first(editor, plan):
    text = editor.get(f"/plans/{plan.pk}/library/", {"q": "11.6.1"}).content.decode()
    assert codes_on(text)[0] == "SDG-11.6.1"


def test_french_words_find_without_accents_and_english_words_in_english(editor, plan):
    french = editor.get(f"/plans/{plan.pk}/library/", {"q": "dechets"}).content.decode()
    assert codes_on(french) and "déchets" in french.lower()
    editor.post("/i18n/setlang/", {"language": "en", "next": "/"})
    english = editor.get(f"/plans/{plan.pk}/library/", {"q": "waste"}).content.decode()
    assert codes_on(english) and "Use this indicator" in english
    assert 'lang="en"' in english


def test_results_are_those_of_the_plans_service_until_all_are_asked(editor, plan):
    library = bundled_library()
    waste = codes_on(editor.get(f"/plans/{plan.pk}/library/").content.decode())
    everything = codes_on(editor.get(f"/plans/{plan.pk}/library/", {"all": "on"}).content.decode())
    assert len(everything) == len(library.entries) > len(waste)
    for code in waste:
        services = library.get(code).services  # type: ignore[union-attr]
        assert not services or "solid_waste" in services
    assert "EN-EN-WS-1C" in everything and "EN-EN-WS-1C" not in waste  # drinking water


def test_an_empty_query_lists_the_services_indicators_and_offers_all(editor, plan):
    text = editor.get(f"/plans/{plan.pk}/library/", {"q": ""}).content.decode()
    assert "AFD-IDDRI-4" in codes_on(text)
    assert "Voir tous les services" in text


@pytest.mark.parametrize(
    "query",
    ["zzzz qqqq", "<script>alert(1)</script>", "'; DROP TABLE plans_plan; --", "%", "\u202e", "🚮"],
)
def test_an_absurd_query_is_answered_with_no_result_and_escaped(editor, plan, query):
    response = editor.get(f"/plans/{plan.pk}/library/", {"q": query})
    assert response.status_code == 200
    text = response.content.decode()
    assert codes_on(text) == []
    assert "Aucun indicateur de la bibliothèque ne correspond" in text
    assert "<script>alert" not in text


def test_a_huge_or_control_character_query_is_answered_in_words_not_a_500(editor, plan):
    response = editor.get(f"/plans/{plan.pk}/library/", {"q": "eau " * 100_000})
    assert response.status_code == 400
    assert "200 caractères" in response.content.decode()
    response = editor.get(f"/plans/{plan.pk}/library/", {"q": "eau\x1b"})
    assert response.status_code == 400 and "U+001B" in response.content.decode()


def test_the_fragment_is_the_panel_alone_for_the_step_page(editor, plan):
    text = editor.get(f"/plans/{plan.pk}/library/", {"q": "eau", "fragment": "1"}).content.decode()
    assert text.lstrip().startswith('<div class="library-panel" id="library-panel">')
    assert "<html" not in text and '<h4 class="entry-name">' in text


def test_adding_an_entry_fills_an_indicator_in_french_and_lands_on_it(editor, plan, people):
    response = editor.post(f"/plans/{plan.pk}/library/", {"code": "AFD-IDDRI-4"})
    record = Record.objects.get(plan=plan, item_id="indicators")
    assert response.status_code == 302
    assert response["Location"] == f"/plans/{plan.pk}/steps/6/?from=library#record-{record.uid}"
    assert record.data["name"] == "Lignes, arrêts et points de collecte cartographiés"
    assert record.data["unit"] == "nombre"
    assert record.data["family"] == "technical_management"
    assert record.data["library_code"] == "AFD-IDDRI-4"
    assert record.data["sdg_target"] == "11.2"
    assert record.data["definition"].startswith("Nombre de lignes")
    assert "baseline_value" not in record.data or not record.data["baseline_value"]
    revision = Revision.objects.get(plan=plan, record_uid=record.uid)
    assert (revision.action, revision.user) == (Revision.Action.ADD, people["editor"])
    step = editor.get(response["Location"]).content.decode()
    assert "Ajouté depuis la bibliothèque" in step
    assert 'class="code">AFD-IDDRI-4</span>' in step and "ODD\u00a011.2" in step
    assert "AFD-IDDRI-4 dans la bibliothèque d’indicateurs" in step


def test_adding_in_english_fills_the_english_texts(editor, plan):
    editor.post("/i18n/setlang/", {"language": "en", "next": "/"})
    editor.post(f"/plans/{plan.pk}/library/", {"code": "EC-I-WS-5C"})
    record = Record.objects.get(plan=plan, item_id="indicators")
    assert record.data["name"] == "Households with basic sanitation"
    assert record.data["definition"].startswith("Share of households")
    assert (record.data["library_code"], record.data["sdg_target"]) == ("EC-I-WS-5C", "6.2.1")


def test_the_same_indicator_twice_is_allowed_and_said_already_in_the_plan(editor, plan):
    search = f"/plans/{plan.pk}/library/"
    assert "Déjà dans le plan" not in editor.get(search, {"q": "AFD-IDDRI-2"}).content.decode()
    editor.post(search, {"code": "AFD-IDDRI-2"})
    page = editor.get(search, {"q": "AFD-IDDRI-2"}).content.decode()
    assert "Déjà dans le plan" in page and "L’utiliser encore" in page
    editor.post(search, {"code": "AFD-IDDRI-2"})
    assert Record.objects.filter(plan=plan, item_id="indicators").count() == 2


def test_adding_to_a_validated_plan_reopens_it_like_any_edit(editor, plan, people):
    owner = plan.organisation.memberships.get(user=people["owner"])
    review_validate(plan=plan, membership=owner)
    editor.post(f"/plans/{plan.pk}/library/", {"code": "AFD-IDDRI-1"})
    plan.refresh_from_db()
    assert plan.review_state == "draft"


@pytest.mark.parametrize("role", ["viewer", "commenter"])
def test_readers_search_but_cannot_add(client, people, plan, role):
    client_for(client, people[role])
    page = client.get(f"/plans/{plan.pk}/library/", {"q": "eau"})
    assert page.status_code == 200 and codes_on(page.content.decode())
    assert "Utiliser cet indicateur" not in page.content.decode()
    assert client.post(f"/plans/{plan.pk}/library/", {"code": "AFD-IDDRI-1"}).status_code == 403
    assert not Record.objects.filter(plan=plan).exists()


def test_an_outsider_gets_a_404_like_for_no_plan(client, people, plan):
    client_for(client, people["outsider"])
    assert client.get(f"/plans/{plan.pk}/library/").status_code == 404
    assert client.post(f"/plans/{plan.pk}/library/", {"code": "AFD-IDDRI-1"}).status_code == 404
    assert not Record.objects.filter(plan=plan).exists()


@pytest.mark.parametrize("code", ["NOPE-1", "", "x" * 41, "AFD\x00"])
def test_an_unknown_or_bad_code_is_refused_in_words(editor, plan, code):
    response = editor.post(f"/plans/{plan.pk}/library/", {"code": code})
    assert response.status_code == 400
    assert "<p" in response.content.decode() and not Record.objects.filter(plan=plan).exists()


def test_a_full_list_is_said_not_a_500(editor, plan, people):
    item = get_definition(plan.definition_id, plan.definition_version).item("indicators")
    assert item is not None
    for n in range(item.max_records):
        record_add(plan=plan, user=people["owner"], item_id="indicators", raw={"name": f"I{n}"})
    response = editor.post(f"/plans/{plan.pk}/library/", {"code": "AFD-IDDRI-1"})
    assert response.status_code == 400 and "son maximum" in response.content.decode()


@pytest.fixture
def v2_plan(plan) -> Plan:
    definition = get_definition(plan.definition_id, 2)
    Plan.objects.filter(pk=plan.pk).update(
        definition_version=definition.version, definition_hash=definition.hash
    )
    return Plan.objects.get(pk=plan.pk)


def test_a_v2_plan_gets_what_its_list_has_and_is_told_why_not_the_code(editor, v2_plan):
    page = editor.get(f"/plans/{v2_plan.pk}/library/", {"q": "11.6.1"}).content.decode()
    assert "gardés que dans les plans faits avec la version 3" in page
    response = editor.post(f"/plans/{v2_plan.pk}/library/", {"code": "SDG-11.6.1"})
    assert response.status_code == 302
    record = Record.objects.get(plan=v2_plan, item_id="indicators")
    assert set(record.data) >= {"name", "definition", "unit", "family"}
    assert "library_code" not in record.data and "sdg_target" not in record.data
    assert record.data["family"] == bundled_library().get("SDG-11.6.1").family  # type: ignore[union-attr]
    again = editor.get(f"/plans/{v2_plan.pk}/library/", {"q": "11.6.1"}).content.decode()
    assert "Déjà dans le plan" in again  # known by its name, the code not being kept


def test_the_step_page_links_to_the_library_and_carries_none_of_it(editor, plan):
    step6 = editor.get(f"/plans/{plan.pk}/steps/6/").content.decode()
    link = re.search(r'<a href="/plans/\d+/library/" data-picker="([^"]+)" data-picker-css', step6)
    assert link and link.group(1).endswith("jalon/picker.js")
    assert "Choisir dans la bibliothèque" in step6
    assert '<script src="/static/jalon/picker.js"' not in step6  # fetched on the first click
    assert "library.css" not in re.sub(r'data-picker-css="[^"]+"', "", step6)
    assert "data-picker" not in editor.get(f"/plans/{plan.pk}/steps/1/").content.decode()


def test_the_print_view_and_a_deliverable_show_the_code_and_sdg_target(editor, plan):
    editor.post(f"/plans/{plan.pk}/library/", {"code": "EC-I-WS-5C"})
    printed = editor.get(f"/plans/{plan.pk}/print/").content.decode()
    assert "EC-I-WS-5C" in printed and "6.2.1" in printed and "Code de référence" in printed
    archive = editor.get(f"/plans/{plan.pk}/download/csv/")
    assert archive.status_code == 200
    with zipfile.ZipFile(
        io.BytesIO(b"".join(archive.streaming_content if archive.streaming else [archive.content]))
    ) as files:
        tables = "".join(files.read(name).decode("utf-8-sig") for name in files.namelist())
    assert "EC-I-WS-5C" in tables and "6.2.1" in tables


def test_with_no_query_the_services_own_indicators_come_before_the_cross_cutting_ones(editor, plan):
    library = bundled_library()
    shown = codes_on(editor.get(f"/plans/{plan.pk}/library/").content.decode())
    own = [bool(library.get(code).services) for code in shown]  # type: ignore[union-attr]
    assert own == sorted(own, reverse=True) and own[0] and not own[-1]
