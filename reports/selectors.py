"""The figures of the monthly complaint analysis: one function, SQL aggregates, one query per table.

Months are calendar months in the dealers' time zone (cac.platform.zones.dealers_zone: theirs when they share
one, else the CAC's). Definitions, so that a reader of the PDF
and a reader of this code agree:

- received: complaints received in the month; closed: closed (not cancelled) in the month; open at month end:
  received before the month ended and neither resolved nor closed or cancelled by then.
- acknowledged on time: of the month's received complaints (cancelled ones left out), acknowledged by their
  acknowledgment deadline. Resolved within deadline: of the complaints resolved in the month, resolved by
  their resolution deadline.
- time to resolve: hours from receipt to resolution of the complaints resolved in the month. On PostgreSQL the
  median and 90th percentile are `percentile_cont` aggregates; SQLite has no percentile aggregate, so there
  the durations alone (one number per resolved complaint, computed in SQL, ordered) are read and interpolated
  the way `percentile_cont` does — the same result, and a month's resolved complaints are few enough.
- follow-up satisfaction: of the after-complaint follow-up calls completed in the month with a score, the
  share scoring 4 or 5. Reopen rate: of the complaints closed in the month, the share reopened at least once.
- repeat complainants: customers with a complaint in the month and 2 or more within the 90 days up to the
  month's end.
- closed, by how: satisfied on the follow-up call, customer unreachable, or not satisfied but accepts (seed 000),
  each counted apart; the reopen rate is over all of them.
- root causes: of the month's received complaints that have one, by cause class and text; the prevention measure
  shown is the one recorded last (by its date) among them.
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import connection
from django.db.models import (
    Aggregate,
    Avg,
    BooleanField,
    Count,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import TruncMonth

from cac.platform.ratios import percent
from cac.platform.zones import dealers_zone, month_bounds
from callbacks.models import SATISFIED_FROM, Callback, Kind, due_in_q
from callbacks.models import Status as CallbackStatus
from callbacks.selectors import MONTH_FIGURES as CALLBACK_MONTH_FIGURES
from complaints import figures
from complaints.models import (
    Category,
    Channel,
    CloseKind,
    Complaint,
    Department,
    Escalation,
    EscalationLevel,
    KeyAttentionVehicle,
    Severity,
    Status,
)

REPEAT_WINDOW_DAYS = 90
TREND_MONTHS = 12
TOP_ROOT_CAUSES = 10

# The breakdowns by a column with choices: their rows are labelled with the choice's label in the active language.
CHOICE_BREAKDOWNS = {"category": Category, "channel": Channel, "severity": Severity, "department": Department}


# --- SQL helpers ----------------------------------------------------------------------------------------


class SecondsBetween(Func):
    """Seconds from one datetime column to another, in SQL."""

    output_field = FloatField()

    def as_postgresql(self, compiler, conn, **extra):
        return self.as_sql(compiler, conn, template="EXTRACT(EPOCH FROM (%(expressions)s))", arg_joiner=" - ")

    def as_sqlite(self, compiler, conn, **extra):
        end, start = self.source_expressions
        end_sql, end_params = compiler.compile(end)
        start_sql, start_params = compiler.compile(start)
        return f"((julianday({end_sql}) - julianday({start_sql})) * 86400.0)", (*end_params, *start_params)


class PercentileCont(Aggregate):
    """PostgreSQL's ordered-set aggregate `percentile_cont(p) WITHIN GROUP (ORDER BY x)`."""

    function = "percentile_cont"
    output_field = FloatField()
    template = "%(function)s(%(percentile)s) WITHIN GROUP (ORDER BY %(expressions)s)"

    def __init__(self, expression, *, percentile: float, **extra):
        super().__init__(expression, percentile=float(percentile), **extra)


def percentile(values: list[float], p: float) -> float | None:
    """Linear interpolation between the closest ranks of sorted `values`, exactly as `percentile_cont`."""
    if not values:
        return None
    position = (len(values) - 1) * p
    lower = int(position)
    upper = min(lower + 1, len(values) - 1)
    return values[lower] + (values[upper] - values[lower]) * (position - lower)


_pct = percent  # the one definition of a ratio (cac.platform.ratios)


