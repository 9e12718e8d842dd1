"""What the benchmark needs from the data set: the benchmark dealer, one user per role, ids to vary the requests
over, row counts and the server's version. Reads only; the writes of the benchmark are in pages.py and batch.py."""

import logging
from dataclasses import dataclass

from django.db import connection
from django.db.models import Count

from cac import roles
from cac.models import Customer, Dealer, User
from complaints.models import Complaint, Status

logger = logging.getLogger(__name__)

# Role of the benchmark -> (the role group, the user seed_bench creates for it).
ROLES = {
    "agent": (roles.AGENT, "bench-agent"),
    "service": (roles.SERVICE_MANAGER, "bench-service"),
    "sales": (roles.SALES_MANAGER, "bench-sales"),
    "director": (roles.DIRECTOR, "bench-director"),
    "executive": (roles.EXECUTIVE, "bench-executive"),
}
# Users of every dealer (seed_bench creates them): the group-wide pages are timed as them too, when they exist.
GROUP_ROLES = {
    "group-service": (roles.SERVICE_MANAGER, "bench-group-service"),
    "group-director": (roles.DIRECTOR, "bench-group-director"),
}

# Tables whose size says what the data set is; pg_class.reltuples is the planner's estimate, instant on any size.
COUNTED_TABLES = {
    "dealers": "cac_dealer",
    "users": "cac_user",
    "customers": "cac_customer",
    "vehicles": "cac_vehicle",
    "calls": "cac_calllog",
    "complaints": "complaints_complaint",
    "complaint history": "complaints_historicalcomplaint",
    "callbacks": "callbacks_callback",
    "prospects": "prospects_prospect",
    "notifications": "cac_notification",
}


class DataSetError(RuntimeError):
    """The database does not hold what the benchmark needs; the message says what to do."""


def bench_dealer(code: str) -> Dealer:
    dealer = Dealer.objects.filter(code=code).first()
    if dealer is None:
        codes = ", ".join(Dealer.objects.order_by("code").values_list("code", flat=True)[:10]) or "none"
        raise DataSetError(
            f"No dealer {code} in this database (dealers: {codes}). Seed it with `make bench-data`, or pick another "
            "dealer with --dealer."
        )
    return dealer


def bench_users(dealer: Dealer, overrides: dict[str, str]) -> dict[str, User]:
    """One active user per role: the name given on the command line, else seed_bench's `bench-<role>`, else the
    first user of the dealer in that role (the demo data's `agent`, `service_manager`, ...)."""
    users = {}
    for role, (group, default_name) in ROLES.items():
        name = overrides.get(role, default_name)
        user = User.objects.filter(username=name, is_active=True).first()
        if user is None and role not in overrides:
            user = (
                User.objects.filter(is_active=True, is_superuser=False, dealers=dealer, groups__name=group)
                .order_by("username")
                .first()
            )
        if user is None:
            raise DataSetError(f"No active user {name!r} for the role {role} ({group}) of dealer {dealer.code}.")
        if not user.dealers.filter(pk=dealer.pk).exists():
            raise DataSetError(f"User {user.username} ({role}) is not staff of dealer {dealer.code}.")
        users[role] = user
    for role, (group, default_name) in GROUP_ROLES.items():
        name = overrides.get(role, default_name)
        user = User.objects.filter(username=name, is_active=True, groups__name=group).first()
        if user is not None and user.dealers.filter(pk=dealer.pk).exists():
            users[role] = user
        elif role in overrides:
            raise DataSetError(f"No active user {name!r} for the role {role} ({group}) of dealer {dealer.code}.")
    return users


def dealer_count(user: User) -> int:
    return user.dealers.count()


# The step each status of an open (or resolved) complaint takes next in the benchmark: acknowledge the new ones, and
# walk the others round the loop of a dissatisfied customer (… → resolved → reopened → investigating → …), so that
# every run finds complaints to move however many runs came before.
NEXT_STEP = {
    Status.NEW: "acknowledge",
    Status.ACKNOWLEDGED: "investigate",
    Status.REOPENED: "investigate",
    Status.INVESTIGATING: "propose_countermeasure",
    Status.COUNTERMEASURE_PROPOSED: "start",
    Status.IN_PROGRESS: "resolve",
    Status.RESOLVED: "reopen",
}


