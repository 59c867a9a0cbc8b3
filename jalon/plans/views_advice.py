"""A plan's consistency advice: the checklist page, setting a piece aside and restoring it, and
the plan's horizon (one rule needs it). Plain form posts answered by a redirect back to where
the person was (the item's anchor on its step page, or the checklist), with a message saying
what was done or what was wrong: they work without JavaScript."""

from __future__ import annotations

import re
from collections.abc import Callable
from itertools import groupby
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from jalon.access import Capability, can, plan_for
from jalon.http import AuthenticatedRequest
from jalon.worksheets.schema import Definition, Step

from . import advice, fragments, services
from .forms import AdviceSetAsideForm, HorizonForm
from .models import Plan
from .selectors import PlanState, plan_state

UID = re.compile(r"[A-Za-z0-9_-]{1,32}")


def _checklist(plan: Plan) -> str:
    return reverse("plan_advice", args=[plan.pk])


def _back(plan: Plan, item_id: str, record_uid: str = "") -> str:
    """Where the person set the advice aside: the record (of `item_id`) or the item on its step
    page, or the checklist when the form was there (or names no item of the worksheet)."""
    step = services.definition_of(plan).step_of(item_id) if item_id else None
    if step is None:
        return _checklist(plan)
    uid = record_uid if UID.fullmatch(record_uid) else ""  # it goes into the URL
    anchor = f"record-{uid}" if uid else f"item-{item_id}"
    return reverse("plan_step", args=[plan.pk, step.id]) + "#" + anchor


def _back_from(plan: Plan, data: dict[str, Any]) -> str:
    at_record = data.get("back") == AdviceSetAsideForm.AT_RECORD
    return _back(plan, data.get("item", ""), data.get("record", "") if at_record else "")


def _problems(form: forms.Form, typed: str) -> list[str]:
    """What is wrong with a refused form, in words: the field the person typed in says its own
    problem; the hidden ones, changed or out of date, say so once."""
    problems = [" ".join(error.messages) for error in form.errors.as_data().get(typed, [])]
    if set(form.errors) - {typed}:
        problems.append(_("This form is out of date: reload the page and try again."))
    return problems


# On a step page ------------------------------------------------------------------------------

ADVICE_SLOT = re.compile(r"<!--jalon-advice:(item|record)-([A-Za-z0-9_-]*)-->")


def _place(plan: Plan, definition: Definition, item_id: str, record: str = "") -> dict[str, str]:
    step = definition.step_of(item_id)
    anchor = f"record-{record}" if record else f"item-{item_id}"
    url = reverse("plan_step", args=[plan.pk, step.id]) + "#" + anchor if step else ""
    return {"url": url, "step": step.id if step else ""}


def _link(
    plan: Plan, definition: Definition, piece: advice.Piece, here: str, at_record: bool
) -> dict[str, str] | None:
    """The other place a piece concerns, from where it shows: its record, seen from another
    item; else the first of its items that is on another step."""
    here_step = definition.step_of(here)
    if piece.record and not at_record:
        place = _place(plan, definition, piece.record_item, piece.record)
        return {"url": place["url"], "label": piece.record_title or _("the record")}
    for item_id in piece.items:
        item = definition.item(item_id)
        step = definition.step_of(item_id)
        if item is not None and step is not None and step != here_step:
            label = _("step %(n)s, %(item)s") % {
                "n": step.number,
                "item": Truncator(str(item.label)).chars(60),
            }
            return {"url": _place(plan, definition, item_id)["url"], "label": label}
    return None


