from datetime import date

import pytest

from reports.selectors import complaint_figures, percentile
from tests.reports.fixtures import build_month

pytestmark = pytest.mark.django_db


@pytest.fixture
def month(dealer, other_dealer, make_user):
    handler = make_user("agent", dealer, username="handler", first_name="芳", last_name="王")
    return build_month(dealer=dealer, other_dealer=other_dealer, handler=handler)


def test_summary_of_a_hand_computed_month(dealer, month):
    figures = complaint_figures(dealer_ids=[dealer.pk], month=date(2026, 3, 17))
    s = figures.summary
    assert s.month == date(2026, 3, 1)
    assert s.received == 4  # c1 c2 c3 c4; not the other dealer's
    assert s.closed == 1  # c1 (c4 was cancelled)
    assert (s.closed_satisfied, s.closed_unreachable, s.closed_accepted) == (1, 0, 0)  # c1, by its follow-up call
    assert s.open_at_end == 2  # c3, and c6 from January
    assert s.acknowledged_on_time_pct == 33.3  # c1 of c1 c2 c3 (cancelled c4 left out)
    assert s.resolved == 2
    assert s.resolved_on_time_pct == 50.0  # c1 yes, c2 late
    assert s.median_hours_to_resolve == 84.0  # 24 h and 144 h
    assert s.p90_hours_to_resolve == 132.0  # 24 + 0.9 × 120
    assert s.follow_up_satisfaction_pct == 50.0  # scores 5 and 2
    assert s.reopen_rate_pct == 100.0  # the one closed complaint had been reopened
    assert s.repeat_complainants == 2  # 张伟 (c1, c2), 李娜 (c5 in February, c3 c4 in March)
    assert s.escalations == 2
    assert s.emergencies == 1
    assert [(level, count) for level, _label, count in figures.escalations_by_level] == [(1, 1), (2, 1)]


def test_comparison_months(dealer, month):
    figures = complaint_figures(dealer_ids=[dealer.pk], month=date(2026, 3, 1))
    assert figures.previous.received == 1
    assert figures.previous.has_data
    assert not figures.last_year.has_data


def test_breakdowns(dealer, month):
    b = complaint_figures(dealer_ids=[dealer.pk], month=date(2026, 3, 1)).breakdowns
    assert [(r.key, r.received, r.closed) for r in b["category"]] == [
        ("repair_quality", 2, 1),
        ("other", 1, 0),
        ("service_attitude", 1, 0),
    ]
    assert b["category"][0].acknowledged_on_time_pct == 50.0
    assert {r.label: r.received for r in b["model"]} == {"凯美瑞": 1, "雷凌": 1, "—": 2}
    assert {r.label: r.received for r in b["handler"]} == {"王芳": 2, "—": 2}
    assert {r.label: r.received for r in b["staff"]} == {"—": 4}  # nobody named
    assert {r.key: r.received for r in b["severity"]} == {"normal": 2, "major": 1, "emergency": 1}
    assert {r.key: r.received for r in b["department"]} == {"after_sales": 3, "sales": 1}
    assert {r.key: r.received for r in b["channel"]} == {
        "dealer_hotline": 1,
        "oem_hotline": 1,
        "walk_in": 1,
        "email": 1,
    }


def test_trend_key_vehicles_root_causes_majors(dealer, month):
    figures = complaint_figures(dealer_ids=[dealer.pk], month=date(2026, 3, 1))
    assert len(figures.trend) == 12
    assert figures.trend[0].month == date(2025, 4, 1)
    assert [(p.month.month, p.received) for p in figures.trend if p.received] == [(1, 1), (2, 1), (3, 4)]
    assert figures.trend[-1].acknowledged_on_time_pct == 33.3
    assert figures.trend[-1].resolved_on_time_pct == 50.0
    assert figures.trend[-2].resolved_on_time_pct == 100.0
    assert figures.trend[0].acknowledged_on_time_pct is None
    assert [(v["vehicle__model"], v["complaint_count"]) for v in figures.key_vehicles] == [("凯美瑞", 1)]
    assert figures.root_causes == [
        {"root_cause_class": "people", "root_cause": "技师漏检", "count": 2, "prevention_measure": "上岗前复训"}
    ]
    assert [(c["number"], c["severity"]) for c in figures.major_complaints] == [
        (month["c2"].number, "major"),
        (month["c3"].number, "emergency"),
    ]


