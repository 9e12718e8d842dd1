"""The notification list and the bell. Thin: each view reads through cac.deadlines.notifications or calls one service."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from cac.deadlines.notifications import (
    notification_kinds,
    notification_list,
    notification_mark_read,
    notification_unread_count,
)

PAGE_SIZE = 30


@login_required
@require_GET
def notifications(request):
    kinds = notification_kinds(user=request.user)
    kind = request.GET.get("kind", "")
    chosen = next((row for row in kinds if row["kind"] == kind), None)
    rows = notification_list(user=request.user, kind=chosen["kind"] if chosen else "")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    unread = chosen["unread"] if chosen else sum(row["unread"] for row in kinds)
    return render(request, "cac/notifications.html", {"page": page, "unread": unread, "kinds": kinds, "chosen": chosen})


@login_required
@require_GET
@never_cache
def notification_bell(request):
    """Loaded by htmx after the page: the unread count costs the page itself no query."""
    return render(request, "cac/_notification_bell.html", {"unread": notification_unread_count(user=request.user)})


@login_required
@require_POST
def notification_read(request, notification_id: int):
    notification_mark_read(user=request.user, notification_id=notification_id)
    target = request.POST.get("next") or ""
    if target.startswith("/") and not target.startswith("//"):
        return redirect(target)
    return redirect("notifications")


@login_required
@require_POST
def notification_read_all(request):
    """All the user's notices read, or all of one kind (the filter the list shows)."""
    kind = request.POST.get("kind", "")[:40]
    changed = notification_mark_read(user=request.user, kind=kind)
    messages.success(request, _("%(count)s notifications marked read.") % {"count": changed})
    if kind:
        return redirect(f"{reverse('notifications')}?{urlencode({'kind': kind})}")
    return redirect("notifications")
