"""A complaint in a real browser: from a call logged on the customer 360 the agent opens a complaint; the service
manager walks it acknowledge → investigating → countermeasure → in progress → resolved. Screenshots of the list and
the detail in both languages land in test-artifacts/."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cac import roles
from complaints.models import Category, Channel, Complaint, Severity, Status
from complaints.services import complaint_escalate
from tests.cac.factories import CallLogFactory, CustomerFactory, VehicleFactory, make_vin
from tests.complaints.factories import open_complaint, walk

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-for-tests-only"
LOGIN = {
    "zh-hans": {"username": "用户名", "password": "密码", "login": "登录"},
    "en": {"username": "Username", "password": "Password", "login": "Log in"},
}


def _login(page, live_server, username: str, language: str) -> None:
    page.context.clear_cookies()
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label(LOGIN[language]["username"]).fill(username)
    page.get_by_label(LOGIN[language]["password"]).fill(PASSWORD)
    page.get_by_role("button", name=LOGIN[language]["login"]).click()
    expect(page.locator("#nav-search")).to_be_visible()  # the role's home: a manager's is the queue health
    page.goto(f"{live_server.url}/desk/")
    expect(page.locator("#phone-box")).to_be_visible()


@pytest.fixture(autouse=True)
def patient_expect():
    """Each step is a full POST and page load; give a busy machine more than the default 5 s."""
    expect.set_options(timeout=15_000)
    yield
    expect.set_options(timeout=5_000)


@pytest.fixture
def service_manager(make_user, dealer):
    return make_user(roles.SERVICE_MANAGER, dealer, username="service-manager", first_name="强", last_name="刘")


@pytest.fixture
def scene(dealer, agent, service_manager):
    """A customer with a car and a logged call, and a few other complaints so that the list looks like a day's work."""
    customer = CustomerFactory(dealer=dealer, name="陈静", mobile="13800138000")
    VehicleFactory(customer=customer, vin=make_vin(1), plate="粤A12345", model="凯美瑞", mileage=15000)
    call = CallLogFactory(
        customer=customer,
        handled_by=agent,
        purpose="complaint",
        started_at=timezone.now() - timedelta(minutes=10),
        summary="保养后发动机舱有异响，客户很生气，要求免费检修",
    )
    others = [
        (
            "周晓梅",
            Category.PURCHASE,
            Channel.SALES_FOLLOW_UP,
            Severity.NORMAL,
            Status.ACKNOWLEDGED,
            "交车时承诺的赠品没有兑现",
        ),
        (
            "王磊",
            Category.REPAIR_COST,
            Channel.OEM_HOTLINE,
            Severity.NORMAL,
            Status.INVESTIGATING,
            "刹车片报价比其他店高出 40%",
        ),
        (
            "李娜",
            Category.PRODUCT_QUALITY,
            Channel.REGULATOR,
            Severity.MAJOR,
            Status.NEW,
            "车辆多次熄火，已向 12315 投诉",
        ),
        (
            "赵敏",
            Category.SERVICE_ATTITUDE,
            Channel.WALK_IN,
            Severity.NORMAL,
            Status.CLOSED,
            "接待等候两个小时无人理会",
        ),
    ]
    for n, (name, category, channel, severity, status, text) in enumerate(others):
        other = CustomerFactory(dealer=dealer, name=name, mobile=f"1370013700{n}")
        complaint = open_complaint(
            customer=other,
            acting_user=agent,
            category=category,
            channel=channel,
            severity=severity,
            description=text,
            received_at=timezone.now() - timedelta(days=n, hours=2),
        )
        walk(complaint, to=status, user=service_manager)
        if status == Status.INVESTIGATING:
            complaint_escalate(complaint_id=complaint.pk, reason="deadline", note="", acting_user=service_manager)
    return {"customer": customer, "call": call}


