"""The executive's dashboard: where the user's dealers stand this month (to date), against the previous month and the
same month last year, for the group and for each dealer, each figure coloured against the dealer's target.

Nothing here defines a figure: the complaints' come from the monthly report's summary (reports.selectors, whose
conditions are complaints.figures), the follow-up calls' from its follow-up table, the OEM reports' from the OEM
deadline rule (complaints.figures), the prospects' from prospects.selectors. So the dashboard of a closed month and
its monthly report (and PDF) show the same numbers. Each figure carries the link to the list that makes it, filtered
the same way (`?month=…&figure=…&dealer=…`); a rate links to the list of what it counts (its numerator).

Queries: a fixed number per month shown and per time zone of the dealers, plus one per dealer for its calendar (the
OEM deadlines): none grows with the number of complaints, calls or prospects."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from urllib.parse import urlencode

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from cac.desk.selectors import dealer_list
from cac.events import selectors as event_conditions
from cac.models import Sale, ServiceVisit
from cac.platform.ratios import percent, percent_text
from cac.platform.zones import dealers_zone, month_bounds
from complaints import figures as complaint_conditions
from complaints.models import Complaint, Department, KeyAttentionVehicle
from prospects.models import Prospect
from prospects.selectors import captured_in, converted
from reports.models import DealerTarget
from reports.selectors import (
    Summary,
    TrendPoint,
    _by_dealer,
    _summaries,
    _trend,
    add_months,
    follow_up_totals,
)

COLUMNS = ("month", "previous", "last_year")
# How far short of its target a figure is still "near", not yet "missed": 5 points of a rate, a quarter of a point
# of the 5-point satisfaction, a tenth of the hours.
NEAR = {"pct": 5.0, "score": 0.25}
NEAR_HOURS_SHARE = 0.1


@dataclass(frozen=True)
class Definition:
    """One figure of the dashboard: where its number comes from, how it reads, which list makes it, its target."""

    name: str
    label: str
    section: str
    kind: str  # count, pct, per100, hours, score
    list: str  # complaints, callbacks, prospects, key_vehicles, service_visits
    figure: str = ""  # the list's `figure` filter
    target: str = ""  # a DealerTarget field
    ranked: bool = False  # a column of the dealers' table
    params: tuple[tuple[str, str], ...] = ()  # more filters of the list


DEFINITIONS = [
    Definition("received", _("Complaints received"), "complaints", "count", "complaints", "received", ranked=True),
    Definition("open", _("Open complaints"), "complaints", "count", "complaints", "open", ranked=True),
    Definition("closed", _("Closed"), "complaints", "count", "complaints", "closed"),
    Definition(
        "acknowledged_on_time_pct",
        _("Acknowledged on time"),
        "complaints",
        "pct",
        "complaints",
        "acknowledged_on_time",
        "acknowledged_on_time_pct",
        ranked=True,
    ),
    Definition(
        "resolved_on_time_pct",
        _("Result within the deadline"),
        "complaints",
        "pct",
        "complaints",
        "resolved_on_time",
        "resolved_on_time_pct",
        ranked=True,
    ),
    Definition(
        "oem_status_on_time_pct",
        _("OEM same-day status reports on time"),
        "complaints",
        "pct",
        "complaints",
        "oem_status_on_time",
        "oem_status_on_time_pct",
        ranked=True,
    ),
    Definition(
        "oem_result_on_time_pct",
        _("OEM 3-day result reports on time"),
        "complaints",
        "pct",
        "complaints",
        "oem_result_on_time",
        "oem_result_on_time_pct",
        ranked=True,
    ),
    Definition(
        "median_hours_to_resolve",
        _("Median time to resolve"),
        "complaints",
        "hours",
        "complaints",
        "resolved",
        "median_hours_to_resolve",
        ranked=True,
    ),
    Definition(
        "p90_hours_to_resolve", _("90th percentile time to resolve"), "complaints", "hours", "complaints", "resolved"
    ),
    Definition(
        "reopen_rate_pct", _("Reopen rate"), "complaints", "pct", "complaints", "reopened_closed", "reopen_rate_pct"
    ),
    # The complaint rates (抱怨率, seed 003): the sales side's per 100 deliveries, the after-sales side's per 100 repair
    # orders, each linking to the complaints it counts; the rework rate (返修率, seed 000) of the repair orders.
    Definition(
        "sales_complaint_rate",
        _("Sales complaints per 100 deliveries"),
        "complaints",
        "per100",
        "complaints",
        "received",
        params=(("department", Department.SALES),),
    ),
    Definition(
        "service_complaint_rate",
        _("After-sales complaints per 100 repair orders"),
        "complaints",
        "per100",
        "complaints",
        "received",
        params=(("department", Department.AFTER_SALES),),
    ),
    Definition(
        "rework_rate_pct",
        _("Rework rate (repair orders)"),
        "complaints",
        "pct",
        "service_visits",
        params=(("rework", "1"),),
    ),
    Definition("escalated", _("Complaints escalated"), "complaints", "count", "complaints", "escalated"),
    Definition("majors", _("Major complaints"), "complaints", "count", "complaints", "major"),
    Definition("emergencies", _("Emergency complaints"), "complaints", "count", "complaints", "emergency"),
    Definition("key_vehicles", _("Key-attention vehicles open"), "complaints", "count", "key_vehicles"),
    Definition("follow_ups_due", _("Follow-up calls due"), "follow_ups", "count", "callbacks", "due"),
    Definition(
        "follow_ups_on_time_pct",
        _("Made on time"),
        "follow_ups",
        "pct",
        "callbacks",
        "on_time",
        "follow_up_on_time_pct",
        ranked=True,
    ),
    Definition("unreachable_pct", _("Unreachable"), "follow_ups", "pct", "callbacks", "unreachable", "unreachable_pct"),
    Definition(
        "average_satisfaction",
        _("Average satisfaction"),
        "follow_ups",
        "score",
        "callbacks",
        "scored",
        "average_satisfaction",
        ranked=True,
    ),
    Definition(
        "top_box_pct",
        _("Top-box satisfaction (5 of 5)"),
        "follow_ups",
        "pct",
        "callbacks",
        "top_box",
        "top_box_pct",
        ranked=True,
    ),
    Definition("prospects_captured", _("Prospects captured"), "prospects", "count", "prospects", "captured"),
    Definition(
        "prospects_converted_pct",
        _("Converted"),
        "prospects",
        "pct",
        "prospects",
        "converted",
        "conversion_pct",
        ranked=True,
    ),
]
SECTIONS = {"complaints": _("Complaints"), "follow_ups": _("Follow-up calls"), "prospects": _("Prospects")}


@dataclass(frozen=True)
class Figure:
    definition: Definition
    value: float | int | None
    count: int | None = None  # what the link's list counts
    of: int | None = None  # the whole a rate is a share of
    url: str = ""
    state: str = ""  # met, near, missed; empty without a target

    @property
    def text(self) -> str:
        kind = self.definition.kind
        if self.value is None:
            return "—"
        if kind == "pct":
            return percent_text(self.value)
        if kind == "per100":
            return number_format(self.value, decimal_pos=1)
        if kind == "hours":
            return _("%(hours)s h") % {"hours": number_format(self.value, decimal_pos=1)}
        if kind == "score":
            return number_format(self.value, decimal_pos=2)
        return number_format(self.value)


@dataclass
class Scope:
    """The group (dealer None) or one dealer, with its figures for each column."""

    dealer: object = None
    columns: dict[str, dict[str, Figure]] = field(default_factory=dict)
    met: int = 0
    targets: int = 0

    def row(self, definition: Definition) -> list[Figure | None]:
        """The figure in each column (None where it has none: key vehicles are counted now only)."""
        return [self.columns.get(column, {}).get(definition.name) for column in COLUMNS]

    def ranked(self, definitions: list[Definition]) -> list[Figure | None]:
        return [self.columns.get("month", {}).get(definition.name) for definition in definitions]


@dataclass
class Dashboard:
    month: date
    months: dict[str, date]
    running: bool  # the month is the current one: its figures are to date
    group: Scope
    dealers: list[Scope]
    trend: list[TrendPoint]
    sections: list[tuple[str, str, list[Definition]]]
    ranked: list[Definition]

    def group_sections(self):
        """(section label, [(definition, figures by column)]) for the group's table."""
        return [
            (label, [(definition, self.group.row(definition)) for definition in definitions])
            for _key, label, definitions in self.sections
        ]

    def dealer_rows(self):
        return [(scope, scope.ranked(self.ranked)) for scope in self.dealers]


