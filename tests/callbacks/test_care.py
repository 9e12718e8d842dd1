"""The daily care job: maintenance by time or mileage, insurance renewal, warranty end, birthdays; campaign lists.
Run twice, it creates nothing twice; customers who refuse calls get none."""

from datetime import date, datetime, timedelta
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from celery.schedules import crontab
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from cac import roles
from cac.models import Customer
from callbacks.care import add_months, campaign_callbacks_create, care_callbacks_create
from callbacks.models import Callback, Kind
from tests.cac.factories import CustomerFactory, VehicleFactory
from tests.callbacks.event_support import visit

pytestmark = pytest.mark.django_db
TODAY = date(2026, 6, 15)


def _care(dealer, today=TODAY):
    return care_callbacks_create(today=today, dealer=dealer)


def _kinds():
    return sorted(Callback.objects.values_list("kind", flat=True))


def test_insurance_renewal_30_days_before_expiry_once(dealer, agent):
    vehicle = VehicleFactory(customer=CustomerFactory(dealer=dealer), insurance_expiry=TODAY + timedelta(days=30))
    later = VehicleFactory(customer=CustomerFactory(dealer=dealer), insurance_expiry=TODAY + timedelta(days=31))
    VehicleFactory(customer=CustomerFactory(dealer=dealer), insurance_expiry=TODAY - timedelta(days=1))
    assert _care(dealer) == 1
    callback = Callback.objects.get()
    assert callback.kind == Kind.INSURANCE_RENEWAL and callback.vehicle == vehicle and callback.agent == agent
    assert callback.care_key == f"insurance:{vehicle.pk}:{vehicle.insurance_expiry}"
    zone = ZoneInfo("Asia/Shanghai")
    assert callback.due_at == datetime(2026, 6, 15, 18, 0, tzinfo=zone)  # closing time of the day
    assert _care(dealer) == 0
    assert _care(dealer, TODAY + timedelta(days=1)) == 1  # the next day: only the one now 30 days away
    assert Callback.objects.filter(vehicle=vehicle).count() == 1
    assert Callback.objects.filter(vehicle=later).count() == 1


def test_warranty_end_and_birthday(dealer):
    VehicleFactory(customer=CustomerFactory(dealer=dealer), warranty_end=TODAY + timedelta(days=10))
    CustomerFactory(dealer=dealer, birthday=date(1980, 6, 15))
    CustomerFactory(dealer=dealer, birthday=date(1980, 6, 16))
    assert _care(dealer) == 2
    assert _kinds() == [Kind.BIRTHDAY, Kind.WARRANTY_END]
    assert Callback.objects.get(kind=Kind.BIRTHDAY).care_key == "birthday:2026"
    assert _care(dealer) == 0


def test_a_29_february_birthday_is_greeted_on_the_28th_in_other_years(dealer):
    CustomerFactory(dealer=dealer, birthday=date(1992, 2, 29))
    assert _care(dealer, date(2027, 2, 28)) == 1
    assert _care(dealer, date(2028, 2, 28)) == 0  # a leap year: the 29th comes
    assert _care(dealer, date(2028, 2, 29)) == 1


def test_maintenance_by_time_six_months_after_the_last_service(dealer):
    vehicle = VehicleFactory(customer=CustomerFactory(dealer=dealer))
    visit(vehicle, date_in=date(2025, 12, 15), days=1, is_warranty=False)
    assert _care(dealer, date(2026, 6, 14)) == 0
    assert _care(dealer, date(2026, 6, 15)) == 1
    assert Callback.objects.get().care_key == f"maintenance:{vehicle.pk}:2025-12-15"
    assert _care(dealer, date(2026, 6, 16)) == 0
    # The next service starts the count again.
    visit(vehicle, date_in=date(2026, 6, 20), days=1, is_warranty=False)
    assert _care(dealer, date(2026, 12, 20)) == 1


def test_maintenance_by_mileage_from_the_average_daily_mileage(dealer):
    high = VehicleFactory(customer=CustomerFactory(dealer=dealer))
    visit(high, date_in=date(2026, 1, 1), days=1, mileage=10_000, is_warranty=False)
    visit(high, date_in=date(2026, 4, 11), days=1, mileage=20_000, is_warranty=False)  # 100 km a day
    low = VehicleFactory(customer=CustomerFactory(dealer=dealer), purchase_date=date(2025, 4, 11))
    visit(low, date_in=date(2026, 4, 11), days=1, mileage=7_300, is_warranty=False)  # 20 km a day
    assert _care(dealer, date(2026, 5, 30)) == 0  # 49 days: 4,900 km
    assert _care(dealer, date(2026, 5, 31)) == 1  # 50 days: 5,000 km
    assert Callback.objects.get().vehicle == high
    assert _care(dealer, date(2026, 6, 1)) == 0


