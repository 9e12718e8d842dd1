"""The counts of today's work at the top of the call desk: follow-up calls due, call-backs owed, prospects to
contact. An htmx fragment of the composition root, since the counts come from the workflows, which the desk (core)
does not read."""

from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from cac.desk import selectors
from cac.platform.views import role_required
from callbacks import selectors as callback_selectors
from prospects import selectors as prospect_selectors


def today_counts(*, user) -> dict[str, int | None]:
    """Each count the user's role has a list for; None for the others (not shown)."""
    counts: dict[str, int | None] = {
        "follow_ups_due": None,
        "callbacks_owed": selectors.call_list(user=user).filter(callback_owed=True).count(),
        "prospects_to_contact": None,
    }
    if user.has_perm("callbacks.work_callback"):
        counts["follow_ups_due"] = callback_selectors.worklist_totals(user=user, now=timezone.now())["total"]
    if user.has_perm("prospects.view_prospect"):
        counts["prospects_to_contact"] = prospect_selectors.prospect_due(user=user).count()
    return counts


@role_required("cac.view_customer")
@require_GET
def desk_today(request):
    return render(request, "cac/_desk_today.html", {"counts": today_counts(user=request.user)})
