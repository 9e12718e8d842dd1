"""Every write of prospects. Each runs in one transaction, locks the row it changes and records who and why."""

from datetime import datetime, timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop
from django_fsm import TransitionNotAllowed, has_transition_perm

from cac.desk.phones import normalize_mobile
from cac.desk.selectors import dealer_ids
from cac.desk.services import call_log, calls_link_to_customer
from cac.desk.vin import normalize_vin
from cac.models import CallLog, Customer, Dealer, User, Vehicle
from cac.platform.attempts import AttemptResult, attempt_slot, attempts_state
from cac.platform.history import save_with_history
from cac.platform.validation import check_choices
from cac.platform.zones import dealer_zone
from cac.texts import text
from prospects.models import (
    CAMPAIGN_POOL,
    DEFAULT_HORIZON_DAYS,
    MANAGE,
    WORK,
    AppointmentKind,
    Campaign,
    CampaignTarget,
    ContactAttempt,
    Grade,
    GradeHorizon,
    LostReason,
    Prospect,
    Source,
    Status,
)

# Three contacts inside the purchase horizon: H every 2 days, A every 5, B every 10, C every 30 by default.
CONTACTS_PER_HORIZON = 3


def horizon_days(*, dealer_id: int, grade: str) -> int:
    """The dealer's purchase horizon for a grade, else the default (H 7, A 15, B 30, C 90 days)."""
    row = GradeHorizon.objects.filter(dealer_id=dealer_id, grade=grade).values_list("horizon_days", flat=True).first()
    return row or DEFAULT_HORIZON_DAYS[Grade(grade)]


