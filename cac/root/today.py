"""The counts of today's work at the top of the call desk: follow-up calls due, call-backs owed, prospects to
contact; for an agent (whose home the desk is, cac.root.home), their day too: calls handled today, follow-ups made
and left in the slot running now, missed calls to return, their open complaints. An htmx fragment of the
composition root, since the counts come from the workflows, which the desk (core) does not read.

Each figure links to the list that makes it, and is counted by that list's own filter or selector."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Q
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from cac.cti.selectors import missed_calls_count
from cac.desk import selectors
from cac.desk.filters import call_slot_q
from cac.models import CallLog, User
from cac.platform.attempts import Slot, next_slot_start, slot_of
from cac.platform.views import role_required
from cac.platform.zones import dealers_zone
from cac.root.home import HOME_AGENT, Figure, home_of, list_url
from callbacks import selectors as callback_selectors
from complaints import selectors as complaint_selectors
from prospects import selectors as prospect_selectors


def today_counts(
    *, user, totals: dict[str, int] | None = None, callbacks_owed: int | None = None
) -> dict[str, int | None]:
    """Each count the user's role has a list for; None for the others (not shown). `totals` (the worklist's) and
    `callbacks_owed`: when the caller has them already."""
    if callbacks_owed is None:
        callbacks_owed = selectors.call_list(user=user).filter(callback_owed=True).count()
    counts: dict[str, int | None] = {
        "follow_ups_due": None,
        "callbacks_owed": callbacks_owed,
        "prospects_to_contact": None,
    }
    if user.has_perm("callbacks.work_callback"):
        totals = totals or callback_selectors.worklist_totals(user=user, now=timezone.now())
        counts["follow_ups_due"] = totals["total"]
    if user.has_perm("prospects.view_prospect"):
        counts["prospects_to_contact"] = prospect_selectors.prospect_due(user=user).count()
    return counts


@dataclass(frozen=True)
class AgentDay:
    figures: list[Figure]
    slot: str | None  # the label of the slot running now, or None between slots
    next_slot_at: datetime | None  # when the next one starts, between slots
    totals: dict[str, int]  # the worklist's (callback_selectors.worklist_totals)
    callbacks_owed: int  # the desk's count of call-backs owed


def agent_day(*, user: User, now: datetime | None = None) -> AgentDay:
    """The agent's day so far, in the dealers' days and call slots (cac.platform.zones, cac.platform.attempts).
    The calls are counted in one query with the desk's call-backs owed, by the call list's own conditions: its day
    (`date_from` and `date_to` on the day the list's link names) and its slot (call_slot_q)."""
    now = now or timezone.now()
    zone = dealers_zone(selectors.dealer_ids(user=user))
    totals = callback_selectors.worklist_totals(user=user, now=now, zone=zone)
    day = timezone.localtime(now, zone).date()
    slot = slot_of(now, zone)
    calls_today = Q(handled_by=user, started_at__date__gte=day, started_at__date__lte=day)
    follow_ups_in_slot = calls_today & Q(purpose=CallLog.Purpose.FOLLOW_UP) & call_slot_q(slot or "")
    calls = (
        selectors.call_list(user=user)
        .order_by()
        .aggregate(
            owed=Count("pk", filter=Q(callback_owed=True)),
            today=Count("pk", filter=calls_today),
            in_slot=Count("pk", filter=follow_ups_in_slot),
        )
    )
    today_params = {"handled_by": user.pk, "date_from": day.isoformat(), "date_to": day.isoformat()}
    figures = [
        Figure(
            key="calls-today",
            label=_("Calls handled today"),
            value=calls["today"],
            url=list_url("call_list", **today_params),
        )
    ]
    if slot is not None:
        figures += [
            Figure(
                key="follow-ups-made-in-slot",
                label=_("Follow-ups made in this slot"),
                value=calls["in_slot"],
                url=list_url("call_list", **today_params, purpose=CallLog.Purpose.FOLLOW_UP, slot=slot),
            ),
            Figure(
                key="follow-ups-left-in-slot",
                label=_("Follow-ups left in this slot"),
                value=totals["in_slot"],
                url=list_url("callbacks:worklist", tab="slot"),
            ),
        ]
    figures += [
        Figure(
            key="missed-calls",
            label=_("Missed calls to return"),
            value=missed_calls_count(user=user)["all"],
            url=reverse("desk") + "#missed-calls",
        ),
        Figure(
            key="my-open-complaints",
            label=_("My open complaints"),
            value=complaint_selectors.complaint_mine(user=user).count(),
            url=reverse("complaints:mine"),
        ),
    ]
    return AgentDay(
        figures=figures,
        slot=str(Slot(slot).label) if slot else None,
        next_slot_at=None if slot else next_slot_start(now, zone),
        totals=totals,
        callbacks_owed=calls["owed"],
    )


@role_required("cac.view_customer")
@require_GET
def desk_today(request):
    user = request.user
    if home_of(user) != HOME_AGENT:
        return render(request, "cac/_desk_today.html", {"counts": today_counts(user=user), "day": None})
    day = agent_day(user=user)
    counts = today_counts(user=user, totals=day.totals, callbacks_owed=day.callbacks_owed)
    return render(request, "cac/_desk_today.html", {"counts": counts, "day": day})