def test_customers_without_consent_or_with_channel_none_get_no_care_call(dealer):
    for fields in ({"consents_to_calls": False}, {"preferred_channel": Customer.ContactChannel.NONE}):
        customer = CustomerFactory(dealer=dealer, birthday=date(1980, 6, 15), **fields)
        vehicle = VehicleFactory(
            customer=customer,
            insurance_expiry=TODAY + timedelta(days=5),
            warranty_end=TODAY + timedelta(days=5),
        )
        visit(vehicle, date_in=date(2025, 1, 1), days=1, is_warranty=False)
    sms = CustomerFactory(dealer=dealer, birthday=date(1980, 6, 15), preferred_channel=Customer.ContactChannel.SMS)
    assert _care(dealer) == 1
    assert Callback.objects.get().customer == sms


def test_the_job_covers_every_dealer_and_keeps_them_apart(dealer, other_dealer):
    CustomerFactory(dealer=dealer, birthday=date(1980, 6, 15))
    CustomerFactory(dealer=other_dealer, birthday=date(1980, 6, 15))
    assert care_callbacks_create(today=TODAY) == 2
    assert set(Callback.objects.values_list("dealer__code", flat=True)) == {"GZ01", "SZ02"}
    assert care_callbacks_create(today=TODAY) == 0


def test_two_vehicles_of_one_customer_renewing_on_the_same_day_get_a_call_each(dealer):
    customer = CustomerFactory(dealer=dealer)
    for _ in range(2):
        VehicleFactory(customer=customer, insurance_expiry=TODAY + timedelta(days=3))
    assert _care(dealer) == 2


def test_add_months():
    assert add_months(date(2026, 8, 31), 6) == date(2027, 2, 28)
    assert add_months(date(2026, 1, 15), 6) == date(2026, 7, 15)
    assert add_months(date(2026, 7, 1), 6) == date(2027, 1, 1)


def test_the_task_and_the_command_run_the_job(dealer):
    from callbacks.tasks import care_callbacks_daily

    CustomerFactory(dealer=dealer, birthday=date(1980, 6, 15))
    with mock.patch("callbacks.care.care_callbacks_create", return_value=3) as job:
        assert care_callbacks_daily() == 3
    job.assert_called_once()
    call_command("care_callbacks", "--date", "2026-06-15")
    call_command("care_callbacks", "--date", "2026-06-15", "--dealer", "GZ01")
    assert Callback.objects.count() == 1


def test_beat_runs_the_job_at_six():
    entry = settings.CELERY_BEAT_SCHEDULE["care-callbacks"]
    assert entry["task"] == "callbacks.care_callbacks_daily"
    assert entry["schedule"] == crontab(hour=6, minute=0)


# --- Campaigns and recalls ------------------------------------------------------------------------


@pytest.fixture
def manager(make_user, dealer):
    return make_user(roles.SERVICE_MANAGER, dealer, username="manager")


def test_a_campaign_calls_each_customer_once(dealer, manager, agent):
    customers = [CustomerFactory(dealer=dealer) for _ in range(3)]
    refusing = CustomerFactory(dealer=dealer, consents_to_calls=False)
    due = datetime(2026, 7, 1, 18, tzinfo=ZoneInfo("Asia/Shanghai"))
    created = campaign_callbacks_create(
        dealer=dealer, name="2026 空调免费检测", customers=[*customers, refusing], due_at=due, acting_user=manager
    )
    assert created == 3
    assert set(Callback.objects.values_list("care_key", flat=True)) == {"campaign:2026-空调免费检测"}
    assert not Callback.objects.filter(customer=refusing).exists()
    assert Callback.objects.first().history.first().history_user == manager
    again = campaign_callbacks_create(
        dealer=dealer, name="2026 空调免费检测", customers=customers, due_at=due, acting_user=manager
    )
    assert again == 0


def test_a_campaign_needs_a_manager_of_the_dealer_its_own_customers_and_a_name(dealer, other_dealer, manager, agent):
    due = datetime(2026, 7, 1, 18, tzinfo=ZoneInfo("Asia/Shanghai"))
    with pytest.raises(PermissionDenied):
        campaign_callbacks_create(dealer=dealer, name="召回", customers=[], due_at=due, acting_user=agent)
    with pytest.raises(ValidationError):
        campaign_callbacks_create(
            dealer=dealer,
            name="召回",
            customers=[CustomerFactory(dealer=other_dealer)],
            due_at=due,
            acting_user=manager,
        )
    with pytest.raises(ValidationError):
        campaign_callbacks_create(dealer=dealer, name="!!!", customers=[], due_at=due, acting_user=manager)
    assert not Callback.objects.exists()
