"""The benchmark data set (seed_bench) on PostgreSQL, at a tiny scale: the sizes, rows that hold together (the load
runs without foreign-key triggers, so the ids it computes must exist and agree), the group-wide configuration kept,
the same data from the same seed, the benchmark users, the sweep's steady state, and the refusal to empty a database
that holds other dealers."""

import hashlib
import json
from datetime import UTC, datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from bench import data as bench_data
from cac.deadlines.engine import sweep_deadlines
from cac.models import CallLog, Customer, Dealer, User, Vehicle
from cac.roles import AGENT, DIRECTOR, SALES_MANAGER, SERVICE_MANAGER
from callbacks.models import Callback, Question
from complaints.models import Complaint, ComplaintSLA
from prospects.models import Prospect
from tests.cac.factories import DealerFactory

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

SCALE = 0.0002  # 2 dealers, 200 customers, 1,000 calls, 100 complaints, 400 follow-up calls, 60 prospects


def _scalar(sql: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchone()[0]


def _fingerprint() -> str:
    rows = [
        list(Customer.objects.order_by("pk").values_list("pk", "name", "mobile", "dealer_id")),
        list(Complaint.objects.order_by("pk").values_list("number", "status", "received_at", "owner_id")),
        list(Callback.objects.order_by("pk").values_list("kind", "status", "due_at", "agent_id")),
        list(Prospect.objects.order_by("pk").values_list("phone", "status", "grade", "next_contact_at")),
    ]
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def test_the_data_set_has_its_sizes_and_its_rows_hold_together(postgres, roles, tmp_path):
    report = tmp_path / "data.json"
    bench_data._write_defaults()  # as the migrations leave them (a transactional test before this one flushed them)
    policies = list(ComplaintSLA.objects.filter(dealer=None).order_by("pk").values_list("pk", "channel", "severity"))
    questions = Question.objects.filter(dealer=None).count()
    assert policies and questions
    call_command("seed_bench", scale=SCALE, report=report, stdout=StringIO())
    # The group-wide deadline policies and call scripts survive the emptying, and new ones get new ids.
    assert list(ComplaintSLA.objects.order_by("pk").values_list("pk", "channel", "severity")) == policies
    assert Question.objects.filter(dealer=None).count() == questions
    later = ComplaintSLA.objects.create(
        channel="email",
        severity="major",
        acknowledge_rule=ComplaintSLA.AcknowledgeRule.END_OF_BUSINESS_DAY,
        resolve_days=2,
    )
    assert later.pk > policies[-1][0]
    sizes = bench_data.Sizes.for_scale(SCALE)

    assert list(Dealer.objects.order_by("code").values_list("code", flat=True)) == ["BD001", "BD002"]
    assert Customer.objects.count() == sizes.customers
    assert Vehicle.objects.count() == sizes.vehicles
    assert CallLog.objects.count() == sizes.calls
    assert Complaint.objects.count() == sizes.complaints
    assert Callback.objects.count() == sizes.callbacks
    assert Prospect.objects.count() == sizes.prospects
    assert json.loads(report.read_text())["sizes"]["customers"] == sizes.customers
    assert Complaint.history.count() >= sizes.complaints

    # Every computed id exists and belongs to the same dealer as the row that points to it.
    for table, column, target in [
        ("cac_vehicle", "customer_id", "cac_customer"),
        ("cac_calllog", "customer_id", "cac_customer"),
        ("complaints_complaint", "customer_id", "cac_customer"),
        ("complaints_complaint", "vehicle_id", "cac_vehicle"),
        ("callbacks_callback", "customer_id", "cac_customer"),
        ("cac_sale", "vehicle_id", "cac_vehicle"),
        ("cac_servicevisit", "vehicle_id", "cac_vehicle"),
    ]:
        orphans = _scalar(
            f"SELECT count(*) FROM {table} t LEFT JOIN {target} x ON x.id = t.{column} "  # noqa: S608 - constants
            f"WHERE t.{column} IS NOT NULL AND (x.id IS NULL OR x.dealer_id <> t.dealer_id)"
        )
        assert orphans == 0, (table, column)
    for table, column in [
        ("cac_calllog", "handled_by_id"),
        ("complaints_complaint", "owner_id"),
        ("callbacks_callback", "agent_id"),
        ("prospects_prospect", "owner_id"),
    ]:
        strangers = _scalar(
            f"SELECT count(*) FROM {table} t WHERE t.{column} IS NOT NULL AND NOT EXISTS ("  # noqa: S608 - constants
            f"SELECT 1 FROM cac_user_dealers d WHERE d.user_id = t.{column} AND d.dealer_id = t.dealer_id)"
        )
        assert strangers == 0, (table, column)

    # The users `make bench` works as, and the work the benchmark agent took over.
    expected = {"bench-agent": AGENT, "bench-service": SERVICE_MANAGER, "bench-sales": SALES_MANAGER}
    for username, role in expected.items():
        user = User.objects.get(username=username)
        assert [d.code for d in user.dealers.all()] == ["BD001"]
        assert user.groups.filter(name=role).exists()
        assert user.check_password(bench_data.BENCH_PASSWORD)
    # And the group's users, of every dealer, as whom the group-wide pages are timed.
    every_dealer = sorted(Dealer.objects.values_list("code", flat=True))
    assert len(every_dealer) > 1
    for username, role in {"bench-group-service": SERVICE_MANAGER, "bench-group-director": DIRECTOR}.items():
        user = User.objects.get(username=username)
        assert sorted(d.code for d in user.dealers.all()) == every_dealer
        assert user.groups.filter(name=role).exists()
    agent = User.objects.get(username="bench-agent")
    assert CallLog.objects.filter(handled_by=agent).exists()
    assert not CallLog.objects.filter(handled_by__username="bd001-agent01").exists()

    # Left as the sweep leaves it: a second sweep right away escalates nothing.
    assert sweep_deadlines().get("complaints_escalated", 0) == 0


def test_the_same_seed_gives_the_same_data_and_another_seed_other_data(postgres, roles):
    moment = datetime(2026, 11, 1, tzinfo=UTC)
    bench_data.seed(scale=SCALE, seed=7, now=moment, log=lambda _line: None)
    first = _fingerprint()
    bench_data.seed(scale=SCALE, seed=7, now=moment, log=lambda _line: None)
    assert _fingerprint() == first
    bench_data.seed(scale=SCALE, seed=8, now=moment, log=lambda _line: None)
    assert _fingerprint() != first


def test_it_refuses_to_empty_a_database_with_other_dealers(postgres, roles, tmp_path):
    DealerFactory(code="GZ01")
    with pytest.raises(CommandError, match="not the benchmark"):
        call_command("seed_bench", scale=SCALE, report=tmp_path / "data.json", stdout=StringIO())
    assert Dealer.objects.filter(code="GZ01").exists()
    with pytest.raises(CommandError, match="scale"):
        call_command("seed_bench", scale=0, force=True, stdout=StringIO())
