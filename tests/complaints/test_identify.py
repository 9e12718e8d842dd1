"""The manager's 识别 (seed 003 §5), complaints.services.complaint_identify: category, department, severity, channel
and the staff member complained about (当事人) corrected after intake, with the reason in the history; the running
deadlines computed again from when their clock started; the routing that follows; what is refused. And the side
of the house named at intake (seed 003 §4-1): a sales-side complaint of any category goes to the showroom manager."""

from datetime import datetime, timedelta
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from api.models import OemReport
from api.oem import oem_reports_queue
from cac import roles
from complaints.deadlines import deadlines_for
from complaints.models import (
    Category,
    Channel,
    Complaint,
    Department,
    EngineerDispatch,
    Escalation,
    EscalationLevel,
    Severity,
    Status,
)
from complaints.services import complaint_identify, complaint_transition
from complaints.tasks import complaint_notify_director
from tests.cac.factories import CustomerFactory
from tests.complaints.factories import open_complaint, walk

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
TUESDAY = datetime(2026, 3, 10, 10, 0, tzinfo=SHANGHAI)
THURSDAY = TUESDAY + timedelta(days=2)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def service_manager(make_user, dealer):
    return make_user(roles.SERVICE_MANAGER, dealer, username="service-manager")


@pytest.fixture
def sales_manager(make_user, dealer):
    return make_user(roles.SALES_MANAGER, dealer, username="sales-manager")


@pytest.fixture
def salesperson(make_user, dealer):
    return make_user(roles.AGENT, dealer, username="salesperson", first_name="丽", last_name="陈")


@pytest.fixture
def notify():
    with mock.patch.object(complaint_notify_director, "apply_async") as apply_async:
        yield apply_async


@pytest.fixture
def complaint(dealer, agent, service_manager, sales_manager):
    """A service-attitude complaint on the dealer's line, received on Tuesday: routed to after-sales."""
    with time_machine.travel(TUESDAY, tick=False):
        return open_complaint(customer=CustomerFactory(dealer=dealer), acting_user=agent)


def identify(complaint, user, **changes):
    values = {
        "category": complaint.category,
        "department": complaint.department,
        "severity": complaint.severity,
        "channel": complaint.channel,
        "staff_involved": complaint.staff_involved,
        "reason": "经识别：实为销售顾问服务态度问题",
    }
    return complaint_identify(complaint_id=complaint.pk, acting_user=user, **{**values, **changes})


def test_the_manager_corrects_and_the_history_says_who_and_why(complaint, service_manager, sales_manager, salesperson):
    assert (complaint.department, complaint.owner) == (Department.AFTER_SALES, service_manager)
    with time_machine.travel(THURSDAY, tick=False):
        identify(
            complaint,
            service_manager,
            category=Category.PURCHASE,
            department=Department.SALES,
            staff_involved=salesperson,
        )
    complaint.refresh_from_db()
    assert (complaint.category, complaint.department, complaint.staff_involved) == (
        Category.PURCHASE,
        Department.SALES,
        salesperson,
    )
    # Seed 003 §4-1: a sales-side complaint goes to the showroom manager.
    assert complaint.owner == sales_manager
    record = complaint.history.order_by("-history_id").first()
    assert (record.history_step, record.history_user, record.history_note) == (
        "identify",
        service_manager,
        "经识别：实为销售顾问服务态度问题",
    )
    assert record.history_change_reason.startswith("identified: category, department, staff_involved")


def test_the_timeline_tells_what_was_corrected(client, complaint, service_manager, salesperson):
    with time_machine.travel(THURSDAY, tick=False):
        identify(complaint, service_manager, category=Category.REPAIR_COST, staff_involved=salesperson)
    client.force_login(service_manager)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(reverse("complaints:detail", args=[complaint.pk]))
    (entry,) = [e for e in page.context["record"].timeline if e.kind == "identify"]
    assert entry.who == service_manager
    assert "Reception or service attitude → Repair cost" in entry.text
    assert "— → 陈丽" in entry.text and "经识别" in entry.text
    assert 'id="staff-involved">陈丽<' in page.content.decode()


def test_the_deadlines_are_computed_again_from_the_receipt_not_from_now(complaint, service_manager):
    with time_machine.travel(THURSDAY, tick=False):
        identify(complaint, service_manager, channel=Channel.REGULATOR)
        from_now = deadlines_for(
            dealer=complaint.dealer, channel=Channel.REGULATOR, severity=Severity.NORMAL, received_at=timezone.now()
        )
    expected = deadlines_for(
        dealer=complaint.dealer, channel=Channel.REGULATOR, severity=Severity.NORMAL, received_at=TUESDAY
    )
    before = (complaint.acknowledge_due_at, complaint.resolve_due_at)
    complaint.refresh_from_db()
    assert (complaint.acknowledge_due_at, complaint.resolve_due_at) == expected
    assert expected != before and expected != from_now


