"""One submit, one record, in a real browser: a double click on a create form's button sends it once."""

import re

import pytest
from playwright.sync_api import expect

from cac.models import CallLog, Customer
from tests.browser.test_call_desk import _login
from tests.cac.factories import CustomerFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_double_click_logs_one_call_on_the_360_and_saves_one_customer(page, live_server, agent, artifacts):
    customer = CustomerFactory(dealer=agent.dealers.get(), name="陈静", mobile="13800138000")
    _login(page, live_server, "en")

    page.goto(f"{live_server.url}/customers/{customer.pk}/")
    page.get_by_label("What was said").fill("咨询首保时间")
    page.locator("#log-call").dblclick()
    expect(page.locator("#call-history")).to_contain_text("咨询首保时间")
    # The answer brings a fresh form whose button works again.
    expect(page.locator("#log-call")).to_be_enabled()
    page.screenshot(path=artifacts / "submit-once-360.png", full_page=True)
    assert CallLog.objects.filter(customer=customer).count() == 1
    assert page.locator("#call-history").get_by_text("咨询首保时间").count() == 1

    page.goto(f"{live_server.url}/customers/new/")
    page.locator("main").get_by_label("Name").fill("周晓梅")
    page.get_by_label("Mobile phone").fill("13912345678")
    page.get_by_role("button", name="Save").dblclick()
    expect(page).to_have_url(re.compile(r"/customers/\d+/$"))
    assert Customer.objects.filter(name="周晓梅").count() == 1
