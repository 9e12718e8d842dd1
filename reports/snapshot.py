"""A report's snapshot: what its PDF was made from, kept on the MonthlyReport as plain JSON when it is generated.

The preview, the CSV and the XLSX of a ready report are made from its snapshot, so that they show what the PDF
shows however the complaints change afterwards, and cost no aggregate query. The PDF itself is rendered from the
snapshot as it is stored (read back from JSON), so that the two cannot differ.

The figures are kept as numbers, codes and names: the labels of choices (category, channel, severity, department,
escalation level, kind of call) are given again in the reader's language when the snapshot is read."""

from __future__ import annotations

import json
from datetime import date, datetime

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from cac.models import Dealer
from reports.selectors import (
    BreakdownRow,
    ComplaintFigures,
    FollowUpRow,
    Summary,
    TrendPoint,
    breakdown_label,
    complaint_figures,
    escalation_level_label,
    follow_up_kind_label,
)

VERSION = 1
_DATETIMES = {"key_vehicles": ("since",), "major_complaints": ("received_at", "resolved_at")}


def _iso(value):
    if isinstance(value, date):  # datetimes too, with their microseconds and offset
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not kept in a report snapshot")


def _figures_json(figures: ComplaintFigures) -> dict:
    def summary(s: Summary) -> dict:
        return dict(vars(s))

    def follow_up(row: FollowUpRow | None) -> dict | None:
        return None if row is None else dict(vars(row))

    return {
        "dealer_ids": list(figures.dealer_ids),
        "month": figures.month,
        "summary": summary(figures.summary),
        "previous": summary(figures.previous),
        "last_year": summary(figures.last_year),
        "escalations_by_level": [list(row) for row in figures.escalations_by_level],
        "breakdowns": {by: [dict(vars(row)) for row in rows] for by, rows in figures.breakdowns.items()},
        "trend": [dict(vars(point)) for point in figures.trend],
        "key_vehicles": figures.key_vehicles,
        "root_causes": figures.root_causes,
        "major_complaints": figures.major_complaints,
        "follow_ups": [follow_up(row) for row in figures.follow_ups],
        "follow_up_total": follow_up(figures.follow_up_total),
        "actions": figures.actions,
        "actions_reviewed": figures.actions_reviewed,
    }


def report_snapshot(*, dealer_ids, month: date) -> dict:
    """The figures of `dealer_ids` for `month`, the dealers' codes and names and the moment, as plain JSON (only
    dicts, lists, strings, numbers and None: dates and times as ISO 8601 strings)."""
    figures = complaint_figures(dealer_ids=dealer_ids, month=month)
    dealers = Dealer.objects.filter(pk__in=dealer_ids).order_by("code").values_list("code", "name")
    data = {
        "version": VERSION,
        "generated_at": timezone.now(),
        "dealers": [[code, name] for code, name in dealers],
        "figures": _figures_json(figures),
    }
    return json.loads(json.dumps(data, default=_iso, ensure_ascii=False))


def _date(value: str) -> date:
    return date.fromisoformat(value)


def _datetime(value: str | None) -> datetime | None:
    return None if value is None else parse_datetime(value)


def snapshot_generated_at(snapshot: dict) -> datetime:
    return parse_datetime(snapshot["generated_at"])


def snapshot_dealers(snapshot: dict) -> list[tuple[str, str]]:
    """The (code, name) of each dealer of the report, as they were when it was generated."""
    return [(code, name) for code, name in snapshot["dealers"]]


def snapshot_figures(snapshot: dict) -> ComplaintFigures:
    """The figures of the snapshot, equal to those `complaint_figures` returned when it was taken, with the labels of
    choices in the active language."""
    data = snapshot["figures"]

    def summary(row: dict) -> Summary:
        return Summary(**{**row, "month": _date(row["month"])})

    def follow_up(row: dict | None) -> FollowUpRow | None:
        if row is None:
            return None
        return FollowUpRow(**{**row, "label": follow_up_kind_label(row["kind"], row["label"])})

    def with_datetimes(key: str) -> list[dict]:
        fields = _DATETIMES.get(key, ())
        return [{**row, **{name: _datetime(row[name]) for name in fields}} for row in data[key]]

    return ComplaintFigures(
        dealer_ids=tuple(data["dealer_ids"]),
        month=_date(data["month"]),
        summary=summary(data["summary"]),
        previous=summary(data["previous"]),
        last_year=summary(data["last_year"]),
        escalations_by_level=[
            (level, escalation_level_label(level, label), count) for level, label, count in data["escalations_by_level"]
        ],
        breakdowns={
            by: [BreakdownRow(**{**row, "label": breakdown_label(by, row["key"], row["label"])}) for row in rows]
            for by, rows in data["breakdowns"].items()
        },
        trend=[TrendPoint(**{**point, "month": _date(point["month"])}) for point in data["trend"]],
        key_vehicles=with_datetimes("key_vehicles"),
        root_causes=with_datetimes("root_causes"),
        major_complaints=with_datetimes("major_complaints"),
        follow_ups=[follow_up(row) for row in data["follow_ups"]],
        follow_up_total=follow_up(data["follow_up_total"]),
        # Snapshots from before the corrective actions have none.
        actions=data.get("actions", []),
        actions_reviewed=data.get("actions_reviewed", []),
    )
