"""The homes in a real browser, in both languages: a service manager logs in on their department's queue health and
follows a figure to its list; an agent logs in on the call desk with their day and does the same."""

import re
from datetime import datetime

import pytest
import time_machine
from playwright.sync_api import expect

from cac import roles
from tests.cac.root.home_world import SHANGHAI, Staff, build

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXT = {
    "zh-hans": {"username": "用户名", "password": "密码", "login": "登录", "health": "队列状况", "day": "我的今天"},
    "en": {
        "username": "Username",
        "password": "Password",
        "login": "Log in",
        "health": "Queue health",
        "day": "My day",
    },
}


@pytest.fixture
def staff(make_user, dealer):
    return Staff(
        agent=make_user(roles.AGENT, dealer, username="agent", first_name="芳", last_name="王"),
        agent_2=make_user(roles.AGENT, dealer, username="agent-2", first_name="丽", last_name="赵"),
        service_manager=make_user(roles.SERVICE_MANAGER, dealer, username="service", first_name="强", last_name="刘"),
        sales_manager=make_user(roles.SALES_MANAGER, dealer, username="sales", first_name="军", last_name="陈"),
    )


def _login(page, live_server, language: str, username: str) -> None:
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label(TEXT[language]["username"]).fill(username)
    page.get_by_label(TEXT[language]["password"]).fill("pw-for-tests-only")
    page.get_by_role("button", name=TEXT[language]["login"]).click()


def _figure(page, selector: str) -> int:
    return int(page.locator(selector).locator(".figure-value").first.inner_text().strip())


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_service_manager_lands_on_the_queue_health(page, live_server, staff, dealer, artifacts, language):
    build(dealer=dealer, staff=staff, size=2)
    _login(page, live_server, language, "service")
    expect(page.locator("h1")).to_contain_text(TEXT[language]["health"])
    expect(page.locator("#home-workload")).to_be_visible()
    page.screenshot(path=artifacts / f"home-manager-{language}.png", full_page=True)

    breached = _figure(page, "#figure-deadline-breached")
    assert breached == 2
    page.locator("#figure-deadline-breached").click()
    expect(page).to_have_url(re.compile(r"/complaints/\?.*deadline=breached"))
    expect(page.locator("h1 .text-muted")).to_contain_text(str(breached))
    assert page.locator("#complaint-filter select[name=deadline]").input_value() == "breached"


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_an_agent_lands_on_the_call_desk_with_their_day(page, live_server, staff, dealer, artifacts, language):
    # A Monday morning in the first call slot, so that the slot's figures show (the server's clock; the pages do
    # not read the browser's).
    with time_machine.travel(datetime(2027, 3, 8, 10, 0, tzinfo=SHANGHAI), tick=True):
        build(dealer=dealer, staff=staff, size=2)
        _login(page, live_server, language, "agent")
        expect(page.locator("#phone-box")).to_be_visible()
        expect(page.locator("#my-day")).to_contain_text(TEXT[language]["day"])
        page.screenshot(path=artifacts / f"home-agent-{language}.png", full_page=True)

        assert _figure(page, "#day-follow-ups-left-in-slot") == 4
        mine = _figure(page, "#day-my-open-complaints")
        assert mine == 4
        page.locator("#day-my-open-complaints").click()
        expect(page).to_have_url(re.compile(r"/complaints/mine/"))
        expect(page.locator("h1 .text-muted")).to_contain_text(str(mine))