def _numbers(summary: Summary, follow_up, oem: dict, prospects: dict, events: dict) -> dict[str, tuple]:
    """Every figure of one scope and month as (value, count, of)."""
    sales, deliveries = events.get("sales", 0), events.get("deliveries", 0)
    after_sales, repair_orders = events.get("after_sales", 0), events.get("repair_orders", 0)
    rework = events.get("rework", 0)
    follow_up_row = follow_up
    status_made, status_of = oem.get("status", (0, 0))
    result_made, result_of = oem.get("result", (0, 0))
    captured = prospects.get("captured", 0)
    won = prospects.get("converted", 0)
    numbers = {
        "received": (summary.received, summary.received, None),
        "open": (summary.open_at_end, summary.open_at_end, None),
        "closed": (summary.closed, summary.closed, None),
        "acknowledged_on_time_pct": (
            summary.acknowledged_on_time_pct,
            summary.acknowledged_on_time,
            summary.received_countable,
        ),
        "resolved_on_time_pct": (summary.resolved_on_time_pct, summary.resolved_on_time, summary.resolved),
        "oem_status_on_time_pct": (percent(status_made, status_of), status_made, status_of),
        "oem_result_on_time_pct": (percent(result_made, result_of), result_made, result_of),
        "median_hours_to_resolve": (summary.median_hours_to_resolve, summary.resolved, None),
        "p90_hours_to_resolve": (summary.p90_hours_to_resolve, summary.resolved, None),
        "reopen_rate_pct": (summary.reopen_rate_pct, summary.reopened_closed, summary.closed),
        "escalated": (summary.escalated_complaints, summary.escalated_complaints, None),
        "majors": (summary.majors, summary.majors, None),
        "emergencies": (summary.emergencies, summary.emergencies, None),
        "prospects_captured": (captured, captured, None),
        "prospects_converted_pct": (percent(won, captured), won, captured),
        # Per 100 is a percentage's arithmetic: the same rounding, read without the sign.
        "sales_complaint_rate": (percent(sales, deliveries), sales, deliveries),
        "service_complaint_rate": (percent(after_sales, repair_orders), after_sales, repair_orders),
        "rework_rate_pct": (percent(rework, repair_orders), rework, repair_orders),
    }
    if follow_up_row is None:
        numbers.update(
            follow_ups_due=(0, 0, None),
            follow_ups_on_time_pct=(None, 0, 0),
            unreachable_pct=(None, 0, 0),
            average_satisfaction=(None, 0, None),
            top_box_pct=(None, 0, 0),
        )
    else:
        r = follow_up_row
        numbers.update(
            follow_ups_due=(r.due, r.due, None),
            follow_ups_on_time_pct=(r.on_time_pct, r.on_time, r.due),
            unreachable_pct=(r.unreachable_rate_pct, r.unreachable, r.due),
            average_satisfaction=(r.average_satisfaction, r.scored, None),
            top_box_pct=(r.top_box_pct, r.top_box, r.scored),
        )
    return numbers


