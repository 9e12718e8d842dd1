"""Customer care calls (seed 000 "顾客关怀"): maintenance reminders, insurance renewal, warranty end, birthdays,
and campaign or recall lists.

Each care call carries a `care_key` naming what it is for (`insurance:<vehicle>:<expiry>`); the unique constraint
on (dealer, customer, kind, care_key) makes every run idempotent: the daily job run twice creates nothing twice.
Customers who do not consent to calls, or whose preferred channel is `none`, get no care call."""

import calendar
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, Min, Q
from django.utils.text import slugify
from django.utils.translation import gettext as _

from cac.desk.selectors import dealer_ids
from cac.models import Customer, Dealer, User, Vehicle
from cac.platform.business_time import dealer_day_closing
from callbacks.models import Callback, Kind
from callbacks.services import _create, agent_for
from callbacks.warranty_watch import warranty_watch

CARE_REASON = "care job"


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def maintenance_months() -> int:
    return _setting("CAC_CARE_MAINTENANCE_MONTHS", 6)


def maintenance_km() -> int:
    return _setting("CAC_CARE_MAINTENANCE_KM", 5000)


def add_months(day: date, months: int) -> date:
    """The same day `months` later; the 31st becomes the last day of a shorter month."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def may_receive_care(prefix: str = "") -> Q:
    """Customers who accept care calls (a filter on Customer, or on a relation through `prefix`)."""
    return Q(**{f"{prefix}consents_to_calls": True}) & ~Q(
        **{f"{prefix}preferred_channel": Customer.ContactChannel.NONE}
    )


@dataclass(frozen=True)
class CareCall:
    customer_id: int
    vehicle_id: int | None
    kind: str
    care_key: str


def _daily_mileage(vehicle: Vehicle) -> float | None:
    """Average km a day: between the first and the last service visit, else since the purchase."""
    if vehicle.first_in and vehicle.max_km is not None and vehicle.min_km is not None:
        days = (vehicle.last_out - vehicle.first_in).days
        if days > 0 and vehicle.max_km > vehicle.min_km:
            return (vehicle.max_km - vehicle.min_km) / days
    if vehicle.purchase_date and vehicle.max_km:
        days = (vehicle.last_out - vehicle.purchase_date).days
        if days > 0:
            return vehicle.max_km / days
    return None


def _maintenance(vehicles, today: date) -> list[CareCall]:
    """Due by time (months since the last service) or by mileage (estimated km since the last service)."""
    calls = []
    rows = (
        vehicles.annotate(
            last_out=Max("service_visits__date_out"),
            first_in=Min("service_visits__date_in"),
            max_km=Max("service_visits__mileage"),
            min_km=Min("service_visits__mileage"),
        )
        .filter(last_out__isnull=False, last_out__lte=today)
        .order_by("pk")
    )
    for vehicle in rows:
        by_time = add_months(vehicle.last_out, maintenance_months()) <= today
        per_day = _daily_mileage(vehicle)
        by_mileage = per_day is not None and per_day * (today - vehicle.last_out).days >= maintenance_km()
        if by_time or by_mileage:
            calls.append(
                CareCall(
                    vehicle.customer_id, vehicle.pk, Kind.MAINTENANCE, f"maintenance:{vehicle.pk}:{vehicle.last_out}"
                )
            )
    return calls


def _expiring(vehicles, today: date, *, field: str, days_before: int, kind: str, prefix: str) -> list[CareCall]:
    window = {f"{field}__gte": today, f"{field}__lte": today + timedelta(days=days_before)}
    return [
        CareCall(customer_id, vehicle_id, kind, f"{prefix}:{vehicle_id}:{day}")
        for vehicle_id, customer_id, day in vehicles.filter(**window).values_list("pk", "customer_id", field)
    ]


def _birthdays(customers, today: date) -> list[CareCall]:
    days = Q(birthday__month=today.month, birthday__day=today.day)
    if (today.month, today.day) == (2, 28) and not calendar.isleap(today.year):
        days |= Q(birthday__month=2, birthday__day=29)  # born on 29 February: greeted on the 28th
    return [
        CareCall(pk, None, Kind.BIRTHDAY, f"birthday:{today.year}")
        for pk in customers.filter(days).values_list("pk", flat=True)
    ]


def care_calls_owed(*, dealer: Dealer, today: date) -> list[CareCall]:
    """Every care call the dealer owes its customers today, whether or not it was made already."""
    customers = Customer.objects.filter(may_receive_care(), dealer=dealer)
    vehicles = Vehicle.objects.filter(may_receive_care("customer__"), dealer=dealer)
    return [
        *_maintenance(vehicles, today),
        *_expiring(
            vehicles,
            today,
            field="insurance_expiry",
            days_before=_setting("CAC_CARE_INSURANCE_DAYS_BEFORE", 30),
            kind=Kind.INSURANCE_RENEWAL,
            prefix="insurance",
        ),
        *_expiring(
            vehicles,
            today,
            field="warranty_end",
            days_before=_setting("CAC_CARE_WARRANTY_DAYS_BEFORE", 30),
            kind=Kind.WARRANTY_END,
            prefix="warranty",
        ),
        *_birthdays(customers, today),
    ]


def _schedule(dealer: Dealer, calls: list[CareCall], *, due_at: datetime, acting_user: User | None) -> int:
    existing = set(
        Callback.objects.filter(dealer=dealer, care_key__in={call.care_key for call in calls}).values_list(
            "customer_id", "kind", "care_key"
        )
    )
    created = 0
    for call in calls:
        if (call.customer_id, call.kind, call.care_key) in existing:
            continue
        callback = Callback(
            dealer=dealer,
            customer_id=call.customer_id,
            vehicle_id=call.vehicle_id,
            kind=call.kind,
            care_key=call.care_key,
            due_at=due_at,
            agent=agent_for(dealer=dealer),
        )
        # _create returns None when a concurrent run made the same call first (the unique constraint).
        if _create(callback, acting_user=acting_user, reason=f"{CARE_REASON}: {call.care_key}") is not None:
            created += 1
        existing.add((call.customer_id, call.kind, call.care_key))
    return created


def care_callbacks_create(*, today: date, dealer: Dealer | None = None) -> int:
    """The daily job: create the care calls owed today for one dealer or all, and run the 三包 watch.
    Returns the number of callbacks created; a second run the same day returns 0."""
    dealers = [dealer] if dealer is not None else list(Dealer.objects.order_by("pk"))
    created = 0
    for one in dealers:
        with transaction.atomic():
            created += _schedule(
                one, care_calls_owed(dealer=one, today=today), due_at=dealer_day_closing(one, today), acting_user=None
            )
            warranty_watch(dealer=one, today=today)
    return created


LIST_KINDS = {Kind.CAMPAIGN: "campaign", Kind.HOLIDAY: "holiday"}  # kind of a call list: its care_key prefix


@transaction.atomic
def campaign_callbacks_create(
    *, dealer: Dealer, name: str, customers, due_at: datetime, acting_user: User, kind: str = Kind.CAMPAIGN
) -> int:
    """A campaign or recall list (or a holiday-greeting list, `kind=Kind.HOLIDAY`): one call per customer, once per
    list name (care_key `campaign:<slug>` / `holiday:<slug>`). Customers who refuse calls are skipped.
    Returns the number created; the same list again creates nothing."""
    if dealer.pk not in dealer_ids(user=acting_user) or not acting_user.has_perm("callbacks.supervise_callback"):
        raise PermissionDenied(_("Only managers of this dealer create campaign calls."))
    if kind not in LIST_KINDS:
        raise ValidationError({"kind": _("A call list is a campaign, a recall or a holiday greeting.")})
    slug = slugify(name or "", allow_unicode=True)
    if not slug:
        raise ValidationError({"name": _("Give the campaign a name.")})
    care_key = f"{LIST_KINDS[kind]}:{slug}"[:60]
    chosen = list(customers)
    if any(customer.dealer_id != dealer.pk for customer in chosen):
        raise ValidationError({"customers": _("Every customer of a campaign must belong to its dealer.")})
    reachable = Customer.objects.filter(may_receive_care(), pk__in=[c.pk for c in chosen]).values_list("pk", flat=True)
    calls = [CareCall(pk, None, kind, care_key) for pk in sorted(reachable)]
    return _schedule(dealer, calls, due_at=due_at, acting_user=acting_user)
