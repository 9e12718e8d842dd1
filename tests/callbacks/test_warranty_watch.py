"""三包 watch: cumulative workshop days, repairs of the same fault and safety-fault repairs of vehicles under
warranty; a vehicle crossing a warning threshold becomes a key-attention vehicle and the service managers are
mailed, once."""

from datetime import timedelta
from unittest import mock

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cac import roles
from cac.events.services import service_visit_record
from callbacks.tasks import sanbao_notify_service_managers
from callbacks.warranty_watch import sanbao_figures, sanbao_watch_list, warranty_watch
from complaints.models import KeyAttentionVehicle
from tests.cac.factories import DealerFactory
from tests.callbacks.event_support import days_ago, vehicle_under_warranty, visit
from tests.mail_links import assert_links_absolute

pytestmark = pytest.mark.django_db


@pytest.fixture
def notify():
    with mock.patch.object(sanbao_notify_service_managers, "apply_async") as apply_async:
        yield apply_async


@pytest.fixture
def service_manager(make_user, dealer):
    return make_user(roles.SERVICE_MANAGER, dealer, username="sm", email="sm@example.com")


@pytest.fixture
def car(dealer):
    return vehicle_under_warranty(dealer)


def test_workshop_days_count_both_ends_and_warn_from_25(dealer, car):
    visit(car, date_in=days_ago(100), days=10)
    visit(car, date_in=days_ago(60), days=14)
    visit(car, date_in=days_ago(30), days=3, is_warranty=False)  # not a warranty repair: not counted
    assert sanbao_figures(dealer=dealer) == []  # 24 days
    visit(car, date_in=days_ago(10), days=1)
    [figures] = sanbao_figures(dealer=dealer)
    assert figures.vehicle == car and figures.workshop_days == 25
    assert figures.warnings == ["days"] and not figures.is_over
    visit(car, date_in=days_ago(5), days=6)
    [figures] = sanbao_figures(dealer=dealer)
    assert figures.workshop_days == 31 and figures.over == ["days"]


def test_a_car_still_in_the_workshop_adds_no_days_yet(dealer, car):
    visit(car, date_in=days_ago(40), days=25)
    visit(car, date_in=days_ago(3), days=0)  # no date out
    assert sanbao_figures(dealer=dealer)[0].workshop_days == 25


def test_the_same_fault_warns_at_the_fourth_repair_and_is_over_at_the_fifth(dealer, car):
    for index in range(3):
        visit(car, date_in=days_ago(90 - index * 20), fault_code="EPS-1")
    visit(car, date_in=days_ago(5), fault_code="ENG-2")
    assert sanbao_figures(dealer=dealer) == []
    visit(car, date_in=days_ago(4), fault_code="EPS-1")
    [figures] = sanbao_figures(dealer=dealer)
    assert figures.same_fault == {"EPS-1": 4} and figures.warnings == ["fault:EPS-1"] and not figures.is_over
    visit(car, date_in=days_ago(2), fault_code="EPS-1")
    assert sanbao_figures(dealer=dealer)[0].over == ["fault:EPS-1"]


def test_two_safety_fault_repairs_warn(dealer, car):
    visit(car, date_in=days_ago(50), is_safety_fault=True)
    assert sanbao_figures(dealer=dealer) == []
    visit(car, date_in=days_ago(20), is_safety_fault=True)
    [figures] = sanbao_figures(dealer=dealer)
    assert figures.safety_repairs == 2 and figures.warnings == ["safety"]


def test_vehicles_out_of_warranty_or_of_another_dealer_are_not_watched(dealer, other_dealer):
    expired = vehicle_under_warranty(dealer, warranty_end=timezone.localdate() - timedelta(days=1))
    visit(expired, date_in=days_ago(60), days=30)
    elsewhere = vehicle_under_warranty(other_dealer)
    visit(elsewhere, date_in=days_ago(60), days=30)
    assert sanbao_figures(dealer=dealer) == []
    assert [f.vehicle for f in sanbao_figures(dealer=other_dealer)] == [elsewhere]