def _oem_counts(states: dict, *, by_dealer: bool) -> dict:
    """{scope: {report: (made on time, due)}} from complaints.figures.oem_report_states."""
    counts: dict = {}
    for reports in states.values():  # the month's complaints on an OEM channel
        for report, (dealer_id, state) in reports.items():
            if state is None:
                continue
            scope = counts.setdefault(dealer_id if by_dealer else None, {})
            made, of = scope.get(report, (0, 0))
            scope[report] = (made + (state is True), of + 1)
    return counts


def _month_numbers(*, dealer_ids, zone, month: date, by_dealer: bool, now: datetime, calendars: dict) -> dict:
    """{scope: {figure: (value, count, of)}} of one month, for the dealers together or each of them."""
    start, end = month_bounds(month, zone)
    summaries = _summaries(dealer_ids=dealer_ids, month=month, zone=zone, by_dealer=by_dealer)
    follow_ups = follow_up_totals(dealer_ids=dealer_ids, month=month, zone=zone)
    oem = _oem_counts(
        complaint_conditions.oem_report_states(
            Complaint.objects.filter(dealer_id__in=dealer_ids).filter(complaint_conditions.received_in(start, end)),
            now=now,
            calendars=calendars,
        ),
        by_dealer=by_dealer,
    )
    prospects = _by_dealer(
        Prospect.objects.filter(dealer_id__in=dealer_ids).filter(captured_in(start, end)),
        {"captured": Count("pk"), "converted": Count("pk", filter=converted())},
        by_dealer,
    )
    events = _event_counts(dealer_ids=dealer_ids, month=month, start=start, end=end, by_dealer=by_dealer)
    scopes = list(dealer_ids) if by_dealer else [None]
    return {
        scope: _numbers(
            summaries.get(scope) or Summary(month=month),
            follow_ups.get(scope),
            oem.get(scope, {}),
            prospects.get(scope, {}),
            events.get(scope, {}),
        )
        for scope in scopes
    }


