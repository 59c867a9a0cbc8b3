"""Consistency advice in the product: pieces of advice per rule and record, set aside with a
reason and restored (kept in the activity), shown beside the items of a step page and on the
plan's checklist, the plan's horizon, and every refused input answered with a message."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.messages import get_messages

from jalon.plans import advice
from jalon.plans.models import AdviceSetAside, Plan, Record
from jalon.plans.services import record_add, record_delete, record_update

from ..conftest import client_for

RULE = "pilot-action-without-indicator"


@pytest.fixture
def pilot(plan, people) -> Record:
    """A pilot action with nothing around it: no indicator, perimeter or roadmap line."""
    return record_add(
        plan=plan,
        user=people["owner"],
        item_id="pilot_actions",
        raw={"title": "Suivi des tournées", "family": "communication"},
    )


def fresh(plan: Plan) -> Plan:
    return Plan.objects.get(pk=plan.pk)


def told(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def shown_rules(plan: Plan) -> set[tuple[str, str]]:
    return {(piece.rule, piece.record) for piece in advice.plan_advice(fresh(plan)).shown}


# The service ----------------------------------------------------------------------------------


def test_a_plan_is_v3_and_gets_advice_per_rule_and_record(plan, pilot):
    assert plan.definition_version == 3
    found = advice.plan_advice(plan)
    assert (RULE, pilot.uid) in shown_rules(plan)
    piece = next(piece for piece in found.shown if piece.rule == RULE)
    assert piece.record_title == "Suivi des tournées"
    assert piece.record_item == "pilot_actions" and piece.home == "pilot_actions"
    # « To fix » first, then « to consider », each in the rules' order.
    severities = [piece.fix for piece in found.shown]
    assert severities == sorted(severities, reverse=True)
    assert found.fix_count + found.consider_count == len(found.shown)


def test_set_aside_then_restore_keeps_both_in_the_history(plan, people, pilot):
    row = advice.advice_set_aside(
        plan=plan, user=people["editor"], rule=RULE, record_uid=pilot.uid, reason="Mesuré ailleurs"
    )
    assert (RULE, pilot.uid) not in shown_rules(plan)
    kept = advice.plan_advice(fresh(plan)).set_aside
    assert [(p.rule, p.record, p.set_aside.reason) for p in kept if p.set_aside] == [
        (RULE, pilot.uid, "Mesuré ailleurs")
    ]
    again = advice.advice_set_aside(
        plan=plan, user=people["owner"], rule=RULE, record_uid=pilot.uid, reason="Autre"
    )
    assert again.pk == row.pk and again.reason == "Mesuré ailleurs"  # already set aside
    advice.advice_restore(plan=plan, user=people["owner"], set_aside_id=row.pk)
    assert (RULE, pilot.uid) in shown_rules(plan)
    row.refresh_from_db()
    assert row.restored_by == people["owner"] and row.restored_at is not None
    assert AdviceSetAside.objects.filter(plan=plan).count() == 1  # nothing deleted
    with pytest.raises(advice.AdviceError):
        advice.advice_restore(plan=plan, user=people["owner"], set_aside_id=row.pk)


def test_set_aside_advice_that_stops_firing_is_not_listed_and_stays_set_aside_when_it_fires_again(
    plan, people, pilot
):
    advice.advice_set_aside(
        plan=plan, user=people["editor"], rule=RULE, record_uid=pilot.uid, reason="Plus tard"
    )
    indicator = record_add(
        plan=plan,
        user=people["editor"],
        item_id="indicators",
        raw={"name": "Tournées suivies", "actions": [pilot.uid]},
    )
    found = advice.plan_advice(fresh(plan))
    assert RULE not in {p.rule for p in found.shown + found.set_aside}
    record_delete(plan=plan, user=people["editor"], uid=indicator.uid, base_version=None)
    found = advice.plan_advice(fresh(plan))
    assert RULE not in {p.rule for p in found.shown}
    assert RULE in {p.rule for p in found.set_aside}


def test_setting_aside_changes_the_plan_so_that_its_pages_change(plan, people, pilot):
    before = fresh(plan).updated
    advice.advice_set_aside(
        plan=plan, user=people["editor"], rule=RULE, record_uid=pilot.uid, reason="Plus tard"
    )
    assert fresh(plan).updated > before


@pytest.mark.parametrize(
    ("rule", "record", "reason", "problem"),
    [
        (RULE, "PILOT", "", "Say why"),
        (RULE, "PILOT", "   ", "Say why"),
        (RULE, "PILOT", "x" * 501, "at most 500"),
        (RULE, "PILOT", "Raison\x1b", "cannot be stored"),
        ("no-such-rule", "", "Raison", "not one of"),
        (RULE, "gone", "Raison", "no longer in the plan"),
    ],
)
def test_a_set_aside_without_what_it_needs_is_refused_with_why(
    plan, people, pilot, english, rule, record, reason, problem
):
    with pytest.raises(advice.AdviceError, match=problem):
        advice.advice_set_aside(
            plan=plan,
            user=people["editor"],
            rule=rule,
            record_uid=pilot.uid if record == "PILOT" else record,
            reason=reason,
        )
    assert not AdviceSetAside.objects.exists()


def test_the_export_lists_each_piece_with_whether_it_was_set_aside(plan, people, pilot):
    advice.advice_set_aside(
        plan=plan, user=people["editor"], rule=RULE, record_uid=pilot.uid, reason="Plus tard"
    )
    exported = {(one["rule"], one["record"]): one for one in advice.advice_export(fresh(plan))}
    aside = exported[(RULE, pilot.uid)]
    assert aside["set_aside"] is True and aside["reason"] == "Plus tard"
    assert aside["set_aside_by"] == people["editor"].name
    assert datetime.datetime.fromisoformat(aside["set_aside_at"])
    assert aside["severity"] == "fix" and aside["items"] == ["pilot_actions", "indicators"]
    other = exported[("pilot-action-without-perimeter", pilot.uid)]
    assert other["set_aside"] is False and other["reason"] is None


def test_the_horizon_makes_the_horizon_rules_speak(plan, people, pilot):
    record_add(
        plan=plan,
        user=people["editor"],
        item_id="roadmap",
        raw={"action": pilot.uid, "start": "2027-01-01", "end": "2029-06-30"},
    )
    assert "roadmap-end-beyond-horizon" not in {rule for rule, _uid in shown_rules(plan)}
    advice.plan_horizon_set(plan=plan, horizon=datetime.date(2028, 12, 31))
    assert "roadmap-end-beyond-horizon" in {rule for rule, _uid in shown_rules(plan)}
    advice.plan_horizon_set(plan=plan, horizon=None)
    assert fresh(plan).horizon is None


# The pages ------------------------------------------------------------------------------------


def test_a_step_page_shows_advice_at_the_record_and_at_the_other_items(client, plan, people, pilot):
    client_for(client, people["editor"])
    page = client.get(f"/plans/{plan.pk}/steps/4/").content.decode()
    card = page[page.index(f'id="record-{pilot.uid}"') :]
    card = card[: card.index("</li>\n    </ul>") if "</li>\n    </ul>" in card else None]
    assert "À corriger" in card and "Cette action test n’est suivie par aucun indicateur" in card
    assert f'href="/plans/{plan.pk}/steps/6/#item-indicators"' in card  # the other item
    assert f'action="/plans/{plan.pk}/advice/set-aside/"' in card
    assert '<input type="hidden" name="back" value="record">' in card
    assert "<!--jalon-advice:" not in page  # every slot filled or emptied
    # On step 6, the same advice beside the indicators, with a link to the pilot action.
    six = client.get(f"/plans/{plan.pk}/steps/6/").content.decode()
    item = six[six.index('id="item-indicators"') :]
    assert "Cette action test n’est suivie par aucun indicateur" in item
    assert f'href="/plans/{plan.pk}/steps/4/#record-{pilot.uid}"' in item


def test_a_viewer_reads_advice_but_gets_no_form_to_set_it_aside(client, plan, people, pilot):
    client_for(client, people["viewer"])
    page = client.get(f"/plans/{plan.pk}/steps/4/").content.decode()
    assert "Cette action test n’est suivie par aucun indicateur" in page
    assert "/advice/set-aside/" not in page
    checklist = client.get(f"/plans/{plan.pk}/advice/").content.decode()
    assert "/advice/set-aside/" not in checklist and "/horizon/" not in checklist


def test_set_aside_from_a_step_page_goes_back_to_the_record_and_hides_it(
    client, plan, people, pilot
):
    client_for(client, people["editor"])
    step = f"/plans/{plan.pk}/steps/4/"
    assert "aucun indicateur" in client.get(step).content.decode()  # now cached
    response = client.post(
        f"/plans/{plan.pk}/advice/set-aside/",
        {
            "rule": RULE,
            "record": pilot.uid,
            "item": "pilot_actions",
            "back": "record",
            "reason": "Suivi par la radio",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == f"{step}#record-{pilot.uid}"
    assert any("set aside" in m or "écarté" in m for m in told(response))
    assert "aucun indicateur" not in client.get(step).content.decode()
    checklist = client.get(f"/plans/{plan.pk}/advice/").content.decode()
    assert "Suivi par la radio" in checklist and people["editor"].name in checklist


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        ({"reason": ""}, "Say why"),
        ({"reason": "x" * 501}, "at most 500"),
        ({"reason": "Raison\x00"}, "cannot be stored"),
        ({"rule": "no such rule!", "reason": "Raison"}, "out of date"),
        ({"rule": "no-such-rule", "reason": "Raison"}, "not one of"),
        ({"record": "nothing-here", "reason": "Raison"}, "no longer in the plan"),
        ({"back": "elsewhere", "reason": "Raison"}, "out of date"),
        ({"item": "x" * 65, "reason": "Raison"}, "out of date"),
    ],
)
def test_a_refused_set_aside_says_why_and_goes_back(client, plan, people, pilot, data, problem):
    client_for(client, people["editor"])
    client.post("/i18n/setlang/", {"language": "en"})
    post = {"rule": RULE, "record": pilot.uid, "item": "pilot_actions", "back": "item", **data}
    response = client.post(f"/plans/{plan.pk}/advice/set-aside/", post)
    assert response.status_code == 302
    assert any(problem in message for message in told(response)), told(response)
    assert not AdviceSetAside.objects.exists()


def test_a_set_aside_from_the_checklist_goes_back_to_it(client, plan, people, pilot):
    client_for(client, people["owner"])
    response = client.post(
        f"/plans/{plan.pk}/advice/set-aside/",
        {"rule": RULE, "record": pilot.uid, "reason": "Plus tard"},
    )
    assert response["Location"] == f"/plans/{plan.pk}/advice/"


def test_the_checklist_groups_by_step_fix_first_and_restores(client, plan, people, pilot):
    row = advice.advice_set_aside(
        plan=plan,
        user=people["editor"],
        rule="pilot-action-without-perimeter",
        record_uid=pilot.uid,
        reason="Tout le territoire",
    )
    client_for(client, people["owner"])
    page = client.get(f"/plans/{plan.pk}/advice/").content.decode()
    found = advice.plan_advice(fresh(plan))
    assert f"{found.fix_count} to fix" in page or f"{found.fix_count} à corriger" in page
    assert page.index("Step 4") < page.index("Step 6") if "Step 6" in page else True
    assert f'href="/plans/{plan.pk}/steps/4/#record-{pilot.uid}"' in page
    aside = page[page.index('id="set-aside"') :]
    assert "Tout le territoire" in aside and people["editor"].name in aside
    assert f"/plans/{plan.pk}/advice/{row.pk}/restore/" in aside
    response = client.post(f"/plans/{plan.pk}/advice/{row.pk}/restore/")
    assert response["Location"] == f"/plans/{plan.pk}/advice/"
    assert ("pilot-action-without-perimeter", pilot.uid) in shown_rules(plan)
    again = client.post(f"/plans/{plan.pk}/advice/{row.pk}/restore/")  # already restored
    assert again.status_code == 302 and told(again)
    missing = client.post(f"/plans/{plan.pk}/advice/999999/restore/")
    assert missing.status_code == 302 and told(missing)


def test_the_overview_counts_the_advice_and_links_to_the_checklist(client, plan, people, pilot):
    client_for(client, people["viewer"])
    page = client.get(f"/plans/{plan.pk}/").content.decode()
    found = advice.plan_advice(fresh(plan))
    assert f'href="/plans/{plan.pk}/advice/"' in page
    assert f"{found.fix_count} à corriger" in page or f"{found.fix_count} to fix" in page


def test_an_editor_sets_and_clears_the_horizon_and_a_bad_date_is_told(client, plan, people, pilot):
    client_for(client, people["editor"])
    url = f"/plans/{plan.pk}/horizon/"
    response = client.post(url, {"horizon": "2028-12-31"})
    assert response["Location"] == f"/plans/{plan.pk}/advice/"
    assert fresh(plan).horizon == datetime.date(2028, 12, 31)
    assert 'value="2028-12-31"' in client.get(f"/plans/{plan.pk}/advice/").content.decode()
    for bad in ("2028-13-45", "demain", "9" * 40, "\x00"):
        response = client.post(url, {"horizon": bad})
        assert response.status_code == 302 and told(response), bad
        assert fresh(plan).horizon == datetime.date(2028, 12, 31)
    client.post(url, {"horizon": ""})
    assert fresh(plan).horizon is None


def test_setting_aside_and_restoring_show_in_the_plans_activity(client, plan, people, pilot):
    row = advice.advice_set_aside(
        plan=plan, user=people["editor"], rule=RULE, record_uid=pilot.uid, reason="Mesuré ailleurs"
    )
    advice.advice_restore(plan=plan, user=people["owner"], set_aside_id=row.pk)
    client_for(client, people["viewer"])
    page = client.get(f"/plans/{plan.pk}/activity/").content.decode()
    editor, owner = people["editor"].name, people["owner"].name
    assert f"{editor} a écarté un conseil" in page or f"{editor} set aside" in page
    assert "Mesuré ailleurs" in page and "aucun indicateur" in page
    assert f"{owner} a rétabli un conseil" in page or f"{owner} restored" in page
    narrowed = client.get(f"/plans/{plan.pk}/activity/?step=4").content.decode()
    assert "Mesuré ailleurs" in narrowed
    elsewhere = client.get(f"/plans/{plan.pk}/activity/?step=1").content.decode()
    assert "Mesuré ailleurs" not in elsewhere


def test_a_record_renamed_keeps_its_advice_set_aside(plan, people, pilot):
    advice.advice_set_aside(
        plan=plan, user=people["editor"], rule=RULE, record_uid=pilot.uid, reason="Plus tard"
    )
    record_update(
        plan=plan,
        user=people["editor"],
        uid=pilot.uid,
        raw={"title": "Suivi des tournées (quartiers nord)", "family": "communication"},
        base_version=None,
    )
    assert (RULE, pilot.uid) not in shown_rules(plan)
