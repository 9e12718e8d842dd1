"""The deadline sweep's selections stay on indexes as the tables grow: PostgreSQL's plan of every query the sweep
runs on the large tables reads none of them whole, neither by a Seq Scan nor by walking the primary key (a batch's
ORDER BY pk LIMIT invites that when the planner expects many matches).

A few dealers' worth of rows (tens of thousands of complaints, follow-up calls and prospects, mostly closed, a small
open fraction, as in a CAC after some years) are written with INSERT ... SELECT generate_series and ANALYZEd, so
that the planner chooses as it would in production. The sweep then runs once under CaptureQueriesContext and each
distinct SELECT it sent to those tables is EXPLAINed as sent (FOR UPDATE ... SKIP LOCKED included); the complaint
selections are EXPLAINed again after a backlog of resolved complaints built up. Everything happens in one
transaction that is rolled back: nothing is left in the test database."""

import json
import re
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.db.models import Model
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cac import roles
from cac.deadlines.engine import sweep_deadlines
from cac.models import Customer, Dealer, Notification, User
from callbacks.models import Callback
from complaints.models import Complaint, Escalation
from prospects.models import Prospect
from tests.cac.factories import CustomerFactory, DealerFactory, UserFactory
from tests.complaints.factories import ComplaintFactory
from tests.conftest import missing
from tests.prospects.factories import ProspectFactory

# django_db so that the test database is set up; the rows are written by the module fixture, in its own transaction.
pytestmark = [pytest.mark.services, pytest.mark.django_db]

COMPLAINTS = 40_000
CALLBACKS = 40_000
PROSPECTS = 30_000
NOTIFICATIONS = 60_000
DEALERS = 4
BATCH = 100
BACKLOG_ONE_IN = 20  # closed complaints put back to resolved in the backlog case

LARGE_TABLES = {
    model._meta.db_table for model in (Complaint, Callback, Prospect, Notification, Escalation)
}  # small tables (dealers, users, groups) are rightly read whole

# What identifies each selection of cac/deadlines/engine.py (and callbacks_make_due) in its SQL, tried in this order. A rule may
# send more than one shape (say, its ids first, then each batch locked by id): each is EXPLAINed.
RULES = {
    "complaint acknowledgment breached": ('FROM "complaints_complaint"', '"acknowledge_due_at" <='),
    "complaint resolution breached": ('FROM "complaints_complaint"', '"resolve_due_at" <=', '"escalation_level" <'),
    "complaint resolution due soon": ('FROM "complaints_complaint"', '"resolve_due_at" >'),
    "complaint OEM reports": ('FROM "complaints_complaint"', '"oem_status_reported_at" IS NULL'),
    "callbacks made due": ('FROM "callbacks_callback"', "\"status\" = 'scheduled'", '"due_at" <='),
    "callbacks overdue": ('FROM "callbacks_callback"', '"status" IN (', '"due_at" <='),
    "prospects due": ('FROM "prospects_prospect"', '"next_contact_at" <='),
}
OTHER = "lookups per row (notification keys, escalations done)"
# The index to add if the OEM-report selection reads the whole table again (it did at the batch's ORDER BY pk LIMIT
# with resolved complaints piling up: the planner walked complaints_complaint_pkey, filtering every row).
HINTS = {
    "complaint OEM reports": (
        "no index of its own fits the OEM-report selection (channel in OEM_CHANNELS, open or resolved, a report "
        "time null); add models.Index(fields=['id'], name='complaint_sweep_oem_due', "
        "condition=Q(channel__in=sorted(OEM_CHANNELS), status__in=[*OPEN_STATUSES, Status.RESOLVED]) & "
        "(Q(oem_status_reported_at__isnull=True) | Q(oem_result_reported_at__isnull=True)))"
    ),
}


@dataclass
class Plan:
    sql: str
    plan: dict
    full_scans: list[str] = field(default_factory=list)

    def describe(self) -> str:
        return f"{'; '.join(self.full_scans)}\n{self.sql}\n{json.dumps(self.plan, indent=1)}"


# --- Rows, fast ------------------------------------------------------------------------------------------------


