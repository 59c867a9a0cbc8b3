"""Pages of the discussions room: a person's notifications, and who is typing in a plan."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from jalon.access import plan_for
from jalon.http import AuthenticatedRequest

from . import selectors, services

PER_PAGE = 20


@login_required
@require_GET
def notifications(request: AuthenticatedRequest) -> HttpResponse:
    page = Paginator(selectors.notifications_of(request.user), PER_PAGE).get_page(
        request.GET.get("page")
    )
    unread = selectors.unread_for(request)
    return render(request, "discussions/notifications.html", {"page": page, "unread": unread})


@login_required
@require_POST
def notifications_read(request: AuthenticatedRequest) -> HttpResponse:
    services.notifications_mark_read(user=request.user)
    messages.success(request, _("All notifications are marked as read."))
    return redirect("notifications")


@login_required
@require_GET
def notification_open(request: AuthenticatedRequest, notification_id: int) -> HttpResponse:
    notification = selectors.notification_of(request.user, notification_id)
    return redirect(services.notification_open(notification=notification))


@login_required
@require_GET
def presence(request: AuthenticatedRequest, plan_id: int) -> HttpResponse:
    """Who else is typing where in the plan, for the page's script: a few hundred bytes."""
    plan, _membership = plan_for(request.user, plan_id)
    if not services.presence_poll(user=request.user, plan=plan):
        return JsonResponse({"error": _("Too many requests: wait a few seconds.")}, status=429)
    return JsonResponse({"editing": selectors.editing_now(plan, request.user)})
