"""The follow-up on-time rate of a month is one figure: the statistics page, the monthly report and its PDF count
the same calls as made on time (callbacks.models.made_on_time_q), a declined call made by its deadline included."""

from datetime import date

import pytest

from callbacks.models import Callback, Kind
from callbacks.models import Status as CallbackStatus
from reports.pdf import render_report_pdf
from reports.selectors import complaint_figures
from tests.cac.factories import CustomerFactory
from tests.reports.fixtures import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def follow_ups(dealer, other_dealer):
    customer = CustomerFactory(dealer=dealer)

    def call(status, due, completed=None, satisfaction=None, kind=Kind.AFTER_SALE):
        Callback.objects.create(
            dealer=dealer,
            customer=customer,
            kind=kind,
            due_at=due,
            status=status,
            completed_at=completed,
            satisfaction=satisfaction,
        )

    call(CallbackStatus.COMPLETED, at(3, 6), at(3, 5), 5)  # on time
    call(CallbackStatus.DECLINED, at(3, 9), at(3, 8))  # made, on time: the customer answered and declined
    call(CallbackStatus.COMPLETED, at(3, 12), at(3, 14), 4, kind=Kind.AFTER_SERVICE)  # late
    call(CallbackStatus.UNREACHABLE, at(3, 20), at(3, 21))
    call(CallbackStatus.DUE, at(3, 31, 17))
    call(CallbackStatus.CANCELLED, at(3, 15), at(3, 15, 12))  # left out everywhere
    call(CallbackStatus.COMPLETED, at(4, 1, 1), at(3, 31, 10), 5)  # due in April (Shanghai), not March
    Callback.objects.create(
        dealer=other_dealer,
        customer=CustomerFactory(dealer=other_dealer),
        kind=Kind.AFTER_SALE,
        due_at=at(3, 6),
        status=CallbackStatus.COMPLETED,
        completed_at=at(3, 5),
    )


def test_the_on_time_rate_of_a_month_is_the_same_on_the_page_in_the_report_and_in_its_pdf(
    client, dealer, make_user, follow_ups, tmp_path, pdf_text
):
    client.force_login(make_user("service_manager", dealer))
    page = client.get("/callbacks/stats/", {"date_from": "2026-03-01", "date_to": "2026-03-31"})
    assert page.status_code == 200
    stats = page.context["stats"].total
    assert (stats.total, stats.on_time) == (5, 2)

    report = complaint_figures(dealer_ids=[dealer.pk], month=date(2026, 3, 1)).follow_up_total
    assert (report.due, report.made, report.on_time) == (5, 3, 2)
    assert report.on_time / report.due == stats.on_time_rate

    path = tmp_path / "march.pdf"
    path.write_bytes(render_report_pdf(dealer_ids=[dealer.pk], month=date(2026, 3, 1), language="en"))
    total_rows = [line.split() for line in pdf_text(path).splitlines() if line.strip().startswith("Total")]
    assert any(row[1:4] == ["5", "3", "2"] for row in total_rows), total_rows