def add_months(month: date, months: int) -> date:
    index = month.year * 12 + month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


# --- The figures ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Summary:
    month: date
    received: int = 0
    closed: int = 0
    closed_satisfied: int = 0
    closed_unreachable: int = 0
    closed_accepted: int = 0
    open_at_end: int = 0
    acknowledged_on_time_pct: float | None = None
    resolved: int = 0
    resolved_on_time_pct: float | None = None
    median_hours_to_resolve: float | None = None
    p90_hours_to_resolve: float | None = None
    follow_up_satisfaction_pct: float | None = None
    reopen_rate_pct: float | None = None
    repeat_complainants: int = 0
    escalations: int = 0
    emergencies: int = 0
    # Added for the dashboard (a snapshot taken before has them at their defaults): the counts behind the rates,
    # major complaints and complaints escalated in the month, each the count of the list it links to.
    majors: int = 0
    escalated_complaints: int = 0
    acknowledged_on_time: int = 0
    received_countable: int = 0
    resolved_on_time: int = 0
    reopened_closed: int = 0

    @property
    def has_data(self) -> bool:
        return bool(self.received or self.closed or self.open_at_end or self.resolved)


@dataclass(frozen=True)
class BreakdownRow:
    key: str
    label: str
    received: int
    closed: int
    acknowledged_on_time_pct: float | None


@dataclass(frozen=True)
class TrendPoint:
    month: date
    received: int
    acknowledged_on_time_pct: float | None
    resolved_on_time_pct: float | None


@dataclass(frozen=True)
class FollowUpRow:
    kind: str
    label: str
    due: int
    made: int
    on_time: int
    unreachable: int
    unreachable_rate_pct: float | None
    average_satisfaction: float | None
    satisfied_pct: float | None
    # Added for the dashboard (a snapshot taken before has them at their defaults).
    on_time_pct: float | None = None
    scored: int = 0
    top_box: int = 0
    top_box_pct: float | None = None


@dataclass(frozen=True)
class ComplaintFigures:
    dealer_ids: tuple[int, ...]
    month: date
    summary: Summary
    previous: Summary
    last_year: Summary
    escalations_by_level: list[tuple[int, str, int]]
    breakdowns: dict[str, list[BreakdownRow]]
    trend: list[TrendPoint]
    key_vehicles: list[dict]
    root_causes: list[dict]
    major_complaints: list[dict]
    follow_ups: list[FollowUpRow]
    follow_up_total: FollowUpRow | None = None
    # The corrective actions decided on this month's analysis, and the previous month's under review.
    actions: list[dict] = field(default_factory=list)
    actions_reviewed: list[dict] = field(default_factory=list)


def _by_dealer(queryset, aggregates: dict, by_dealer: bool) -> dict:
    """The aggregates over the whole queryset ({None: row}) or per dealer ({dealer_id: row}): one query either way."""
    if not by_dealer:
        return {None: queryset.aggregate(**aggregates)}
    return {row.pop("dealer_id"): row for row in queryset.order_by().values("dealer_id").annotate(**aggregates)}