def test_a_deadline_already_met_stays_and_a_reopened_clock_counts_from_the_reopening(complaint, service_manager):
    with time_machine.travel(TUESDAY + timedelta(hours=1), tick=False):
        walk(complaint, to=Status.RESOLVED, user=service_manager)
    reopened_at = TUESDAY + timedelta(days=1)
    with time_machine.travel(reopened_at, tick=False):
        complaint_transition(complaint_id=complaint.pk, action="reopen", acting_user=service_manager, note="不满意")
    complaint.refresh_from_db()
    acknowledge_before = complaint.acknowledge_due_at
    with time_machine.travel(THURSDAY, tick=False):
        identify(complaint, service_manager, severity=Severity.EMERGENCY)
    complaint.refresh_from_db()
    _ack, resolve = deadlines_for(
        dealer=complaint.dealer, channel=complaint.channel, severity=Severity.EMERGENCY, received_at=reopened_at
    )
    assert complaint.resolve_due_at == resolve
    assert complaint.acknowledge_due_at == acknowledge_before  # acknowledged long ago: that deadline was met


def test_a_complaint_made_major_goes_to_the_director_and_an_emergency_gets_its_dispatch(
    complaint, service_manager, make_user, dealer, notify, django_capture_on_commit_callbacks
):
    make_user(roles.DIRECTOR, dealer, username="director")
    with django_capture_on_commit_callbacks(execute=True), time_machine.travel(THURSDAY, tick=False):
        identify(complaint, service_manager, severity=Severity.EMERGENCY, reason="车辆起火")
    complaint.refresh_from_db()
    assert complaint.escalation_level == EscalationLevel.DIRECTOR
    assert list(complaint.escalations.values_list("to_level", "reason", "escalated_by")) == [
        (EscalationLevel.DIRECTOR, Escalation.Reason.MAJOR, service_manager.pk)
    ]
    notify.assert_called_once_with(kwargs={"complaint_id": complaint.pk})
    assert EngineerDispatch.objects.filter(complaint=complaint).exists()
    # Made normal again, it stays with the director: an escalation is not undone by a correction.
    identify(complaint, service_manager, severity=Severity.NORMAL, reason="误判")
    complaint.refresh_from_db()
    assert complaint.escalation_level == EscalationLevel.DIRECTOR and complaint.escalations.count() == 1


def test_a_correction_to_an_oem_channel_starts_the_oem_clock_from_the_receipt(complaint, service_manager):
    with time_machine.travel(TUESDAY + timedelta(hours=1), tick=False):
        complaint_transition(complaint_id=complaint.pk, action="acknowledge", acting_user=service_manager)
    moment = TUESDAY + timedelta(hours=2)
    with time_machine.travel(moment, tick=False):
        oem_reports_queue(now=moment)
        assert not OemReport.objects.exists()
        identify(complaint, service_manager, channel=Channel.OEM_HOTLINE, reason="厂家热线转来")
        oem_reports_queue(now=moment)
    # Acknowledged already: the OEM's same-day status report is owed at once.
    assert list(OemReport.objects.values_list("kind", flat=True)) == ["status"]


@pytest.mark.parametrize("state", [Status.CLOSED, Status.CANCELLED])
def test_a_closed_or_cancelled_complaint_is_not_corrected(state, complaint, service_manager):
    walk(complaint, to=state, user=service_manager)
    before = Complaint.objects.values().get(pk=complaint.pk)
    rows = complaint.history.count()
    with pytest.raises(ValidationError) as refused:
        identify(complaint, service_manager, category=Category.OTHER)
    assert "closed or cancelled complaint is not corrected" in refused.value.message_dict["__all__"][0]
    assert Complaint.objects.values().get(pk=complaint.pk) == before
    assert complaint.history.count() == rows


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"category": "bored"}, "category"),
        ({"department": "marketing"}, "department"),
        ({"severity": "huge"}, "severity"),
        ({"channel": "pigeon"}, "channel"),
        ({"category": Category.OTHER, "reason": "  "}, "reason"),
        ({}, "__all__"),  # nothing to correct
    ],
)
def test_bad_input_is_a_field_error_and_writes_nothing(changes, field, complaint, service_manager):
    before = Complaint.objects.values().get(pk=complaint.pk)
    with pytest.raises(ValidationError) as refused:
        identify(complaint, service_manager, **changes)
    assert field in refused.value.message_dict
    assert Complaint.objects.values().get(pk=complaint.pk) == before


def test_the_staff_member_must_work_for_the_dealer(complaint, service_manager, make_user, other_dealer):
    theirs = make_user(roles.AGENT, other_dealer, username="theirs")
    with pytest.raises(ValidationError) as refused:
        identify(complaint, service_manager, staff_involved=theirs)
    assert set(refused.value.message_dict) == {"staff_involved"}


