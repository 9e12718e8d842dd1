"""The global search of the navigation bar: one box for a phone number in any spelling, a name, a plate, a VIN, a
complaint number, an OEM reference or a repair order number; the results grouped by customer, vehicle, complaint
and prospect, each read by its app's selector (scoped to the user's dealers) in one query.

It belongs to the composition root: it reads the workflows' selectors, which no module of the core may do."""

from django.shortcuts import render
from django.views.decorators.http import require_GET

from cac.desk import selectors
from cac.platform.views import role_required
from complaints import selectors as complaint_selectors
from prospects import selectors as prospect_selectors

MAX_QUERY = 60


def search_results(*, user, query: str) -> dict[str, list]:
    """The groups the user may see, each a list (empty when nothing matches)."""
    query = (query or "")[:MAX_QUERY]
    groups = {
        "customers": selectors.customer_lookup(user=user, query=query),
        "vehicles": selectors.vehicle_search(user=user, query=query) if user.has_perm("cac.view_vehicle") else [],
        "complaints": [],
        "prospects": [],
    }
    if user.has_perm("complaints.view_complaint"):
        groups["complaints"] = complaint_selectors.complaint_search(user=user, query=query)
    if user.has_perm("prospects.view_prospect"):
        groups["prospects"] = prospect_selectors.prospect_search(user=user, query=query)
    return groups


@role_required("cac.view_customer")
@require_GET
def search(request):
    query = request.GET.get("q", "").strip()[:MAX_QUERY]
    groups = search_results(user=request.user, query=query) if query else {}
    context = {"query": query, "groups": groups, "found": sum(len(rows) for rows in groups.values())}
    return render(request, "cac/search.html", context)