def _summaries(*, dealer_ids, month: date, zone: zoneinfo.ZoneInfo, by_dealer: bool = False) -> dict:
    """The month's summary of the dealers together ({None: Summary}) or of each dealer ({dealer_id: Summary}, a
    dealer without a figure left out): the same conditions (complaints.figures) and the same queries, grouped."""
    start, end = month_bounds(month, zone)
    complaints = Complaint.objects.filter(dealer_id__in=dealer_ids)
    in_month = figures.received_in(start, end)
    resolved_in_month = figures.resolved_in(start, end)
    closed_in_month = figures.closed_in(start, end)
    duration = SecondsBetween(F("resolved_at"), F("received_at"))
    aggregates = {
        "received": Count("pk", filter=in_month),
        "received_countable": Count("pk", filter=in_month & figures.countable()),
        "acknowledged_on_time": Count("pk", filter=in_month & figures.countable() & figures.acknowledged_on_time()),
        "closed": Count("pk", filter=closed_in_month),
        **{
            f"closed_{kind}": Count("pk", filter=closed_in_month & Q(close_kind=kind))
            for kind in (CloseKind.SATISFIED, CloseKind.UNREACHABLE, CloseKind.ACCEPTED)
        },
        "reopened_closed": Count("pk", filter=closed_in_month & figures.reopened()),
        "open_at_end": Count("pk", filter=figures.open_at(end)),
        "resolved": Count("pk", filter=resolved_in_month),
        "resolved_on_time": Count("pk", filter=resolved_in_month & figures.resolved_on_time()),
        "majors": Count("pk", filter=in_month & figures.of_severity(Severity.MAJOR)),
        "emergencies": Count("pk", filter=in_month & figures.of_severity(Severity.EMERGENCY)),
        "escalated_complaints": Count("pk", filter=figures.escalated_in(start, end)),
    }
    postgres = connection.vendor == "postgresql"
    if postgres:
        aggregates["median"] = PercentileCont(duration, percentile=0.5, filter=resolved_in_month)
        aggregates["p90"] = PercentileCont(duration, percentile=0.9, filter=resolved_in_month)
    rows = _by_dealer(complaints.filter(Q(received_at__lt=end)), aggregates, by_dealer)
    if not postgres:
        seconds: dict = {}
        for dealer_id, value in (
            complaints.filter(resolved_in_month)
            .annotate(seconds=duration)
            .order_by("seconds")
            .values_list("dealer_id", "seconds")
        ):  # a month's resolved complaints, on SQLite only
            seconds.setdefault(dealer_id if by_dealer else None, []).append(value)
        for key, row in rows.items():
            row["median"] = percentile(seconds.get(key, []), 0.5)
            row["p90"] = percentile(seconds.get(key, []), 0.9)

    follow_up = _by_dealer(
        Callback.objects.filter(
            dealer_id__in=dealer_ids,
            kind="after_complaint",
            status=CallbackStatus.COMPLETED,
            completed_at__gte=start,
            completed_at__lt=end,
            satisfaction__isnull=False,
        ),
        {"scored": Count("pk"), "satisfied": Count("pk", filter=Q(satisfaction__gte=SATISFIED_FROM))},
        by_dealer,
    )
    repeat_rows = (
        complaints.filter(received_at__gte=end - timedelta(days=REPEAT_WINDOW_DAYS), received_at__lt=end)
        .values("customer_id", "dealer_id")  # a customer is one dealer's: grouping by both changes nothing
        .annotate(total=Count("pk"), in_month=Count("pk", filter=Q(received_at__gte=start)))
        .filter(total__gte=2, in_month__gte=1)
        .order_by()
    )
    repeat: dict = {}
    if by_dealer:
        for row in repeat_rows:  # one row per repeat complainant
            repeat[row["dealer_id"]] = repeat.get(row["dealer_id"], 0) + 1
    else:
        repeat[None] = repeat_rows.count()
    escalations = _by_dealer(
        Escalation.objects.filter(
            complaint__dealer_id__in=dealer_ids, escalated_at__gte=start, escalated_at__lt=end
        ).annotate(dealer_id=F("complaint__dealer_id")),
        {"count": Count("pk")},
        by_dealer,
    )

    def hours(value):
        return None if value is None else round(value / 3600.0, 1)

    result = {}
    for key, row in rows.items():
        scored = follow_up.get(key, {"scored": 0, "satisfied": 0})
        result[key] = Summary(
            month=month,
            received=row["received"],
            closed=row["closed"],
            closed_satisfied=row["closed_satisfied"],
            closed_unreachable=row["closed_unreachable"],
            closed_accepted=row["closed_accepted"],
            open_at_end=row["open_at_end"],
            acknowledged_on_time_pct=_pct(row["acknowledged_on_time"], row["received_countable"]),
            resolved=row["resolved"],
            resolved_on_time_pct=_pct(row["resolved_on_time"], row["resolved"]),
            median_hours_to_resolve=hours(row["median"]),
            p90_hours_to_resolve=hours(row["p90"]),
            follow_up_satisfaction_pct=_pct(scored["satisfied"], scored["scored"]),
            reopen_rate_pct=_pct(row["reopened_closed"], row["closed"]),
            repeat_complainants=repeat.get(key, 0),
            escalations=escalations.get(key, {"count": 0})["count"],
            emergencies=row["emergencies"],
            majors=row["majors"],
            escalated_complaints=row["escalated_complaints"],
            acknowledged_on_time=row["acknowledged_on_time"],
            received_countable=row["received_countable"],
            resolved_on_time=row["resolved_on_time"],
            reopened_closed=row["reopened_closed"],
        )
    return result


