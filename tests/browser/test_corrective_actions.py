"""The corrective and preventive actions of a month's analysis in a real browser, in both languages: a service
manager plans one for two complaints, then closes it with its outcome."""

import pytest
from playwright.sync_api import expect

from cac import roles
from reports.models import ActionStatus, CorrectiveAction
from tests.cac.factories import CustomerFactory
from tests.complaints.factories import ComplaintFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXT = {
    "zh-hans": {
        "username": "用户名",
        "password": "密码",
        "login": "登录",
        "action": "措施",
        "responsible": "责任人",
        "due": "到期日",
        "complaints": "针对的投诉",
        "plan": "制定措施",
        "done": "已完成",
        "outcome": "措施效果，或取消原因",
    },
    "en": {
        "username": "Username",
        "password": "Password",
        "login": "Log in",
        "action": "Action",
        "responsible": "Responsible",
        "due": "Due on",
        "complaints": "Complaints it answers",
        "plan": "Plan the action",
        "done": "Done",
        "outcome": "What it achieved, or why it is dropped",
    },
}


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_manager_plans_an_action_for_two_complaints_and_closes_it(
    page, live_server, make_user, dealer, artifacts, language
):
    t = TEXT[language]
    make_user(roles.SERVICE_MANAGER, dealer, username="service-manager", first_name="强", last_name="刘")
    customer = CustomerFactory(dealer=dealer, name="周晓梅")
    first = ComplaintFactory(customer=customer, number="TS-202611-0007")
    second = ComplaintFactory(customer=customer, number="TS-202611-0019")
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label(t["username"]).fill("service-manager")
    page.get_by_label(t["password"]).fill("pw-for-tests-only")
    page.get_by_role("button", name=t["login"]).click()
    expect(page.locator("#nav-search")).to_be_visible()

    page.goto(f"{live_server.url}/reports/")
    page.locator("#nav-actions").click()
    page.goto(f"{live_server.url}/reports/actions/?month=2026-11")
    form = page.locator("#action-form")
    form.get_by_label(t["action"]).fill("对服务顾问进行结算单解释培训")
    form.get_by_label(t["responsible"]).select_option(label="刘强")
    form.get_by_label(t["due"]).fill("2026-12-20")
    form.get_by_label(t["complaints"]).fill(f"{first.number}, {second.number}")
    form.get_by_role("button", name=t["plan"]).click()
    row = page.locator("#actions .action-row").first
    expect(row).to_contain_text("对服务顾问进行结算单解释培训")
    expect(row).to_contain_text(first.number)
    expect(row).to_contain_text(second.number)
    page.screenshot(path=artifacts / f"actions-planned-{language}.png", full_page=True)

    row.get_by_placeholder(t["outcome"]).fill("12 名服务顾问已完成培训")
    row.get_by_role("button", name=t["done"]).click()
    expect(page.locator("#actions .action-row").first.locator(".action-status")).to_contain_text(t["done"])
    page.screenshot(path=artifacts / f"actions-closed-{language}.png", full_page=True)
    action = CorrectiveAction.objects.get()
    assert action.status == ActionStatus.DONE and set(action.complaints.all()) == {first, second}
