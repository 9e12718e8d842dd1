"""The phone rings: the simulator posts the call to the running server, the banner pops on the agent's open call
desk within a second, one click opens the customer 360 with the call form filled, and the agent completes it."""

import threading
import time

import pytest
from django.core.management import call_command
from django.db import connection
from playwright.sync_api import expect

from cac.cti.lines import cti_line_create
from cac.models import CallLog, CtiCall
from tests.cac.factories import CustomerFactory, VehicleFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
CALLER = "13800138000"


def test_the_simulator_rings_the_agent_and_the_call_is_completed_on_the_360(
    page, live_server, agent, dealer, artifacts, settings
):
    settings.CTI_STREAM_SECONDS = 1.5  # the page reconnects several times during the test, as it does every 25 s
    agent.extension = "801"
    agent.save(update_fields=["extension"])
    customer = CustomerFactory(dealer=dealer, mobile=CALLER, name="陈静")
    VehicleFactory(customer=customer, model="Model Y", plate="粤A12345")
    _line, token = cti_line_create(dealer=dealer, number="02088880000")

    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("agent")
    page.get_by_label("Password").fill("pw-for-tests-only")
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#phone-box")).to_be_visible()
    expect(page.locator("#screen-pop[data-listening]")).to_have_count(1)  # the page's stream has answered

    def simulate():
        try:
            call_command(
                "cti_simulate",
                *["--line", "02088880000", "--from", CALLER, "--agent", "agent", "--token", token],
                *["--url", live_server.url, "--ring", "3", "--talk", "2"],
            )
        finally:
            connection.close()

    simulator = threading.Thread(target=simulate)
    simulator.start()
    deadline = time.monotonic() + 5
    while not CtiCall.objects.exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    rang = time.monotonic()
    banner = page.locator(".screen-pop-call")
    expect(banner).to_be_visible(timeout=1000)
    assert time.monotonic() - rang < 1.0
    expect(banner).to_contain_text("陈静")
    expect(banner).to_contain_text("粤A12345")
    expect(banner).to_contain_text("138 0013 8000")
    page.screenshot(path=artifacts / "screen-pop-desk.png", full_page=True)

    banner.get_by_role("link", name="Open the customer").click()
    expect(page.locator("#customer-name")).to_have_text("陈静")
    expect(page.locator("#id_direction")).to_have_value("in")
    page.get_by_label("What was said").fill("询问首保时间，已告知 5000 公里或 6 个月")
    simulator.join()  # answered and hung up meanwhile
    page.locator("#log-call").click()
    expect(page.locator("#call-history .call-item").first).to_contain_text("询问首保时间")
    page.screenshot(path=artifacts / "screen-pop-360.png", full_page=True)

    call = CallLog.objects.get()
    cti = CtiCall.objects.get()
    assert call.external_id == cti.call_id and call.customer == customer and call.handled_by == agent
    assert cti.answered_by == agent and call.duration_seconds == cti.duration_seconds >= 1
    assert abs((call.started_at - cti.started_at).total_seconds()) < 60
    page.goto("about:blank")
    time.sleep(settings.CTI_STREAM_SECONDS + 0.5)  # the last stream ends and gives its database connection back
