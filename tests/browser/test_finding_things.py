"""Finding things in a real browser: the search box of the navigation bar, the triage board keeping a complaint
acknowledged and assigned at once, and an unknown caller kept and captured as a prospect in two clicks."""

import re

import pytest
from playwright.sync_api import expect

from cac import roles
from cac.models import CallLog
from complaints.models import Status
from prospects.models import Prospect
from tests.cac.factories import CustomerFactory, VehicleFactory
from tests.complaints.factories import ComplaintFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-for-tests-only"


def _login(page, live_server, username: str) -> None:
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#nav-search")).to_be_visible()


def test_the_search_box_finds_a_vehicle_by_plate_and_opens_its_customer(page, live_server, agent, dealer, artifacts):
    customer = CustomerFactory(dealer=dealer, name="陈静", mobile="13800138000")
    VehicleFactory(customer=customer, plate="粤A12345", model="凯美瑞")
    _login(page, live_server, "agent")
    box = page.locator("#nav-search input[name=q]")
    box.fill("粤a 123")
    box.press("Enter")
    expect(page).to_have_url(re.compile(r"/search/\?q="))
    expect(page.locator("#search-vehicles")).to_contain_text("粤A12345")
    page.screenshot(path=artifacts / "search-plate-en.png", full_page=True)
    page.locator("#search-vehicles a").first.click()
    expect(page.locator("#customer-name")).to_have_text("陈静")

    box = page.locator("#nav-search input[name=q]")
    box.fill("+86 138-0013-8000")
    box.press("Enter")
    expect(page.locator("#search-customers")).to_contain_text("陈静")
    page.screenshot(path=artifacts / "search-phone-en.png", full_page=True)


def test_the_triage_board_shows_a_complaint_acknowledged_and_assigned_at_once(
    page, live_server, make_user, dealer, artifacts
):
    manager = make_user(roles.SERVICE_MANAGER, dealer, username="service-manager", first_name="经理", last_name="李")
    customer = CustomerFactory(dealer=dealer, name="周晓梅")
    complaint = ComplaintFactory(customer=customer, status=Status.ACKNOWLEDGED, owner=manager)
    _login(page, live_server, "service-manager")
    page.goto(f"{live_server.url}/complaints/triage/")
    row = page.locator(f"#complaint-{complaint.pk}")
    expect(row).to_be_visible()
    expect(page.locator(".group-row")).to_contain_text("New: acknowledged, not yet investigated")
    page.screenshot(path=artifacts / "triage-acknowledged-en.png", full_page=True)
    page.get_by_label("Number, customer or plate").fill("no-such-complaint")
    page.get_by_role("button", name="Filter").click()
    expect(row).to_have_count(0)


def test_an_unknown_caller_is_kept_and_captured_as_a_prospect_in_two_clicks(page, live_server, agent, artifacts):
    _login(page, live_server, "agent")
    page.goto(f"{live_server.url}/calls/new/?phone=13700137002")
    page.get_by_label("Save the caller as a new customer").uncheck()
    page.get_by_label("Customer name").fill("赵女士")
    page.get_by_label("What was said").fill("咨询新款凯美瑞的价格和试驾")
    page.get_by_role("button", name="Log call").click()

    call = CallLog.objects.get(phone="13700137002")
    expect(page).to_have_url(re.compile(rf"/calls/{call.pk}/$"))
    expect(page.locator("#caller")).to_contain_text("赵女士")
    page.screenshot(path=artifacts / "unknown-caller-kept-en.png", full_page=True)

    page.locator("#caller-new-prospect").click()  # one
    expect(page.locator("#id_name")).to_have_value("赵女士")
    page.locator("#id_model_of_interest").fill("凯美瑞")
    page.screenshot(path=artifacts / "unknown-caller-prospect-en.png", full_page=True)
    page.locator("#capture-prospect").click()  # two
    expect(page).to_have_url(re.compile(r"/prospects/\d+/$"))
    prospect = Prospect.objects.get()
    assert (prospect.name, prospect.phone, prospect.call_id) == ("赵女士", "13700137002", call.pk)
