"""The call desk in a real browser: log in, look a number up, create the caller inline, log calls."""

import re

import pytest
from playwright.sync_api import expect

from cac.models import CallLog, Customer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

UNKNOWN = "+86 139-1234-5678"
NORMALIZED = "13912345678"

TEXT = {
    "zh-hans": {
        "username": "用户名",
        "password": "密码",
        "login": "登录",
        "no_match": "没有匹配",
        "new_caller": "记录这个新号码的来电",
        "customer_name": "客户姓名",
        "summary": "通话内容",
        "log_call": "记录来电",
    },
    "en": {
        "username": "Username",
        "password": "Password",
        "login": "Log in",
        "no_match": "No customer matches",
        "new_caller": "Log a call from this new number",
        "customer_name": "Customer name",
        "summary": "What was said",
        "log_call": "Log call",
    },
}


def _login(page, live_server, language: str) -> None:
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label(TEXT[language]["username"]).fill("agent")
    page.get_by_label(TEXT[language]["password"]).fill("pw-for-tests-only")
    page.get_by_role("button", name=TEXT[language]["login"]).click()
    expect(page.locator("#phone-box")).to_be_visible()


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_agent_looks_up_creates_caller_and_logs_calls(page, live_server, agent, artifacts, language):
    t = TEXT[language]
    _login(page, live_server, language)

    # As-you-type lookup: an unknown number offers the new-caller flow.
    page.locator("#phone-box").press_sequentially(UNKNOWN, delay=20)
    expect(page.locator("#lookup-results")).to_contain_text(t["no_match"])
    expect(page.get_by_role("link", name=t["new_caller"])).to_be_visible()
    page.screenshot(path=artifacts / f"desk-lookup-{language}.png", full_page=True)

    # Enter opens the new-caller form with the number normalised.
    page.locator("#phone-box").press("Enter")
    expect(page).to_have_url(re.compile(r"/calls/new/\?phone=" + NORMALIZED))
    page.get_by_label(t["customer_name"]).fill("周晓梅")
    page.get_by_label(t["summary"]).fill("询问首保时间，已告知 5000 公里或 6 个月")
    page.screenshot(path=artifacts / f"new-caller-{language}.png", full_page=True)
    page.get_by_role("button", name=t["log_call"]).click()

    # The customer 360 of the caller, with the call at the top of the history.
    expect(page.locator("#customer-name")).to_have_text("周晓梅")
    expect(page.locator("#call-history .call-item").first).to_contain_text("询问首保时间")
    customer = Customer.objects.get(mobile=NORMALIZED)
    assert customer.owner == agent

    # A second call logged on the 360 appears at the top without a page reload.
    marker = page.evaluate("() => { window.__noReload = true; return window.__noReload; }")
    assert marker is True
    page.get_by_label(t["summary"]).fill("客户回电确认周六上午到店保养")
    page.locator("#log-call").click()
    expect(page.locator("#call-history .call-item").first).to_contain_text("周六上午到店保养")
    assert page.evaluate("() => window.__noReload") is True
    assert CallLog.objects.filter(customer=customer).count() == 2
    page.screenshot(path=artifacts / f"customer-360-{language}.png", full_page=True)

    # Looking the number up again, in another spelling, finds the new customer.
    page.goto(f"{live_server.url}/")
    page.locator("#phone-box").press_sequentially("139 1234 5678", delay=20)
    expect(page.locator("#lookup-results")).to_contain_text("周晓梅")
