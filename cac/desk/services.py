"""Every write of the shared core. Each function runs in one transaction and records who acted."""

from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from cac.desk.selectors import dealer_ids
from cac.models import CallLog, CtiCall, Customer, Dealer, User, Vehicle
from cac.platform.history import save_with_history
from cac.platform.validation import check_choices
from cac.security.uploads import AUDIO, upload_check
from cac.texts import is_text, render

CUSTOMER_FIELDS = (
    "name",
    "mobile",
    "other_phones",
    "preferred_channel",
    "consents_to_calls",
    "birthday",
    "address",
    "owner",
    "notes",
)
VEHICLE_FIELDS = ("vin", "plate", "model", "purchase_date", "warranty_end", "insurance_expiry", "mileage")


def _check_dealer(*, dealer: Dealer, acting_user: User) -> None:
    if dealer.pk not in dealer_ids(user=acting_user):
        raise PermissionDenied(_("You do not work for this dealer."))


def _check_owner(customer: Customer) -> None:
    """The owner (认养人) is a member of staff of the customer's own dealer."""
    if customer.owner_id and customer.dealer_id not in dealer_ids(user=customer.owner):
        raise ValidationError({"owner": _("%(name)s does not work for this dealer.") % {"name": customer.owner}})


def _save_new(instance, *, acting_user: User, reason: str, unique_error: dict[str, str]):
    check_choices(instance)
    instance._history_user = acting_user
    instance._change_reason = reason
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError as exc:
        raise ValidationError(unique_error) from exc
    return instance


@transaction.atomic
def customer_create(*, dealer: Dealer, acting_user: User, **fields: Any) -> Customer:
    """Create a customer of `dealer`. The mobile number is unique per dealer: a duplicate is a ValidationError."""
    _check_dealer(dealer=dealer, acting_user=acting_user)
    customer = Customer(dealer=dealer, **{k: v for k, v in fields.items() if k in CUSTOMER_FIELDS})
    if customer.owner_id is None:
        customer.owner = acting_user
    _check_owner(customer)
    return _save_new(
        customer,
        acting_user=acting_user,
        reason="created",
        unique_error={"mobile": _("A customer with this mobile number already exists.")},
    )


@transaction.atomic
def customer_update(*, customer_id: int, acting_user: User, **fields: Any) -> Customer:
    customer = Customer.objects.select_for_update().get(pk=customer_id, dealer_id__in=dealer_ids(user=acting_user))
    changed = [k for k, v in fields.items() if k in CUSTOMER_FIELDS and getattr(customer, k) != v]
    check_choices(Customer, **{name: fields[name] for name in changed})
    for name in changed:
        setattr(customer, name, fields[name])
    if not changed:
        return customer
    _check_owner(customer)
    customer._history_user = acting_user
    customer._change_reason = "updated: " + ", ".join(changed)
    try:
        with transaction.atomic():
            customer.save(update_fields=[*changed, "updated_at"])
    except IntegrityError as exc:
        raise ValidationError({"mobile": _("A customer with this mobile number already exists.")}) from exc
    return customer


@transaction.atomic
def vehicle_create(*, customer: Customer, acting_user: User, **fields: Any) -> Vehicle:
    """Add a vehicle to a customer. A VIN is unique per dealer."""
    _check_dealer(dealer=customer.dealer, acting_user=acting_user)
    vehicle = Vehicle(
        dealer_id=customer.dealer_id, customer=customer, **{k: v for k, v in fields.items() if k in VEHICLE_FIELDS}
    )
    return _save_new(
        vehicle,
        acting_user=acting_user,
        reason="created",
        unique_error={"vin": _("A vehicle with this VIN is already registered at this dealer.")},
    )


