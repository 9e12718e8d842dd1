"""Recording the events that owe a follow-up call: vehicle deliveries (交车) and repair orders (维修工单).

Each service writes its row with the acting user in the history and, in the same transaction, schedules the
follow-up call through callbacks.services. Both are idempotent on the natural key: a second delivery of the same
vehicle, or a second repair order with the same number at the dealer, returns the row already there and schedules
nothing new, so a DMS file imported twice creates nothing twice."""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cac.desk.selectors import dealer_ids
from cac.models import Customer, Dealer, Sale, ServiceVisit, User, Vehicle
from cac.seams import sale_recorded, service_visit_recorded

MAX_MILEAGE = 2_000_000


def _check(*, dealer: Dealer, customer: Customer, vehicle: Vehicle, acting_user: User | None, perm: str) -> None:
    # acting_user None: a trusted system run (the import_dms command without --user).
    if acting_user is not None:
        if dealer.pk not in dealer_ids(user=acting_user):
            raise PermissionDenied(_("You do not work for this dealer."))
        if not acting_user.has_perm(perm):
            raise PermissionDenied(_("Your role cannot record deliveries and repair orders."))
    if customer.dealer_id != dealer.pk or vehicle.dealer_id != dealer.pk:
        raise ValidationError(_("The customer and the vehicle must belong to this dealer."))
    if vehicle.customer_id != customer.pk:
        raise ValidationError({"vehicle": _("This vehicle belongs to another customer.")})


def _check_staff(user: User | None, *, dealer: Dealer, field: str) -> None:
    if user is not None and not user.dealers.filter(pk=dealer.pk).exists():
        raise ValidationError({field: _("%(name)s does not work for this dealer.") % {"name": user}})


def _not_in_future(day: date, field: str) -> None:
    if day > timezone.localdate():
        raise ValidationError({field: _("This date is in the future.")})


@transaction.atomic
def sale_record(
    *,
    dealer: Dealer,
    customer: Customer,
    vehicle: Vehicle,
    delivered_on: date,
    consultant: User | None = None,
    consultant_name: str = "",
    acting_user: User | None,
) -> tuple[Sale, bool]:
    """Record a delivery and schedule its after-sale call. Returns (sale, created); a vehicle already delivered by
    this dealer returns the existing sale and changes nothing."""
    _check(dealer=dealer, customer=customer, vehicle=vehicle, acting_user=acting_user, perm="cac.add_sale")
    existing = Sale.objects.filter(dealer=dealer, vehicle=vehicle).first()
    if existing is not None:
        return existing, False
    _not_in_future(delivered_on, "delivered_on")
    _check_staff(consultant, dealer=dealer, field="consultant")
    sale = Sale(
        dealer=dealer,
        customer=customer,
        vehicle=vehicle,
        delivered_on=delivered_on,
        consultant=consultant,
        consultant_name=(consultant_name or (consultant.get_full_name() if consultant else "")).strip()[:60],
    )
    sale._history_user = acting_user
    sale._change_reason = "recorded"
    try:
        with transaction.atomic():
            sale.save()
    except IntegrityError:
        # Recorded at the same moment by another request or import: theirs stands.
        return Sale.objects.get(dealer=dealer, vehicle=vehicle), False
    if vehicle.purchase_date is None:
        _vehicle_update(vehicle, acting_user=acting_user, purchase_date=delivered_on)
    sale_recorded.send(sender=Sale, sale=sale, acting_user=acting_user)
    return sale, True


@transaction.atomic
def service_visit_record(
    *,
    dealer: Dealer,
    order_number: str,
    customer: Customer,
    vehicle: Vehicle,
    date_in: date,
    date_out: date | None,
    mileage: int | None,
    advisor: User | None = None,
    advisor_name: str = "",
    fault: str = "",
    fault_code: str = "",
    work_done: str = "",
    is_warranty: bool = False,
    is_rework: bool = False,
    is_safety_fault: bool = False,
    acting_user: User | None,
) -> tuple[ServiceVisit, bool]:
    """Record a repair order, schedule its after-service call (never assigned to the repair's own advisor) and run
    the 三包 watch for the vehicle. Returns (visit, created); an order number the dealer already has returns the
    existing visit and changes nothing."""
    _check(dealer=dealer, customer=customer, vehicle=vehicle, acting_user=acting_user, perm="cac.add_servicevisit")
    order_number = (order_number or "").strip()
    if not order_number:
        raise ValidationError({"order_number": _("Enter the repair order number.")})
    existing = ServiceVisit.objects.filter(dealer=dealer, order_number=order_number).first()
    if existing is not None:
        return existing, False
    _not_in_future(date_in, "date_in")
    if date_out is not None:
        _not_in_future(date_out, "date_out")
        if date_out < date_in:
            raise ValidationError({"date_out": _("The car cannot leave the workshop before it came in.")})
    if mileage is not None and not 0 <= mileage <= MAX_MILEAGE:
        raise ValidationError({"mileage": _("Enter the mileage in km, between 0 and 2,000,000.")})
    _check_staff(advisor, dealer=dealer, field="advisor")
    visit = ServiceVisit(
        dealer=dealer,
        order_number=order_number[:30],
        customer=customer,
        vehicle=vehicle,
        date_in=date_in,
        date_out=date_out,
        mileage=mileage,
        advisor=advisor,
        advisor_name=(advisor_name or (advisor.get_full_name() if advisor else "")).strip()[:60],
        fault=fault.strip()[:300],
        fault_code=fault_code.strip().upper()[:40],
        work_done=work_done.strip()[:3000],
        is_warranty=is_warranty,
        is_rework=is_rework,
        is_safety_fault=is_safety_fault,
    )
    visit._history_user = acting_user
    visit._change_reason = "recorded"
    try:
        with transaction.atomic():
            visit.save()
    except IntegrityError:
        return ServiceVisit.objects.get(dealer=dealer, order_number=visit.order_number), False
    if mileage is not None and (vehicle.mileage is None or mileage > vehicle.mileage):
        _vehicle_update(vehicle, acting_user=acting_user, mileage=mileage)
    service_visit_recorded.send(sender=ServiceVisit, visit=visit, acting_user=acting_user)
    return visit, True


def _vehicle_update(vehicle: Vehicle, *, acting_user: User | None, **fields) -> None:
    locked = Vehicle.objects.select_for_update().get(pk=vehicle.pk)
    for name, value in fields.items():
        setattr(locked, name, value)
        setattr(vehicle, name, value)
    locked._history_user = acting_user
    locked._change_reason = "from " + ", ".join(fields)
    locked.save(update_fields=[*fields, "updated_at"])
