"""The tables of the monthly complaint analysis, labelled in the active language.

Built from `complaint_figures` only; the HTML preview, the PDF, the CSV and the XLSX all show these tables."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from cac.platform.ratios import percent_text
from cac.texts import render
from complaints.models import Category, ResolutionType, RootCauseClass, Severity, Status
from reports.charts import bar_chart, line_chart
from reports.models import ActionStatus
from reports.selectors import ComplaintFigures, Summary, add_months


@dataclass
class Table:
    key: str
    title: str
    headers: list[str]
    rows: list[list]
    chart: dict | None = None
    note: str = ""
    charts: list[dict] = field(default_factory=list)

    @property
    def numeric(self) -> list[bool]:
        """Which columns hold numbers (right-aligned): every cell an int, a float, a percentage or a dash."""

        def is_number(cell) -> bool:
            if isinstance(cell, int | float):
                return True
            text = str(cell).rstrip("%")
            return text == "—" or text.replace(".", "", 1).isdigit()

        return [
            index > 0 and bool(self.rows) and all(is_number(row[index]) for row in self.rows)
            for index in range(len(self.headers))
        ]

    @property
    def header_cells(self) -> list[tuple[str, bool]]:
        return list(zip(self.headers, self.numeric, strict=True))

    @property
    def row_cells(self) -> list[list[tuple[object, bool]]]:
        numeric = self.numeric
        return [list(zip(row, numeric, strict=True)) for row in self.rows]


def month_label(month: date) -> str:
    """ISO year-month: read the same way in Chinese and in English."""
    return f"{month.year}-{month.month:02d}"


def _num(value, suffix: str = ""):
    if suffix == "%":
        return percent_text(value)
    return "—" if value is None else value


def _summary_rows(figures: ComplaintFigures) -> list[list]:
    periods: list[Summary] = [figures.summary, figures.previous, figures.last_year]

    def cells(attribute: str, suffix: str = "") -> list:
        return [_num(getattr(s, attribute), suffix) if (s is figures.summary or s.has_data) else "—" for s in periods]

    return [
        [_("Complaints received"), *cells("received")],
        [_("Complaints closed"), *cells("closed")],
        [_("… satisfied on the follow-up call"), *cells("closed_satisfied")],
        [_("… by a manager: customer unreachable"), *cells("closed_unreachable")],
        [_("… by a manager: not satisfied but accepts"), *cells("closed_accepted")],
        [_("Open at month end"), *cells("open_at_end")],
        [_("Acknowledged on time"), *cells("acknowledged_on_time_pct", "%")],
        [_("Complaints resolved"), *cells("resolved")],
        [_("Resolved within deadline"), *cells("resolved_on_time_pct", "%")],
        [_("Median time to resolve (hours)"), *cells("median_hours_to_resolve")],
        [_("90th percentile time to resolve (hours)"), *cells("p90_hours_to_resolve")],
        [_("Follow-up satisfaction"), *cells("follow_up_satisfaction_pct", "%")],
        [_("Reopen rate"), *cells("reopen_rate_pct", "%")],
        [_("Repeat complainants (2+ in 90 days)"), *cells("repeat_complainants")],
        [_("Escalations"), *cells("escalations")],
        [_("Emergencies"), *cells("emergencies")],
    ]


def _person(row: dict, prefix: str) -> str:
    first = (row.get(f"{prefix}__first_name") or "").strip()
    last = (row.get(f"{prefix}__last_name") or "").strip()
    if any("\u4e00" <= ch <= "\u9fff" for ch in first + last):
        return f"{last}{first}"
    return f"{first} {last}".strip() or row.get(f"{prefix}__username") or "—"


def _datetime(value) -> str:
    if value is None:
        return "—"
    return formats.date_format(timezone.localtime(value), "Y-m-d H:i")


def report_tables(figures: ComplaintFigures) -> list[Table]:
    """Every table of the report, in order, labelled in the active language."""
    tables = [
        Table(
            key="summary",
            title=_("Summary"),
            headers=[
                _("Figure"),
                month_label(figures.month),
                _("Previous month (%(month)s)") % {"month": month_label(figures.previous.month)},
                _("Same month last year (%(month)s)") % {"month": month_label(figures.last_year.month)},
            ],
            rows=_summary_rows(figures),
        ),
        Table(
            key="escalations",
            title=_("Escalations by level"),
            headers=[_("Escalated to"), _("Escalations")],
            rows=[[label, count] for _level, label, count in figures.escalations_by_level],
        ),
    ]
    breakdown_titles = {
        "category": (_("By category"), _("Category")),
        "channel": (_("By channel"), _("Channel")),
        "severity": (_("By severity"), _("Severity")),
        "department": (_("By department"), _("Department")),
        "model": (_("By vehicle model"), _("Vehicle model")),
        "handler": (_("By handler"), _("Handler")),
        "staff": (_("By staff member complained about"), _("Staff member (当事人)")),
    }
    for key, (title, column) in breakdown_titles.items():
        if key not in figures.breakdowns:
            continue  # a report made before this breakdown existed
        rows = figures.breakdowns[key]
        tables.append(
            Table(
                key=f"by_{key}",
                title=title,
                headers=[column, _("Received"), _("Closed"), _("Acknowledged on time")],
                rows=[[r.label, r.received, r.closed, _num(r.acknowledged_on_time_pct, "%")] for r in rows],
                chart=bar_chart([(r.label, r.received) for r in rows]) if rows else None,
            )
        )
    trend = figures.trend
    tables.append(
        Table(
            key="trend",
            title=_("12-month trend"),
            headers=[_("Month"), _("Received"), _("Acknowledged on time"), _("Resolved within deadline")],
            rows=[
                [
                    month_label(p.month),
                    p.received,
                    _num(p.acknowledged_on_time_pct, "%"),
                    _num(p.resolved_on_time_pct, "%"),
                ]
                for p in trend
            ],
            charts=[
                line_chart(
                    [f"{p.month:%m}" for p in trend],
                    [(_("Received"), [p.received for p in trend])],
                    title=_("Complaints received"),
                ),
                line_chart(
                    [f"{p.month:%m}" for p in trend],
                    [
                        (_("Acknowledged on time"), [p.acknowledged_on_time_pct for p in trend]),
                        (_("Resolved within deadline"), [p.resolved_on_time_pct for p in trend]),
                    ],
                    title=_("Deadline compliance (%)"),
                    maximum=100,
                ),
            ],
        )
    )
    tables.append(
        Table(
            key="key_vehicles",
            title=_("Key-attention vehicles at month end"),
            headers=[
                _("Vehicle"),
                _("Customer"),
                _("Reason"),
                _("Responsible"),
                _("On the list since"),
                _("Complaints"),
            ],
            rows=[
                [
                    f"{r['vehicle__model']} {r['vehicle__plate'] or r['vehicle__vin']}",
                    r["vehicle__customer__name"],
                    "; ".join(render(reason) for reason in r["reasons"]) if r.get("reasons") else r["reason"],
                    _person(r, "responsible"),
                    _datetime(r["since"]),
                    r["complaint_count"],
                ]
                for r in figures.key_vehicles
            ],
        )
    )
    cause_classes = dict(RootCauseClass.choices)
    tables.append(
        Table(
            key="root_causes",
            title=_("Top root causes and prevention measures"),
            headers=[_("Root cause"), _("Cause class"), _("Complaints"), _("Prevention measure")],
            rows=[
                [
                    r["root_cause"],
                    # Snapshots from before the cause classes have none.
                    str(cause_classes.get(r.get("root_cause_class") or "", "—")),
                    r["count"],
                    r["prevention_measure"] or "—",
                ]
                for r in figures.root_causes
            ],
        )
    )
    categories, severities, statuses = dict(Category.choices), dict(Severity.choices), dict(Status.choices)
    resolutions = dict(ResolutionType.choices)
    tables.append(
        Table(
            key="major",
            title=_("Major and emergency complaints"),
            headers=[
                _("Number"),
                _("Received"),
                _("Severity"),
                _("Category"),
                _("Customer"),
                _("Status"),
                _("Outcome"),
            ],
            rows=[
                [
                    r["number"],
                    _datetime(r["received_at"]),
                    str(severities.get(r["severity"], r["severity"])),
                    str(categories.get(r["category"], r["category"])),
                    r["customer__name"],
                    str(statuses.get(r["status"], r["status"])),
                    " · ".join(
                        part for part in (str(resolutions.get(r["resolution_type"], "")), r["resolution_note"]) if part
                    )
                    or "—",
                ]
                for r in figures.major_complaints
            ],
        )
    )
    follow_up_rows = [*figures.follow_ups]
    if figures.follow_up_total is not None:
        follow_up_rows.append(figures.follow_up_total)
    tables.append(
        Table(
            key="follow_ups",
            title=_("Follow-up calls"),
            headers=[
                _("Kind"),
                _("Calls due"),
                _("Made"),
                _("On time"),
                _("Unreachable"),
                _("Unreachable rate"),
                _("Average satisfaction (1-5)"),
                _("Satisfied"),
            ],
            rows=[
                [
                    r.label or _("Total"),
                    r.due,
                    r.made,
                    r.on_time,
                    r.unreachable,
                    _num(r.unreachable_rate_pct, "%"),
                    _num(r.average_satisfaction),
                    _num(r.satisfied_pct, "%"),
                ]
                for r in follow_up_rows
            ],
        )
    )
    tables.extend(_action_tables(figures))
    return tables


def _action_state(row: dict, today: date) -> str:
    """An action's state in words; an open one past its due date says so."""
    if row["status"] == ActionStatus.OPEN and date.fromisoformat(row["due_on"]) < today:
        return _("Open, overdue")
    return str(dict(ActionStatus.choices).get(row["status"], row["status"]))


def _action_tables(figures: ComplaintFigures) -> list[Table]:
    """The corrective and preventive actions decided on this month's analysis, and the review of last month's."""
    today = timezone.localdate()

    def rows(actions: list[dict], *, review: bool) -> list[list]:
        return [
            [
                r["action"],
                r["owner"],
                r["due_on"],
                ", ".join(r["complaints"]) or "—",
                _action_state(r, today),
                *([r["outcome"] or "—"] if review else []),
            ]
            for r in actions
        ]

    headers = [_("Action"), _("Responsible"), _("Due"), _("Complaints"), _("Status")]
    return [
        Table(
            key="actions",
            title=_("Corrective and preventive actions"),
            headers=headers,
            rows=rows(figures.actions, review=False),
        ),
        Table(
            key="actions_reviewed",
            title=_("Review of last month's actions (%(month)s)")
            % {"month": month_label(add_months(figures.month, -1))},
            headers=[*headers, _("Outcome")],
            rows=rows(figures.actions_reviewed, review=True),
        ),
    ]