def _event_counts(*, dealer_ids, month: date, start: datetime, end: datetime, by_dealer: bool) -> dict:
    """{scope: counts} of the complaint rates and the rework rate: the month's complaints received by side, its
    deliveries, its repair orders and their reworks (three queries)."""
    side = _by_dealer(
        Complaint.objects.filter(dealer_id__in=dealer_ids).filter(complaint_conditions.received_in(start, end)),
        {
            "sales": Count("pk", filter=Q(department=Department.SALES)),
            "after_sales": Count("pk", filter=Q(department=Department.AFTER_SALES)),
        },
        by_dealer,
    )
    deliveries = _by_dealer(
        Sale.objects.filter(dealer_id__in=dealer_ids).filter(event_conditions.delivered_in(month)),
        {"deliveries": Count("pk")},
        by_dealer,
    )
    visits = _by_dealer(
        ServiceVisit.objects.filter(dealer_id__in=dealer_ids).filter(event_conditions.repair_orders_in(month)),
        {"repair_orders": Count("pk"), "rework": Count("pk", filter=event_conditions.rework())},
        by_dealer,
    )
    counts: dict = {}
    for rows in (side, deliveries, visits):
        for scope, row in rows.items():
            counts.setdefault(scope, {}).update(row)
    return counts


def figure_url(definition: Definition, *, month: date, dealer_id: int | None) -> str:
    """The list that makes a figure, filtered the same way."""
    params: dict = {}
    if definition.list == "key_vehicles":
        url = reverse("complaints:key_vehicles")
    elif definition.list == "service_visits":
        url = reverse("events:service_visits")
        params["month"] = f"{month:%Y-%m}"
    elif definition.list == "prospects":
        url = reverse("prospects:list")
        params["month"] = f"{month:%Y-%m}"
        if definition.figure == "converted":
            params["status"] = "won"
    else:
        url = reverse("complaints:list" if definition.list == "complaints" else "callbacks:month")
        params.update(month=f"{month:%Y-%m}", figure=definition.figure)
    params.update(definition.params)
    if dealer_id is not None:
        params["dealer"] = dealer_id
    return f"{url}?{urlencode(params)}"


def target_state(definition: Definition, value, targets: dict | None) -> str:
    if not definition.target or targets is None or value is None:
        return ""
    target = targets[definition.target]
    gap = (target - value) if definition.target not in DealerTarget.AT_MOST else (value - target)
    if gap <= 0:
        return "met"
    near = target * NEAR_HOURS_SHARE if definition.kind == "hours" else NEAR.get(definition.kind, 0)
    return "near" if gap <= near else "missed"