def step_advice(plan: Plan, state: PlanState, step: Step, can_edit: bool) -> Callable[[str], str]:
    """What puts the plan's advice beside the items of a step: a function that fills an item's
    HTML's advice slots (one by the item's label, one on each record card). The items' HTML is
    cached per item; the advice depends on the whole plan, so it is rendered with the page
    (itself cached under the plan's last change, which setting advice aside changes too)."""
    found = advice.plan_advice(plan, state)
    definition = state.definition
    blocks: dict[tuple[str, str], str] = {}

    def block(pieces: list[advice.Piece], item_id: str, at_record: bool) -> str:
        shown = [
            {
                "piece": piece,
                "link": _link(plan, definition, piece, item_id, at_record),
                "item": item_id,
                "back": AdviceSetAsideForm.AT_RECORD if at_record else AdviceSetAsideForm.AT_ITEM,
                "key": f"{item_id}-{piece.rule}-{piece.record}",
            }
            for piece in pieces
        ]
        context = {
            "pieces": shown,
            "plan": plan,
            "can_edit": can_edit,
            "csrf_token": fragments.CSRF_SLOT,
        }
        return render_to_string("plans/_advice.html", context)

    here = {item.id for item in step.items}
    for item in step.items:
        # Once on a page: at its own place, or at the other items it concerns when its own
        # place is on another step.
        pieces = [
            piece
            for piece in found.at_item(item.id)
            if piece.home == item.id or piece.home not in here
        ]
        if pieces:
            blocks[("item", item.id)] = block(pieces, item.id, at_record=False)
        for record in state.item_records(item):
            pieces = found.at_record(record.uid)
            if pieces:
                blocks[("record", record.uid)] = block(pieces, item.id, at_record=True)

    def fill(html: str) -> str:
        return ADVICE_SLOT.sub(lambda slot: blocks.get((slot[1], slot[2]), ""), html)

    return fill


@login_required
@require_GET
def plan_advice(request: AuthenticatedRequest, plan_id: int) -> HttpResponse:
    plan, membership = plan_for(request.user, plan_id)
    state = plan_state(plan)
    found = advice.plan_advice(plan, state)
    definition = state.definition

    def by_step(pieces: list[advice.Piece]) -> list[tuple[object, list[advice.Piece]]]:
        order = {step.id: index for index, step in enumerate(definition.steps)}

        def step_index(piece: advice.Piece) -> int:
            step = advice.step_of_piece(definition, piece)
            return order[step.id] if step else len(order)

        ordered = sorted(pieces, key=lambda piece: (step_index(piece), not piece.fix))
        return [
            (definition.steps[index] if index < len(order) else None, list(group))
            for index, group in groupby(ordered, key=step_index)
        ]

    context = {
        "plan": plan,
        "membership": membership,
        "advice": found,
        "groups": by_step(found.shown),
        "set_aside": [
            (piece, advice.setter_name(piece.set_aside), advice.step_of_piece(definition, piece))
            for piece in found.set_aside
            if piece.set_aside
        ],
        "can_edit": can(membership, Capability.EDIT),
        "horizon_form": HorizonForm(initial={"horizon": plan.horizon}),
        "rules_count": len(advice.rules_of(plan)),
    }
    return render(request, "plans/advice.html", context)


@login_required
@require_POST
def advice_set_aside(request: AuthenticatedRequest, plan_id: int) -> HttpResponse:
    plan, _membership = plan_for(request.user, plan_id, Capability.EDIT)
    form = AdviceSetAsideForm(request.POST)
    if not form.is_valid():
        for problem in _problems(form, "reason"):
            messages.error(request, problem)
        return HttpResponseRedirect(_back_from(plan, form.cleaned_data))  # the valid fields
    data = form.cleaned_data
    try:
        advice.advice_set_aside(
            plan=plan,
            user=request.user,
            rule=data["rule"],
            record_uid=data["record"],
            reason=data["reason"],
        )
    except advice.AdviceError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, _("Advice set aside. It is listed, with your reason, on the plan’s advice.")
        )
    return HttpResponseRedirect(_back_from(plan, data))


@login_required
@require_POST
def advice_restore(request: AuthenticatedRequest, plan_id: int, set_aside_id: int) -> HttpResponse:
    plan, _membership = plan_for(request.user, plan_id, Capability.EDIT)
    try:
        advice.advice_restore(plan=plan, user=request.user, set_aside_id=set_aside_id)
    except advice.AdviceError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Advice restored: it shows again where it applies."))
    return redirect("plan_advice", plan.pk)


@login_required
@require_POST
def plan_horizon(request: AuthenticatedRequest, plan_id: int) -> HttpResponse:
    plan, _membership = plan_for(request.user, plan_id, Capability.EDIT)
    form = HorizonForm(request.POST)
    if not form.is_valid():
        for problem in _problems(form, "horizon"):
            messages.error(request, problem)
        return redirect("plan_advice", plan.pk)
    horizon = form.cleaned_data["horizon"]
    advice.plan_horizon_set(plan=plan, horizon=horizon)
    messages.success(
        request,
        _("Horizon of the plan saved.") if horizon else _("Horizon of the plan cleared."),
    )
    return redirect("plan_advice", plan.pk)
