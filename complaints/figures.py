"""The conditions behind each complaint figure of a month, defined once: the monthly report (reports.selectors), the
executive's dashboard and the complaint list a figure links to all filter with these, so that a figure and the list
that makes it cannot count differently.

`start` and `end` are the month's bounds in the dealers' zone (cac.platform.zones.month_bounds). The OEM's two
report deadlines are not columns: they come from the dealer's business calendar (`oem_report_deadlines`, also used
by the deadline sweep), so their on-time counts are made in Python over the month's complaints on an OEM channel."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from cac.models import Dealer
from cac.platform.business_time import BusinessCalendar
from complaints.models import OEM_CHANNELS, Complaint, Escalation, Severity, Status

OEM_RESULT_WORKING_DAYS = 3  # the OEM CAC wants the result within 3 working days, the status the same day


def received_in(start: datetime, end: datetime) -> Q:
    return Q(received_at__gte=start, received_at__lt=end)


def countable() -> Q:
    """A cancelled complaint counts as received but in no rate."""
    return ~Q(status=Status.CANCELLED)


def acknowledged_on_time() -> Q:
    return Q(acknowledged_at__lte=F("acknowledge_due_at"))


def resolved_in(start: datetime, end: datetime) -> Q:
    return Q(resolved_at__gte=start, resolved_at__lt=end)


def resolved_on_time() -> Q:
    return Q(resolved_at__lte=F("resolve_due_at"))


def closed_in(start: datetime, end: datetime) -> Q:
    """Closed (not cancelled) in the month."""
    return Q(status=Status.CLOSED, closed_at__gte=start, closed_at__lt=end)


def open_at(end: datetime) -> Q:
    """Received before `end` and neither resolved nor closed or cancelled by then (a reopened complaint counts
    again); for the running month, open now."""
    return (
        Q(received_at__lt=end)
        & (Q(closed_at__isnull=True) | Q(closed_at__gte=end))
        & (Q(resolved_at__isnull=True) | Q(resolved_at__gte=end))
    )


def reopened() -> Q:
    return Q(reopen_count__gt=0)


def escalated_in(start: datetime, end: datetime) -> Q:
    """Escalated at least once in the month (by a person or the deadline sweep)."""
    return Q(Exists(Escalation.objects.filter(complaint=OuterRef("pk"), escalated_at__gte=start, escalated_at__lt=end)))


def of_severity(severity: str) -> Q:
    return Q(severity=severity)


MAJOR_SEVERITIES = (Severity.MAJOR, Severity.EMERGENCY)


# --- The OEM's same-day status and 3-day result reports ----------------------------------------------------------


def oem_report_deadlines(calendar: BusinessCalendar, received_at: datetime) -> tuple[datetime, datetime]:
    """When the OEM wants the status report (the end of the business day of receipt) and the result report (the
    close of the 3rd working day after it): the one rule of the sweep, the OEM outbox and the figures."""
    return (
        calendar.end_of_business_day(received_at),
        calendar.add_working_days(received_at, OEM_RESULT_WORKING_DAYS),
    )


OEM_REPORTS = ("status", "result")
_REPORTED_AT = {"status": "oem_status_reported_at", "result": "oem_result_reported_at"}


def oem_report_states(
    complaints: QuerySet[Complaint], *, now: datetime | None = None, calendars: dict | None = None
) -> dict[int, dict[str, tuple[int, bool | None]]]:
    """For each complaint of `complaints` on an OEM channel and not cancelled: {report: (dealer_id, state)} where
    state is True (made by its deadline), False (made late, or not made and the deadline passed) or None (not made,
    not due yet: it counts in no rate). One query for the complaints and one per dealer for its calendar (kept in
    `calendars`, {dealer_id: BusinessCalendar}, when given, for the next call)."""
    now = now or timezone.now()
    rows = list(
        complaints.filter(channel__in=OEM_CHANNELS)
        .filter(countable())
        .values_list("pk", "dealer_id", "received_at", "oem_status_reported_at", "oem_result_reported_at")
        .order_by()
    )
    calendars = {} if calendars is None else calendars
    missing = {row[1] for row in rows} - set(calendars)
    if missing:
        for dealer in Dealer.objects.filter(pk__in=missing):
            calendars[dealer.pk] = BusinessCalendar.for_dealer(dealer)
    states = {}
    for pk, dealer_id, received_at, status_at, result_at in rows:  # the month's OEM complaints
        dues = dict(zip(OEM_REPORTS, oem_report_deadlines(calendars[dealer_id], received_at), strict=True))
        made = {"status": status_at, "result": result_at}
        states[pk] = {}
        for report in OEM_REPORTS:
            at = made[report]
            state = (at <= dues[report]) if at is not None else (False if now > dues[report] else None)
            states[pk][report] = (dealer_id, state)
    return states


def oem_on_time_ids(complaints: QuerySet[Complaint], *, report: str, now: datetime | None = None) -> list[int]:
    """The complaints of `complaints` whose `report` (status or result) reached the OEM by its deadline."""
    return [pk for pk, reports in oem_report_states(complaints, now=now).items() if reports[report][1] is True]
