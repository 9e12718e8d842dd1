"""The API's reads, each scoped to the key's dealers through the workflows' own selectors."""

import binascii
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from cac.desk.phones import normalize_phone
from cac.desk.selectors import customer_get, customer_list, dealer_list
from cac.models import Customer, Dealer, User
from cac.platform.business_time import BusinessCalendar
from callbacks.selectors import customer_follow_ups
from complaints.figures import oem_report_deadlines
from complaints.models import Complaint
from complaints.selectors import complaint_list, customer_open_complaints

_CURSOR_SALT = "api.complaint-changes"


def key_dealer(*, user: User, code: str | None) -> Dealer:
    """The dealer a write is for: named by code, or the key's only dealer."""
    dealers = dealer_list(user=user)
    if code:
        dealer = dealers.filter(code=code).first()
        if dealer is None:
            raise ValidationError({"dealer": _("This key does not serve a dealer with this code.")})
        return dealer
    found = list(dealers[:2])
    if len(found) != 1:
        raise ValidationError({"dealer": _("This key serves several dealers: give the dealer's code.")})
    return found[0]


def customer_by_phone(*, user: User, phone: str) -> list[Customer]:
    """Customers of the key's dealers with this number as mobile or other phone, in any spelling."""
    try:
        digits = normalize_phone(phone)
    except ValidationError as exc:
        raise ValidationError({"phone": exc.messages}) from None
    return list(
        customer_list(user=user)
        .filter(Q(mobile=digits) | (Q(other_phones__contains=digits) & ~Q(other_phones="")))
        .order_by("dealer__code", "pk")[:20]
    )


@dataclass(frozen=True)
class CustomerSummary:
    customer: Customer
    open_complaints: list[Complaint]
    follow_ups_owed: list


def customer_summary(*, user: User, customer_id: int) -> CustomerSummary:
    customer = customer_get(user=user, customer_id=customer_id)
    return CustomerSummary(
        customer=customer,
        open_complaints=list(customer_open_complaints(user=user, customer_id=customer.pk)),
        follow_ups_owed=customer_follow_ups(user=user, customer_id=customer.pk, recent=0).pending,
    )


@dataclass(frozen=True)
class Step:
    at: datetime
    step: str
    status: str
    note: str


def _steps(complaints: list[Complaint]) -> dict[int, list[Step]]:
    """The status changes of each complaint, from its history, in two queries for the whole page."""
    steps: dict[int, list[Step]] = {complaint.pk: [] for complaint in complaints}
    last: dict[int, str] = {}
    records = (
        Complaint.history.filter(id__in=list(steps))
        .order_by("id", "history_date", "history_id")
        .values_list("id", "history_date", "status", "history_step", "history_note")
    )
    for complaint_id, at, status, step, note in records:
        if last.get(complaint_id) != status:
            steps[complaint_id].append(Step(at=at, step=step, status=status, note=note))
            last[complaint_id] = status
    return steps


def _oem_due(complaints: list[Complaint]) -> dict[int, tuple[datetime, datetime]]:
    calendars: dict[int, BusinessCalendar] = {}
    due = {}
    for complaint in complaints:
        if complaint.dealer_id not in calendars:
            calendars[complaint.dealer_id] = BusinessCalendar.for_dealer(complaint.dealer)
        calendar = calendars[complaint.dealer_id]
        due[complaint.pk] = oem_report_deadlines(calendar, complaint.received_at)
    return due


def _with_details(complaints: list[Complaint]) -> list[Complaint]:
    steps, due = _steps(complaints), _oem_due(complaints)
    for complaint in complaints:
        complaint.api_steps = steps[complaint.pk]
        complaint.api_oem_status_due_at, complaint.api_oem_result_due_at = due[complaint.pk]
    return complaints


def _complaints(user: User):
    return complaint_list(user=user).select_related("vehicle").prefetch_related("dealer__holidays")


def complaint_read(*, user: User, complaint_id: int) -> Complaint:
    """One complaint of the key's dealers with its steps and deadlines, or Complaint.DoesNotExist."""
    return _with_details([_complaints(user).get(pk=complaint_id)])[0]


def _cursor_dump(updated_at: datetime, pk: int) -> str:
    return signing.dumps([updated_at.isoformat(), pk], salt=_CURSOR_SALT, compress=False)


def _cursor_load(cursor: str) -> tuple[datetime, int]:
    try:
        at, pk = signing.loads(cursor, salt=_CURSOR_SALT)
        moment = parse_datetime(at)
        if moment is None or not isinstance(pk, int):
            raise ValueError(at)
    except (signing.BadSignature, ValueError, TypeError, binascii.Error, json.JSONDecodeError):
        raise ValidationError({"cursor": _("This cursor is not one the API gave out.")}) from None
    return moment, pk


@dataclass(frozen=True)
class ChangesPage:
    complaints: list[Complaint]
    next_cursor: str
    has_more: bool


def complaint_changes(*, user: User, cursor: str | None, limit: int, now: datetime | None = None) -> ChangesPage:
    """Complaints changed since `cursor`, oldest change first, in (updated_at, id) order: read with the cursor each
    page returns, every change comes exactly once. A change younger than API_SYNC_SETTLE_SECONDS waits for the
    next page, so that a transaction still committing with an earlier time is never passed by."""
    now = now or timezone.now()
    settled = now - timedelta(seconds=settings.API_SYNC_SETTLE_SECONDS)
    queryset = _complaints(user).filter(updated_at__lte=settled).order_by("updated_at", "pk")
    if cursor:
        at, pk = _cursor_load(cursor)
        queryset = queryset.filter(Q(updated_at__gt=at) | Q(updated_at=at, pk__gt=pk))
    rows = list(queryset[: limit + 1])
    has_more = len(rows) > limit
    rows = rows[:limit]
    if rows:
        next_cursor = _cursor_dump(rows[-1].updated_at, rows[-1].pk)
    else:
        next_cursor = cursor or _cursor_dump(datetime(1970, 1, 1, tzinfo=UTC), 0)
    return ChangesPage(complaints=_with_details(rows), next_cursor=next_cursor, has_more=has_more)