def test_follow_up_calls(dealer, month):
    figures = complaint_figures(dealer_ids=[dealer.pk], month=date(2026, 3, 1))
    rows = {r.kind: r for r in figures.follow_ups}
    complaint, sale = rows["after_complaint"], rows["after_sale"]
    assert (complaint.due, complaint.made, complaint.on_time, complaint.unreachable) == (2, 2, 2, 0)
    assert complaint.average_satisfaction == 3.5
    assert complaint.satisfied_pct == 50.0
    assert (sale.due, sale.made, sale.on_time, sale.unreachable) == (2, 1, 0, 1)  # the cancelled call left out
    assert sale.unreachable_rate_pct == 50.0
    total = figures.follow_up_total
    assert (total.due, total.made, total.on_time, total.unreachable) == (4, 3, 2, 1)
    assert total.unreachable_rate_pct == 25.0
    assert total.average_satisfaction == 3.67
    assert total.satisfied_pct == 66.7


def test_a_month_with_a_single_complaint(dealer, month):
    s = complaint_figures(dealer_ids=[dealer.pk], month=date(2026, 2, 1)).summary
    assert (s.received, s.closed, s.resolved, s.open_at_end) == (1, 1, 1, 1)  # c6 from January still open
    # c5 was closed by a manager, the customer unreachable: counted apart from the satisfied closes.
    assert (s.closed_satisfied, s.closed_unreachable, s.closed_accepted) == (0, 1, 0)
    assert s.acknowledged_on_time_pct == 100.0
    assert s.resolved_on_time_pct == 100.0
    assert s.median_hours_to_resolve == s.p90_hours_to_resolve == 24.0
    assert s.reopen_rate_pct == 0.0
    assert s.repeat_complainants == 0


def test_an_empty_month(dealer, month):
    figures = complaint_figures(dealer_ids=[dealer.pk], month=date(2025, 6, 1))
    s = figures.summary
    assert (s.received, s.closed, s.resolved, s.open_at_end, s.escalations, s.emergencies) == (0, 0, 0, 0, 0, 0)
    assert s.acknowledged_on_time_pct is s.resolved_on_time_pct is s.median_hours_to_resolve is None
    assert s.follow_up_satisfaction_pct is s.reopen_rate_pct is None
    assert all(rows == [] for rows in figures.breakdowns.values())
    assert figures.follow_ups == [] and figures.follow_up_total is None
    assert figures.key_vehicles == figures.root_causes == figures.major_complaints == []


def test_other_dealers_figures_are_not_mixed_in(other_dealer, month):
    s = complaint_figures(dealer_ids=[other_dealer.pk], month=date(2026, 3, 1)).summary
    assert s.received == 1


def test_one_query_per_table(dealer, month, django_assert_max_num_queries):
    # 3 periods × summary (complaints, durations on SQLite, follow-ups, repeaters, escalations) + 7 breakdowns
    # + trend + escalations by level + key vehicles + root causes + majors + follow-ups + the dealers' time zone
    with django_assert_max_num_queries(3 * 5 + 7 + 6 + 1):
        complaint_figures(dealer_ids=[dealer.pk], month=date(2026, 3, 1))


def test_percentile_interpolates_like_percentile_cont():
    assert percentile([], 0.5) is None
    assert percentile([10.0], 0.9) == 10.0
    assert percentile([1.0, 2.0, 3.0, 4.0], 0.5) == 2.5
    assert percentile([0.0, 100.0], 0.9) == 90.0


def test_months_are_the_dealers_own_not_the_servers(dealer, make_user):
    """A dealer abroad (UTC+7): 23:30 on 31 March there is already 1 April in Shanghai, the server's zone."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from complaints.models import Category, Channel, Complaint
    from complaints.services import complaint_create
    from tests.cac.factories import CustomerFactory

    dealer.time_zone = "Asia/Bangkok"
    dealer.save(update_fields=["time_zone"])
    agent = make_user("agent", dealer, username="bkk-agent")
    complaint = complaint_create(
        customer=CustomerFactory(dealer=dealer),
        acting_user=agent,
        channel=Channel.DEALER_HOTLINE,
        category=Category.SERVICE_ATTITUDE,
        description="接待态度冷淡",
        demand="道歉",
    )
    Complaint.objects.filter(pk=complaint.pk).update(
        received_at=datetime(2026, 3, 31, 23, 30, tzinfo=ZoneInfo("Asia/Bangkok"))
    )
    assert complaint_figures(dealer_ids=[dealer.pk], month=date(2026, 3, 1)).summary.received == 1
    assert complaint_figures(dealer_ids=[dealer.pk], month=date(2026, 4, 1)).summary.received == 0


def test_complaints_are_counted_by_the_staff_member_complained_about(dealer, month, make_user):
    from complaints.models import Complaint

    salesperson = make_user("agent", dealer, username="sales-chen", first_name="丽", last_name="陈")
    Complaint.objects.filter(pk__in=[month["c1"].pk, month["c2"].pk]).update(staff_involved=salesperson)
    staff = complaint_figures(dealer_ids=[dealer.pk], month=date(2026, 3, 1)).breakdowns["staff"]
    assert {r.label: r.received for r in staff} == {"陈丽": 2, "—": 2}
