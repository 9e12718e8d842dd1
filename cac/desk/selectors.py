"""Every read of the shared core that a view needs, scoped to the user's dealers."""

import re

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from cac.desk.phones import phone_digits
from cac.models import CallLog, Customer, Dealer, ServiceVisit, SmsMessage, User, Vehicle
from cac.platform.business_time import BusinessCalendar

LOOKUP_LIMIT = 10
RECENT_CALLS = 20


def dealer_list(*, user: User) -> QuerySet[Dealer]:
    """The dealers a user may see: all for superusers, otherwise those they were given."""
    if user.is_superuser:
        return Dealer.objects.all()
    return user.dealers.all()


def dealer_staff(*, dealer: Dealer | int, role: str) -> QuerySet[User]:
    """The one definition of "the staff of a dealer with a role": its active users of the role, first joined first
    (the department manager is the first)."""
    return User.objects.filter(is_active=True, dealers=dealer, groups__name=role).order_by("date_joined", "pk")


def dealer_ids(*, user: User) -> list[int]:
    cache = getattr(user, "_cac_dealer_ids", None)
    if cache is None:
        cache = list(dealer_list(user=user).values_list("pk", flat=True))
        user._cac_dealer_ids = cache
    return cache


def customer_list(*, user: User) -> QuerySet[Customer]:
    return Customer.objects.filter(dealer_id__in=dealer_ids(user=user)).select_related("dealer", "owner")


def customer_lookup(*, user: User, query: str, limit: int = LOOKUP_LIMIT) -> list[Customer]:
    """Customers matching what an agent typed: a phone number in any spelling (prefix) or a name."""
    # A NUL byte typed or pasted into the box can't be sent to PostgreSQL (it would be a 500): drop it.
    query = (query or "").replace("\x00", "").strip()
    if not query:
        return []
    digits = phone_digits(query)
    customers = customer_list(user=user)
    if digits and len(digits) >= 3 and not any(ch.isalpha() for ch in query):
        condition = Q(mobile__startswith=digits)
        if len(digits) >= 7:
            condition |= Q(other_phones__contains=digits) & ~Q(other_phones="")  # the partial index's condition
        customers = customers.filter(condition).order_by("mobile")
    elif any(ch.isalpha() or ord(ch) > 0x2E80 for ch in query):
        customers = customers.filter(name__istartswith=query).order_by("name")
    else:
        return []
    return list(customers[:limit])


def search_terms(query: str) -> tuple[str, str]:
    """What the global search looks for: the text without NUL bytes, and the phone digits when it reads as a number
    (at least 3 digits and no letters), else an empty string."""
    text = (query or "").replace("\x00", "").strip()
    digits = phone_digits(text)
    if not (digits.isdigit() and len(digits) >= 3) or any(ch.isalpha() for ch in text):
        digits = ""
    return text, digits


def vehicle_search(*, user: User, query: str, limit: int = LOOKUP_LIMIT) -> list[Vehicle]:
    """Vehicles of the user's dealers by plate, VIN or repair order number: each a prefix, so an index serves it
    (plates and VINs are stored upper-case without separators, as their forms clean them; repair order numbers are
    looked for upper-case, as the DMS writes them)."""
    text, _digits = search_terms(query)
    code = re.sub(r"[\s·.-]", "", text).upper()
    if len(code) < 3:
        return []
    ids = dealer_ids(user=user)
    orders = ServiceVisit.objects.filter(dealer_id__in=ids, order_number__startswith=text.upper()).values("vehicle_id")
    condition = Q(plate__startswith=code) | Q(vin__startswith=code) | Q(pk__in=orders[:limit])
    return list(
        Vehicle.objects.filter(dealer_id__in=ids)
        .filter(condition)
        .select_related("customer", "dealer")
        .order_by("plate", "vin")[:limit]
    )


def customer_get(*, user: User, customer_id: int, vehicles: QuerySet[Vehicle] | None = None) -> Customer:
    """The customer with their vehicles, or Customer.DoesNotExist when outside the user's dealers.

    `vehicles` lets a caller annotate the vehicles in the same query (the 360 marks key-attention vehicles)."""
    vehicles = Vehicle.objects.all() if vehicles is None else vehicles
    return (
        customer_list(user=user)
        .prefetch_related(Prefetch("vehicles", queryset=vehicles.order_by("-purchase_date", "vin")))
        .get(pk=customer_id)
    )


def customer_recent_calls(*, customer: Customer, limit: int = RECENT_CALLS) -> QuerySet[CallLog]:
    return customer.calls.select_related("handled_by").order_by("-started_at", "-id")[:limit]


def customer_recent_sms(*, customer: Customer, limit: int = RECENT_CALLS) -> QuerySet[SmsMessage]:
    """The SMS sent to the customer, newest first, with their state (queued, sent, delivered, failed)."""
    return customer.sms_messages.order_by("-sent_at", "-id")[:limit]


def vehicle_get(*, user: User, vehicle_id: int) -> Vehicle:
    return Vehicle.objects.filter(dealer_id__in=dealer_ids(user=user)).select_related("customer").get(pk=vehicle_id)


def call_list(*, user: User) -> QuerySet[CallLog]:
    return CallLog.objects.filter(dealer_id__in=dealer_ids(user=user)).select_related(
        "customer", "handled_by", "dealer"
    )


OWED_LIMIT = 10


def calls_owing_callback(*, user: User, limit: int = OWED_LIMIT) -> list[CallLog]:
    """The calls whose caller is owed a call-back, today's first (the newest first), each with `callback_due_at`:
    the end of the dealer's business day the call came in (after closing or on a day off, of the next working day),
    and `callback_overdue`."""
    calls = list(call_list(user=user).filter(callback_owed=True).order_by("-started_at", "-id")[:limit])
    calendars: dict[int, BusinessCalendar] = {}
    now = timezone.now()
    for call in calls:
        if call.dealer_id not in calendars:
            calendars[call.dealer_id] = BusinessCalendar.for_dealer(call.dealer)
        call.callback_due_at = calendars[call.dealer_id].end_of_business_day(call.started_at)
        call.callback_overdue = call.callback_due_at < now
    return calls


def call_get(*, user: User, call_id: int) -> CallLog:
    return call_list(user=user).get(pk=call_id)


def calls_of_number(*, call: CallLog, limit: int = RECENT_CALLS) -> list[CallLog]:
    """The other calls of the same number at the call's dealer, newest first."""
    calls = CallLog.objects.filter(dealer_id=call.dealer_id, phone=call.phone).exclude(pk=call.pk)
    return list(calls.select_related("handled_by", "customer").order_by("-started_at", "-id")[:limit])


def staff_list(*, user: User) -> QuerySet[User]:
    """Active staff of the user's dealers, for owner and handler choices."""
    return (
        User.objects.filter(is_active=True, is_integration=False, dealers__in=dealer_ids(user=user))
        .distinct()
        .order_by("first_name", "username")
    )