@transaction.atomic
def vehicle_update(*, vehicle_id: int, acting_user: User, **fields: Any) -> Vehicle:
    vehicle = Vehicle.objects.select_for_update().get(pk=vehicle_id, dealer_id__in=dealer_ids(user=acting_user))
    changed = [k for k, v in fields.items() if k in VEHICLE_FIELDS and getattr(vehicle, k) != v]
    for name in changed:
        setattr(vehicle, name, fields[name])
    if not changed:
        return vehicle
    vehicle._history_user = acting_user
    vehicle._change_reason = "updated: " + ", ".join(changed)
    try:
        with transaction.atomic():
            vehicle.save(update_fields=[*changed, "updated_at"])
    except IntegrityError as exc:
        raise ValidationError({"vin": _("A vehicle with this VIN is already registered at this dealer.")}) from exc
    return vehicle


@transaction.atomic
def call_log(
    *,
    dealer: Dealer,
    acting_user: User,
    phone: str,
    started_at: datetime,
    customer: Customer | None = None,
    new_customer: dict[str, Any] | None = None,
    **fields: Any,
) -> CallLog:
    """Record a call. With `new_customer`, the unknown caller becomes a customer in the same transaction:
    either both rows are written or neither."""
    _check_dealer(dealer=dealer, acting_user=acting_user)
    if recording := fields.get("recording"):
        try:
            upload_check(recording, types=AUDIO, max_bytes=settings.RECORDING_MAX_BYTES)
        except ValidationError as exc:
            raise ValidationError({"recording": exc.error_list}) from exc
    if customer is not None and customer.dealer_id != dealer.pk:
        raise PermissionDenied(_("This customer belongs to another dealer."))
    summary = fields.get("summary", "")
    # A summary the app writes (a follow-up's result) is kept as data, worded for each reader (cac.texts).
    summary_text = summary if is_text(summary) else None
    if summary_text is not None:
        summary = render(summary_text, language=settings.LANGUAGE_CODE)
    if new_customer is not None:
        customer = customer_create(dealer=dealer, acting_user=acting_user, **new_customer)
    call = CallLog(
        dealer=dealer,
        customer=customer,
        phone=phone,
        started_at=started_at,
        handled_by=acting_user,
        direction=fields.get("direction", CallLog.Direction.INBOUND),
        purpose=fields.get("purpose", CallLog.Purpose.INQUIRY),
        summary=summary,
        summary_text=summary_text,
        outcome=fields.get("outcome", ""),
        duration_seconds=fields.get("duration_seconds"),
        recording=fields.get("recording") or "",
        recording_url=fields.get("recording_url", ""),
        callback_owed=fields.get("callback_owed", False),
        external_id=fields.get("external_id") or None,
        caller_name=(fields.get("caller_name") or "").strip()[:60],
    )
    check_choices(call)
    call._history_user = acting_user
    call._change_reason = "logged"
    if call.external_id:
        if CallLog.objects.filter(dealer=dealer, external_id=call.external_id).exists():
            raise ValidationError(_("This call is logged already."))
        # The phone system's times win over what was typed while the call was still on.
        cti = CtiCall.objects.filter(dealer=dealer, call_id=call.external_id).order_by("-started_at").first()
        if cti is not None:
            call.duration_seconds = cti.duration_seconds if cti.ended_at else call.duration_seconds
            call.recording_url = call.recording_url or cti.recording_url[:200]
    call.save()
    return call


LINKED_CALLS_LIMIT = 500


@transaction.atomic
def calls_link_to_customer(*, customer: Customer, phone: str, acting_user: User) -> int:
    """Give the calls of `phone` at the customer's dealer that belong to nobody (an unknown caller's, a prospect's)
    to the customer, each with its history row. Returns how many calls were linked; calling it again links none."""
    calls = CallLog.objects.select_for_update().filter(dealer_id=customer.dealer_id, phone=phone, customer__isnull=True)
    linked = 0
    for call in calls.order_by("started_at", "pk")[:LINKED_CALLS_LIMIT]:
        call.customer = customer
        save_with_history(call, acting_user=acting_user, reason="linked to the new customer", fields=["customer"])
        linked += 1
    return linked
