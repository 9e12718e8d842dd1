"""Every write of the shared core: who acted is recorded, duplicates are ValidationErrors, dealers are enforced."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.utils import timezone

from cac.desk import services
from cac.models import CallLog, Customer, Vehicle
from tests.cac.factories import CustomerFactory, UserFactory, VehicleFactory, make_vin

pytestmark = pytest.mark.django_db


def _counts() -> dict[str, int]:
    return {
        "customers": Customer.objects.count(),
        "customer_history": Customer.history.count(),
        "vehicles": Vehicle.objects.count(),
        "vehicle_history": Vehicle.history.count(),
        "calls": CallLog.objects.count(),
        "call_history": CallLog.history.count(),
    }


@pytest.fixture
def customer(dealer):
    return CustomerFactory(dealer=dealer, name="王芳", mobile="13800138000")


@pytest.fixture
def foreign_customer(other_dealer):
    return CustomerFactory(dealer=other_dealer, name="李雷", mobile="13900139000")


# --- customer_create ---------------------------------------------------------------------------------


def test_customer_create_saves_the_customer_and_its_history(dealer, agent):
    customer = services.customer_create(
        dealer=dealer,
        acting_user=agent,
        name="王芳",
        mobile="13800138000",
        preferred_channel=Customer.ContactChannel.SMS,
        birthday=dt.date(1985, 5, 1),
        dealer_id=999,  # not a customer field: ignored
        id=12345,
    )
    customer.refresh_from_db()
    assert (customer.dealer, customer.name, customer.mobile) == (dealer, "王芳", "13800138000")
    assert customer.preferred_channel == "sms"
    assert customer.pk != 12345
    history = customer.history.get()
    assert (history.history_type, history.history_user, history.history_change_reason) == ("+", agent, "created")


def test_customer_create_makes_the_acting_user_owner_unless_given(dealer, agent, make_user):
    colleague = make_user("agent", dealer, username="colleague")
    mine = services.customer_create(dealer=dealer, acting_user=agent, name="甲", mobile="13800138001")
    theirs = services.customer_create(
        dealer=dealer, acting_user=agent, name="乙", mobile="13800138002", owner=colleague
    )
    assert mine.owner == agent
    assert theirs.owner == colleague


def test_customer_create_turns_a_duplicate_mobile_into_a_validation_error(dealer, agent, customer):
    before = _counts()
    with pytest.raises(ValidationError) as excinfo:
        services.customer_create(dealer=dealer, acting_user=agent, name="另一个", mobile=customer.mobile)
    assert list(excinfo.value.error_dict) == ["mobile"]
    assert _counts() == before


def test_customer_create_refuses_a_dealer_the_user_does_not_work_for(other_dealer, agent):
    before = _counts()
    with pytest.raises(PermissionDenied):
        services.customer_create(dealer=other_dealer, acting_user=agent, name="王芳", mobile="13800138000")
    assert _counts() == before


def test_a_superuser_works_for_every_dealer(other_dealer, db):
    boss = UserFactory(username="root", is_superuser=True)
    customer = services.customer_create(dealer=other_dealer, acting_user=boss, name="王芳", mobile="13800138000")
    assert customer.dealer == other_dealer


# --- customer_update ---------------------------------------------------------------------------------


def test_customer_update_saves_only_what_changed_with_a_reason(agent, customer):
    services.customer_update(
        customer_id=customer.pk, acting_user=agent, name="王小芳", mobile=customer.mobile, notes="VIP"
    )
    customer.refresh_from_db()
    assert (customer.name, customer.notes) == ("王小芳", "VIP")
    latest = customer.history.latest("history_id")
    assert latest.history_type == "~"
    assert latest.history_user == agent
    assert latest.history_change_reason == "updated: name, notes"


def test_customer_update_without_changes_writes_no_history(agent, customer):
    before = customer.history.count()
    services.customer_update(customer_id=customer.pk, acting_user=agent, name=customer.name, mobile=customer.mobile)
    assert customer.history.count() == before


def test_customer_update_does_not_touch_other_columns(agent, customer):
    # Another agent's edit of the notes, made after `customer` was loaded, survives a name change.
    Customer.objects.filter(pk=customer.pk).update(notes="added by a colleague")
    services.customer_update(customer_id=customer.pk, acting_user=agent, name="王小芳")
    customer.refresh_from_db()
    assert (customer.name, customer.notes) == ("王小芳", "added by a colleague")


def test_customer_update_turns_a_duplicate_mobile_into_a_validation_error(dealer, agent, customer):
    other = CustomerFactory(dealer=dealer, mobile="13800138001")
    before = _counts()
    with pytest.raises(ValidationError) as excinfo:
        services.customer_update(customer_id=other.pk, acting_user=agent, mobile=customer.mobile, name="改名")
    assert list(excinfo.value.error_dict) == ["mobile"]
    assert _counts() == before
    other.refresh_from_db()
    assert (other.mobile, other.name) != (customer.mobile, "改名")


def test_customer_update_of_another_dealers_customer_does_not_exist(agent, foreign_customer):
    with pytest.raises(Customer.DoesNotExist):
        services.customer_update(customer_id=foreign_customer.pk, acting_user=agent, name="改名")
    foreign_customer.refresh_from_db()
    assert foreign_customer.name == "李雷"


# --- vehicle_create / vehicle_update -----------------------------------------------------------------


def test_vehicle_create_belongs_to_the_customers_dealer(agent, customer):
    vehicle = services.vehicle_create(
        customer=customer, acting_user=agent, vin=make_vin(1), model="凯美瑞", mileage=12000, dealer=None
    )
    vehicle.refresh_from_db()
    assert (vehicle.dealer_id, vehicle.customer, vehicle.mileage) == (customer.dealer_id, customer, 12000)
    history = vehicle.history.get()
    assert (history.history_user, history.history_change_reason) == (agent, "created")


def test_vehicle_create_turns_a_duplicate_vin_into_a_validation_error(dealer, agent, customer):
    VehicleFactory(customer=CustomerFactory(dealer=dealer), vin=make_vin(1))
    before = _counts()
    with pytest.raises(ValidationError) as excinfo:
        services.vehicle_create(customer=customer, acting_user=agent, vin=make_vin(1), model="凯美瑞")
    assert list(excinfo.value.error_dict) == ["vin"]
    assert _counts() == before


def test_vehicle_create_accepts_a_vin_known_at_another_dealer(agent, customer, foreign_customer):
    VehicleFactory(customer=foreign_customer, vin=make_vin(1))
    assert services.vehicle_create(customer=customer, acting_user=agent, vin=make_vin(1), model="凯美瑞").pk


def test_vehicle_create_for_another_dealers_customer_is_denied(agent, foreign_customer):
    before = _counts()
    with pytest.raises(PermissionDenied):
        services.vehicle_create(customer=foreign_customer, acting_user=agent, vin=make_vin(1), model="凯美瑞")
    assert _counts() == before


def test_vehicle_update_records_what_changed(agent, customer):
    vehicle = VehicleFactory(customer=customer, mileage=1000)
    services.vehicle_update(vehicle_id=vehicle.pk, acting_user=agent, mileage=25000, plate="粤B12345")
    vehicle.refresh_from_db()
    assert (vehicle.mileage, vehicle.plate) == (25000, "粤B12345")
    latest = vehicle.history.latest("history_id")
    assert (latest.history_user, latest.history_change_reason) == (agent, "updated: mileage, plate")


def test_vehicle_update_turns_a_duplicate_vin_into_a_validation_error(agent, customer):
    VehicleFactory(customer=customer, vin=make_vin(1))
    vehicle = VehicleFactory(customer=customer, vin=make_vin(2))
    before = _counts()
    with pytest.raises(ValidationError) as excinfo:
        services.vehicle_update(vehicle_id=vehicle.pk, acting_user=agent, vin=make_vin(1))
    assert list(excinfo.value.error_dict) == ["vin"]
    assert _counts() == before
    vehicle.refresh_from_db()
    assert vehicle.vin == make_vin(2)


def test_vehicle_update_of_another_dealers_vehicle_does_not_exist(agent, foreign_customer):
    vehicle = VehicleFactory(customer=foreign_customer, mileage=1000)
    with pytest.raises(Vehicle.DoesNotExist):
        services.vehicle_update(vehicle_id=vehicle.pk, acting_user=agent, mileage=1)
    vehicle.refresh_from_db()
    assert vehicle.mileage == 1000


# --- call_log ------------------------------------------------------------------------------------------


def _call_kwargs(**overrides):
    return {"phone": "13800138000", "started_at": timezone.now(), "summary": "咨询保养", **overrides}


def test_call_log_for_a_known_customer(dealer, agent, customer):
    call = services.call_log(
        dealer=dealer,
        acting_user=agent,
        customer=customer,
        **_call_kwargs(purpose=CallLog.Purpose.APPOINTMENT, duration_seconds=205, callback_owed=True),
    )
    call.refresh_from_db()
    assert (call.customer, call.handled_by, call.dealer) == (customer, agent, dealer)
    assert (call.purpose, call.duration_seconds, call.callback_owed) == ("appointment", 205, True)
    assert call.direction == CallLog.Direction.INBOUND
    history = call.history.get()
    assert (history.history_user, history.history_change_reason) == (agent, "logged")


def test_call_log_from_an_unknown_number_without_a_customer(dealer, agent):
    call = services.call_log(dealer=dealer, acting_user=agent, **_call_kwargs(phone="01065529988"))
    assert call.customer is None
    assert Customer.objects.count() == 0


def test_call_log_with_new_customer_writes_both(dealer, agent):
    call = services.call_log(
        dealer=dealer,
        acting_user=agent,
        new_customer={"name": "新客户", "mobile": "13800138000", "preferred_channel": "sms"},
        **_call_kwargs(),
    )
    customer = Customer.objects.get()
    assert call.customer == customer
    assert (customer.dealer, customer.owner, customer.preferred_channel) == (dealer, agent, "sms")
    assert customer.history.get().history_user == agent


def test_call_log_with_new_customer_writes_nothing_when_the_customer_cannot_be_created(dealer, agent, customer):
    before = _counts()
    with pytest.raises(ValidationError) as excinfo:
        services.call_log(
            dealer=dealer,
            acting_user=agent,
            new_customer={"name": "重复", "mobile": customer.mobile},
            **_call_kwargs(),
        )
    assert "mobile" in excinfo.value.error_dict
    assert _counts() == before


def test_call_log_with_new_customer_writes_nothing_when_the_call_cannot_be_saved(dealer, agent):
    # The customer is saved first; a call the database refuses must take the new customer with it.
    before = _counts()
    with pytest.raises(IntegrityError):
        services.call_log(
            dealer=dealer,
            acting_user=agent,
            new_customer={"name": "新客户", "mobile": "13800138000"},
            **_call_kwargs(duration_seconds=7 * 60 * 60),
        )
    assert _counts() == before


def test_call_log_for_a_dealer_the_user_does_not_work_for_is_denied(other_dealer, agent):
    before = _counts()
    with pytest.raises(PermissionDenied):
        services.call_log(
            dealer=other_dealer,
            acting_user=agent,
            new_customer={"name": "新客户", "mobile": "13800138000"},
            **_call_kwargs(),
        )
    assert _counts() == before


def test_call_log_for_another_dealers_customer_is_denied(dealer, agent, foreign_customer):
    before = _counts()
    with pytest.raises(PermissionDenied):
        services.call_log(dealer=dealer, acting_user=agent, customer=foreign_customer, **_call_kwargs())
    assert _counts() == before


def test_a_user_of_two_dealers_may_log_for_both(dealer, other_dealer, make_user):
    regional = make_user("director", dealer, other_dealer, username="regional")
    for target in (dealer, other_dealer):
        services.call_log(dealer=target, acting_user=regional, **_call_kwargs())
    assert CallLog.objects.filter(handled_by=regional).count() == 2
