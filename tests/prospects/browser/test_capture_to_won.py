"""A prospect in a real browser: captured from a number, called, booked for a test drive, won."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from cac.models import Customer, Vehicle
from prospects.models import Prospect, Status
from tests.cac.factories import make_vin

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_capture_appointment_won(page, live_server, agent, artifacts, time_machine):
    # Inside the morning call slot, whatever time the test runs.
    now = datetime.now(SHANGHAI).replace(hour=10, minute=0) + timedelta(days=1)
    time_machine.move_to(now, tick=True)
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("agent")
    page.get_by_label("Password").fill("pw-for-tests-only")
    page.get_by_role("button", name="Log in").click()

    page.goto(f"{live_server.url}/prospects/new/?phone=136%200013%206009")
    page.locator("#id_name").fill("周全")
    page.locator("#id_model_of_interest").fill("凯美瑞")
    page.locator("#id_grade").select_option("H")
    page.locator("#capture-prospect").click()
    expect(page.locator("#prospect-status")).to_have_text("New")

    page.locator("#attempt-form select[name=result]").select_option("reached")
    page.locator("#attempt-form button[type=submit]").click()
    expect(page.locator("#prospect-status")).to_have_text("Following")

    page.locator("#step-book_appointment select[name=book_appointment-kind]").select_option("test_drive")
    page.locator("#step-book_appointment input[name=book_appointment-at]").fill(
        (now + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    )
    page.locator("#step-book_appointment button[type=submit]").click()
    expect(page.locator("#prospect-status")).to_have_text("Appointment")

    page.locator("#step-win input[name=win-vin]").fill(make_vin(4242))
    page.locator("#step-win button[type=submit]").click()
    expect(page.locator("#prospect-status")).to_have_text("Won")
    expect(page.locator("#converted-customer")).to_have_text("周全")
    page.screenshot(path=artifacts / "prospect-won-en.png", full_page=True)

    prospect = Prospect.objects.get()
    assert prospect.status == Status.WON
    assert Customer.objects.get().mobile == "13600136009"
    assert Vehicle.objects.get().model == "凯美瑞"
