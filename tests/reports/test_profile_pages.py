"""Targets on the step pages (form post and autosave), and the profile pages: a plan's levels
against its targets, and the municipality's plans side by side."""

from __future__ import annotations

import re

import pytest

from jalon.plans.models import Answer, Plan
from jalon.plans.services import answer_save, plan_create, record_add
from jalon.reports.charts import all_charts
from jalon.reports.selectors import plan_document

from ..conftest import client_for

AUTOSAVE = {"HTTP_X_JALON_AUTOSAVE": "1"}


def item_url(plan, item_id):
    return f"/plans/{plan.pk}/items/{item_id}/"


@pytest.fixture
def editor(client, people):
    return client_for(client, people["editor"])


def save(plan, user, item_id, **raw):
    answer_save(plan=plan, user=user, item_id=item_id, raw=raw, base_version=None)


@pytest.fixture
def aimed(plan, people):
    """The plan with levels and targets on three questions and two positions."""
    owner = people["owner"]
    save(plan, owner, "maturity_equipment", level="1", target="3", target_date="2027-12-31")
    save(plan, owner, "maturity_uses", level="2", target="4", target_date="2028-06-30")
    save(plan, owner, "maturity_online", level="0")
    save(plan, owner, "position_team", choice="obstacle", target="asset", target_date="2027-03-01")
    save(plan, owner, "position_data", choice="to_build")
    return plan


def test_the_step_page_offers_a_target_and_its_date_beside_each_maturity_level(editor, aimed):
    html = editor.get(f"/plans/{aimed.pk}/steps/2/").content.decode()
    block = html[html.index('id="item-maturity_equipment"') :]
    block = block[: block.index('id="item-maturity_uses"')]
    assert '<select name="target" id="f-maturity_equipment-target">' in block
    assert re.search(r'<option value="3" selected>3 — [^<]+</option>', block)
    assert 'name="target_date" id="f-maturity_equipment-target-date" value="2027-12-31"' in block
    # The guide's definition of every level, beside it.
    assert block.count("<small>") >= 5
    assert html.count('name="target"') == 7


def test_a_position_offers_its_options_as_targets(editor, aimed):
    html = editor.get(f"/plans/{aimed.pk}/steps/5/").content.decode()
    block = html[html.index('id="item-position_team"') :]
    assert re.search(r'<option value="asset" selected>', block[: block.index("</select>")])


def test_an_item_without_a_target_offers_none(editor, plan):
    html = editor.get(f"/plans/{plan.pk}/steps/1/").content.decode()
    assert 'name="target"' not in html


def test_a_plain_form_post_saves_the_target_with_the_level(editor, plan):
    response = editor.post(
        item_url(plan, "maturity_data"),
        {"level": "1", "note": "Fichiers Excel", "target": "3", "target_date": "2028-01-15"},
    )
    assert response.status_code == 302
    value = Answer.objects.get(plan=plan, item_id="maturity_data").value
    assert value == {"level": 1, "note": "Fichiers Excel", "target": 3, "target_date": "2028-01-15"}


def test_an_autosave_carries_the_target_and_a_later_save_keeps_it(editor, plan):
    url = item_url(plan, "maturity_data")
    first = editor.post(
        url, {"level": "1", "target": "3", "target_date": "2028-01-15", "version": "0"}, **AUTOSAVE
    )
    assert first.status_code == 200
    # The page's form always sends the whole value: a change of note keeps the target.
    editor.post(
        url,
        {"level": "1", "note": "vu", "target": "3", "target_date": "2028-01-15", "version": "1"},
        **AUTOSAVE,
    )
    value = Answer.objects.get(plan=plan, item_id="maturity_data").value
    assert value is not None
    assert (value["target"], value["target_date"], value["note"]) == (3, "2028-01-15", "vu")


@pytest.mark.parametrize(
    ("sent", "message"),
    [
        ({"target": "7"}, "cible"),
        ({"target": "3", "target_date": "demain"}, "date"),
    ],
)
def test_a_bad_target_is_refused_in_words_and_nothing_is_stored(editor, plan, sent, message):
    url = item_url(plan, "maturity_data")
    data = {"level": "1", "version": "0", **sent}
    autosave = editor.post(url, data, **AUTOSAVE)
    assert autosave.status_code == 400
    assert message in autosave.json()["html"].lower()
    page = editor.post(url, data)
    assert page.status_code == 400
    assert 'role="alert"' in page.content.decode()
    assert not Answer.objects.filter(plan=plan, item_id="maturity_data").exists()


def test_a_bad_position_target_is_refused(editor, plan):
    response = editor.post(
        item_url(plan, "position_data"), {"choice": "asset", "target": "best"}, **AUTOSAVE
    )
    assert response.status_code == 400
    assert not Answer.objects.filter(plan=plan, item_id="position_data").exists()


def test_the_history_says_the_target_and_its_date(editor, aimed):
    html = editor.get(f"/plans/{aimed.pk}/items/maturity_equipment/history/").content.decode()
    assert "Cible\u00a0: 3/4 d’ici le 31 décembre 2027" in html