def _clone(
    model: type[Model], template: Model, rows_from: str, params: dict, where: str = "true", **overrides: str
) -> None:
    """INSERT one copy of `template` per row of `rows_from` (a FROM item aliased g) that matches `where`, the
    columns in `overrides` given as SQL expressions. Columns added to the model later are copied from the template."""
    meta = model._meta
    columns = [f.column for f in meta.concrete_fields if not f.primary_key]
    assert set(overrides) <= set(columns), set(overrides) - set(columns)
    values = ", ".join(overrides.get(column, f't."{column}"') for column in columns)
    quoted = ", ".join(f'"{column}"' for column in columns)
    sql = (
        f'INSERT INTO "{meta.db_table}" ({quoted}) SELECT {values} '  # noqa: S608 - names from the models
        f'FROM "{meta.db_table}" t CROSS JOIN {rows_from} WHERE t."{meta.pk.column}" = %(template)s AND ({where})'
    )
    with connection.cursor() as cursor:
        cursor.execute(sql.replace(" % ", " %% "), {**params, "template": template.pk})  # modulo, not a parameter


def _pick(ids: list[int]) -> str:
    """One of `ids` in turn, as SQL."""
    return f"(ARRAY[{', '.join(str(pk) for pk in ids)}])[1 + g.i % {len(ids)}]"


