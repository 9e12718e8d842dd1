"""Every read of complaints a view or report needs, scoped to the user's dealers."""

from django.db.models import Q, QuerySet
from django.utils import timezone

from cac.models import User
from cac.selectors import dealer_ids
from complaints.deadlines import ACKNOWLEDGE_DUE_SOON, DUE_SOON, current_due_expression
from complaints.models import OPEN_STATUSES, Complaint, KeyAttentionVehicle, Status


def complaint_list(*, user: User) -> QuerySet[Complaint]:
    """Complaints of the user's dealers, with `current_due_at` (the deadline running now) annotated."""
    return (
        Complaint.objects.filter(dealer_id__in=dealer_ids(user=user))
        .select_related("customer", "vehicle", "owner", "dealer")
        .annotate(current_due=current_due_expression())
    )


def complaint_open_list(*, user: User) -> QuerySet[Complaint]:
    return complaint_list(user=user).filter(status__in=OPEN_STATUSES).order_by("current_due", "pk")


def complaint_get(*, user: User, complaint_id: int) -> Complaint:
    return complaint_list(user=user).get(pk=complaint_id)


def complaint_filter_deadline(queryset: QuerySet[Complaint], state: str) -> QuerySet[Complaint]:
    """Filter by the state of the running deadline: breached, due_soon or on_time."""
    now = timezone.now()
    soon = Q(status=Status.NEW, current_due__lte=now + ACKNOWLEDGE_DUE_SOON) | (
        ~Q(status=Status.NEW) & Q(current_due__lte=now + DUE_SOON)
    )
    if state == "breached":
        return queryset.filter(current_due__lt=now)
    if state == "due_soon":
        return queryset.filter(soon, current_due__gte=now)
    if state == "on_time":
        return queryset.filter(current_due__isnull=False).exclude(soon).filter(current_due__gte=now)
    return queryset


def customer_open_complaints(*, user: User, customer_id: int) -> QuerySet[Complaint]:
    return complaint_list(user=user).filter(customer_id=customer_id).order_by("-received_at")


def key_attention_list(*, user: User) -> QuerySet[KeyAttentionVehicle]:
    return (
        KeyAttentionVehicle.objects.filter(dealer_id__in=dealer_ids(user=user), released_at__isnull=True)
        .select_related("vehicle", "vehicle__customer", "responsible")
        .prefetch_related("complaints")
    )