def _summary(*, dealer_ids, month: date, zone: zoneinfo.ZoneInfo) -> Summary:
    return _summaries(dealer_ids=dealer_ids, month=month, zone=zone)[None]


def _breakdown(
    *, dealer_ids, month: date, zone: zoneinfo.ZoneInfo, by: str, labels=None, label_fields=()
) -> list[BreakdownRow]:
    """Complaints received in the month, grouped by one column: one query."""
    start, end = month_bounds(month, zone)
    rows = (
        Complaint.objects.filter(dealer_id__in=dealer_ids, received_at__gte=start, received_at__lt=end)
        .values(by, *label_fields)
        .annotate(
            received=Count("pk"),
            closed=Count("pk", filter=Q(status=Status.CLOSED)),
            countable=Count("pk", filter=~Q(status=Status.CANCELLED)),
            acknowledged_on_time=Count(
                "pk", filter=~Q(status=Status.CANCELLED) & Q(acknowledged_at__lte=F("acknowledge_due_at"))
            ),
        )
        .order_by("-received", by)
    )
    result = []
    for row in rows:  # one row per group (a category, a model ...), never per complaint
        key = row[by]
        label = labels(row) if callable(labels) else (labels or {}).get(key, key)
        result.append(
            BreakdownRow(
                key="" if key is None else str(key),
                label=str(label) if label not in (None, "") else "—",
                received=row["received"],
                closed=row["closed"],
                acknowledged_on_time_pct=_pct(row["acknowledged_on_time"], row["countable"]),
            )
        )
    return result


def _person_label(row, field: str) -> str:
    if row[field] is None:
        return "—"
    first, last = row[f"{field}__first_name"].strip(), row[f"{field}__last_name"].strip()
    if any("\u4e00" <= ch <= "\u9fff" for ch in first + last):
        return f"{last}{first}"
    return f"{first} {last}".strip() or row[f"{field}__username"]


def _handler_label(row) -> str:
    return _person_label(row, "owner")


def _staff_label(row) -> str:
    return _person_label(row, "staff_involved")


def _trend(*, dealer_ids, month: date, zone: zoneinfo.ZoneInfo) -> list[TrendPoint]:
    """Volume and deadline compliance of each of the 12 months up to `month`, by month received: one query."""
    first = add_months(month, -(TREND_MONTHS - 1))
    start, _ = month_bounds(first, zone)
    _, end = month_bounds(month, zone)
    tz = zone
    rows = (
        Complaint.objects.filter(dealer_id__in=dealer_ids, received_at__gte=start, received_at__lt=end)
        .annotate(bucket=TruncMonth("received_at", tzinfo=tz))
        .values("bucket")
        .annotate(
            received=Count("pk"),
            countable=Count("pk", filter=~Q(status=Status.CANCELLED)),
            acknowledged_on_time=Count(
                "pk", filter=~Q(status=Status.CANCELLED) & Q(acknowledged_at__lte=F("acknowledge_due_at"))
            ),
            resolved=Count("pk", filter=Q(resolved_at__isnull=False)),
            resolved_on_time=Count("pk", filter=Q(resolved_at__lte=F("resolve_due_at"))),
        )
        .order_by("bucket")
    )
    by_month = {}
    for row in rows:  # at most 12 rows
        bucket = row["bucket"]
        by_month[date(bucket.year, bucket.month, 1)] = row
    points = []
    for offset in range(TREND_MONTHS):
        current = add_months(first, offset)
        row = by_month.get(current)
        points.append(
            TrendPoint(
                month=current,
                received=row["received"] if row else 0,
                acknowledged_on_time_pct=_pct(row["acknowledged_on_time"], row["countable"]) if row else None,
                resolved_on_time_pct=_pct(row["resolved_on_time"], row["resolved"]) if row else None,
            )
        )
    return points


def escalation_level_label(level: int, default: str = "") -> str:
    """The level's name in the active language (`default` for a level no longer defined)."""
    try:
        return str(EscalationLevel(level).label)
    except ValueError:
        return default or str(level)