def dashboard_figures(*, user, month: date | None = None, now: datetime | None = None) -> Dashboard:
    """The dashboard of the user's dealers for `month` (the current month, to date, by default)."""
    now = now or timezone.now()
    dealers = list(dealer_list(user=user).order_by("code"))
    ids = [dealer.pk for dealer in dealers]
    zone = dealers_zone(ids)
    today = timezone.localtime(now, zone).date()
    month = date((month or today).year, (month or today).month, 1)
    months = {"month": month, "previous": add_months(month, -1), "last_year": add_months(month, -12)}
    calendars: dict = {}
    group_numbers = {
        column: _month_numbers(dealer_ids=ids, zone=zone, month=m, by_dealer=False, now=now, calendars=calendars)[None]
        for column, m in months.items()
    }
    dealer_numbers: dict = {dealer.pk: {} for dealer in dealers}
    if len(dealers) > 1:
        by_zone: dict = {}
        for dealer in dealers:
            by_zone.setdefault(dealer.time_zone, []).append(dealer.pk)
        for zone_ids in by_zone.values():  # one per time zone of the dealers: usually one
            dealer_zone = dealers_zone(zone_ids)
            for column, m in months.items():
                for dealer_id, numbers in _month_numbers(
                    dealer_ids=zone_ids, zone=dealer_zone, month=m, by_dealer=True, now=now, calendars=calendars
                ).items():
                    dealer_numbers[dealer_id][column] = numbers
    running = month == date(today.year, today.month, 1)
    key_vehicles = _key_vehicles_open(ids) if running else {}
    targets = DealerTarget.for_dealers(ids)
    group_targets = targets[ids[0]] if len(ids) == 1 else None

    def scope(dealer, numbers_by_column, targets_of) -> Scope:
        result = Scope(dealer=dealer)
        dealer_id = None if dealer is None else dealer.pk
        for column, numbers in numbers_by_column.items():
            if running and column == "month":
                count = sum(key_vehicles.values()) if dealer is None else key_vehicles.get(dealer_id, 0)
                numbers = {**numbers, "key_vehicles": (count, count, None)}
            figures = {}
            for definition in DEFINITIONS:
                if definition.name not in numbers:
                    continue
                value, count, of = numbers[definition.name]
                state = target_state(definition, value, targets_of) if column == "month" else ""
                figures[definition.name] = Figure(
                    definition,
                    value,
                    count,
                    of,
                    figure_url(definition, month=months[column], dealer_id=dealer_id if len(ids) > 1 else None),
                    state,
                )
                if column == "month" and state:
                    result.targets += 1
                    result.met += state == "met"
            result.columns[column] = figures
        return result

    group = scope(None, group_numbers, group_targets)
    dealer_scopes = [scope(dealer, dealer_numbers[dealer.pk], targets[dealer.pk]) for dealer in dealers]
    if len(dealers) > 1:
        dealer_scopes.sort(key=lambda s: (-s.met, s.targets - s.met, s.dealer.code))
    else:
        dealer_scopes = []
    return Dashboard(
        month=month,
        months=months,
        running=running,
        group=group,
        dealers=dealer_scopes,
        trend=_trend(dealer_ids=ids, month=month, zone=zone),
        sections=[(key, label, [d for d in DEFINITIONS if d.section == key]) for key, label in SECTIONS.items()],
        ranked=[d for d in DEFINITIONS if d.ranked],
    )


def _key_vehicles_open(dealer_ids) -> dict[int, int]:
    """Vehicles on the key-attention list now, per dealer (the key vehicles list's rows): one query."""
    return {
        row["dealer_id"]: row["count"]
        for row in KeyAttentionVehicle.objects.filter(dealer_id__in=dealer_ids, released_at__isnull=True)
        .values("dealer_id")
        .annotate(count=Count("pk"))
        .order_by()
    }


def trend_json(dashboard: Dashboard) -> dict:
    """The 12-month trend as the chart script reads it (json_script)."""
    return {
        "months": [f"{point.month:%Y-%m}" for point in dashboard.trend],
        "received": [point.received for point in dashboard.trend],
        "acknowledged": [point.acknowledged_on_time_pct for point in dashboard.trend],
        "resolved": [point.resolved_on_time_pct for point in dashboard.trend],
        "labels": {
            "received": str(_("Complaints received")),
            "acknowledged": str(_("Acknowledged on time (%)")),
            "resolved": str(_("Result within the deadline (%)")),
        },
    }
