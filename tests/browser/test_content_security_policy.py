"""The Content-Security-Policy in a real browser: the watch of tests/conftest.py sees a violation, and the pages the
app's own browser tests do not open (the admin with its widgets, the report preview with its charts) run without
one. Every other browser test is watched the same way by its `page` fixture."""

from datetime import date

import pytest
from playwright.sync_api import expect

from reports.models import MonthlyReport, Status
from reports.snapshot import report_snapshot
from tests.cac.factories import UserFactory
from tests.cac.security.test_two_factor import totp
from tests.reports.fixtures import build_month

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "pw-for-tests-only"


def _login(page, live_server, username: str) -> None:
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


def test_an_inline_script_is_blocked_and_seen(page, live_server, csp_violations, agent):
    _login(page, live_server, "agent")
    page.evaluate(
        "() => { const s = document.createElement('script'); s.textContent = 'window.ran = 1';"
        " document.body.append(s); }"
    )
    expect(page.locator("body")).to_be_visible()
    page.wait_for_function("() => true")
    assert page.evaluate("() => window.ran") is None  # the policy blocked it
    assert any("script-src" in violation for violation in csp_violations), csp_violations
    csp_violations.clear()  # seen on purpose: the test does not fail at teardown


def test_the_admin_runs_without_a_violation(page, live_server, dealer, other_dealer, agent, artifacts):
    UserFactory(username="root", is_staff=True, is_superuser=True)
    _login(page, live_server, "root")
    page.goto(f"{live_server.url}/admin/")
    # The administration asks for the second factor: the enrolment page, then the code of the new device.
    expect(page.locator("#totp-qr svg")).to_be_visible()
    page.get_by_label("Code from your authenticator app").fill(totp(page.locator("#totp-secret").inner_text()))
    page.get_by_role("button", name="Confirm and continue").click()
    expect(page).to_have_url(f"{live_server.url}/admin/")
    expect(page.locator("#content")).to_be_visible()
    # The user form: two filter_horizontal widgets (SelectFilter2) and the date-time shortcuts.
    page.goto(f"{live_server.url}/admin/cac/user/{agent.pk}/change/")
    expect(page.locator("#id_dealers_from")).to_be_visible()
    page.locator("#id_dealers_from option").first.dblclick()
    page.screenshot(path=artifacts / "csp-admin-user.png", full_page=True)
    page.goto(f"{live_server.url}/admin/cac/user/{agent.pk}/history/")
    expect(page.locator("#content")).to_be_visible()
    page.goto(f"{live_server.url}/admin/cac/calllog/?dealer__id__exact={dealer.pk}")
    expect(page.locator("#changelist")).to_be_visible()
    # The dealer form: time shortcuts, and the inline rows of holidays added by the admin's script.
    page.goto(f"{live_server.url}/admin/cac/dealer/add/")
    expect(page.locator("#dealer_form")).to_be_visible()
    page.locator(".datetimeshortcuts a").first.click()  # "Now"
    page.locator(".add-row a").first.click()
    expect(page.locator(".dynamic-holidays, .dynamic-dealerholiday_set").first).to_be_visible()
    page.screenshot(path=artifacts / "csp-admin-dealer-add.png", full_page=True)


def test_the_report_preview_runs_without_a_violation(page, live_server, dealer, other_dealer, make_user, artifacts):
    handler = make_user("agent", dealer, username="handler")
    build_month(dealer=dealer, other_dealer=other_dealer, handler=handler)
    make_user("director", dealer, username="director")
    report = MonthlyReport.objects.create(
        month=date(2026, 3, 1),
        language="en",
        status=Status.READY,
        snapshot=report_snapshot(dealer_ids=[dealer.pk], month=date(2026, 3, 1)),
    )
    report.dealers.add(dealer)
    queued = MonthlyReport.objects.create(month=date(2026, 2, 1), language="en")
    queued.dealers.add(dealer)
    _login(page, live_server, "director")
    page.goto(f"{live_server.url}/reports/")
    expect(page.locator(f"#report-{report.pk}")).to_be_visible()
    page.goto(f"{live_server.url}/reports/{report.pk}/")
    expect(page.locator("#report-preview svg.chart").first).to_be_visible()
    page.screenshot(path=artifacts / "csp-report-preview.png", full_page=True)
    page.goto(f"{live_server.url}/reports/{queued.pk}/")  # polls with htmx every 2 s
    expect(page.locator("#report-state")).to_be_visible()
    page.wait_for_timeout(2500)