def next_contact_from(*, last_contact_at: datetime | None, horizon: int, now: datetime) -> datetime:
    """The one cadence rule: never contacted → now; otherwise the last contact plus a third of the horizon
    (at least one day)."""
    if last_contact_at is None:
        return now
    return last_contact_at + timedelta(days=max(1, horizon // CONTACTS_PER_HORIZON))


def _next_contact(prospect: Prospect, *, now: datetime) -> datetime:
    horizon = horizon_days(dealer_id=prospect.dealer_id, grade=prospect.grade)
    return next_contact_from(last_contact_at=prospect.last_contact_at, horizon=horizon, now=now)


def _lock(prospect_id: int, acting_user: User, *, perm: str) -> Prospect:
    if not acting_user.has_perm(perm):
        raise PermissionDenied(_("Your role cannot change prospects."))
    try:
        return Prospect.objects.select_for_update().get(pk=prospect_id, dealer_id__in=dealer_ids(user=acting_user))
    except Prospect.DoesNotExist as exc:
        raise PermissionDenied(_("This prospect belongs to a dealer you do not work for.")) from exc


def _check_owner(owner: User, dealer_id: int) -> None:
    if not owner.is_active or not owner.has_perm(WORK):
        raise ValidationError({"owner": _("%(name)s cannot work prospects.") % {"name": owner}})
    if not owner.dealers.filter(pk=dealer_id).exists() and not owner.is_superuser:
        raise ValidationError({"owner": _("%(name)s does not work for this dealer.") % {"name": owner}})


@transaction.atomic
def prospect_create(
    *,
    dealer: Dealer,
    acting_user: User,
    name: str,
    phone: str,
    source: str,
    owner: User | None = None,
    grade: str = Grade.B,
    model_of_interest: str = "",
    budget: Decimal | None = None,
    notes: str = "",
    call: CallLog | None = None,
) -> Prospect:
    """Capture a prospect, adopted by `owner` (the capturing user by default), due for a first contact now.
    A duplicate phone is only warned about by the form: a second interest of the same person is allowed."""
    if dealer.pk not in dealer_ids(user=acting_user):
        raise PermissionDenied(_("You do not work for this dealer."))
    if not acting_user.has_perm("prospects.add_prospect"):
        raise PermissionDenied(_("Your role cannot capture prospects."))
    errors = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = _("Enter the prospect's name.")
    try:
        phone = normalize_mobile(phone)
    except ValidationError as exc:
        errors["phone"] = exc.messages
    if source not in Source.values:
        errors["source"] = _("Choose where the prospect came from.")
    if grade not in Grade.values:
        errors["grade"] = _("Choose the intention level.")
    if call is not None and call.dealer_id != dealer.pk:
        errors["call"] = _("This call belongs to another dealer.")
    if errors:
        raise ValidationError(errors)
    owner = owner or acting_user
    _check_owner(owner, dealer.pk)
    now = timezone.now()
    prospect = Prospect(
        dealer=dealer,
        name=name[:60],
        phone=phone,
        source=source,
        grade=grade,
        owner=owner,
        model_of_interest=(model_of_interest or "").strip()[:60],
        budget=budget,
        notes=(notes or "").strip(),
        call=call,
        next_contact_at=now,
    )
    check_choices(prospect)
    prospect._history_user = acting_user
    prospect._change_reason = "captured"
    prospect.save()
    return prospect


@transaction.atomic
def prospect_update(*, prospect_id: int, acting_user: User, **fields) -> Prospect:
    """Correct grade, owner, intended model, budget or notes; a new grade moves the next contact date."""
    prospect = _lock(prospect_id, acting_user, perm="prospects.change_prospect")
    allowed = {"grade", "owner", "model_of_interest", "budget", "notes"}
    if "grade" in fields and fields["grade"] not in Grade.values:
        raise ValidationError({"grade": _("Choose the intention level.")})
    if "owner" in fields and fields["owner"].pk != prospect.owner_id:
        _check_owner(fields["owner"], prospect.dealer_id)
    changed = [name for name, value in fields.items() if name in allowed and getattr(prospect, name) != value]
    for name in changed:
        setattr(prospect, name, fields[name])
    if "grade" in changed and prospect.is_open and prospect.status != Status.APPOINTMENT:
        prospect.next_contact_at = _next_contact(prospect, now=timezone.now())
        changed.append("next_contact_at")
    if changed:
        save_with_history(prospect, acting_user=acting_user, reason="updated: " + ", ".join(changed), fields=changed)
    return prospect


@transaction.atomic
def prospect_record_attempt(
    *, prospect_id: int, acting_user: User, result: str, interested: bool = True, note: str = "", at=None
) -> Prospect:
    """Record one call with its CallLog and what follows under the shared attempts rule: reached and interested →
    following; declined → lost (no longer interested); failed in three slots (or a wrong number) → unreachable;
    otherwise the next attempt in another slot. The next contact date follows the grade after a real contact."""
    prospect = _lock(prospect_id, acting_user, perm=WORK)
    at = at or timezone.now()
    if prospect.status not in (Status.NEW, Status.CONTACTING, Status.FOLLOWING, Status.APPOINTMENT):
        raise ValidationError(_("This prospect is no longer being contacted."))
    if result not in AttemptResult.values:
        raise ValidationError({"result": _("Choose the result of the call.")})
    zone = dealer_zone(prospect.dealer)
    slot = attempt_slot(
        at=at,
        zone=zone,
        next_attempt_at=prospect.next_contact_at if prospect.status == Status.CONTACTING else None,
        result=result,
        outside=_("Calls are made in the call slots of the day; the next one starts %(when)s."),
    )
    reached = result == AttemptResult.REACHED
    call = call_log(
        dealer=prospect.dealer,
        acting_user=acting_user,
        customer=prospect.customer,
        phone=prospect.phone,
        started_at=at,
        direction=CallLog.Direction.OUTBOUND,
        purpose=CallLog.Purpose.INQUIRY,
        summary=text(
            gettext_noop("Prospect %(name)s: %(result)s — %(note)s")
            if note
            else gettext_noop("Prospect %(name)s: %(result)s"),
            name=prospect.name,
            result=AttemptResult(result).label,
            **({"note": note} if note else {}),
        ),
    )
    ContactAttempt.objects.create(
        prospect=prospect, attempted_at=at, slot=slot, result=result, agent=acting_user, note=note[:500], call=call
    )
    fields = ["status", "next_contact_at", "contacting_since"]
    if prospect.status == Status.NEW:
        prospect.start_contacting(at=at)
    if reached or result == AttemptResult.DECLINED:
        prospect.last_contact_at = at
        fields.append("last_contact_at")
    if result == AttemptResult.DECLINED or (reached and not interested):
        if prospect.status in (Status.CONTACTING, Status.FOLLOWING, Status.APPOINTMENT):
            prospect.lose(reason=LostReason.NOT_INTERESTED, note=note)
            fields += ["lost_reason", "closed_note"]
        save_with_history(prospect, acting_user=acting_user, reason=f"attempt: {result}, not interested", fields=fields)
        return prospect
    if reached:
        if prospect.status == Status.CONTACTING:
            prospect.follow(at=at)
            fields.append("contacted_at")
        if prospect.status != Status.APPOINTMENT:
            prospect.next_contact_at = _next_contact(prospect, now=at)
        save_with_history(prospect, acting_user=acting_user, reason="attempt: reached", fields=fields)
        return prospect
    if prospect.status == Status.CONTACTING:
        attempts = prospect.attempts.filter(attempted_at__gte=prospect.contacting_since or at).values_list(
            "attempted_at", "slot", "result"
        )
        state = attempts_state(attempts, zone=zone)
        if state.unreachable:
            prospect.give_up()
            save_with_history(prospect, acting_user=acting_user, reason="unreachable", fields=fields)
            return prospect
        prospect.next_contact_at = state.next_attempt_at or at
    save_with_history(prospect, acting_user=acting_user, reason=f"attempt: {result}", fields=fields)
    return prospect


# Lazy: the labels are shown in the language of each request.
TRANSITIONS = {
    "book_appointment": gettext_lazy("Book a visit or test drive"),
    "win": gettext_lazy("Won: convert to customer"),
    "lose": gettext_lazy("Lost"),
    "archive": gettext_lazy("Archive (interested, not now)"),
}


def available_transitions(*, prospect: Prospect, user: User) -> list[tuple[str, str]]:
    """(action, label) of the steps this user may take now."""
    return [(name, label) for name, label in TRANSITIONS.items() if has_transition_perm(getattr(prospect, name), user)]


def _customer_and_vehicle(prospect: Prospect, *, acting_user: User, vin: str, model: str, plate: str):
    """The customer with the prospect's mobile (created if new) and their vehicle (created or linked by VIN)."""
    customer = Customer.objects.filter(dealer_id=prospect.dealer_id, mobile=prospect.phone).first()
    if customer is None:
        customer = Customer(
            dealer_id=prospect.dealer_id, name=prospect.name, mobile=prospect.phone, owner=prospect.owner
        )
        customer._history_user = acting_user
        customer._change_reason = f"converted from prospect {prospect.pk}"
        customer.save()
    if not vin:
        return customer, None
    vehicle = Vehicle.objects.filter(dealer_id=prospect.dealer_id, vin=vin).first()
    if vehicle is not None and vehicle.customer_id != customer.pk:
        raise ValidationError({"vin": _("This VIN belongs to another customer.")})
    if vehicle is None:
        model = model or prospect.model_of_interest
        if not model:
            raise ValidationError({"model": _("Enter the model of the car.")})
        vehicle = Vehicle(
            dealer_id=prospect.dealer_id,
            customer=customer,
            vin=vin,
            model=model,
            plate=plate,
            purchase_date=timezone.localdate(),
        )
        vehicle._history_user = acting_user
        vehicle._change_reason = f"converted from prospect {prospect.pk}"
        vehicle.save()
    return customer, vehicle


@transaction.atomic
def prospect_transition(*, prospect_id: int, action: str, acting_user: User, **data) -> Prospect:
    """Take one step of the state machine. Refused steps raise ValidationError and change nothing.
    Winning is idempotent: a prospect already won is returned as it is, with no second customer or vehicle."""
    if action not in TRANSITIONS:
        raise ValidationError(_("Unknown step."))
    prospect = _lock(prospect_id, acting_user, perm=WORK)
    if action == "win" and prospect.status == Status.WON:
        return prospect
    method = getattr(prospect, action)
    if not has_transition_perm(method, acting_user):
        raise ValidationError(
            _("“%(step)s” is not possible for a prospect in status “%(status)s” with your role.")
            % {"step": TRANSITIONS[action], "status": prospect.get_status_display()}
        )
    note = (data.get("note") or "").strip()
    fields = ["status", "next_contact_at"]
    try:
        if action == "book_appointment":
            kind, when = data.get("kind") or "", data.get("at")
            errors = {}
            if kind not in AppointmentKind.values:
                errors["kind"] = _("Choose a showroom visit or a test drive.")
            if when is None:
                errors["at"] = _("Enter the date and time of the appointment.")
            if errors:
                raise ValidationError(errors)
            if prospect.status == Status.NEW:  # booked on the inquiry call it came from
                method(kind=kind, at=when, reached_at=prospect.call.started_at)
                fields += ["contacted_at", "last_contact_at"]
            else:
                method(kind=kind, at=when)
            fields += ["appointment_kind", "appointment_at"]
        elif action == "win":
            vin = (data.get("vin") or "").strip()
            if vin:
                try:
                    vin = normalize_vin(vin)
                except ValidationError as exc:
                    raise ValidationError({"vin": exc.messages}) from None
            customer, vehicle = _customer_and_vehicle(
                prospect,
                acting_user=acting_user,
                vin=vin,
                model=(data.get("model") or "").strip()[:60],
                plate=(data.get("plate") or "").strip()[:12],
            )
            method(at=timezone.now(), customer=customer, vehicle=vehicle)
            fields += ["won_at", "customer", "vehicle"]
            # The calls of the number before it was a customer's (the inquiry, the prospect's calls) are theirs now.
            calls_link_to_customer(customer=customer, phone=prospect.phone, acting_user=acting_user)
        elif action == "lose":
            reason = data.get("reason") or ""
            if reason not in LostReason.values:
                raise ValidationError({"reason": _("Choose why the prospect was lost.")})
            if reason == LostReason.OTHER and not note:
                raise ValidationError({"note": _("Say why the prospect was lost.")})
            method(reason=reason, note=note)
            fields += ["lost_reason", "closed_note"]
        elif action == "archive":
            method(note=note)
            fields += ["closed_note"]
    except TransitionNotAllowed as exc:
        raise ValidationError(_("This step is no longer possible: the prospect has moved on.")) from exc
    save_with_history(prospect, acting_user=acting_user, reason=f"{action}: {note}" if note else action, fields=fields)
    return prospect


@transaction.atomic
def campaign_create(
    *,
    dealer: Dealer,
    acting_user: User,
    name: str,
    starts_on,
    ends_on,
    prospects,
    models_text: str = "",
    message: str = "",
) -> Campaign:
    """Create a campaign and pick up the given prospects of the archive pool and the lost ones: each goes back to
    contacting, due now, as a task for its owner. Prospects no longer in the pool are skipped."""
    if not acting_user.has_perm(MANAGE):
        raise PermissionDenied(_("Only managers run campaigns."))
    if dealer.pk not in dealer_ids(user=acting_user):
        raise PermissionDenied(_("You do not work for this dealer."))
    if not (name or "").strip():
        raise ValidationError({"name": _("Name the campaign.")})
    if starts_on is None or ends_on is None or ends_on < starts_on:
        raise ValidationError({"ends_on": _("The campaign cannot end before it starts.")})
    campaign = Campaign.objects.create(
        dealer=dealer,
        name=name.strip()[:100],
        models_text=(models_text or "").strip()[:200],
        starts_on=starts_on,
        ends_on=ends_on,
        message=(message or "").strip(),
        created_by=acting_user,
    )
    now = timezone.now()
    ids = [prospect.pk for prospect in prospects]
    locked = Prospect.objects.select_for_update().filter(pk__in=ids, dealer=dealer, status__in=CAMPAIGN_POOL)
    for prospect in locked.order_by("pk"):
        previous = prospect.status
        prospect.reactivate(at=now, campaign=campaign)
        save_with_history(
            prospect,
            acting_user=acting_user,
            reason=f"campaign: {campaign.name}",
            fields=["status", "campaign", "contacting_since", "next_contact_at", "lost_reason"],
        )
        CampaignTarget.objects.create(
            campaign=campaign, prospect=prospect, owner_id=prospect.owner_id, previous_status=previous
        )
    return campaign