def _step(page, action: str, fields: dict[str, str] | None = None, selects: dict[str, str] | None = None) -> None:
    page.wait_for_load_state()  # the buttons open their form with Bootstrap, a deferred script
    page.locator(f'#step-buttons [data-step="{action}"]').click()
    panel = page.locator(f"#panel-{action}")
    expect(panel).to_have_class(re.compile(r"\bcollapse show\b"))  # opened, not still sliding open
    for name, value in (selects or {}).items():
        panel.locator(f'[name="{action}-{name}"]').select_option(value)
    for name, value in (fields or {}).items():
        panel.locator(f'[name="{action}-{name}"]').fill(value)
    panel.locator(f"#confirm-{action}").click()


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_from_a_logged_call_to_a_resolved_complaint(
    page, live_server, agent, service_manager, scene, artifacts, language
):
    customer, call = scene["customer"], scene["call"]

    # The agent, on the customer's 360, opens a complaint from the logged call.
    _login(page, live_server, "agent", language)
    page.goto(f"{live_server.url}/customers/{customer.pk}/")
    expect(page.locator("#open-complaints")).to_be_visible()
    page.locator(f"#call-{call.pk} a.open-complaint").click()
    expect(page).to_have_url(re.compile(rf"/complaints/new/\?customer={customer.pk}&call={call.pk}"))
    expect(page.locator("#linked-call")).to_contain_text("保养后发动机舱有异响")
    expect(page.locator('[name="description"]')).to_have_value("保养后发动机舱有异响，客户很生气，要求免费检修")
    page.locator('[name="category"]').select_option(Category.REPAIR_QUALITY)
    page.locator('[name="demand"]').fill("要求免费检修并说明原因")
    page.screenshot(path=artifacts / f"complaint-new-{language}.png", full_page=True)
    page.locator("#open-complaint").click()

    expect(page.locator("#complaint-number")).to_be_visible()
    complaint = Complaint.objects.get(customer=customer)
    assert list(complaint.calls.all()) == [call]
    assert complaint.owner == service_manager  # routed to after-sales
    expect(page.locator("#complaint-status [data-status]")).to_have_attribute("data-status", "new")
    # The agent may acknowledge, not cancel.
    expect(page.locator('#step-buttons [data-step="acknowledge"]')).to_be_visible()
    expect(page.locator('#step-buttons [data-step="cancel"]')).to_have_count(0)

    # The service manager walks it to resolved.
    _login(page, live_server, "service-manager", language)
    page.goto(f"{live_server.url}/complaints/{complaint.pk}/")
    _step(page, "acknowledge", {"note": "已向客户致歉，承诺三天内答复"})
    expect(page.locator("#complaint-status [data-status]")).to_have_attribute("data-status", "acknowledged")
    _step(page, "investigate")
    expect(page.locator("#complaint-status [data-status]")).to_have_attribute("data-status", "investigating")

    # A countermeasure without its root cause is refused on the form; nothing changes.
    _step(page, "propose_countermeasure", {"countermeasure": "免费返修"})
    expect(page.locator("#panel-propose_countermeasure .invalid-feedback").first).to_be_visible()
    expect(page.locator("#complaint-status [data-status]")).to_have_attribute("data-status", "investigating")
    page.screenshot(path=artifacts / f"complaint-step-error-{language}.png", full_page=True)
    panel = page.locator("#panel-propose_countermeasure")
    panel.locator('[name="propose_countermeasure-root_cause_class"]').select_option("technical")
    panel.locator('[name="propose_countermeasure-root_cause"]').fill("技师保养时未紧固隔热罩螺栓")
    panel.locator('[name="propose_countermeasure-countermeasure"]').fill("免费返修并检查其他紧固件")
    panel.locator("#confirm-propose_countermeasure").click()
    expect(page.locator("#complaint-status [data-status]")).to_have_attribute("data-status", "countermeasure_proposed")

    _step(page, "start", {"note": "客户同意返修方案"})
    expect(page.locator("#complaint-status [data-status]")).to_have_attribute("data-status", "in_progress")
    _step(page, "resolve", {"note": "已返修，客户试车确认异响消失"}, selects={"resolution_type": "rework"})
    expect(page.locator("#complaint-status [data-status]")).to_have_attribute("data-status", "resolved")
    # Only its follow-up call closes it as satisfied; the manager may close it only with a reason of the seed.
    expect(page.locator('#step-buttons [data-step="close_satisfied"]')).to_have_count(0)
    expect(page.locator('#step-buttons [data-step="close_by_manager"]')).to_be_visible()
    expect(page.locator("#timeline")).to_contain_text("已向客户致歉，承诺三天内答复")
    expect(page.locator("#timeline")).to_contain_text("保养后发动机舱有异响")

    complaint.refresh_from_db()
    assert complaint.status == Status.RESOLVED
    assert (complaint.root_cause, complaint.root_cause_class, complaint.resolution_type) == (
        "技师保养时未紧固隔热罩螺栓",
        "technical",
        "rework",
    )
    assert complaint.history.first().history_user == service_manager
    page.screenshot(path=artifacts / f"complaint-detail-{language}.png", full_page=True)

    # The list: the resolved complaint waits for its follow-up call, open ones by nearest deadline.
    page.goto(f"{live_server.url}/complaints/")
    expect(page.locator(f"#complaint-{complaint.pk}")).to_be_visible()
    expect(page.locator(".complaint-row")).to_have_count(5)
    page.screenshot(path=artifacts / f"complaint-list-{language}.png", full_page=True)

    page.goto(f"{live_server.url}/complaints/triage/")
    expect(page.locator("#bulk-assign")).to_be_visible()
    page.screenshot(path=artifacts / f"complaint-triage-{language}.png", full_page=True)

    page.goto(f"{live_server.url}/complaints/key-vehicles/")
    expect(page.locator(".responsible-form")).to_have_count(1)
    page.screenshot(path=artifacts / f"complaint-key-vehicles-{language}.png", full_page=True)

    page.goto(f"{live_server.url}/customers/{customer.pk}/")
    expect(page.locator(".key-attention-badge")).to_be_visible()
    expect(page.locator("#open-complaints")).to_contain_text(complaint.number)
    page.screenshot(path=artifacts / f"complaint-360-{language}.png", full_page=True)