def follow_up_kind_label(kind: str, default: str = "") -> str:
    """The kind of call in the active language; the total row (kind "") has no label."""
    if not kind:
        return ""
    try:
        return str(Kind(kind).label)
    except ValueError:
        return default or kind


def breakdown_label(by: str, key: str, default: str) -> str:
    """The label of a breakdown row in the active language: the choice's label, else what was computed."""
    choices = CHOICE_BREAKDOWNS.get(by)
    if choices is None or key not in choices.values:
        return default
    return str(choices(key).label)


def _escalations_by_level(*, dealer_ids, month: date, zone: zoneinfo.ZoneInfo) -> list[tuple[int, str, int]]:
    start, end = month_bounds(month, zone)
    rows = (
        Escalation.objects.filter(complaint__dealer_id__in=dealer_ids, escalated_at__gte=start, escalated_at__lt=end)
        .values("to_level")
        .annotate(count=Count("pk"))
        .order_by("to_level")
    )
    return [(row["to_level"], escalation_level_label(row["to_level"]), row["count"]) for row in rows]


def _key_vehicles(*, dealer_ids, month: date, zone: zoneinfo.ZoneInfo) -> list[dict]:
    """Vehicles on the key-attention list when the month ended."""
    _, end = month_bounds(month, zone)
    return list(
        KeyAttentionVehicle.objects.filter(dealer_id__in=dealer_ids, since__lt=end)
        .filter(Q(released_at__isnull=True) | Q(released_at__gte=end))
        .values(
            "pk",
            "since",
            "reason",
            "reasons",
            "vehicle__model",
            "vehicle__plate",
            "vehicle__vin",
            "vehicle__customer__name",
            "responsible__first_name",
            "responsible__last_name",
            "responsible__username",
        )
        .annotate(complaint_count=Count("complaints"))
        .order_by("since", "pk")
    )


def _root_causes(*, dealer_ids, month: date, zone: zoneinfo.ZoneInfo) -> list[dict]:
    start, end = month_bounds(month, zone)
    of_month = Complaint.objects.filter(dealer_id__in=dealer_ids, received_at__gte=start, received_at__lt=end)
    latest_measure = (
        of_month.filter(root_cause=OuterRef("root_cause"), root_cause_class=OuterRef("root_cause_class"))
        .exclude(prevention_measure="")
        .order_by(F("prevention_measure_at").desc(nulls_last=True), "-pk")
        .values("prevention_measure")[:1]
    )
    return list(
        of_month.exclude(root_cause="")
        .values("root_cause_class", "root_cause")
        .annotate(count=Count("pk"), prevention_measure=Subquery(latest_measure))
        .order_by("-count", "root_cause", "root_cause_class")[:TOP_ROOT_CAUSES]
    )


def _major_complaints(*, dealer_ids, month: date, zone: zoneinfo.ZoneInfo) -> list[dict]:
    start, end = month_bounds(month, zone)
    return list(
        Complaint.objects.filter(
            dealer_id__in=dealer_ids,
            received_at__gte=start,
            received_at__lt=end,
            severity__in=[Severity.MAJOR, Severity.EMERGENCY],
        )
        .values(
            "number",
            "received_at",
            "severity",
            "category",
            "status",
            "escalation_level",
            "resolution_type",
            "resolution_note",
            "resolved_at",
            "customer__name",
            "vehicle__model",
        )
        .order_by("received_at", "number")
    )


def _follow_up_aggregates() -> dict:
    counts = {name: Count("pk", filter=condition) for name, condition in CALLBACK_MONTH_FIGURES.items()}
    return {**counts, "average": Avg("satisfaction")}


_FOLLOW_UP_KEYS = tuple(CALLBACK_MONTH_FIGURES)


def _follow_up_row(kind: str, label: str, counts: dict, total_score: float) -> FollowUpRow:
    return FollowUpRow(
        kind=kind,
        label=label,
        due=counts["due"],
        made=counts["made"],
        on_time=counts["on_time"],
        unreachable=counts["unreachable"],
        unreachable_rate_pct=_pct(counts["unreachable"], counts["due"]),
        average_satisfaction=round(total_score / counts["scored"], 2) if counts["scored"] else None,
        satisfied_pct=_pct(counts["satisfied"], counts["scored"]),
        on_time_pct=_pct(counts["on_time"], counts["due"]),
        scored=counts["scored"],
        top_box=counts["top_box"],
        top_box_pct=_pct(counts["top_box"], counts["scored"]),
    )