@pytest.mark.parametrize("settings_override", [{"CAC_SANBAO_WARN_DAYS": 20}])
def test_thresholds_come_from_settings(dealer, car, settings, settings_override):
    for name, value in settings_override.items():
        setattr(settings, name, value)
    visit(car, date_in=days_ago(60), days=20)
    assert sanbao_figures(dealer=dealer)[0].workshop_days == 20


def test_the_figures_take_four_queries_however_many_visits(dealer, django_assert_max_num_queries):
    for _ in range(6):
        car = vehicle_under_warranty(dealer)
        for index in range(5):
            visit(car, date_in=days_ago(100 - index * 10), days=6, fault_code="X-1", is_safety_fault=index < 2)
    with django_assert_max_num_queries(4):
        rows = sanbao_figures(dealer=dealer)
    assert len(rows) == 6


def test_several_dealers_at_once_take_the_same_four_queries(dealer, other_dealer, django_assert_num_queries):
    near = {}
    for one in (dealer, other_dealer):
        near[one.pk] = vehicle_under_warranty(one)
        visit(near[one.pk], date_in=days_ago(60), days=26)
        visit(vehicle_under_warranty(one), date_in=days_ago(60), days=3)  # fine
    over = vehicle_under_warranty(other_dealer)
    visit(over, date_in=days_ago(60), days=31)
    with django_assert_num_queries(4):
        rows = sanbao_figures(dealer_ids=[dealer.pk, other_dealer.pk])
    assert [row.vehicle for row in rows] == [over, *sorted(near.values(), key=lambda v: v.vin)]  # past a limit first
    assert [row.vehicle for row in sanbao_figures(dealer_ids=[dealer.pk])] == [near[dealer.pk]]
    assert sanbao_figures(dealer_ids=[]) == []
    with pytest.raises(TypeError):
        sanbao_figures(dealer=dealer, dealer_ids=[dealer.pk])


def test_the_watch_list_is_the_users_dealers_marked_when_on_the_key_attention_list(make_user, dealer, other_dealer):
    mine, theirs = vehicle_under_warranty(dealer), vehicle_under_warranty(other_dealer)
    for car in (mine, theirs):
        visit(car, date_in=days_ago(60), days=27)
    KeyAttentionVehicle.objects.create(dealer=dealer, vehicle=mine, reason="投诉")
    rows = sanbao_watch_list(user=make_user(roles.SERVICE_MANAGER, dealer))
    assert [(row.vehicle, row.key_attention) for row in rows] == [(mine, True)]
    rows = sanbao_watch_list(user=make_user(roles.DIRECTOR, dealer, other_dealer))
    assert {(row.vehicle, row.key_attention) for row in rows} == {(mine, True), (theirs, False)}


def test_the_sanbao_page_of_six_dealers_takes_as_many_queries_as_of_one(client, make_user, dealer):
    dealers = [dealer, *(DealerFactory(code=f"SB{index}") for index in range(5))]
    for one in dealers:
        for days in (26, 31):
            car = vehicle_under_warranty(one)
            visit(car, date_in=days_ago(60), days=days, fault_code="F-1", is_safety_fault=True)
            visit(car, date_in=days_ago(20), fault_code="F-1", is_safety_fault=True)
        KeyAttentionVehicle.objects.create(dealer=one, vehicle=car, reason="三包")

    def page(user):
        client.force_login(user)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(reverse("events:sanbao"))
        assert response.status_code == 200
        return response, len(captured)

    one, one_count = page(make_user(roles.DIRECTOR, dealer))
    six, six_count = page(make_user(roles.DIRECTOR, *dealers))
    assert len(one.context["rows"]) == 2 and len(six.context["rows"]) == 12
    assert six_count == one_count <= 12
    html = six.content.decode()
    assert all(str(one) in html for one in dealers)  # a dealer column when the user has several
    assert str(dealer) not in one.content.decode().split('id="sanbao-table"')[1]