def _seed(now) -> None:
    if Group.objects.filter(name__in=roles.ROLE_PERMISSIONS).count() != len(roles.ROLE_PERMISSIONS):
        roles.sync_roles()  # a transactional test before this one flushed the migration's groups
    groups = {group.name: group for group in Group.objects.all()}
    dealers = [DealerFactory(code=f"PLAN{n}") for n in range(DEALERS)]
    staff: dict[str, list[User]] = {
        role: [] for role in (roles.AGENT, roles.SERVICE_MANAGER, roles.SALES_MANAGER, roles.DIRECTOR)
    }
    for dealer in dealers:
        for role, people in staff.items():
            user = UserFactory(username=f"plan-{role}-{dealer.code}", email=f"{role}@{dealer.code}.example.com")
            user.groups.add(groups[role])
            user.dealers.add(dealer)
            people.append(user)
    customers = [CustomerFactory(dealer=dealer) for dealer in dealers]
    dealer_ids = [dealer.pk for dealer in dealers]
    customer_ids = [customer.pk for customer in customers]
    agent_ids = [user.pk for user in staff[roles.AGENT]]
    params = {"now": now}

    # Complaints: 1 in 1000 in each open status and resolved, the rest closed or cancelled over two years. The open
    # ones came in within the last four days, so that some deadlines are breached, some near, most not yet.
    is_open = "g.i % 1000 < 7"
    received = (
        f"CASE WHEN {is_open} THEN %(now)s - ((g.i / 1000) % 96) * interval '1 hour' "
        "ELSE %(now)s - g.i * interval '25 minutes' END"
    )
    oem = "(g.i / 3) % 10 < 3"
    template = ComplaintFactory(customer=customers[0], owner=staff[roles.AGENT][0], number="PLAN-TEMPLATE")
    _clone(
        Complaint,
        template,
        "generate_series(1, %(count)s) AS g(i)",
        {**params, "count": COMPLAINTS - 1},
        dealer_id=_pick(dealer_ids),
        customer_id=_pick(customer_ids),
        owner_id=f"CASE WHEN g.i % 5 = 0 THEN NULL ELSE {_pick(agent_ids)} END",
        number="'PLAN-' || g.i",
        status="CASE g.i % 1000 WHEN 0 THEN 'new' WHEN 1 THEN 'acknowledged' WHEN 2 THEN 'investigating' "
        "WHEN 3 THEN 'countermeasure_proposed' WHEN 4 THEN 'in_progress' WHEN 5 THEN 'reopened' "
        "WHEN 6 THEN 'resolved' WHEN 7 THEN 'cancelled' WHEN 8 THEN 'cancelled' ELSE 'closed' END",
        channel="CASE (g.i / 3) % 10 WHEN 0 THEN 'oem_hotline' WHEN 1 THEN 'oem_website' "
        "WHEN 2 THEN 'oem_quality_survey' WHEN 3 THEN 'walk_in' ELSE 'dealer_hotline' END",
        escalation_level=f"CASE WHEN {is_open} THEN 0 ELSE g.i % 4 END",
        received_at=received,
        acknowledge_due_at=f"({received}) + interval '8 hours'",
        resolve_due_at=f"({received}) + interval '3 days'",
        acknowledged_at=f"CASE WHEN g.i % 1000 = 0 THEN NULL ELSE ({received}) + interval '2 hours' END",
        # The OEM's complaints were reported on, except some of those still open; the others never are.
        oem_status_reported_at=f"CASE WHEN {oem} AND NOT ({is_open} AND g.i % 2 = 0) "
        f"THEN ({received}) + interval '4 hours' END",
        oem_result_reported_at=f"CASE WHEN {oem} AND NOT {is_open} THEN ({received}) + interval '2 days' END",
    )
    _clone(
        Escalation,
        Escalation.objects.create(complaint=template, from_level=0, to_level=1, reason=Escalation.Reason.DEADLINE),
        "complaints_complaint AS g",
        {"dealers": dealer_ids},
        where="g.escalation_level > 0 AND g.dealer_id = ANY(%(dealers)s)",
        complaint_id="g.id",
        to_level="g.escalation_level",
        escalated_at="g.received_at + interval '1 day'",
    )

    # Follow-up calls: 1 in 500 scheduled, due and in progress each, due within 2.5 days either side of now.
    template = Callback.objects.create(
        dealer=dealers[0], customer=customers[0], agent=staff[roles.AGENT][0], kind="after_sale", due_at=now
    )
    _clone(
        Callback,
        template,
        "generate_series(1, %(count)s) AS g(i)",
        {**params, "count": CALLBACKS - 1},
        dealer_id=_pick(dealer_ids),
        customer_id=_pick(customer_ids),
        agent_id=_pick(agent_ids),
        kind="CASE g.i % 3 WHEN 0 THEN 'after_sale' WHEN 1 THEN 'after_service' ELSE 'maintenance' END",
        status="CASE g.i % 500 WHEN 0 THEN 'scheduled' WHEN 1 THEN 'due' WHEN 2 THEN 'in_progress' "
        "WHEN 3 THEN 'unreachable' WHEN 4 THEN 'declined' WHEN 5 THEN 'cancelled' ELSE 'completed' END",
        due_at="CASE WHEN g.i % 500 < 3 THEN %(now)s + ((g.i / 500) % 120 - 60) * interval '1 hour' "
        "ELSE %(now)s - g.i * interval '25 minutes' END",
        completed_at="CASE WHEN g.i % 500 < 3 THEN NULL ELSE %(now)s - g.i * interval '25 minutes' END",
    )

    # Prospects: 1 in 500 in each open status, next contact within 5 days either side of now; the rest won, lost
    # or archived, without a next contact.
    template = ProspectFactory(dealer=dealers[0], owner=staff[roles.AGENT][0], customer=customers[0])
    _clone(
        Prospect,
        template,
        "generate_series(1, %(count)s) AS g(i)",
        {**params, "count": PROSPECTS - 1},
        dealer_id=_pick(dealer_ids),
        customer_id=_pick(customer_ids),
        owner_id=_pick(agent_ids),
        phone="'139' || lpad(g.i::text, 8, '0')",
        status="CASE g.i % 500 WHEN 0 THEN 'new' WHEN 1 THEN 'contacting' WHEN 2 THEN 'following' "
        "WHEN 3 THEN 'appointment' ELSE (ARRAY['won', 'lost', 'archived', 'unreachable'])[1 + g.i % 4] END",
        lost_reason="'budget'",
        next_contact_at="CASE WHEN g.i % 500 < 4 THEN %(now)s + ((g.i / 500) % 240 - 120) * interval '1 hour' END",
    )

    # Notifications: the sweep looks its event keys up among them.
    recipients = [user.pk for people in staff.values() for user in people]
    template = Notification.objects.create(recipient_id=recipients[0], kind="seed", title="seed", key="plan-seed")
    _clone(
        Notification,
        template,
        "generate_series(1, %(count)s) AS g(i)",
        {**params, "count": NOTIFICATIONS - 1},
        recipient_id=_pick(recipients),
        dealer_id=_pick(dealer_ids),
        key="'complaint:' || g.i || ':resolve-due-soon:' || g.i",
        created_at="%(now)s - g.i * interval '10 minutes'",
        read_at="CASE WHEN g.i % 10 = 0 THEN NULL ELSE %(now)s END",
    )

    with connection.cursor() as cursor:
        for model in (Dealer, User, Customer, Complaint, Escalation, Callback, Prospect, Notification):
            cursor.execute(f'ANALYZE "{model._meta.db_table}"')


# --- Plans ---------------------------------------------------------------------------------------------------------


def _nodes(node: dict) -> list[dict]:
    found = [node]
    for child in node.get("Plans", []):
        found.extend(_nodes(child))
    return found