def _follow_up_rows(rows: list[dict], *, key: str) -> dict:
    """Rows of counts summed by `key` (a kind, a dealer) into FollowUpRows; the average weighted by the scores."""
    sums: dict = {}
    for row in rows:  # one row per kind (and dealer)
        group = sums.setdefault(row[key], {**dict.fromkeys(_FOLLOW_UP_KEYS, 0), "score": 0.0})
        for name in _FOLLOW_UP_KEYS:
            group[name] += row[name]
        group["score"] += (row["average"] or 0) * row["scored"]
    return sums


def _follow_ups(*, dealer_ids, month: date, zone: zoneinfo.ZoneInfo) -> tuple[list[FollowUpRow], FollowUpRow | None]:
    """Follow-up calls due in the month, by kind: one query."""
    start, end = month_bounds(month, zone)
    rows = list(
        Callback.objects.filter(dealer_id__in=dealer_ids)
        .filter(due_in_q(start, end))
        .values("kind")
        .annotate(**_follow_up_aggregates())
        .order_by("kind")
    )
    result = [
        _follow_up_row(kind, follow_up_kind_label(kind), counts, counts["score"])
        for kind, counts in _follow_up_rows(rows, key="kind").items()
    ]
    if not rows:
        return result, None
    total = _follow_up_rows([{**row, "all": ""} for row in rows], key="all")[""]
    return result, _follow_up_row("", "", total, total["score"])


def follow_up_totals(*, dealer_ids, month: date, zone: zoneinfo.ZoneInfo) -> dict:
    """The follow-up calls of the month of each dealer ({dealer_id: FollowUpRow}) and of all ({None: ...}), summed
    from the same rows as the report's table by kind: one query."""
    start, end = month_bounds(month, zone)
    rows = list(
        Callback.objects.filter(dealer_id__in=dealer_ids)
        .filter(due_in_q(start, end))
        .values("dealer_id", "kind")
        .annotate(**_follow_up_aggregates())
        .order_by("dealer_id", "kind")
    )
    totals = {
        dealer_id: _follow_up_row("", "", counts, counts["score"])
        for dealer_id, counts in _follow_up_rows(rows, key="dealer_id").items()
    }
    every = _follow_up_rows([{**row, "all": None} for row in rows], key="all")
    totals[None] = _follow_up_row("", "", every[None], every[None]["score"]) if None in every else None
    return totals


def complaint_figures(*, dealer_ids, month: date) -> ComplaintFigures:
    """Every figure of the monthly complaint analysis of `dealer_ids` for `month` (any day of it), from SQL
    aggregates: one query per table, the comparison months beside the summary."""
    month = date(month.year, month.month, 1)
    dealer_ids = tuple(sorted(dealer_ids))
    zone = dealers_zone(dealer_ids)  # the dealers' months, not the server's
    breakdowns = {
        **{
            by: _breakdown(dealer_ids=dealer_ids, zone=zone, month=month, by=by, labels=dict(choices.choices))
            for by, choices in CHOICE_BREAKDOWNS.items()
        },
        "model": _breakdown(dealer_ids=dealer_ids, zone=zone, month=month, by="vehicle__model"),
        "handler": _breakdown(
            dealer_ids=dealer_ids,
            zone=zone,
            month=month,
            by="owner",
            labels=_handler_label,
            label_fields=("owner__first_name", "owner__last_name", "owner__username"),
        ),
        # The staff member complained about (当事人), where the complaint names one ("—": nobody named).
        "staff": _breakdown(
            dealer_ids=dealer_ids,
            zone=zone,
            month=month,
            by="staff_involved",
            labels=_staff_label,
            label_fields=("staff_involved__first_name", "staff_involved__last_name", "staff_involved__username"),
        ),
    }
    follow_ups, follow_up_total = _follow_ups(dealer_ids=dealer_ids, zone=zone, month=month)
    return ComplaintFigures(
        dealer_ids=dealer_ids,
        month=month,
        summary=_summary(dealer_ids=dealer_ids, zone=zone, month=month),
        previous=_summary(dealer_ids=dealer_ids, zone=zone, month=add_months(month, -1)),
        last_year=_summary(dealer_ids=dealer_ids, zone=zone, month=add_months(month, -12)),
        escalations_by_level=_escalations_by_level(dealer_ids=dealer_ids, zone=zone, month=month),
        breakdowns=breakdowns,
        trend=_trend(dealer_ids=dealer_ids, zone=zone, month=month),
        key_vehicles=_key_vehicles(dealer_ids=dealer_ids, zone=zone, month=month),
        root_causes=_root_causes(dealer_ids=dealer_ids, zone=zone, month=month),
        major_complaints=_major_complaints(dealer_ids=dealer_ids, zone=zone, month=month),
        follow_ups=follow_ups,
        follow_up_total=follow_up_total,
        actions=corrective_action_rows(dealer_ids=dealer_ids, month=month),
        actions_reviewed=corrective_action_rows(dealer_ids=dealer_ids, month=add_months(month, -1)),
    )


