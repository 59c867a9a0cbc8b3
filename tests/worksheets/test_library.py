"""The indicator library of step 6 is data: it loads, it is consistent with the worksheet, it is
searchable in both languages, and a broken file fails with the file, the code and the reason."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from jalon.plans.models import UrbanService
from jalon.worksheets.library import (
    LIBRARY_PATH,
    SERVICES,
    SOURCES,
    LibraryError,
    bundled_library,
    indicator_families,
    indicator_record,
    load_library,
    search,
)
from jalon.worksheets.loading import bundled_definitions, get_definition, latest_definition

FAMILIES = indicator_families(latest_definition("gerer-les-services-urbains"))

GOOD = """
- code: AFD-IDDRI-1
  source: afd-iddri
  family: economic_efficiency
  name: {fr: Carburant économisé, en: Fuel saved}
  definition: {fr: Litres économisés., en: Litres saved.}
  unit: {fr: litres, en: litres}
  sdg: "11.6"
  services: [solid_waste]
"""


def write(tmp_path: Path, indicators: str) -> Path:
    path = tmp_path / "library.yaml"
    path.write_text("version: 1\nindicators:\n" + textwrap.dedent(indicators), encoding="utf-8")
    return path


def codes(entries: list) -> list[str]:  # type: ignore[type-arg]
    return [entry.code for entry in entries]


def test_bundled_library_loads_with_every_source() -> None:
    library = bundled_library()
    assert 30 <= len(library.entries) <= 50
    assert {entry.source for entry in library.entries} == set(SOURCES)


def test_codes_are_unique() -> None:
    all_codes = codes(list(bundled_library().entries))
    assert len(all_codes) == len(set(all_codes))


def test_every_entry_has_both_languages() -> None:
    for entry in bundled_library().entries:
        for text in (entry.name, entry.definition, entry.unit):
            assert text.fr.strip() and text.en.strip(), entry.code
        assert entry.name.fr != entry.name.en, entry.code  # translated, not copied


def test_families_exist_in_the_worksheet_definition() -> None:
    assert {
        "economic_efficiency",
        "technical_management",
        "social_utility",
        "environmental_sustainability",
    } == FAMILIES
    used = {entry.family for entry in bundled_library().entries}
    assert used <= FAMILIES
    assert used == FAMILIES  # every family has at least one ready-made indicator


def test_services_are_the_urban_services_of_plans() -> None:
    assert set(SERVICES) == set(UrbanService.values)
    for entry in bundled_library().entries:
        assert set(entry.services) <= set(UrbanService.values), entry.code


def test_library_file_is_not_taken_for_a_worksheet_definition() -> None:
    assert all(d.path != str(LIBRARY_PATH) for d in bundled_definitions().values())


def test_search_finds_water_in_french_and_english() -> None:
    library = bundled_library()
    french = codes(search(library, "eau", "fr"))
    english = codes(search(library, "water", "en"))
    assert "SDG-6.1.1" in french and "SDG-6.1.1" in english
    # « eau » is a word, not a piece of « réseau »: access to electricity is not about water
    assert "EC-I-ES-3C" not in french


def test_search_ignores_accents_and_case() -> None:
    library = bundled_library()
    assert codes(search(library, "dechets", "fr")) == codes(search(library, "DÉCHETS", "fr"))
    assert "SDG-11.6.1" in codes(search(library, "dechets", "fr"))


def test_search_by_code_puts_the_code_first() -> None:
    library = bundled_library()
    assert codes(search(library, "ec-i-es-3c", "fr")) == ["EC-I-ES-3C"]
    found = codes(search(library, "EC-I-ES", "en"))
    assert found[:3] == ["EC-I-ES-1C", "EC-I-ES-2C", "EC-I-ES-3C"]
    assert codes(search(library, "6.1.1", "fr"))[0] == "SDG-6.1.1"


def test_search_ranks_names_in_the_persons_language_first() -> None:
    library = bundled_library()
    found = codes(search(library, "électricité", "fr"))
    assert found[0] in {"EC-I-ES-3C", "SDG-7.1.1", "EC-I-ES-1C", "EC-I-ES-2C", "EC-ICT-ES-1C"}
    entry = library.get(found[0])
    assert entry is not None and "électricité" in entry.name.fr.casefold()


def test_search_filters_by_service() -> None:
    library = bundled_library()
    found = search(library, "", "fr", service="sanitation")
    assert found and all(not e.services or "sanitation" in e.services for e in found)
    assert "SDG-11.6.1" not in codes(found)
    assert len(search(library, "", "fr")) == len(library.entries)


def test_search_with_no_match_is_empty() -> None:
    assert search(bundled_library(), "zzzqx", "fr") == []


def test_a_good_file_loads(tmp_path: Path) -> None:
    library = load_library(write(tmp_path, GOOD), FAMILIES)
    assert codes(list(library.entries)) == ["AFD-IDDRI-1"]
    assert library.entries[0].services == ("solid_waste",)


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (("economic_efficiency", "happiness"), "unknown family 'happiness'"),
        (("en: Fuel saved}", "es: Combustible}"), "name has no en text"),
        (('"11.6"', '"11.6.1.2"'), "is not an SDG target or indicator number"),
        (('"11.6"', '"18.1"'), "is not an SDG target or indicator number"),
        (('"11.6"', "11.6"), "is not an SDG target or indicator number"),
        (("source: afd-iddri", "source: blog"), "unknown source 'blog'"),
        (("[solid_waste]", "[garbage]"), "unknown urban service 'garbage'"),
        (("  unit: {fr: litres, en: litres}\n", ""), "missing key(s): unit"),
    ],
)
def test_a_broken_entry_names_file_code_and_reason(
    tmp_path: Path, change: tuple[str, str], reason: str
) -> None:
    path = write(tmp_path, GOOD.replace(*change))
    with pytest.raises(LibraryError) as raised:
        load_library(path, FAMILIES)
    assert raised.value.path == str(path)
    assert raised.value.code == "AFD-IDDRI-1"
    assert reason in raised.value.reason
    assert str(path) in str(raised.value) and "AFD-IDDRI-1" in str(raised.value)


def test_a_duplicate_code_is_refused(tmp_path: Path) -> None:
    with pytest.raises(LibraryError) as raised:
        load_library(write(tmp_path, GOOD + GOOD), FAMILIES)
    assert (raised.value.code, raised.value.reason) == ("AFD-IDDRI-1", "duplicate code")


def test_a_bad_code_or_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(LibraryError, match="indicator #1: code 'afd 1'"):
        load_library(write(tmp_path, GOOD.replace("AFD-IDDRI-1", "afd 1")), FAMILIES)
    broken = tmp_path / "broken.yaml"
    broken.write_text("version: [", encoding="utf-8")
    with pytest.raises(LibraryError, match="file: is not valid YAML"):
        load_library(broken, FAMILIES)
    with pytest.raises(LibraryError, match="cannot be read"):
        load_library(tmp_path / "absent.yaml", FAMILIES)


# The « Boîte à idées » of the AFD–Iddri guide, « Gérer les services urbains », step 6: its five
# example indicators, by words each of their names must carry (French, English).
GUIDE_EXAMPLES = {
    "AFD-IDDRI-1": (("carburant", "parcours optimisés"), ("fuel", "optimised routes")),
    "AFD-IDDRI-2": (("recouvrement", "paiement mobile"), ("collection rate", "mobile payment")),
    "AFD-IDDRI-3": (("nombre d’usagers", "applications"), ("number of app users",)),
    "AFD-IDDRI-4": (("lignes", "arrêts", "points de collecte", "cartographiés"),
                    ("lines", "stops", "collection points", "mapped")),
    "AFD-IDDRI-5": (("forum", "espace client en ligne"), ("forum", "online customer area")),
}  # fmt: skip


def test_the_guide_source_holds_exactly_the_guides_five_examples() -> None:
    guide = [entry for entry in bundled_library().entries if entry.source == "afd-iddri"]
    assert codes(guide) == list(GUIDE_EXAMPLES)
    for entry in guide:
        french, english = GUIDE_EXAMPLES[entry.code]
        assert all(words in entry.name.fr.lower() for words in french), entry.code
        assert all(words in entry.name.en.lower() for words in english), entry.code


def test_jalons_own_suggestions_are_not_credited_to_the_guide() -> None:
    entries = bundled_library().entries
    own = [entry for entry in entries if entry.source == "jalon"]
    assert own and all(entry.code.startswith("JALON-") for entry in own)
    guide_coded = [entry for entry in entries if entry.code.startswith("AFD-IDDRI-")]
    assert all(entry.source == "afd-iddri" for entry in guide_coded)


def test_an_entry_fills_the_fields_of_a_v3_indicator_in_the_language_asked() -> None:
    entry = bundled_library().get("EC-I-WS-5C")
    assert entry is not None
    item = latest_definition("gerer-les-services-urbains").item("indicators")
    assert item is not None
    fields = [field.id for field in item.fields]
    assert indicator_record(entry, "en", fields) == {
        "name": "Households with basic sanitation",
        "definition": entry.definition.en,
        "unit": "%",
        "family": "social_utility",
        "library_code": "EC-I-WS-5C",
        "sdg_target": "6.2.1",
    }
    assert (
        indicator_record(entry, "fr", fields)["name"]
        == "Ménages disposant d’un assainissement de base"
    )


def test_on_a_v2_worksheet_an_entry_fills_only_the_fields_its_list_has() -> None:
    entry = bundled_library().get("AFD-IDDRI-2")
    item = get_definition("gerer-les-services-urbains", 2).item("indicators")
    assert entry is not None and item is not None
    filled = indicator_record(entry, "fr", [field.id for field in item.fields])
    assert set(filled) == {"name", "definition", "unit", "family"}
