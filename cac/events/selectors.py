"""Every read of deliveries and repair orders that a view needs, scoped to the user's dealers (the 三包 watch's reads are
in callbacks/warranty_watch.py)."""

from django.db.models import QuerySet

from cac.desk.selectors import dealer_ids
from cac.models import Customer, Sale, ServiceVisit, User

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