# --- Corrective and preventive actions ------------------------------------------------------------------------------


def corrective_action_list(*, user) -> QuerySet:
    """The corrective actions of the user's dealers."""
    from cac.desk.selectors import dealer_ids as user_dealer_ids
    from reports.models import CorrectiveAction

    return CorrectiveAction.objects.filter(dealer_id__in=user_dealer_ids(user=user)).select_related("owner", "dealer")


def corrective_action_rows(*, dealer_ids, month: date) -> list[dict]:
    """The actions decided on `month`'s analysis of `dealer_ids`, as plain values for the report (two queries: the
    actions, and the numbers of the complaints they answer)."""
    from reports.models import CorrectiveAction

    month = date(month.year, month.month, 1)
    actions = (
        CorrectiveAction.objects.filter(dealer_id__in=dealer_ids, month=month)
        .select_related("owner", "dealer")
        .prefetch_related(Prefetch("complaints", queryset=Complaint.objects.order_by("number").only("id", "number")))
        .order_by("due_on", "id")
    )
    return [
        {
            "id": action.pk,
            "dealer": action.dealer.code,
            "action": action.action,
            "owner": action.owner.get_full_name() or action.owner.username,
            "due_on": action.due_on.isoformat(),
            "status": action.status,
            "outcome": action.outcome,
            "closed_at": action.closed_at.isoformat() if action.closed_at else None,
            "complaints": [complaint.number for complaint in action.complaints.all()],
        }
        for action in actions
    ]


def monthly_report_list(*, user):
    """The reports a user may see: those whose every dealer is one of the user's. Their snapshots, large, are left
    unread; `has_snapshot` says whether there is one."""
    from cac.desk.selectors import dealer_ids as user_dealer_ids
    from cac.models import Dealer
    from reports.models import MonthlyReport

    allowed = user_dealer_ids(user=user)
    return (
        MonthlyReport.objects.filter(dealers__in=allowed)
        .exclude(dealers__in=Dealer.objects.exclude(pk__in=allowed))
        .distinct()
        .defer("snapshot")
        .annotate(has_snapshot=ExpressionWrapper(Q(snapshot__isnull=False), output_field=BooleanField()))
        .select_related("requested_by")
        .prefetch_related("dealers")
    )


def monthly_report_same(*, user, dealer_ids: list[int], month: date, language: str):
    """The user's newest report of exactly these dealers, this month and language that is not failed (queued,
    generating or ready), or None: what a second request of the same report is offered instead."""
    from reports.models import Status

    wanted = set(dealer_ids)
    candidates = (
        monthly_report_list(user=user)
        .filter(month=date(month.year, month.month, 1), language=language)
        .exclude(status=Status.FAILED)
        .order_by("-created_at", "-id")
    )
    return next((report for report in candidates if {d.pk for d in report.dealers.all()} == wanted), None)


def monthly_report_get(*, user, report_id: int, with_snapshot: bool = False):
    """The report, or MonthlyReport.DoesNotExist when any of its dealers is not the user's; with its snapshot
    read only when asked for."""
    reports = monthly_report_list(user=user)
    if with_snapshot:
        reports = reports.defer(None)
    return reports.get(pk=report_id)
