"""The API's writes: each create runs in one transaction that first claims its idempotency key, then calls the
workflow's own service as the key's account. A second request with the same key waits for the first to commit (the
unique constraint) and returns its record; an error anywhere rolls the claim back with everything else."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from api.models import IdempotencyClaim
from cac import roles
from cac.desk.phones import normalize_mobile, normalize_phone
from cac.desk.selectors import dealer_staff
from cac.desk.services import call_log, customer_create, vehicle_create
from cac.desk.vin import normalize_vin
from cac.models import CallLog, Customer, Dealer, User, Vehicle
from complaints.models import Complaint
from complaints.services import complaint_create
from prospects.models import Prospect
from prospects.services import prospect_create


@dataclass(frozen=True)
class Created:
    record: object
    created: bool


def _claim(*, dealer: Dealer, kind: str, key: str) -> tuple[IdempotencyClaim | None, int | None]:
    """(the new claim, None), or (None, the id of the record an earlier request made)."""
    try:
        with transaction.atomic():
            return IdempotencyClaim.objects.create(dealer=dealer, kind=kind, key=key), None
    except IntegrityError:
        return None, IdempotencyClaim.objects.get(dealer=dealer, kind=kind, key=key).object_id


def _idempotent(*, dealer: Dealer, kind: str, key: str | None, model, make) -> Created:
    if not key:
        return Created(make(), True)
    claim, existing = _claim(dealer=dealer, kind=kind, key=key)
    if claim is None:
        return Created(model.objects.get(pk=existing), False)
    record = make()
    claim.object_id = record.pk
    claim.save(update_fields=["object_id"])
    # A record found rather than made (a complaint typed in by hand with the same OEM reference) is not new.
    return Created(record, not getattr(record, "_api_found", False))


def _key(primary: str | None, header: str | None, *, prefix: str) -> str | None:
    if primary:
        return f"{prefix}:{primary}"
    if header:
        return f"header:{header}"
    return None


def _phone(value: str, field: str) -> str:
    try:
        return normalize_phone(value)
    except ValidationError as exc:
        raise ValidationError({field: exc.messages}) from None


@transaction.atomic
def api_call_create(
    *,
    acting_user: User,
    dealer: Dealer,
    phone: str,
    started_at: datetime,
    call_id: str | None = None,
    idempotency_key: str | None = None,
    **fields,
) -> Created:
    """Record a call of the phone system; the caller is linked to the customer with that number, if any."""
    phone = _phone(phone, "phone")
    customer = Customer.objects.filter(dealer=dealer, mobile=phone).first()

    def make() -> CallLog:
        return call_log(
            dealer=dealer,
            acting_user=acting_user,
            phone=phone,
            started_at=started_at,
            customer=customer,
            external_id=call_id or None,
            **fields,
        )

    return _idempotent(
        dealer=dealer,
        kind=IdempotencyClaim.Kind.CALL,
        key=_key(call_id, idempotency_key, prefix="cti"),
        model=CallLog,
        make=make,
    )


def _customer_and_vehicle(
    *, acting_user: User, dealer: Dealer, phone: str, name: str, vin: str, vehicle_model: str, plate: str
) -> tuple[Customer, Vehicle | None]:
    try:
        mobile = normalize_mobile(phone)
    except ValidationError as exc:
        raise ValidationError({"customer_phone": exc.messages}) from None
    normalized_vin = ""
    if vin:
        try:
            normalized_vin = normalize_vin(vin)
        except ValidationError as exc:
            raise ValidationError({"vin": exc.messages}) from None
    customer = Customer.objects.filter(dealer=dealer, mobile=mobile).first()
    if customer is None:
        if not name.strip():
            raise ValidationError({"customer_name": _("Name the customer: no customer has this mobile number.")})
        customer = customer_create(dealer=dealer, acting_user=acting_user, name=name.strip()[:60], mobile=mobile)
    if not normalized_vin:
        return customer, None
    vehicle = Vehicle.objects.filter(dealer=dealer, vin=normalized_vin).first()
    if vehicle is not None and vehicle.customer_id != customer.pk:
        raise ValidationError({"vin": _("This VIN is registered to another customer of the dealer.")})
    if vehicle is None:
        if not vehicle_model.strip():
            raise ValidationError({"vehicle_model": _("Give the model: the dealer has no vehicle with this VIN.")})
        vehicle = vehicle_create(
            customer=customer, acting_user=acting_user, vin=normalized_vin, model=vehicle_model.strip(), plate=plate
        )
    return customer, vehicle


@transaction.atomic
def api_complaint_create(
    *,
    acting_user: User,
    dealer: Dealer,
    channel: str,
    category: str,
    severity: str,
    description: str,
    customer_phone: str,
    customer_name: str = "",
    vin: str = "",
    vehicle_model: str = "",
    plate: str = "",
    demand: str = "",
    oem_reference: str = "",
    received_at: datetime | None = None,
    idempotency_key: str | None = None,
) -> Created:
    """Open a complaint the OEM CAC sent, through complaint_create, with its customer (found by mobile, or made)
    and vehicle (found by VIN, or made). The same OEM reference returns the same complaint, also one typed in by
    hand before."""
    key = _key(oem_reference, idempotency_key, prefix="oem")

    def make() -> Complaint:
        if oem_reference:
            typed_in = Complaint.objects.filter(dealer=dealer, oem_reference=oem_reference).order_by("pk").first()
            if typed_in is not None:
                typed_in._api_found = True
                return typed_in
        customer, vehicle = _customer_and_vehicle(
            acting_user=acting_user,
            dealer=dealer,
            phone=customer_phone,
            name=customer_name,
            vin=vin,
            vehicle_model=vehicle_model,
            plate=plate,
        )
        return complaint_create(
            customer=customer,
            acting_user=acting_user,
            channel=channel,
            category=category,
            severity=severity,
            description=description,
            demand=demand,
            vehicle=vehicle,
            received_at=received_at,
            oem_reference=oem_reference,
        )

    return _idempotent(dealer=dealer, kind=IdempotencyClaim.Kind.COMPLAINT, key=key, model=Complaint, make=make)


def _lead_owner(dealer: Dealer) -> User:
    """An OEM lead is adopted by the showroom manager (who hands it to a consultant), else by an agent."""
    for role in (roles.SALES_MANAGER, roles.AGENT):
        owner = dealer_staff(dealer=dealer, role=role).first()
        if owner is not None:
            return owner
    raise ValidationError(_("The dealer has no showroom manager or agent to adopt the lead."))


@transaction.atomic
def api_prospect_create(
    *,
    acting_user: User,
    dealer: Dealer,
    oem_lead_id: str,
    name: str,
    phone: str,
    grade: str,
    model_of_interest: str = "",
    budget: Decimal | None = None,
    notes: str = "",
    idempotency_key: str | None = None,
) -> Created:
    """Capture a lead of the OEM (source `oem_lead`) through prospect_create; the same lead id returns it again."""

    def make() -> Prospect:
        text = _("OEM lead %(id)s") % {"id": oem_lead_id}
        return prospect_create(
            dealer=dealer,
            acting_user=acting_user,
            name=name,
            phone=phone,
            source="oem_lead",
            owner=_lead_owner(dealer),
            grade=grade,
            model_of_interest=model_of_interest,
            budget=budget,
            notes=f"{text}\n{notes}".strip(),
        )

    return _idempotent(
        dealer=dealer,
        kind=IdempotencyClaim.Kind.PROSPECT,
        key=_key(oem_lead_id, idempotency_key, prefix="oem"),
        model=Prospect,
        make=make,
    )
