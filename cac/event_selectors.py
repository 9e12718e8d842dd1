"""Every read of deliveries, repair orders and the 三包 watch that a view needs, scoped to the user's dealers."""

from datetime import date

from django.db.models import QuerySet

from cac.models import Customer, Sale, ServiceVisit, User
from cac.selectors import dealer_ids, dealer_list

RECENT_EVENTS = 5


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


def sanbao_list(*, user: User, today: date | None = None) -> list:
    """The vehicles of the user's dealers near or over a 三包 threshold, with their figures and whether they are on
    the key-attention list."""
    from callbacks.warranty_watch import sanbao_figures
    from complaints.models import KeyAttentionVehicle

    rows = []
    for dealer in dealer_list(user=user).order_by("code"):
        rows.extend(sanbao_figures(dealer=dealer, today=today))
    on_list = set(
        KeyAttentionVehicle.objects.filter(
            vehicle_id__in=[row.vehicle.pk for row in rows], released_at__isnull=True
        ).values_list("vehicle_id", flat=True)
    )
    for row in rows:
        row.key_attention = row.vehicle.pk in on_list
    return rows
