"""A step's confirm button pressed the moment its panel starts opening submits the step (issue: twice nothing
happened in a browser walk), and a refused step says so in a message."""

import pytest
from playwright.sync_api import expect

from cac import roles
from complaints.models import Complaint, Status
from tests.cac.factories import CustomerFactory
from tests.complaints.browser.test_complaint_flow import PASSWORD, _login, patient_expect  # noqa: F401
from tests.complaints.factories import open_complaint

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def manager(make_user, dealer):
    return make_user(roles.SERVICE_MANAGER, dealer, username="service-manager", first_name="强", last_name="刘")


@pytest.fixture
def complaint(dealer, agent, manager):
    customer = CustomerFactory(dealer=dealer, name="陈静", mobile="13800138000")
    return open_complaint(customer=customer, acting_user=agent, description="保养后发动机舱有异响")


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_confirm_pressed_while_the_panel_opens_submits_the_step(
    page, live_server, manager, complaint, artifacts, language
):
    _login(page, live_server, "service-manager", language)
    page.goto(f"{live_server.url}/complaints/{complaint.pk}/")
    page.wait_for_load_state()
    page.locator('#step-buttons [data-step="acknowledge"]').click()
    # At once, as a quick hand does: while the panel is still sliding open.
    page.locator("#confirm-acknowledge").click(force=True, no_wait_after=True)
    expect(page.locator("#complaint-status [data-status]")).to_have_attribute("data-status", "acknowledged")
    page.screenshot(path=artifacts / f"complaint-step-quick-{language}.png", full_page=True)
    assert Complaint.objects.get(pk=complaint.pk).status == Status.ACKNOWLEDGED