def test_crossing_a_threshold_puts_the_vehicle_on_the_key_attention_list_and_mails_once(
    dealer, car, service_manager, notify, django_capture_on_commit_callbacks, mailoutbox
):
    visit(car, date_in=days_ago(60), days=26)
    with django_capture_on_commit_callbacks(execute=True):
        warranty_watch(dealer=dealer)
    entry = KeyAttentionVehicle.objects.get(vehicle=car, released_at__isnull=True)
    assert "26" in entry.reason and "三包" in entry.reason
    notify.assert_called_once_with(kwargs={"vehicle_id": car.pk, "warnings": ["days"]})
    with django_capture_on_commit_callbacks(execute=True):
        warranty_watch(dealer=dealer)  # the daily job again: nothing new
    assert KeyAttentionVehicle.objects.count() == 1 and notify.call_count == 1
    # The task mails the dealer's service managers with the figures.
    assert sanbao_notify_service_managers(vehicle_id=car.pk, warnings=["days"]) == 1
    assert mailoutbox[0].to == ["sm@example.com"] and car.vin in mailoutbox[0].subject
    assert "26" in mailoutbox[0].body
    assert assert_links_absolute(mailoutbox[0]) == [f"{settings.CAC_SITE_URL}/events/sanbao/"]


def test_a_second_threshold_is_added_to_the_entry(dealer, car, notify, django_capture_on_commit_callbacks):
    visit(car, date_in=days_ago(90), days=26, fault_code="EPS-1")
    with django_capture_on_commit_callbacks(execute=True):
        warranty_watch(dealer=dealer)
    for index in range(3):
        visit(car, date_in=days_ago(40 - index), fault_code="EPS-1")
    with django_capture_on_commit_callbacks(execute=True):
        warranty_watch(dealer=dealer)
    entry = KeyAttentionVehicle.objects.get()
    assert "EPS-1" in entry.reason and "26" in entry.reason
    assert [call.kwargs["kwargs"]["warnings"] for call in notify.call_args_list] == [["days"], ["fault:EPS-1"]]


def test_a_vehicle_already_on_the_list_for_a_complaint_gets_the_reason_added(
    dealer, car, notify, django_capture_on_commit_callbacks
):
    KeyAttentionVehicle.objects.create(dealer=dealer, vehicle=car, reason="TS-202606-0001 产品质量")
    visit(car, date_in=days_ago(30), is_safety_fault=True)
    visit(car, date_in=days_ago(10), is_safety_fault=True)
    with django_capture_on_commit_callbacks(execute=True):
        warranty_watch(dealer=dealer)
    entry = KeyAttentionVehicle.objects.get()
    assert entry.reason.startswith("TS-202606-0001") and "三包" in entry.reason
    assert notify.call_count == 1


def test_a_released_vehicle_is_not_flagged_again_for_the_same_threshold(
    dealer, car, notify, django_capture_on_commit_callbacks
):
    visit(car, date_in=days_ago(60), days=26)
    warranty_watch(dealer=dealer)
    KeyAttentionVehicle.objects.filter(vehicle=car).update(released_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        warranty_watch(dealer=dealer)
    assert KeyAttentionVehicle.objects.count() == 1 and notify.call_count == 0


def test_recording_a_repair_runs_the_watch(dealer, car, agent, notify, django_capture_on_commit_callbacks):
    visit(car, date_in=days_ago(60), days=24)
    with django_capture_on_commit_callbacks(execute=True):
        service_visit_record(
            dealer=dealer,
            order_number="RO-9",
            customer=car.customer,
            vehicle=car,
            date_in=days_ago(3),
            date_out=days_ago(2),
            mileage=None,
            fault="异响",
            fault_code="",
            work_done="",
            is_warranty=True,
            is_rework=True,
            is_safety_fault=False,
            acting_user=agent,
        )
    assert KeyAttentionVehicle.objects.filter(vehicle=car).exists()
    assert notify.call_count == 1


def test_the_daily_job_runs_the_watch(dealer, car, notify):
    from callbacks.care import care_callbacks_create

    visit(car, date_in=days_ago(60), days=30)
    care_callbacks_create(today=timezone.localdate(), dealer=dealer)
    assert KeyAttentionVehicle.objects.filter(vehicle=car).exists()


def test_the_mail_task_without_service_managers_or_vehicle_sends_nothing(dealer, car, mailoutbox):
    assert sanbao_notify_service_managers(vehicle_id=car.pk, warnings=["days"]) == 0
    assert sanbao_notify_service_managers(vehicle_id=car.pk + 1000, warnings=["days"]) == 0
    assert mailoutbox == []
