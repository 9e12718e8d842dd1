"""The executive's dashboard in a real browser, in both languages, on a 1366x768 laptop: the figures, the dealers
ranked against their targets, and the trend drawn by ECharts from the page's JSON without breaking the CSP."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cac import roles
from callbacks.models import Callback
from complaints.models import Channel, Status
from reports.models import DealerTarget
from tests.cac.factories import CustomerFactory
from tests.complaints.factories import ComplaintFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-for-tests-only"
LABELS = {"en": ("Username", "Password", "Log in"), "zh-hans": ("用户名", "密码", "登录")}


def _login(page, live_server, username: str, language: str) -> None:
    user_label, password_label, button = LABELS[language]
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label(user_label).fill(username)
    page.get_by_label(password_label).fill(PASSWORD)
    page.get_by_role("button", name=button).click()


def _history(dealer, other_dealer):
    """A year of complaints at two dealers and some follow-up calls this month."""
    now = timezone.now()
    for d, per_month in ((dealer, 3), (other_dealer, 1)):
        for back in range(12):
            for i in range(per_month + back % 3):
                received = now - timedelta(days=30 * back, hours=i + 1)
                ComplaintFactory(
                    customer=CustomerFactory(dealer=d),
                    channel=Channel.OEM_HOTLINE if i == 0 else Channel.DEALER_HOTLINE,
                    status=Status.ACKNOWLEDGED,
                    received_at=received,
                    acknowledge_due_at=received + timedelta(hours=4),
                    acknowledged_at=received + timedelta(hours=1 if i % 2 == 0 else 6),
                    resolve_due_at=received + timedelta(days=3),
                    oem_status_reported_at=received + timedelta(hours=1) if i == 0 else None,
                )
        Callback.objects.create(
            dealer=d,
            customer=CustomerFactory(dealer=d),
            kind="after_sale",
            due_at=now,
            status="completed",
            completed_at=now - timedelta(minutes=5),
            satisfaction=5 if d == dealer else 3,
        )
    DealerTarget.objects.create(dealer=other_dealer, acknowledged_on_time_pct=50)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_executive_sees_the_group_and_its_dealers(
    page, live_server, make_user, dealer, other_dealer, artifacts, language
):
    make_user(roles.EXECUTIVE, dealer, other_dealer, username="executive")
    _history(dealer, other_dealer)
    page.set_viewport_size({"width": 1366, "height": 768})
    _login(page, live_server, "executive", language)
    page.goto(f"{live_server.url}/reports/dashboard/")
    expect(page.locator("#dashboard-group")).to_be_visible()
    expect(page.locator("#dashboard-dealers tbody tr")).to_have_count(2)
    expect(page.locator("#dashboard-trend svg")).to_be_visible()  # drawn by the static script, not inline
    expect(page.locator("#figure-received")).to_contain_text(
        "受理投诉数" if language == "zh-hans" else "Complaints received"
    )
    page.screenshot(path=artifacts / f"dashboard-{language}.png")
    page.screenshot(path=artifacts / f"dashboard-{language}-full.png", full_page=True)
    page.emulate_media(media="print")
    page.screenshot(path=artifacts / f"dashboard-{language}-print.png", full_page=True)
    page.emulate_media(media="screen")
    page.locator("#figure-received a").first.click()
    expect(page.locator("h1")).to_contain_text("投诉" if language == "zh-hans" else "Complaints")