def _full_scans(tree: dict) -> list[str]:
    """Each read of a whole large table: a Seq Scan, or a walk of its primary key bounded only by the batch's
    `id > n` (the ORDER BY pk LIMIT of a batch, filtering every row: a sequential scan in pk order)."""
    found = []
    for node in _nodes(tree):
        table = node.get("Relation Name")
        if table not in LARGE_TABLES:
            continue
        if node["Node Type"] == "Seq Scan":
            found.append(f"Seq Scan on {table}")
        elif (
            node["Node Type"] in {"Index Scan", "Index Only Scan"}
            and node.get("Index Name", "").endswith("_pkey")
            and re.fullmatch(r"\(id > \S+\)", node.get("Index Cond", ""))
        ):
            found.append(f"{node['Node Type']} of all {table} by {node['Index Name']} ({node['Index Cond']})")
    return found


def _shape(sql: str) -> str:
    """The query without its literals, so that the same query for another row is EXPLAINed once."""
    sql = re.sub(r"'(?:[^']|'')*'", "?", sql)
    sql = re.sub(r"\b\d+(\.\d+)?\b", "?", sql)
    return re.sub(r"\((?:\?, )+\?\)", "(?)", sql)


def _rule(sql: str) -> str:
    for name, fragments in RULES.items():
        if all(fragment in sql for fragment in fragments):
            return name
    return OTHER


def _distinct_selects(queries: list[dict]) -> list[str]:
    """The SELECTs on the large tables, each shape once."""
    tables = re.compile(r'(?:FROM|JOIN) "(' + "|".join(sorted(LARGE_TABLES)) + r')"')
    shapes = {}
    for query in queries:
        sql = query["sql"]
        if sql.lstrip().upper().startswith("SELECT") and tables.search(sql):
            shapes.setdefault(_shape(sql), sql)
    return list(shapes.values())


def _explain(queries: list[str]) -> dict[str, list[Plan]]:
    plans: dict[str, list[Plan]] = {name: [] for name in [*RULES, OTHER]}
    with connection.cursor() as cursor:
        for sql in queries:
            cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}")  # as sent: FOR UPDATE ... SKIP LOCKED included
            raw = cursor.fetchone()[0]
            tree = (json.loads(raw) if isinstance(raw, str) else raw)[0]["Plan"]
            plans[_rule(sql)].append(Plan(sql=sql, plan=tree, full_scans=_full_scans(tree)))
    return plans


@dataclass
class SweepPlans:
    steady: dict[str, list[Plan]]  # a CAC in its normal state
    backlog: dict[str, list[Plan]]  # the same, with resolved complaints left waiting for their follow-up


@pytest.fixture(scope="module")
def sweep_plans(django_db_setup, django_db_blocker) -> SweepPlans:
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        missing("needs PostgreSQL: set DATABASE_URL=postgres://...", flag="REQUIRE_SERVICES")
    now = timezone.now().replace(microsecond=0)
    with django_db_blocker.unblock(), transaction.atomic():
        _seed(now)
        with CaptureQueriesContext(connection) as captured:
            sweep_deadlines(now=now + timedelta(seconds=1), batch=BATCH)
        assert len(captured) < connection.queries_limit, "the query log overflowed: seed fewer due rows"
        queries = _distinct_selects(captured.captured_queries)
        steady = _explain(queries)
        # A dealer that leaves resolved complaints unclosed (the follow-up call never made): RESOLVED is part of
        # the OEM-report selection only.
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE complaints_complaint SET status = 'resolved' WHERE status = 'closed' AND id %% %s = 0",
                [BACKLOG_ONE_IN],
            )
            cursor.execute("ANALYZE complaints_complaint")
        backlog = _explain(queries)
        transaction.set_rollback(True)  # the rows served the planner only
    return SweepPlans(steady=steady, backlog=backlog)


def _check(plans: list[Plan], rule: str = "") -> None:
    offending = [plan for plan in plans if plan.full_scans]
    assert not offending, f"a whole large table is read. {HINTS.get(rule, '')}\n\n" + "\n\n".join(
        plan.describe() for plan in offending
    )


@pytest.mark.parametrize("rule", list(RULES))
def test_each_selection_of_the_sweep_uses_an_index(sweep_plans, rule):
    assert sweep_plans.steady[rule], f"the sweep sent no query for “{rule}”: has its selection changed?"
    _check(sweep_plans.steady[rule], rule)


def test_the_lookups_for_each_row_use_an_index(sweep_plans):
    assert sweep_plans.steady[OTHER], "the sweep acted on no row: the seeded deadlines no longer reach its rules"
    _check(sweep_plans.steady[OTHER])


@pytest.mark.parametrize("rule", [name for name in RULES if name.startswith("complaint")])
def test_the_complaint_selections_use_an_index_with_a_backlog_of_resolved_complaints(sweep_plans, rule):
    _check(sweep_plans.backlog[rule], rule)
