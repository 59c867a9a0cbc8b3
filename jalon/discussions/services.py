"""Writes of the discussions room."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from jalon.accounts.models import User
from jalon.organisations.models import Organisation
from jalon.plans.models import Plan

from .models import Visit

# A sitting: looks closer together than this are one visit, and cost no write.
SITTING = timedelta(minutes=10)


def visit_record(
    *, user: User, organisation: Organisation, plan: Plan | None = None
) -> datetime | None:
    """Note that `user` is looking at the plan (or the municipality) now, and return when their
    previous visit was (None: the first). Writes at most once per SITTING per person and place;
    two requests at once are safe (a conditional UPDATE, and a unique row per place)."""
    now = timezone.now()
    place = {"user": user, "plan": plan} if plan else {"user": user, "organisation": organisation}
    visits = Visit.objects.filter(**place) if plan else Visit.objects.filter(**place, plan=None)
    visit = visits.only("pk", "seen_at", "previous_seen_at").first()
    if visit is None:
        try:
            with transaction.atomic():
                Visit.objects.create(user=user, organisation=organisation, plan=plan, seen_at=now)
        except IntegrityError:  # the same person's other request made it just now
            pass
        return None
    if now - visit.seen_at < SITTING:
        return visit.previous_seen_at
    moved = visits.filter(pk=visit.pk, seen_at=visit.seen_at).update(
        previous_seen_at=F("seen_at"), seen_at=now
    )
    return visit.seen_at if moved else visit.previous_seen_at
