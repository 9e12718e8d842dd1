"""Every read of prospects a view needs, scoped to the user's dealers."""

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.db.models import Count, F, Q, QuerySet, Window
from django.db.models.functions import RowNumber, TruncMonth
from django.utils import timezone

from cac.desk.phones import phone_digits
from cac.desk.selectors import dealer_ids
from cac.models import Customer, User
from prospects.models import CAMPAIGN_POOL, OPEN_STATUSES, Campaign, ContactAttempt, Prospect, Status

BOARD_COLUMNS = [Status.NEW, Status.CONTACTING, Status.FOLLOWING, Status.APPOINTMENT]
BOARD_LIMIT = 20  # cards per column; the column's count and a link to the whole list say how many more
FUNNEL_DIMENSIONS = ("source", "model", "month")


def prospect_list(*, user: User) -> QuerySet[Prospect]:
    return Prospect.objects.filter(dealer_id__in=dealer_ids(user=user)).select_related("owner", "dealer")


def captured_in(start: datetime, end: datetime) -> Q:
    """Prospects captured in a month: the dashboard's figure and the list it links to (`?month=`)."""
    return Q(created_at__gte=start, created_at__lt=end)


def converted() -> Q:
    """Converted into a customer (won), the one definition of the funnel's last step."""
    return Q(status=Status.WON)


SEARCH_LIMIT = 10


def prospect_search(*, user: User, query: str, limit: int = SEARCH_LIMIT) -> list[Prospect]:
    """Prospects of the user's dealers by phone (a prefix of the digits, any spelling) or name (a prefix)."""
    text = (query or "").replace("\x00", "").strip()
    digits = phone_digits(text)
    prospects = prospect_list(user=user)
    if digits.isdigit() and len(digits) >= 3 and not any(ch.isalpha() for ch in text):
        prospects = prospects.filter(phone__startswith=digits).order_by("phone", "-pk")
    elif any(ch.isalpha() or ord(ch) > 0x2E80 for ch in text):
        prospects = prospects.filter(name__istartswith=text).order_by("name", "-pk")
    else:
        return []
    return list(prospects[:limit])


def prospect_get(*, user: User, prospect_id: int) -> Prospect:
    return prospect_list(user=user).get(pk=prospect_id)


def prospect_detail(*, user: User, prospect_id: int) -> Prospect:
    return prospect_list(user=user).select_related("customer", "vehicle", "campaign", "call").get(pk=prospect_id)


def prospect_attempts(*, prospect: Prospect) -> list[ContactAttempt]:
    return list(prospect.attempts.select_related("agent").order_by("-attempted_at", "-id"))


def end_of_today() -> datetime:
    return datetime.combine(timezone.localdate() + timedelta(days=1), time.min, tzinfo=timezone.get_current_timezone())


def prospect_due(*, user: User) -> QuerySet[Prospect]:
    """The open prospects this user adopted whose next contact falls today or earlier, most overdue first."""
    return (
        prospect_list(user=user)
        .filter(owner=user, status__in=OPEN_STATUSES, next_contact_at__lt=end_of_today())
        .order_by("next_contact_at", "pk")
    )


@dataclass(frozen=True)
class BoardColumn:
    status: str
    label: str
    count: int
    prospects: list[Prospect]


def prospect_board(*, user: User, mine: bool = False) -> list[BoardColumn]:
    """The open prospects by status column: each column's count and its first cards by next contact. Two queries,
    whatever the number of prospects (the cards are ranked per column in SQL)."""
    prospects = prospect_list(user=user).filter(status__in=BOARD_COLUMNS)
    if mine:
        prospects = prospects.filter(owner=user)
    counts = dict(prospects.order_by().values_list("status").annotate(n=Count("pk")))
    ranked = prospects.annotate(
        board_rank=Window(
            RowNumber(), partition_by=F("status"), order_by=[F("next_contact_at").asc(nulls_last=True), F("pk").asc()]
        )
    ).filter(board_rank__lte=BOARD_LIMIT)
    columns: dict[str, list[Prospect]] = {status: [] for status in BOARD_COLUMNS}
    for prospect in ranked.order_by("status", "board_rank"):
        columns[prospect.status].append(prospect)
    return [
        BoardColumn(status=status, label=Status(status).label, count=counts.get(status, 0), prospects=columns[status])
        for status in BOARD_COLUMNS
    ]


