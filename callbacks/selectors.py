"""Every read of follow-up calls a view needs, scoped to the user's dealers: the agent's worklist for today, one
callback to work, a customer's follow-ups for the 360, and the supervisors' statistics."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import (
    Avg,
    BooleanField,
    Case,
    Count,
    Exists,
    F,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.utils import timezone
from django.utils.translation import gettext as _

from cac.desk.selectors import customer_list, customer_lookup, dealer_ids
from cac.models import Customer, Dealer, User, Vehicle
from cac.platform.attempts import AttemptResult, Slot, slot_bounds, slot_of
from cac.platform.zones import dealer_zone, dealers_zone, month_bounds
from callbacks.models import (
    OPEN_STATUSES,
    SATISFIED_FROM,
    SUPERVISE,
    TOP_BOX,
    WORK,
    Callback,
    CallbackAttempt,
    Status,
    due_in_q,
    made_on_time_q,
    made_q,
)

RECENT_FOLLOW_UPS = 5


def callback_list(*, user: User) -> QuerySet[Callback]:
    """Follow-up calls of the user's dealers."""
    return Callback.objects.filter(dealer_id__in=dealer_ids(user=user))


def end_of_today(now: datetime, zone=None) -> datetime:
    """Midnight after `now`'s day in `zone` (the dealers' zone, cac.platform.zones)."""
    local = timezone.localtime(now, zone)
    return datetime.combine(local.date() + timedelta(days=1), time.min, tzinfo=local.tzinfo)


@dataclass(frozen=True)
class SlotMark:
    """One contact slot on a worklist row: whether a failed attempt was made in it, and whether it is now."""

    name: str
    label: str
    tried: bool
    current: bool
    title: str = ""


def _attempts_annotations(current_slot: str | None) -> dict:
    attempts = CallbackAttempt.objects.filter(callback=OuterRef("pk"))
    last = attempts.order_by("-attempted_at", "-id")
    annotations = {
        "attempt_count": Count("attempts"),
        "last_attempt_at": Max("attempts__attempted_at"),
        "last_attempt_slot": Subquery(last.values("slot")[:1]),
        "last_attempt_result": Subquery(last.values("result")[:1]),
        # Calling again in a slot that already failed does not count towards the rule: those go last.
        "tried_in_current_slot": Exists(attempts.filter(slot=current_slot))
        if current_slot
        else Value(False, output_field=BooleanField()),
    }
    for name, _start, _end in slot_bounds():
        annotations[f"tried_{name}"] = Exists(attempts.filter(slot=name))
    return annotations


@dataclass(frozen=True)
class WorklistFilters:
    """What the worklist is narrowed to: a tab (`today`: due today; `overdue`: due before today; `late`: past its
    due time now; `slot`: may be called in the slot running now; empty: all), a kind of follow-up, and a search by a
    prefix of the customer's name or number."""

    tab: str = ""
    kind: str = ""
    query: str = ""


WORKLIST_TABS = ("today", "overdue", "late", "slot")


def overdue_q(now: datetime) -> Q:
    """The one definition of an overdue follow-up call on the worklist: its due time has passed."""
    return Q(due_at__lt=now)


def callable_in_slot_q(now: datetime, current_slot: str | None) -> Q:
    """Left to call in the slot running now: not held back by the attempts rule (`next_attempt_at` still to come)
    and not already tried in this slot (a second failure in the same slot does not count). Outside every slot,
    none."""
    if current_slot is None:
        return Q(pk__in=[])
    tried = CallbackAttempt.objects.filter(callback=OuterRef("pk"), slot=current_slot)
    return (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)) & ~Q(Exists(tried))


def start_of_today(now: datetime, zone=None) -> datetime:
    """Midnight that began `now`'s day in `zone` (the dealers' zone)."""
    return end_of_today(now, zone) - timedelta(days=1)