def test_the_deliverables_print_the_target(editor, aimed):
    html = editor.get(f"/plans/{aimed.pk}/print/").content.decode()
    assert "Cible\u00a0: 3/4 d’ici le 31 décembre 2027" in html
    assert "Cible\u00a0: C’est un atout d’ici le 1er mars 2027" in html


def test_the_radar_draws_the_targets_dashed_with_a_legend_and_a_table(aimed):
    chart = all_charts(plan_document(aimed, "en"))[0]
    assert chart.svg is not None
    assert chart.svg.count('stroke-dasharray="6 4"') >= 2  # the targets' sides, and the legend
    assert ">Now</text>" in chart.svg and ">Target</text>" in chart.svg
    assert "Dashed outline: the targets, set on 2 questions" in chart.alt
    assert chart.table[0] == ("No.", "Question", "Level", "Target")
    assert chart.table[1][2:] == ("1/4 — Emerging", "3/4 — Established, by 31 December 2027")
    assert chart.table[3][3] == "No target"


def test_the_plan_profile_page_shows_levels_targets_definitions_and_scores(editor, aimed):
    response = editor.get(f"/plans/{aimed.pk}/profile/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "3/4 — Établi" in html and "31 décembre 2027" in html
    # Both definitions: the level now and the level aimed for.
    assert "Quelques ordinateurs isolés au siège" in html
    assert "Les bureaux et une partie du terrain sont équipés" in html
    assert "(+2)" in html
    assert "<strong>1,0/4</strong>" in html  # mean of 1, 2 and 0: answered questions only
    assert "3 sur 7 renseignées" in html
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in html
    assert "C’est un obstacle" in html and "C’est un atout" in html
    assert f'href="/plans/{aimed.pk}/steps/2/#item-maturity_equipment"' in html


def test_an_empty_plan_profile_says_what_to_fill_in(editor, plan):
    html = editor.get(f"/plans/{plan.pk}/profile/").content.decode()
    assert "Aucune question renseignée" in html
    assert "<svg" not in html  # too little to draw: the chart's message instead


def test_a_plan_on_a_worksheet_without_targets_shows_its_levels_alone(editor, plan, people):
    Plan.objects.filter(pk=plan.pk).update(definition_version=2)
    save(plan, people["owner"], "maturity_equipment", level="2")
    html = editor.get(f"/plans/{plan.pk}/profile/").content.decode()
    assert "2/4" in html
    assert "sans cible" in html or "fixe pas de cible" in html
    step = editor.get(f"/plans/{plan.pk}/steps/2/").content.decode()
    assert 'name="target"' not in step


def test_the_municipality_page_puts_every_plan_side_by_side(editor, aimed, organisation, people):
    water = plan_create(
        organisation=organisation, user=people["owner"], service="markets", title="Marchés 2028"
    )
    save(water, people["owner"], "maturity_equipment", level="2", target="4")
    response = editor.get(f"/organisations/{organisation.pk}/profile/")
    assert response.status_code == 200
    html = response.content.decode()
    header = html[html.index("<thead>") : html.index("</thead>")]
    assert header.index("Déchets solides 2027") < header.index("Marchés 2028")
    first_row = html[html.index("<tbody>") :]
    first_row = first_row[: first_row.index("</tr>")]
    cells = re.findall(r"<td[^>]*>(.*?)</td>", first_row, re.S)
    assert [re.sub(r"<[^>]+>", "", c).strip() for c in cells] == [
        "1/4 → , cible 3/4d’ici déc. 2027",
        "2/4 → , cible 4/4",
    ]
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg"') == 1  # only the first draws
    assert f'href="/plans/{water.pk}/profile/"' in html


def test_the_overview_and_the_municipality_link_to_the_profiles(editor, plan, organisation):
    assert f"/plans/{plan.pk}/profile/" in editor.get(f"/plans/{plan.pk}/").content.decode()
    page = editor.get(f"/organisations/{organisation.pk}/").content.decode()
    assert f"/organisations/{organisation.pk}/profile/" in page


def test_a_plan_title_stays_text_on_the_municipality_page(editor, organisation, people):
    hostile = '<script>alert(1)</script> & "Eau"'
    plan_create(organisation=organisation, user=people["owner"], service="markets", title=hostile)
    html = editor.get(f"/organisations/{organisation.pk}/profile/").content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;Eau&quot;" in html


def test_every_table_that_scrolls_sideways_can_be_reached_with_the_keyboard(client, plan, people):
    """A wide table scrolls inside its box on a phone; without a tab stop a keyboard user could
    not scroll it (axe: scrollable-region-focusable)."""
    record_add(plan=plan, user=people["editor"], item_id="actors", raw={"name": "A" * 200})
    client_for(client, people["viewer"])
    pages = (f"/plans/{plan.pk}/print/", f"/organisations/{plan.organisation_id}/profile/")
    for path in pages:
        page = client.get(path).content.decode()
        boxes = re.findall(r'<div class="scroll[^"]*"[^>]*>', page)
        assert boxes and all('tabindex="0"' in box for box in boxes), path
