"""The executive's dashboard: its figures on a hand-built month (counted again another way here), the same as the
monthly report's for a closed month, each figure's link listing exactly as many rows as the figure says, the
targets' colours, who may open it, and a number of queries that does not grow with the data."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from callbacks.models import Callback
from callbacks.models import Status as CallbackStatus
from complaints.models import Channel, Complaint, Escalation, Status
from prospects.models import Status as ProspectStatus
from reports.dashboard import COLUMNS, dashboard_figures
from reports.models import DealerTarget
from reports.selectors import complaint_figures
from tests.cac.factories import CustomerFactory, UserFactory
from tests.complaints.factories import ComplaintFactory
from tests.prospects.factories import ProspectFactory, put
from tests.reports.fixtures import SHANGHAI, at

pytestmark = pytest.mark.django_db

MARCH = date(2026, 3, 1)


@pytest.fixture
def executive(make_user, dealer):
    return make_user("executive", dealer, username="executive")


@pytest.fixture
def group_executive(make_user, dealer, other_dealer):
    return make_user("executive", dealer, other_dealer, username="group-executive")


def _in(value, start, end) -> bool:
    return value is not None and start <= value < end


def test_a_closed_month_shows_the_monthly_reports_figures(executive, dealer, march):
    board = dashboard_figures(user=executive, month=MARCH)
    report = complaint_figures(dealer_ids=[dealer.pk], month=MARCH)
    for column, summary in zip(COLUMNS, (report.summary, report.previous, report.last_year), strict=True):
        figures = board.group.columns[column]
        assert figures["received"].value == summary.received
        assert figures["open"].value == summary.open_at_end
        assert figures["closed"].value == summary.closed
        assert figures["acknowledged_on_time_pct"].value == summary.acknowledged_on_time_pct
        assert figures["resolved_on_time_pct"].value == summary.resolved_on_time_pct
        assert figures["median_hours_to_resolve"].value == summary.median_hours_to_resolve
        assert figures["p90_hours_to_resolve"].value == summary.p90_hours_to_resolve
        assert figures["reopen_rate_pct"].value == summary.reopen_rate_pct
        assert figures["emergencies"].value == summary.emergencies
    total = report.follow_up_total
    figures = board.group.columns["month"]
    assert figures["follow_ups_due"].value == total.due
    assert figures["unreachable_pct"].value == total.unreachable_rate_pct
    assert figures["average_satisfaction"].value == total.average_satisfaction
    assert figures["follow_ups_on_time_pct"].count == total.on_time


def test_the_figures_of_a_hand_built_month_counted_another_way(executive, dealer, march):
    start, end = at(3, 1, 0), at(4, 1, 0)
    complaints = list(Complaint.objects.filter(dealer=dealer))
    received = [c for c in complaints if _in(c.received_at, start, end)]
    countable = [c for c in received if c.status != Status.CANCELLED]
    resolved = [c for c in complaints if _in(c.resolved_at, start, end)]
    closed = [c for c in complaints if c.status == Status.CLOSED and _in(c.closed_at, start, end)]
    still_open = [
        c
        for c in complaints
        if c.received_at < end
        and (c.closed_at is None or c.closed_at >= end)
        and (c.resolved_at is None or c.resolved_at >= end)
    ]
    escalated = {e.complaint_id for e in Escalation.objects.all() if _in(e.escalated_at, start, end)}
    calls = [c for c in Callback.objects.filter(dealer=dealer) if _in(c.due_at, start, end) and c.status != "cancelled"]
    scored = [c.satisfaction for c in calls if c.satisfaction is not None]

    figures = dashboard_figures(user=executive, month=MARCH).group.columns["month"]
    assert figures["received"].value == len(received) == 4
    assert figures["open"].value == len(still_open) == 2
    assert figures["closed"].value == len(closed) == 1
    ack = [c for c in countable if c.acknowledged_at and c.acknowledged_at <= c.acknowledge_due_at]
    assert figures["acknowledged_on_time_pct"].value == round(100 * len(ack) / len(countable), 1)
    on_time = [c for c in resolved if c.resolved_at <= c.resolve_due_at]
    assert figures["resolved_on_time_pct"].value == round(100 * len(on_time) / len(resolved), 1) == 50.0
    assert figures["escalated"].value == len(escalated) == 2
    assert figures["majors"].value == len([c for c in received if c.severity == "major"]) == 1
    assert figures["emergencies"].value == 1
    # c2 came on the OEM hotline and no report was ever sent: both reports are late.
    assert figures["oem_status_on_time_pct"].value == 0.0
    assert (figures["oem_result_on_time_pct"].count, figures["oem_result_on_time_pct"].of) == (0, 1)
    assert figures["follow_ups_due"].value == len(calls) == 4
    made_on_time = [c for c in calls if c.status in ("completed", "declined") and c.completed_at <= c.due_at]
    assert figures["follow_ups_on_time_pct"].count == len(made_on_time)
    assert figures["unreachable_pct"].value == 25.0
    assert figures["average_satisfaction"].value == round(sum(scored) / len(scored), 2)
    assert figures["top_box_pct"].value == round(100 * scored.count(5) / len(scored), 1)
    assert "key_vehicles" not in figures  # counted now only: for the running month


def test_oem_reports_on_time_by_the_dealers_calendar(executive, dealer):
    now = timezone.now()
    month_start = timezone.localtime(now, SHANGHAI).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    received = max(now - timedelta(days=10), min(month_start + timedelta(minutes=1), now))  # this month, not later
    on_time = ComplaintFactory(
        customer=CustomerFactory(dealer=dealer),
        channel=Channel.OEM_HOTLINE,
        received_at=received,
        oem_status_reported_at=received,
        oem_result_reported_at=received,
    )
    late = ComplaintFactory(
        customer=CustomerFactory(dealer=dealer),
        channel=Channel.OEM_WEBSITE,
        received_at=received,
        oem_status_reported_at=received + timedelta(days=9),
    )
    ComplaintFactory(customer=CustomerFactory(dealer=dealer), channel=Channel.WALK_IN, received_at=received)
    figures = dashboard_figures(user=executive).group.columns["month"]
    status = figures["oem_status_on_time_pct"]
    assert (status.count, status.of, status.value) == (1, 2, 50.0)
    assert status.count == len([on_time]) and late.pk != on_time.pk


@pytest.fixture
def live_month(dealer, other_dealer):
    """This month (to date) at two dealers: something behind every figure."""
    now = timezone.now()
    month_start = timezone.localtime(now, SHANGHAI).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    moment = max(month_start, now - timedelta(hours=2))
    rows = []
    for d in (dealer, other_dealer):
        customer = CustomerFactory(dealer=d)
        rows.append(ComplaintFactory(customer=customer, received_at=moment, severity="major"))
        rows.append(
            ComplaintFactory(
                customer=customer,
                received_at=moment,
                channel=Channel.OEM_HOTLINE,
                acknowledged_at=moment,
                acknowledge_due_at=moment + timedelta(hours=4),
                oem_status_reported_at=moment,
                status=Status.ACKNOWLEDGED,
            )
        )
        Escalation.objects.create(complaint=rows[-1], from_level=0, to_level=1, reason="deadline", escalated_at=now)
        Callback.objects.create(
            dealer=d,
            customer=customer,
            kind="after_sale",
            due_at=moment,
            status=CallbackStatus.COMPLETED,
            completed_at=moment,
            satisfaction=5,
        )
        owner = UserFactory()
        ProspectFactory(dealer=d, owner=owner)
        put(ProspectFactory(dealer=d, owner=owner), ProspectStatus.WON)
    return rows


def _list_count(client, url) -> int:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.context["page"].paginator.count


@pytest.mark.parametrize("when", ["closed", "running"])
def test_every_figure_links_to_a_list_of_as_many_rows(client, group_executive, march, live_month, when):
    """For the group and for each dealer, in every column: the list behind the link counts what the figure says."""
    month = MARCH if when == "closed" else None
    board = dashboard_figures(user=group_executive, month=month)
    client.force_login(group_executive)
    checked = 0
    for scope in [board.group, *board.dealers]:
        for column in COLUMNS:
            for name, figure in scope.columns[column].items():
                assert figure.url, name
                assert _list_count(client, figure.url) == figure.count, (scope.dealer, column, name, figure.url)
                checked += 1
    assert checked >= 3 * 3 * 20
    assert {scope.dealer.code for scope in board.dealers} == {"GZ01", "SZ02"}


def test_dealers_are_coloured_against_their_targets_or_the_defaults(group_executive, dealer, other_dealer):
    DealerTarget.objects.create(dealer=other_dealer, top_box_pct=50)
    customer = CustomerFactory(dealer=dealer)
    now = timezone.now()
    for d in (dealer, other_dealer):
        Callback.objects.create(
            dealer=d,
            customer=customer if d == dealer else CustomerFactory(dealer=d),
            kind="after_sale",
            due_at=now,
            status=CallbackStatus.COMPLETED,
            completed_at=now - timedelta(minutes=6),
            satisfaction=4 if d == dealer else 5,
        )
    board = dashboard_figures(user=group_executive)
    by_code = {scope.dealer.code: scope.columns["month"] for scope in board.dealers}
    assert by_code["GZ01"]["top_box_pct"].state == "missed"  # 0 % against the default 80 %
    assert by_code["SZ02"]["top_box_pct"].state == "met"  # 100 % against its own 50 %
    defaults = DealerTarget.for_dealers([dealer.pk])[dealer.pk]
    assert defaults["oem_status_on_time_pct"] == 100.0
    assert board.dealers[0].dealer.code == "SZ02"  # more targets met ranks first


def test_a_closed_month_is_not_running_and_names_its_comparisons(executive, march):
    board = dashboard_figures(user=executive, month=MARCH)
    assert not board.running
    assert board.months == {"month": MARCH, "previous": date(2026, 2, 1), "last_year": date(2025, 3, 1)}
    assert [point.month for point in board.trend][-1] == MARCH and len(board.trend) == 12
    assert board.dealers == []  # one dealer: no ranking


# --- Who opens it -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("executive", 200),
        ("director", 200),
        ("admin", 200),
        ("service_manager", 403),
        ("sales_manager", 403),
        ("agent", 403),
    ],
)
def test_the_dashboard_by_role(client, make_user, dealer, role, expected):
    client.force_login(make_user(role, dealer))
    response = client.get(reverse("reports:dashboard"))
    assert response.status_code == expected
    if expected == 200:
        page = response.content.decode()
        assert 'id="dashboard-trend-data"' in page and "echarts.min.js" in page
        assert "<script>" not in page  # the data as JSON, the code in a static file: the CSP allows no inline script


def test_anonymous_users_are_sent_to_login(client):
    response = client.get(reverse("reports:dashboard"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_a_bad_month_shows_the_current_one(client, executive):
    client.force_login(executive)
    response = client.get(reverse("reports:dashboard"), {"month": "2026-13"})
    assert response.status_code == 200 and response.context["dashboard"].running


# --- Queries ----------------------------------------------------------------------------------------------------


def _grow(dealer, other_dealer, n: int):
    now = timezone.now()
    owner = UserFactory()
    for d in (dealer, other_dealer):
        for i in range(n):
            customer = CustomerFactory(dealer=d)
            ComplaintFactory(customer=customer, received_at=now - timedelta(days=i * 20), channel=Channel.OEM_HOTLINE)
            Callback.objects.create(dealer=d, customer=customer, kind="after_sale", due_at=now - timedelta(days=i))
            ProspectFactory(dealer=d, owner=owner)


def test_queries_do_not_grow_with_the_data(
    client, group_executive, dealer, other_dealer, django_assert_max_num_queries
):
    client.force_login(group_executive)
    client.get(reverse("reports:dashboard"))  # sessions and permissions read once
    _grow(dealer, other_dealer, 2)
    with django_assert_max_num_queries(75) as small:
        assert client.get(reverse("reports:dashboard")).status_code == 200
    _grow(dealer, other_dealer, 12)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(reverse("reports:dashboard")).status_code == 200


# --- The demo's reports -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "months"),
    [
        # 1 January, 00:30 in Shanghai: still 31 December in UTC; the last three months are Shanghai's.
        ((2027, 1, 1, 0, 30), [date(2026, 12, 1), date(2026, 11, 1), date(2026, 10, 1)]),
        ((2026, 12, 31, 23, 30), [date(2026, 11, 1), date(2026, 10, 1), date(2026, 9, 1)]),
    ],
)
def test_the_demo_generates_the_reports_of_the_last_three_months_once(dealer, monkeypatch, media_root, moment, months):
    import time_machine

    from reports import pdf
    from reports.demo import seed_monthly_reports
    from reports.models import MonthlyReport
    from reports.models import Status as ReportStatus

    monkeypatch.setattr(pdf, "render_snapshot_pdf", lambda snapshot, *, language: b"%PDF-1.7 stand-in")
    year, month, day, hour, minute = moment
    with time_machine.travel(timezone.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI), tick=False):
        assert seed_monthly_reports(dealer=dealer) == 3
        assert seed_monthly_reports(dealer=dealer) == 0
    reports = MonthlyReport.objects.order_by("-month")
    assert [report.month for report in reports] == months
    assert {report.status for report in reports} == {ReportStatus.READY}


def test_the_complaint_rates_and_the_rework_rate_count_the_months_deliveries_and_repair_orders(
    client, group_executive, dealer, other_dealer
):
    from complaints.models import Department
    from tests.cac.factories import VehicleFactory
    from tests.callbacks.event_support import sale, visit

    car = VehicleFactory(customer=CustomerFactory(dealer=dealer))
    for day in (2, 10, 20, 31):
        sale(VehicleFactory(customer=car.customer), delivered_on=date(2026, 3, day))
    sale(VehicleFactory(customer=car.customer), delivered_on=date(2026, 4, 1))  # the next month's
    for day, is_rework in ((1, False), (5, True), (9, False), (15, False), (31, False)):
        visit(car, date_in=date(2026, 3, day), is_rework=is_rework)
    visit(car, date_in=date(2026, 2, 28), is_rework=True)  # the previous month's
    elsewhere = VehicleFactory(customer=CustomerFactory(dealer=other_dealer))
    visit(elsewhere, date_in=date(2026, 3, 3), is_rework=True)
    ComplaintFactory(customer=car.customer, department=Department.SALES, received_at=at(3, 4))
    for day in (6, 7):
        ComplaintFactory(customer=car.customer, department=Department.AFTER_SALES, received_at=at(3, day))

    board = dashboard_figures(user=group_executive, month=MARCH)
    [mine] = [scope for scope in board.dealers if scope.dealer == dealer]
    figures = mine.columns["month"]
    assert (figures["sales_complaint_rate"].value, figures["sales_complaint_rate"].of) == (25.0, 4)
    assert (figures["service_complaint_rate"].value, figures["service_complaint_rate"].of) == (40.0, 5)
    assert (figures["rework_rate_pct"].value, figures["rework_rate_pct"].count) == (20.0, 1)
    group = board.group.columns["month"]
    assert (group["rework_rate_pct"].count, group["rework_rate_pct"].of) == (2, 6)
    assert figures["sales_complaint_rate"].text == "25.0"
    client.force_login(group_executive)
    for name in ("sales_complaint_rate", "service_complaint_rate", "rework_rate_pct"):
        for scope in (mine, board.group):
            figure = scope.columns["month"][name]
            assert _list_count(client, figure.url) == figure.count, (name, figure.url)