def test_only_a_manager_of_the_dealer_corrects(complaint, agent, make_user, other_dealer):
    with pytest.raises(PermissionDenied):
        identify(complaint, agent, category=Category.OTHER)
    with pytest.raises(PermissionDenied):
        identify(complaint, make_user(roles.DIRECTOR, other_dealer, username="their-director"), category="other")
    assert Complaint.objects.get(pk=complaint.pk).category == Category.SERVICE_ATTITUDE


def test_a_correction_takes_a_bounded_number_of_queries(complaint, service_manager, django_assert_max_num_queries):
    with django_assert_max_num_queries(25):
        identify(complaint, service_manager, channel=Channel.MEDIA, department=Department.SALES)


# --- The form on the detail page ---------------------------------------------------------------------------------


def _post(client, complaint, **changes):
    data = {
        "identify-category": complaint.category,
        "identify-department": complaint.department,
        "identify-severity": complaint.severity,
        "identify-channel": complaint.channel,
        "identify-staff_involved": "",
        "identify-reason": "识别",
    }
    data.update({f"identify-{name}": value for name, value in changes.items()})
    return client.post(reverse("complaints:identify", args=[complaint.pk]), data)


def test_the_form_is_for_managers_only(client, complaint, agent, service_manager):
    client.force_login(agent)
    assert client.get(reverse("complaints:detail", args=[complaint.pk])).context["identify_form"] is None
    assert _post(client, complaint, category="other").status_code == 403
    client.force_login(service_manager)
    page = client.get(reverse("complaints:detail", args=[complaint.pk]))
    assert 'name="identify-reason"' in page.content.decode()
    assert _post(client, complaint, category="other").status_code == 302
    assert Complaint.objects.get(pk=complaint.pk).category == Category.OTHER


def test_the_form_shows_the_refusal_and_writes_nothing(client, complaint, service_manager):
    client.force_login(service_manager)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = _post(client, complaint, reason="")
    assert response.status_code == 200 and "reason" in response.context["identify_form"].errors
    walk(complaint, to=Status.CANCELLED, user=service_manager)
    response = _post(client, complaint, category="other")
    assert response.status_code == 200
    assert "closed or cancelled complaint" in response.context["identify_form"].non_field_errors()[0]
    assert 'id="identify-form"' in response.content.decode()
    assert Complaint.objects.get(pk=complaint.pk).category == Category.SERVICE_ATTITUDE
    page = client.get(reverse("complaints:detail", args=[complaint.pk]))
    assert page.context["identify_form"] is None


# --- The side of the house at intake (seed 003 §4-1) ---------------------------------------------------------


@pytest.mark.parametrize("category", Category.values)
def test_a_sales_side_complaint_of_any_category_goes_to_the_showroom_manager(
    category, dealer, agent, service_manager, sales_manager
):
    complaint = open_complaint(
        customer=CustomerFactory(dealer=dealer), acting_user=agent, category=category, department=Department.SALES
    )
    assert (complaint.department, complaint.owner) == (Department.SALES, sales_manager)


def test_the_intake_form_names_the_side_and_the_staff_member(client, dealer, agent, sales_manager, salesperson):
    customer = CustomerFactory(dealer=dealer)
    client.force_login(agent)
    response = client.post(
        reverse("complaints:create") + f"?customer={customer.pk}",
        {
            "channel": Channel.DEALER_HOTLINE,
            "category": Category.SERVICE_ATTITUDE,
            "severity": Severity.NORMAL,
            "department": Department.SALES,
            "staff_involved": salesperson.pk,
            "received_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "description": "销售顾问态度恶劣",
        },
    )
    assert response.status_code == 302
    complaint = Complaint.objects.get(customer=customer)
    assert (complaint.department, complaint.owner, complaint.staff_involved) == (
        Department.SALES,
        sales_manager,
        salesperson,
    )


def test_without_a_side_named_the_category_and_channel_decide(dealer, agent, service_manager, sales_manager):
    customer = CustomerFactory(dealer=dealer)
    assert open_complaint(customer=customer, acting_user=agent).owner == service_manager
    assert open_complaint(customer=customer, acting_user=agent, channel=Channel.SALES_FOLLOW_UP).owner == sales_manager


def test_intake_refuses_an_unknown_side_or_another_dealers_staff(dealer, agent, make_user, other_dealer):
    customer = CustomerFactory(dealer=dealer)
    with pytest.raises(ValidationError) as refused:
        open_complaint(customer=customer, acting_user=agent, department="marketing")
    assert "department" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        open_complaint(
            customer=customer, acting_user=agent, staff_involved=make_user(roles.AGENT, other_dealer, username="b")
        )
    assert set(refused.value.message_dict) == {"staff_involved"}
    assert not Complaint.objects.exists()
