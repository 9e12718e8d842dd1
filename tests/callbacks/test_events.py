"""cac.events.services: a delivery and a repair order are recorded once and owe one follow-up call each; the repair's own
advisor never gets that call."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from cac import roles
from cac.events.services import sale_record, service_visit_record
from cac.models import Sale, ServiceVisit
from callbacks.models import Callback, Kind
from tests.cac.factories import CustomerFactory, VehicleFactory
from tests.callbacks.event_support import at_test_clock, days_ago

pytestmark = pytest.mark.django_db


@pytest.fixture
def vehicle(dealer):
    return VehicleFactory(customer=CustomerFactory(dealer=dealer))


def _visit(vehicle, acting_user, **fields):
    values = {
        "dealer": vehicle.dealer,
        "order_number": "RO-0001",
        "customer": vehicle.customer,
        "vehicle": vehicle,
        "date_in": days_ago(2),
        "date_out": days_ago(1),
        "mileage": 12000,
        "fault": "刹车异响",
        "fault_code": "brk-1",
        "work_done": "更换刹车片",
        "is_warranty": False,
        "is_rework": False,
        "is_safety_fault": False,
        "acting_user": acting_user,
    }
    values.update(fields)
    return service_visit_record(**values)


def test_a_sale_schedules_one_after_sale_call_due_after_the_dealers_days(dealer, agent, vehicle):
    dealer.follow_up_days = 2
    dealer.save()
    sale, created = sale_record(
        dealer=dealer, customer=vehicle.customer, vehicle=vehicle, delivered_on=days_ago(1), acting_user=agent
    )
    assert created
    callback = Callback.objects.get(sale=sale)
    assert callback.kind == Kind.AFTER_SALE and callback.agent == agent and callback.vehicle == vehicle
    expected_day = days_ago(1) + timedelta(days=2)
    assert timezone.localtime(callback.due_at).date() == expected_day
    assert sale.history.first().history_user == agent
    vehicle.refresh_from_db()
    assert vehicle.purchase_date == days_ago(1)  # the delivery dates the purchase when it was unknown


def test_recording_the_same_delivery_again_changes_nothing(dealer, agent, vehicle):
    first, _ = sale_record(
        dealer=dealer, customer=vehicle.customer, vehicle=vehicle, delivered_on=days_ago(3), acting_user=agent
    )
    again, created = sale_record(
        dealer=dealer, customer=vehicle.customer, vehicle=vehicle, delivered_on=days_ago(1), acting_user=agent
    )
    assert not created and again == first
    assert Sale.objects.count() == 1 and Callback.objects.count() == 1


def test_a_repair_schedules_one_after_service_call_and_never_for_its_advisor(dealer, make_user, agent, vehicle):
    advisor = make_user(roles.AGENT, dealer, username="advisor", first_name="海", last_name="林")
    # The advisor would be the least busy agent: the assignment must skip them all the same.
    Callback.objects.create(
        dealer=dealer, customer=vehicle.customer, kind=Kind.BIRTHDAY, care_key="x", due_at=timezone.now(), agent=agent
    )
    visit, created = _visit(vehicle, agent, advisor=advisor)
    assert created
    callback = Callback.objects.get(service_visit=visit)
    assert callback.kind == Kind.AFTER_SERVICE
    assert callback.agent == agent and callback.excluded_agent == advisor
    assert visit.advisor_name == "林海" and visit.fault_code == "BRK-1"
    due = timezone.localtime(callback.due_at)
    assert due.date() == days_ago(1) + timedelta(days=dealer.follow_up_days)  # counted from the day out


def test_an_advisor_who_is_the_only_agent_leaves_the_call_unassigned(dealer, agent, vehicle):
    visit, _ = _visit(vehicle, agent, advisor=agent)
    callback = Callback.objects.get(service_visit=visit)
    assert callback.agent is None and callback.excluded_agent == agent


def test_a_repair_order_number_is_recorded_once_per_dealer(dealer, other_dealer, agent, make_user, vehicle):
    _visit(vehicle, agent)
    again, created = _visit(vehicle, agent, mileage=99999)
    assert not created and again.mileage == 12000
    assert ServiceVisit.objects.count() == 1 and Callback.objects.count() == 1
    other_vehicle = VehicleFactory(customer=CustomerFactory(dealer=other_dealer))
    other_agent = make_user(roles.AGENT, other_dealer)
    _visit(other_vehicle, other_agent)  # the same number at another dealer is another repair
    assert ServiceVisit.objects.count() == 2


def test_a_repair_keeps_the_vehicle_mileage_current(dealer, agent, vehicle):
    _visit(vehicle, agent, mileage=15000)
    vehicle.refresh_from_db()
    assert vehicle.mileage == 15000
    _visit(vehicle, agent, order_number="RO-0002", mileage=9000)  # an older order read late: the mileage stays
    vehicle.refresh_from_db()
    assert vehicle.mileage == 15000


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"date_out": lambda: days_ago(5)}, "date_out"),
        ({"date_in": lambda: timezone.localdate() + timedelta(days=1), "date_out": None}, "date_in"),
        ({"mileage": 3_000_000}, "mileage"),
        ({"order_number": "  "}, "order_number"),
    ],
)
def test_bad_repair_orders_are_refused_and_nothing_is_written(dealer, agent, vehicle, fields, field):
    with pytest.raises(ValidationError) as exc:
        _visit(vehicle, agent, **at_test_clock(fields))
    assert field in exc.value.error_dict
    assert not ServiceVisit.objects.exists() and not Callback.objects.exists()


def test_the_vehicle_must_be_the_customers(dealer, agent, vehicle):
    stranger = CustomerFactory(dealer=dealer)
    with pytest.raises(ValidationError):
        sale_record(dealer=dealer, customer=stranger, vehicle=vehicle, delivered_on=days_ago(1), acting_user=agent)
    assert not Sale.objects.exists()


def test_staff_of_another_dealer_and_read_only_roles_cannot_record(dealer, make_user, other_agent, vehicle):
    with pytest.raises(PermissionDenied):
        sale_record(
            dealer=dealer, customer=vehicle.customer, vehicle=vehicle, delivered_on=days_ago(1), acting_user=other_agent
        )
    executive = make_user(roles.EXECUTIVE, dealer)
    with pytest.raises(PermissionDenied):
        _visit(vehicle, executive)
    assert not Sale.objects.exists() and not ServiceVisit.objects.exists()


def test_a_consultant_of_another_dealer_is_refused(dealer, agent, other_agent, vehicle):
    with pytest.raises(ValidationError) as exc:
        sale_record(
            dealer=dealer,
            customer=vehicle.customer,
            vehicle=vehicle,
            delivered_on=days_ago(1),
            consultant=other_agent,
            acting_user=agent,
        )
    assert "consultant" in exc.value.error_dict


def test_a_dealer_fresh_from_get_or_create_schedules_too(agent, vehicle):
    """Regression: a Dealer instance not read back from the database holds its closing time as text."""
    dealer = vehicle.dealer
    dealer.closes_at = "17:30"
    sale, _ = sale_record(
        dealer=dealer, customer=vehicle.customer, vehicle=vehicle, delivered_on=days_ago(1), acting_user=agent
    )
    due = Callback.objects.get(sale=sale).due_at
    zone = ZoneInfo("Asia/Shanghai")
    assert due == datetime.combine(days_ago(1) + timedelta(days=3), time(17, 30), zone)