def callback_worklist(
    *, user: User, now: datetime | None = None, agent_id: int | None = None, filters: WorklistFilters | None = None
) -> QuerySet[Callback]:
    """The open follow-up calls to make today: scheduled ones due by tonight, and every due or started one.

    Agents see their own; supervisors see everyone's, or one agent's with `agent_id`. Those due today first (a call
    due today never waits behind months-old ones), then the overdue of earlier days; each by due time, then by slot
    fit: customers already tried in the current slot go last. Each row carries `attempt_count`, `last_attempt_at`,
    `last_attempt_slot`, `is_overdue` and `is_due_today`, computed in the query; `worklist_rows` adds what the screen
    shows of a page of them."""
    now = now or timezone.now()
    zone = dealers_zone(dealer_ids(user=user))
    current_slot = slot_of(now, zone)
    calls = _worklist_calls(user=user, now=now, agent_id=agent_id, zone=zone, filters=filters)
    today = start_of_today(now, zone)
    if filters is not None and filters.tab == "today":
        calls = calls.filter(due_at__gte=today)
    elif filters is not None and filters.tab == "overdue":
        calls = calls.filter(due_at__lt=today)
    elif filters is not None and filters.tab == "late":
        calls = calls.filter(overdue_q(now))
    elif filters is not None and filters.tab == "slot":
        calls = calls.filter(callable_in_slot_q(now, current_slot))
    return (
        calls.select_related("customer", "vehicle", "agent", "dealer")
        .annotate(
            **_attempts_annotations(current_slot),
            is_overdue=Case(When(overdue_q(now), then=Value(True)), default=Value(False), output_field=BooleanField()),
            is_due_today=Case(
                When(due_at__gte=today, then=Value(True)), default=Value(False), output_field=BooleanField()
            ),
        )
        .order_by("-is_due_today", "due_at", "tried_in_current_slot", "pk")
    )


def _worklist_calls(
    *, user: User, now: datetime, agent_id: int | None, zone=None, filters: WorklistFilters | None = None
) -> QuerySet[Callback]:
    zone = zone or dealers_zone(dealer_ids(user=user))
    callbacks = callback_list(user=user).filter(
        Q(status=Status.SCHEDULED, due_at__lt=end_of_today(now, zone)) | Q(status__in=[Status.DUE, Status.IN_PROGRESS])
    )
    if filters is not None and filters.kind:
        callbacks = callbacks.filter(kind=filters.kind)
    if filters is not None and filters.query:
        customers = customer_lookup(user=user, query=filters.query, limit=SEARCH_CUSTOMERS)
        callbacks = callbacks.filter(customer_id__in=[customer.pk for customer in customers])
    if not user.has_perm(SUPERVISE):
        return callbacks.filter(agent=user)
    if agent_id is not None:
        return callbacks.filter(agent_id=agent_id)
    return callbacks


SEARCH_CUSTOMERS = 50


def worklist_totals(
    *, user: User, now: datetime, agent_id: int | None = None, filters: WorklistFilters | None = None, zone=None
) -> dict[str, int]:
    """How many calls the whole worklist holds (whatever the tab), how many are overdue now, and the count of each
    tab (`in_slot`: left to call in the slot running now): one query, without the attempts. `zone`: the dealers'
    (cac.platform.zones), when the caller has it."""
    zone = zone or dealers_zone(dealer_ids(user=user))
    today = start_of_today(now, zone)
    return _worklist_calls(user=user, now=now, agent_id=agent_id, zone=zone, filters=filters).aggregate(
        total=Count("pk"),
        overdue=Count("pk", filter=overdue_q(now)),
        today=Count("pk", filter=Q(due_at__gte=today)),
        before_today=Count("pk", filter=Q(due_at__lt=today)),
        in_slot=Count("pk", filter=callable_in_slot_q(now, slot_of(now, zone))),
    )


@dataclass(frozen=True)
class OverdueByAgent:
    total: int  # every overdue call of the worklist, the unassigned ones included (its `late` tab)
    by_agent: list[tuple[User, int]]  # (agent, overdue calls), most first; unassigned calls have no agent to chase