def worklist_agent(dealer: Dealer, agent: User) -> User:
    """The agent whose follow-up worklist is timed: the benchmark agent when their worklist has calls, else the
    dealer's agent with the most calls due (seed_bench gives the calls to its own agents, not to bench-agent)."""
    from callbacks.models import Callback
    from callbacks.models import Status as CallbackStatus
    from callbacks.selectors import callback_worklist

    if callback_worklist(user=agent):
        return agent
    busiest = (
        Callback.objects.filter(
            dealer=dealer,
            status__in=[CallbackStatus.DUE, CallbackStatus.IN_PROGRESS],
            agent__is_active=True,
            agent__groups__name=roles.AGENT,
        )
        .values("agent")
        .annotate(calls=Count("pk"))
        .order_by("-calls", "agent")
        .first()
    )
    return User.objects.get(pk=busiest["agent"]) if busiest else agent


@dataclass
class Samples:
    """Ids of the benchmark dealer the requests rotate over, so that no item reads one cached row."""

    customers: list[tuple[int, str]]  # (id, mobile)
    complaints: list[int]
    steps: list[tuple[int, str]]  # (complaint id, its next step): each complaint moves once per run


def samples(dealer: Dealer, *, count: int, steps: int) -> Samples:
    customers = list(
        Customer.objects.filter(dealer=dealer).exclude(mobile="").order_by("?").values_list("pk", "mobile")[:count]
    )
    if not customers:
        raise DataSetError(f"Dealer {dealer.code} has no customers with a mobile number.")
    complaints = list(Complaint.objects.filter(dealer=dealer).order_by("?").values_list("pk", flat=True)[:count])
    movable = Complaint.objects.filter(dealer=dealer, status__in=list(NEXT_STEP))
    # The new ones first (acknowledging is the step the issue names), then the others in any order.
    rows = list(movable.filter(status=Status.NEW).order_by("?").values_list("pk", "status")[:steps])
    if len(rows) < steps:
        others = movable.exclude(status=Status.NEW).order_by("?").values_list("pk", "status")
        rows += list(others[: steps - len(rows)])
    return Samples(customers=customers, complaints=complaints, steps=[(pk, NEXT_STEP[status]) for pk, status in rows])


def analyze_if_never_analyzed() -> list[str]:
    """ANALYZE the tables the planner has no statistics for (a freshly seeded database before autovacuum came by),
    as any production database has them. Returns the tables analyzed."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relname = ANY(%s) AND c.reltuples < 0",
            [list(COUNTED_TABLES.values())],
        )
        tables = [name for (name,) in cursor.fetchall()]
        if tables:
            logger.info("ANALYZE of %s (never analyzed)", ", ".join(tables))
            cursor.execute("ANALYZE")
    return tables


def row_counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, c.reltuples::bigint FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relname = ANY(%s)",
            [list(COUNTED_TABLES.values())],
        )
        estimates = dict(cursor.fetchall())
    return {name: max(0, int(estimates.get(table, 0))) for name, table in COUNTED_TABLES.items()}


def postgresql_version() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return cursor.fetchone()[0]


def database_name() -> str:
    settings_dict = connection.settings_dict
    return f"{settings_dict.get('HOST') or 'localhost'}:{settings_dict.get('PORT') or 5432}/{settings_dict['NAME']}"


def scale(given: str) -> tuple[str, str]:
    """The data set's scale: as given on the command line, else customers / customers at scale 1 of seed_bench."""
    if given:
        return given, "given with --scale"
    customers = Customer.objects.count()
    try:
        from bench.data import Sizes
    except ImportError:
        return "unknown", f"{customers:,} customers; pass --scale"
    full = Sizes.for_scale(1).customers
    return f"{float(f'{customers / full:.2g}'):g}", f"{customers:,} customers, {full:,} at scale 1 of seed_bench"