def prospect_duplicates(*, user: User, dealer_id: int, phone: str) -> tuple[list[Customer], list[Prospect]]:
    """Customers and prospects of the dealer with the same normalized number, for the warning on entry."""
    digits = phone_digits(phone)
    if len(digits) != 11 or dealer_id not in dealer_ids(user=user):
        return [], []
    customers = list(Customer.objects.filter(dealer_id=dealer_id, mobile=digits).order_by("pk")[:5])
    prospects = list(Prospect.objects.filter(dealer_id=dealer_id, phone=digits).order_by("-pk")[:5])
    return customers, prospects


def prospect_owner_list(*, user: User, dealer_id: int | None = None) -> QuerySet[User]:
    """Active staff of the user's dealers who may adopt prospects."""
    ids = [dealer_id] if dealer_id is not None else dealer_ids(user=user)
    perm = Q(groups__permissions__codename="work_prospect", groups__permissions__content_type__app_label="prospects")
    return User.objects.filter(perm, is_active=True, dealers__in=ids).distinct().order_by("username")


def campaign_candidates(
    *,
    user: User,
    dealer_id: int,
    model: str = "",
    grade: str = "",
    source: str = "",
    last_contact_before=None,
) -> QuerySet[Prospect]:
    """Archived and lost prospects of one dealer matching the campaign's filters."""
    prospects = prospect_list(user=user).filter(dealer_id=dealer_id, status__in=CAMPAIGN_POOL)
    if model:
        prospects = prospects.filter(model_of_interest__icontains=model)
    if grade:
        prospects = prospects.filter(grade=grade)
    if source:
        prospects = prospects.filter(source=source)
    if last_contact_before:
        prospects = prospects.filter(Q(last_contact_at__isnull=True) | Q(last_contact_at__date__lt=last_contact_before))
    return prospects.order_by("owner__username", "name", "pk")


def campaign_list(*, user: User) -> QuerySet[Campaign]:
    return (
        Campaign.objects.filter(dealer_id__in=dealer_ids(user=user))
        .select_related("dealer", "created_by")
        .annotate(
            picked=Count("targets", distinct=True),
            won=Count("prospects", filter=Q(prospects__status=Status.WON), distinct=True),
        )
        .order_by("-starts_on", "-pk")
    )


def prospect_funnel(*, user: User, by: str = "source") -> list[dict]:
    """new → contacted → appointment → won, counted in SQL per source, intended model or month of capture."""
    if by not in FUNNEL_DIMENSIONS:
        by = "source"
    prospects = prospect_list(user=user).select_related(None)
    if by == "month":
        prospects = prospects.annotate(key=TruncMonth("created_at"))
    elif by == "model":
        prospects = prospects.annotate(key=F("model_of_interest"))
    else:
        prospects = prospects.annotate(key=F("source"))
    rows = (
        prospects.order_by()
        .values("key")
        .annotate(
            new=Count("pk"),
            contacted=Count("pk", filter=Q(contacted_at__isnull=False)),
            appointment=Count("pk", filter=Q(appointment_at__isnull=False)),
            won=Count("pk", filter=converted()),
        )
        .order_by("key")
    )
    result = []
    for row in rows:
        new = row["new"] or 1
        result.append({**row, "rate": round(100 * row["won"] / new, 1)})
    return result


def customer_prospects(*, customer: Customer) -> list[Prospect]:
    """The customer's prospect records for the 360: converted into this customer, or with the same mobile number."""
    return list(
        Prospect.objects.filter(Q(customer=customer) | Q(phone=customer.mobile), dealer_id=customer.dealer_id)
        .select_related("owner")
        .order_by("-created_at")[:5]
    )