def worklist_overdue_by_agent(*, user: User, now: datetime, zone=None) -> OverdueByAgent:
    """The overdue calls (overdue_q) of the user's worklist, in all and per agent: one query."""
    calls = _worklist_calls(user=user, now=now, agent_id=None, zone=zone).filter(overdue_q(now))
    rows = (
        calls.values("agent", "agent__username", "agent__first_name", "agent__last_name")
        .annotate(overdue=Count("pk"))
        .order_by("-overdue", "agent__first_name", "agent__username")
    )
    by_agent = [
        (
            User(
                pk=row["agent"],
                username=row["agent__username"],
                first_name=row["agent__first_name"] or "",
                last_name=row["agent__last_name"] or "",
            ),
            row["overdue"],
        )
        for row in rows
        if row["agent"] is not None
    ]
    return OverdueByAgent(total=sum(row["overdue"] for row in rows), by_agent=by_agent)


def worklist_by_customer(rows: list[Callback]) -> list[Callback]:
    """A page of the worklist with each customer's follow-ups together, where the customer's first one stands (one
    call covers them all); each row carries `customer_calls` (how many of the page are the customer's) and
    `first_of_customer`."""
    groups: dict[int, list[Callback]] = {}
    for row in rows:
        groups.setdefault(row.customer_id, []).append(row)
    ordered = []
    for calls in groups.values():
        for index, row in enumerate(calls):
            row.customer_calls, row.first_of_customer = len(calls), index == 0
            ordered.append(row)
    return ordered


def worklist_rows(rows, *, now: datetime) -> list[Callback]:
    """Each row of a page of the worklist with `last_attempt_result_label`, `blocked` (the slot rule says not yet)
    and `slot_marks`."""
    zones: dict[int, object] = {}
    labels = {name: str(label) for name, label in Slot.choices}
    results = dict(AttemptResult.choices)
    # The pills' tooltips, translated once for the page rather than three times a row.
    titles = {
        (tried, current): (_("Tried in this slot") if tried else _("Not tried yet"))
        + (f" · {_('now')}" if current else "")
        for tried in (True, False)
        for current in (True, False)
    }
    rows = list(rows)
    for row in rows:
        # The slot of now in the row's dealer's zone: the slots are the dealer's.
        if row.dealer_id not in zones:
            zones[row.dealer_id] = dealer_zone(row.dealer)
        current_slot = slot_of(now, zones[row.dealer_id])
        row.last_attempt_result_label = results.get(row.last_attempt_result, "")
        row.blocked = row.next_attempt_at is not None and row.next_attempt_at > now
        row.slot_marks = []
        for name, _start, _end in slot_bounds():
            tried, current = getattr(row, f"tried_{name}"), name == current_slot
            row.slot_marks.append(SlotMark(name, labels.get(name, name), tried, current, titles[bool(tried), current]))
    return rows


