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


LABELS = {
    "en": {
        "username": "Username",
        "password": "Password",
        "login": "Log in",
        "new": "New",
        "following": "Following",
        "appointment": "Appointment",
        "won": "Won",
    },
    "zh-hans": {
        "username": "用户名",
        "password": "密码",
        "login": "登录",
        "new": "新建",
        "following": "跟进中",
        "appointment": "预约",
        "won": "成交",
    },
}


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_capture_appointment_won(page, live_server, agent, artifacts, time_machine, language):
    t = LABELS[language]
    # Inside the morning call slot, whatever time the test runs.
    now = datetime.now(SHANGHAI).replace(hour=10, minute=0) + timedelta(days=1)
    time_machine.move_to(now, tick=True)
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label(t["username"]).fill("agent")
    page.get_by_label(t["password"]).fill("pw-for-tests-only")
    page.get_by_role("button", name=t["login"]).click()

    page.goto(f"{live_server.url}/prospects/new/?phone=136%200013%206009")
    page.locator("#id_name").fill("周全")
    page.locator("#id_model_of_interest").fill("凯美瑞")
    page.locator("#id_grade").select_option("H")
    page.locator("#capture-prospect").click()
    expect(page.locator("#prospect-status")).to_have_text(t["new"])

    page.locator("#attempt-form select[name=result]").select_option("reached")
    page.locator("#attempt-form button[type=submit]").click()
    expect(page.locator("#prospect-status")).to_have_text(t["following"])

    page.locator("#step-book_appointment select[name=book_appointment-kind]").select_option("test_drive")
    page.locator("#step-book_appointment input[name=book_appointment-at]").fill(
        (now + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    )
    page.locator("#step-book_appointment button[type=submit]").click()
    expect(page.locator("#prospect-status")).to_have_text(t["appointment"])

    page.locator("#step-win input[name=win-vin]").fill(make_vin(4242))
    page.locator("#step-win button[type=submit]").click()
    expect(page.locator("#prospect-status")).to_have_text(t["won"])
    expect(page.locator("#converted-customer")).to_have_text("周全")
    page.screenshot(path=artifacts / f"prospect-won-{language}.png", full_page=True)

    prospect = Prospect.objects.get()
    assert prospect.status == Status.WON
    assert Customer.objects.get().mobile == "13600136009"
    assert Vehicle.objects.get().model == "凯美瑞"
