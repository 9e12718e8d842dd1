"""Erasure on request (PIPL art. 47): a customer's personal data removed, the CAC's figures kept.

`customer_erase` replaces or removes what identifies the person:

- the customer: name (replaced by `ERASED_NAME`), mobile and other numbers, address, birthday and notes; no more
  calls or messages (no consent, no contact channel); `erased_at` set;
- their vehicles' plates; the VIN stays with the vehicle (the 三包 and key-attention figures count vehicles) but is
  linked only to the anonymous record;
- their calls (and calls from their numbers before they were a customer): the number, what was said, the outcome and
  the recording, whose file is deleted from storage once the transaction has committed;
- SMS sent to them: the number and the text; notifications that named them: the name and the number;
- whatever the workflow apps hold about the person, through the erasers they register (`register_eraser`).

What stays: every row and its figures — the customer's id, dealer and owner, the vehicles' models and dates, the calls'
direction, purpose, time and duration, the complaints and follow-up calls with their categories, states, deadlines
and scores — so the monthly figures of past months are the same after an erasure as before.

History: simple-history keeps each row's old values, so the history rows of everything erased are rewritten with the
erased values (the rows themselves stay: who changed what and when). The erasure itself is a new history row of the
customer, with the acting administrator and the reason. It cannot be undone.
"""

from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from cac.desk.phones import format_mobile, phone_digits
from cac.desk.selectors import dealer_ids
from cac.models import CallLog, Customer, Notification, SmsMessage, User, Vehicle

ERASE_PERMISSION = "cac.erase_customer"
# What the pages show in place of an erased person's name: language-neutral, like a masked number.
ERASED_NAME = "***"

CUSTOMER_ERASED = {
    "name": ERASED_NAME,
    "mobile": "",
    "other_phones": "",
    "address": "",
    "birthday": None,
    "notes": "",
}
CUSTOMER_NO_CONTACT = {"consents_to_calls": False, "preferred_channel": Customer.ContactChannel.NONE}
VEHICLE_ERASED = {"plate": ""}
CALL_ERASED = {"phone": "", "summary": "", "outcome": "", "recording": "", "recording_url": ""}

# An eraser of a workflow app: called inside the erasure's transaction with the customer (already anonymised in
# memory, not yet saved), the numbers and the name they had, and who acts.
Eraser = Callable[..., None]
_ERASERS: list[Eraser] = []


def register_eraser(eraser: Eraser) -> Eraser:
    """Called by a workflow app (in its AppConfig.ready) for the personal data it keeps about customers."""
    if eraser not in _ERASERS:
        _ERASERS.append(eraser)
    return eraser


def erase_history(model, *, filters: Q, values: dict[str, Any]) -> int:
    """Rewrite the history rows of `model` that match `filters` with the erased `values`."""
    return model.history.filter(filters).update(**values)


def delete_files_on_commit(storage, names: list[str]) -> None:
    """Delete stored files once the transaction (an erasure, a deleted report) has committed; a rollback keeps them."""
    names = [name for name in names if name]

    def delete() -> None:
        for name in names:
            storage.delete(name)

    if names:
        transaction.on_commit(delete)


def _numbers(customer: Customer) -> list[str]:
    numbers = [customer.mobile, *(phone_digits(part) for part in customer.other_phones.split(","))]
    return [number for number in numbers if len(number) >= 7]


def _erase_calls(*, customer: Customer, numbers: list[str]) -> None:
    calls = CallLog.objects.filter(Q(customer=customer) | Q(dealer_id=customer.dealer_id, phone__in=numbers))
    call_ids = list(calls.values_list("pk", flat=True))
    recordings = list(CallLog.objects.filter(pk__in=call_ids).exclude(recording="").values_list("recording", flat=True))
    history_recordings = (
        CallLog.history.filter(id__in=call_ids).exclude(recording="").values_list("recording", flat=True)
    )
    CallLog.objects.filter(pk__in=call_ids).update(**CALL_ERASED, updated_at=timezone.now())
    erase_history(CallLog, filters=Q(id__in=call_ids), values=CALL_ERASED)
    delete_files_on_commit(CallLog._meta.get_field("recording").storage, sorted({*recordings, *history_recordings}))


SMS_ERASED = {"phone": "", "text": "", "parameters": {}}


def _erase_messages(*, customer: Customer, name: str, numbers: list[str]) -> None:
    sms_ids = list(
        SmsMessage.objects.filter(
            Q(customer=customer) | Q(dealer_id=customer.dealer_id, phone__in=numbers)
        ).values_list("pk", flat=True)
    )
    SmsMessage.objects.filter(pk__in=sms_ids).update(**SMS_ERASED)
    erase_history(SmsMessage, filters=Q(id__in=sms_ids), values=SMS_ERASED)
    # Notifications carry no customer id: the ones of the dealer that wrote the name with a number, or a number.
    spellings = [f"{name} {format_mobile(number)}" for number in numbers]
    spellings += [format_mobile(number) for number in numbers] + numbers
    if not spellings:
        return
    condition = Q()
    for spelling in spellings:
        condition |= Q(title__contains=spelling) | Q(body__contains=spelling)
    for notification in Notification.objects.filter(condition, dealer_id=customer.dealer_id):
        title, body = notification.title, notification.body
        for spelling in spellings:
            title, body = title.replace(spelling, ERASED_NAME), body.replace(spelling, ERASED_NAME)
        notification.title, notification.body = title, body
        notification.save(update_fields=["title", "body"])


@transaction.atomic
def customer_erase(*, customer_id: int, acting_user: User, reason: str) -> Customer:
    """Erase the personal data of one customer of the acting administrator's dealers (see the module docstring).

    Requires `cac.erase_customer` and a reason (a ValidationError on `reason` without one). Erasing an erased
    customer again changes nothing. Guarantees: after it, no page, list or lookup finds the customer by name or number,
    no history row holds the erased values, and the complaint and follow-up figures of any month are unchanged."""
    if not acting_user.has_perm(ERASE_PERMISSION):
        raise PermissionDenied(_("You may not erase customers' personal data."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for the erasure (the customer's request).")})
    customer = Customer.objects.select_for_update().get(pk=customer_id, dealer_id__in=dealer_ids(user=acting_user))
    if customer.erased_at is not None:
        return customer
    name, numbers = customer.name, _numbers(customer)

    for field, value in {**CUSTOMER_ERASED, **CUSTOMER_NO_CONTACT}.items():
        setattr(customer, field, value)
    customer.erased_at = timezone.now()
    erase_history(Customer, filters=Q(id=customer.pk), values=CUSTOMER_ERASED)
    customer._history_user = acting_user
    customer._change_reason = f"erased: {reason}"
    customer.save(update_fields=[*CUSTOMER_ERASED, *CUSTOMER_NO_CONTACT, "erased_at", "updated_at"])

    vehicle_ids = list(Vehicle.objects.filter(customer=customer).values_list("pk", flat=True))
    Vehicle.objects.filter(pk__in=vehicle_ids).update(**VEHICLE_ERASED, updated_at=timezone.now())
    erase_history(Vehicle, filters=Q(id__in=vehicle_ids), values=VEHICLE_ERASED)
    _erase_calls(customer=customer, numbers=numbers)
    _erase_messages(customer=customer, name=name, numbers=numbers)
    for eraser in _ERASERS:
        eraser(customer=customer, name=name, numbers=numbers, acting_user=acting_user)
    return customer