def callback_agent_list(*, user: User, dealer_id: int | None = None) -> QuerySet[User]:
    """Active staff of the user's dealers (or of one dealer) who make follow-up calls."""
    dealers = dealer_ids(user=user) if dealer_id is None else [dealer_id]
    app_label, codename = WORK.split(".")
    perm = Q(groups__permissions__codename=codename, groups__permissions__content_type__app_label=app_label)
    return (
        User.objects.filter(perm, is_active=True, dealers__in=dealers)
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


def callback_get(*, user: User, callback_id: int) -> Callback:
    """One callback with what it follows and its attempts; Callback.DoesNotExist outside the user's dealers."""
    return (
        callback_list(user=user)
        .select_related(
            "dealer",
            "customer",
            "vehicle",
            "agent",
            "excluded_agent",
            "sale",
            "sale__consultant",
            "service_visit",
            "service_visit__advisor",
            "complaint",
            "raised_complaint",
        )
        .prefetch_related(
            Prefetch(
                "attempts",
                queryset=CallbackAttempt.objects.select_related("agent").order_by("attempted_at", "id"),
            )
        )
        .get(pk=callback_id)
    )


@dataclass(frozen=True)
class CustomerFollowUps:
    pending: list[Callback]
    recent: list[Callback]


def customer_follow_ups(*, user: User, customer_id: int, recent: int = RECENT_FOLLOW_UPS) -> CustomerFollowUps:
    """The customer's open follow-up calls and the latest finished ones, for the 360, in one query."""
    rows = list(
        callback_list(user=user)
        .filter(customer_id=customer_id)
        .select_related("agent", "raised_complaint", "vehicle")
        .annotate(attempt_count=Count("attempts"))
        .order_by(
            Case(When(status__in=OPEN_STATUSES, then=Value(0)), default=Value(1)),
            F("completed_at").desc(nulls_last=True),
            "due_at",
            "pk",
        )
    )
    pending = [row for row in rows if row.status in OPEN_STATUSES]
    finished = [row for row in rows if row.status not in OPEN_STATUSES]
    return CustomerFollowUps(pending=pending, recent=finished[:recent])


# --- Statistics ---------------------------------------------------------------------------------------------------


@dataclass
class StatsRow:
    key: str | int | None
    label: str
    total: int
    completed: int
    on_time: int
    unreachable: int
    declined: int
    pending: int
    satisfaction: float | None

    @staticmethod
    def _rate(part: int, whole: int) -> float | None:
        return part / whole if whole else None

    @property
    def completion_rate(self) -> float | None:
        return self._rate(self.completed, self.total)

    @property
    def on_time_rate(self) -> float | None:
        return self._rate(self.on_time, self.total)

    @property
    def unreachable_rate(self) -> float | None:
        return self._rate(self.unreachable, self.total)


def _stats_aggregates() -> dict:
    return {
        "total": Count("pk"),
        "completed": Count("pk", filter=Q(status=Status.COMPLETED)),
        "on_time": Count("pk", filter=made_on_time_q()),
        "unreachable": Count("pk", filter=Q(status=Status.UNREACHABLE)),
        "declined": Count("pk", filter=Q(status=Status.DECLINED)),
        "pending": Count("pk", filter=Q(status__in=OPEN_STATUSES)),
        "satisfaction": Avg("satisfaction", filter=Q(status=Status.COMPLETED)),
    }


_COUNTS = ["total", "completed", "on_time", "unreachable", "declined", "pending", "satisfaction"]


@dataclass(frozen=True)
class CallbackStats:
    total: StatsRow
    by_agent: list[StatsRow]
    by_kind: list[StatsRow]


def callback_stats(*, user: User, date_from: date, date_to: date) -> CallbackStats:
    """Completion, on-time (made by `due_at`, callbacks.models.made_on_time_q), unreachable rates and average satisfaction of the follow-up
    calls due between the two days (inclusive), cancelled ones left out; by agent and by kind, one query each."""
    zone = dealers_zone(dealer_ids(user=user))
    start = datetime.combine(date_from, time.min, tzinfo=zone)
    end = datetime.combine(date_to + timedelta(days=1), time.min, tzinfo=zone)
    callbacks = (
        callback_list(user=user).filter(due_at__gte=start, due_at__lt=end).exclude(status=Status.CANCELLED).order_by()
    )
    aggregates = _stats_aggregates()
    total = callbacks.aggregate(**aggregates)
    by_agent = (
        callbacks.values("agent", "agent__username", "agent__first_name", "agent__last_name")
        .annotate(**aggregates)
        .order_by("agent__first_name", "agent__username")
    )
    by_kind = callbacks.values("kind").annotate(**aggregates).order_by("kind")
    kind_labels = dict(Callback._meta.get_field("kind").choices)
    return CallbackStats(
        total=StatsRow(key=None, label="", **{name: total[name] for name in _COUNTS}),
        by_agent=[
            StatsRow(
                key=row["agent"],
                label=_agent_label(row) if row["agent"] else "",
                **{name: row[name] for name in _COUNTS},
            )
            for row in by_agent
        ],
        by_kind=[
            StatsRow(
                key=row["kind"], label=str(kind_labels.get(row["kind"], row["kind"])), **{n: row[n] for n in _COUNTS}
            )
            for row in by_kind
        ],
    )


def _agent_label(row: dict) -> str:
    # The same spelling as User.__str__, without loading the users.
    user = User(
        username=row["agent__username"],
        first_name=row["agent__first_name"] or "",
        last_name=row["agent__last_name"] or "",
    )
    return str(user)


# --- Call lists (campaigns, recalls, holiday greetings) -------------------------------------------------------------


def call_list_vehicles(*, user: User, dealer: Dealer, filters: dict) -> QuerySet[Vehicle]:
    """The dealer's vehicles that pass the call list's filters (model, purchase dates, pasted VINs)."""
    vehicles = Vehicle.objects.filter(dealer=dealer, dealer_id__in=dealer_ids(user=user))
    if (filters.get("model") or "").strip():
        vehicles = vehicles.filter(model__icontains=filters["model"].strip())
    if filters.get("purchased_from"):
        vehicles = vehicles.filter(purchase_date__gte=filters["purchased_from"])
    if filters.get("purchased_to"):
        vehicles = vehicles.filter(purchase_date__lte=filters["purchased_to"])
    if filters.get("vins"):
        vehicles = vehicles.filter(vin__in=filters["vins"])
    return vehicles


def call_list_customers(*, user: User, dealer: Dealer, filters: dict, by_vehicle: bool) -> QuerySet[Customer]:
    """The customers a call list reaches (whether or not they accept calls); without vehicle filters, all the
    dealer's customers (a holiday greeting). Never another dealer's."""
    customers = customer_list(user=user).filter(dealer=dealer)
    if by_vehicle:
        customers = customers.filter(
            pk__in=call_list_vehicles(user=user, dealer=dealer, filters=filters).values("customer_id")
        )
    return customers


def call_list_unknown_vins(*, user: User, dealer: Dealer, vins: list[str]) -> list[str]:
    """Pasted VINs that match no vehicle of the dealer."""
    if not vins:
        return []
    known = set(
        Vehicle.objects.filter(dealer=dealer, dealer_id__in=dealer_ids(user=user), vin__in=vins).values_list(
            "vin", flat=True
        )
    )
    return [vin for vin in vins if vin not in known]


# --- The follow-up calls of a month: the figures of the monthly report and the dashboard, and their list ----------

# Each figure of a month's follow-up calls, of those due in it (`due_in_q`): reports.selectors counts by these, and
# `callback_month_list` lists by them, so that a figure and its list agree.
MONTH_FIGURES = {
    "due": Q(),
    "made": made_q(),
    "on_time": made_on_time_q(),
    "unreachable": Q(status=Status.UNREACHABLE),
    "scored": Q(satisfaction__isnull=False),
    "satisfied": Q(satisfaction__gte=SATISFIED_FROM),
    "top_box": Q(satisfaction__gte=TOP_BOX),
}


def callback_month_list(
    *, user: User, month: date, figure: str = "due", dealer_id: int | None = None, kind: str = ""
) -> QuerySet[Callback]:
    """The follow-up calls a month's figure counts, of the user's dealers (or of one of them), in the zone of the
    dealers listed as the figure is counted; the earliest due first."""
    ids = dealer_ids(user=user)
    if dealer_id is not None:
        ids = [dealer_id] if dealer_id in ids else []
    start, end = month_bounds(month, dealers_zone(ids))
    calls = Callback.objects.filter(dealer_id__in=ids).filter(due_in_q(start, end), MONTH_FIGURES[figure])
    if kind:
        calls = calls.filter(kind=kind)
    return calls.select_related("customer", "agent", "dealer").order_by("due_at", "pk")
