"""Every read of deliveries and repair orders that a view needs, scoped to the user's dealers (the 三包 watch's reads are
in callbacks/warranty_watch.py)."""

from datetime import date

from django.db.models import Q, QuerySet

from cac.desk.selectors import dealer_ids
from cac.models import Customer, Sale, ServiceVisit, User

RECENT_EVENTS = 5


def _month_range(first: date) -> tuple[date, date]:
    following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return first, following


def delivered_in(first: date) -> Q:
    """Deliveries of the month starting `first` (a delivery's date is the dealer's local date)."""
    start, end = _month_range(first)
    return Q(delivered_on__gte=start, delivered_on__lt=end)


def repair_orders_in(first: date) -> Q:
    """Repair orders opened (date in) in the month starting `first`."""
    start, end = _month_range(first)
    return Q(date_in__gte=start, date_in__lt=end)


def rework() -> Q:
    """A repair order that repeats a repair not fixed the first time (返修), as the DMS marks it."""
    return Q(is_rework=True)


def sale_list(*, user: User) -> QuerySet[Sale]:
    return Sale.objects.filter(dealer_id__in=dealer_ids(user=user)).select_related(
        "dealer", "customer", "vehicle", "consultant"
    )


def service_visit_list(*, user: User) -> QuerySet[ServiceVisit]:
    return ServiceVisit.objects.filter(dealer_id__in=dealer_ids(user=user)).select_related(
        "dealer", "customer", "vehicle", "advisor"
    )


def customer_recent_sales(*, user: User, customer: Customer, limit: int = RECENT_EVENTS) -> list[Sale]:
    return list(sale_list(user=user).filter(customer=customer).order_by("-delivered_on", "-id")[:limit])


def customer_recent_service_visits(*, user: User, customer: Customer, limit: int = RECENT_EVENTS) -> list[ServiceVisit]:
    return list(service_visit_list(user=user).filter(customer=customer).order_by("-date_in", "-id")[:limit])
