"""Pages of deliveries, repair orders, the DMS import and the 三包 watch: who may open them, dealer scoping, bad
input and query counts."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cac import roles
from cac.events.forms import ImportConfirmForm
from cac.models import Customer, Dealer, DmsImport, Sale, ServiceVisit
from cac.tasks import dms_import_task
from callbacks.models import Callback
from tests.cac.factories import CustomerFactory, VehicleFactory
from tests.callbacks.event_support import (
    DELIVERY_HEADER,
    at_test_clock,
    csv_bytes,
    days_ago,
    delivery_row,
    sale,
    vehicle_under_warranty,
    visit,
)

pytestmark = pytest.mark.django_db

ROLES = [roles.AGENT, roles.SERVICE_MANAGER, roles.SALES_MANAGER, roles.DIRECTOR, roles.EXECUTIVE, roles.ADMIN]
CAN_RECORD = {roles.AGENT, roles.SERVICE_MANAGER, roles.SALES_MANAGER, roles.DIRECTOR, roles.ADMIN}
MANAGERS = {roles.SERVICE_MANAGER, roles.SALES_MANAGER, roles.DIRECTOR, roles.ADMIN}


@pytest.fixture
def customer(dealer):
    customer = CustomerFactory(dealer=dealer)
    VehicleFactory(customer=customer)
    return customer


def _pages(customer):
    return {
        reverse("events:sales"): set(ROLES),
        reverse("events:service_visits"): set(ROLES),
        reverse("events:import"): CAN_RECORD,
        reverse("events:sanbao"): MANAGERS,
        reverse("events:sale_create", args=[customer.pk]): CAN_RECORD,
        reverse("events:service_visit_create", args=[customer.pk]): CAN_RECORD,
    }


@pytest.mark.parametrize("role", [*ROLES, None])
def test_url_by_role_status_table(client, make_user, dealer, customer, role):
    if role is not None:
        client.force_login(make_user(role, dealer))
    for url, allowed in _pages(customer).items():
        response = client.get(url)
        expected = 302 if role is None else 200 if role in allowed else 403
        assert response.status_code == expected, (url, role, response.status_code)


def test_another_dealers_customer_is_a_404(agent_client, other_dealer):
    stranger = CustomerFactory(dealer=other_dealer)
    VehicleFactory(customer=stranger)
    for name in ("events:sale_create", "events:service_visit_create"):
        assert agent_client.get(reverse(name, args=[stranger.pk])).status_code == 404
        assert agent_client.post(reverse(name, args=[stranger.pk]), {}).status_code == 404
    assert not Sale.objects.exists()


def test_lists_show_only_the_users_dealers(agent_client, dealer, other_dealer):
    mine = sale(VehicleFactory(customer=CustomerFactory(dealer=dealer)))
    theirs = sale(VehicleFactory(customer=CustomerFactory(dealer=other_dealer)))
    visit(theirs.vehicle, date_in=days_ago(3), order_number="THEIRS-1")
    visit(mine.vehicle, date_in=days_ago(3), order_number="MINE-1")
    page = agent_client.get(reverse("events:sales")).content.decode()
    assert mine.vehicle.vin in page and theirs.vehicle.vin not in page
    page = agent_client.get(reverse("events:service_visits")).content.decode()
    assert "MINE-1" in page and "THEIRS-1" not in page


def test_the_sanbao_page_lists_the_dealers_vehicles_near_a_threshold(client, make_user, dealer, other_dealer):
    client.force_login(make_user(roles.SERVICE_MANAGER, dealer))
    near = vehicle_under_warranty(dealer)
    visit(near, date_in=days_ago(60), days=26)
    elsewhere = vehicle_under_warranty(other_dealer)
    visit(elsewhere, date_in=days_ago(60), days=40)
    fine = vehicle_under_warranty(dealer)
    visit(fine, date_in=days_ago(60), days=3)
    page = client.get(reverse("events:sanbao")).content.decode()
    assert near.vin in page and "26 / 30" in page
    assert elsewhere.vin not in page and fine.vin not in page


def test_record_a_delivery_by_hand(agent_client, agent, customer):
    vehicle = customer.vehicles.get()
    url = reverse("events:sale_create", args=[customer.pk])
    response = agent_client.post(
        url, {"vehicle": vehicle.pk, "delivered_on": days_ago(1).isoformat(), "consultant": agent.pk}
    )
    assert response.status_code == 302 and response.url == reverse("customer_detail", args=[customer.pk])
    sale_row = Sale.objects.get()
    assert sale_row.consultant == agent and Callback.objects.filter(sale=sale_row).count() == 1
    response = agent_client.post(url, {"vehicle": vehicle.pk, "delivered_on": days_ago(1).isoformat()})
    assert response.status_code == 302 and Sale.objects.count() == 1


def test_record_a_repair_order_by_hand(agent_client, customer):
    vehicle = customer.vehicles.get()
    response = agent_client.post(
        reverse("events:service_visit_create", args=[customer.pk]),
        {
            "order_number": "RO-77",
            "vehicle": vehicle.pk,
            "date_in": days_ago(2).isoformat(),
            "date_out": days_ago(1).isoformat(),
            "mileage": "12000",
            "fault": "异响",
            "is_warranty": "on",
        },
    )
    assert response.status_code == 302
    visit_row = ServiceVisit.objects.get()
    assert visit_row.is_warranty and visit_row.mileage == 12000
    assert Callback.objects.filter(service_visit=visit_row).exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"date_in": lambda: days_ago(1), "date_out": lambda: days_ago(3)}, "date_out"),
        ({"date_in": lambda: timezone.localdate() + timezone.timedelta(days=2)}, "date_in"),
        ({"mileage": "-5"}, "mileage"),
        ({"mileage": "99999999999"}, "mileage"),
        ({"mileage": "twelve"}, "mileage"),
        ({"order_number": "   "}, "order_number"),
        ({"order_number": "R" * 31}, "order_number"),
        ({"vehicle": "999999"}, "vehicle"),
        ({"date_in": "2026-13-45"}, "date_in"),
        ({"advisor": "999999"}, "advisor"),
        ({"fault": "\x00"}, "fault"),
    ],
)
def test_bad_repair_order_input_is_a_field_error_and_writes_nothing(agent_client, customer, data, field):
    vehicle = customer.vehicles.get()
    values = {"order_number": "RO-1", "vehicle": vehicle.pk, "date_in": days_ago(2), "date_out": days_ago(1)}
    values.update(at_test_clock(data))
    response = agent_client.post(reverse("events:service_visit_create", args=[customer.pk]), values)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not ServiceVisit.objects.exists() and not Callback.objects.exists()


def test_another_customers_vehicle_cannot_be_chosen(agent_client, dealer, customer):
    other_vehicle = VehicleFactory(customer=CustomerFactory(dealer=dealer))
    response = agent_client.post(
        reverse("events:sale_create", args=[customer.pk]),
        {"vehicle": other_vehicle.pk, "delivered_on": days_ago(1).isoformat()},
    )
    assert response.status_code == 200 and "vehicle" in response.context["form"].errors
    response = agent_client.post(
        reverse("events:sale_create", args=[customer.pk]),
        {"vehicle": customer.vehicles.get().pk, "delivered_on": (timezone.localdate() + timezone.timedelta(days=1))},
    )
    assert "delivered_on" in response.context["form"].errors
    assert not Sale.objects.exists()


def test_a_customer_without_a_vehicle_is_asked_to_add_one(agent_client, dealer):
    bare = CustomerFactory(dealer=dealer)
    response = agent_client.get(reverse("events:sale_create", args=[bare.pk]))
    assert response.status_code == 200 and b'id="no-vehicle"' in response.content


def test_the_customer_360_has_the_buttons_and_the_recent_events(agent_client, customer):
    sold = sale(customer.vehicles.get())
    visit(sold.vehicle, date_in=days_ago(2), order_number="RO-360")
    page = agent_client.get(reverse("customer_detail", args=[customer.pk])).content.decode()
    assert reverse("events:sale_create", args=[customer.pk]) in page
    assert reverse("events:service_visit_create", args=[customer.pk]) in page
    assert 'id="customer-events"' in page and "RO-360" in page and "sale-item" in page


def test_the_executive_sees_the_events_on_the_360_without_the_buttons(client, make_user, dealer, customer):
    client.force_login(make_user(roles.EXECUTIVE, dealer))
    sale(customer.vehicles.get())
    page = client.get(reverse("customer_detail", args=[customer.pk])).content.decode()
    assert "sale-item" in page and 'id="record-sale"' not in page


# --- The import page ---------------------------------------------------------------------------------


def _upload(client, content, *, name="deliveries.csv", kind="deliveries"):
    dealer = Dealer.objects.get(code="GZ01")
    return client.post(
        reverse("events:import"),
        {"dealer": dealer.pk, "kind": kind, "file": SimpleUploadedFile(name, content, "text/csv")},
    )


def _imported(client, response):
    """Follow the redirect to the import's page, run the queued import as the worker does, and read the page."""
    assert response.status_code == 302
    job = DmsImport.objects.get(pk=int(response.url.rstrip("/").split("/")[-1]))
    assert response.url == reverse("events:import_status", args=[job.pk])
    pending = client.get(response.url)
    assert b'id="import-pending"' in pending.content and b'hx-trigger="every 2s"' in pending.content
    assert "HX-Refresh" not in client.get(response.url, HTTP_HX_REQUEST="true")
    dms_import_task.run(import_id=job.pk)
    assert client.get(response.url, HTTP_HX_REQUEST="true")["HX-Refresh"] == "true"
    page = client.get(response.url)
    assert b'id="import-pending"' not in page.content
    return page.context["job"]


def test_a_clean_file_is_checked_then_imported_by_a_worker(agent_client, django_capture_on_commit_callbacks):
    content = csv_bytes(DELIVERY_HEADER, [delivery_row(1), delivery_row(2)])
    with django_capture_on_commit_callbacks() as queued:
        response = _upload(agent_client, content)
    assert len(queued) == 1 and not Sale.objects.exists()  # nothing written in the request
    job = _imported(agent_client, response)
    assert (job.status, job.created) == ("done", 2)
    assert Sale.objects.count() == 2
    job = _imported(agent_client, _upload(agent_client, content))
    assert (job.created, job.present) == (0, 2)
    assert Sale.objects.count() == 2


def test_a_file_with_errors_is_previewed_and_its_good_rows_imported_on_confirmation(agent_client):
    content = csv_bytes(DELIVERY_HEADER, [delivery_row(1), delivery_row(2, mobile="123"), delivery_row(3)])
    response = _upload(agent_client, content)
    assert response.status_code == 200
    assert b'id="import-errors"' in response.content and b'id="import-confirm"' in response.content
    assert [error.line for error in response.context["check"].errors] == [3]
    assert not Sale.objects.exists() and not Customer.objects.exists() and not DmsImport.objects.exists()
    confirm = response.context["confirm"]
    data = {name: confirm[name].value() for name in ("dealer", "kind", "filename", "content", "good_rows_only")}
    job = _imported(agent_client, agent_client.post(reverse("events:import_confirm"), data))
    assert (job.created, job.bad) == (2, 1)
    assert [error["line"] for error in job.errors] == [3]
    assert Sale.objects.count() == 2


def test_another_dealers_import_page_is_a_404(agent_client, make_user, other_dealer):
    other = Client()
    other.force_login(make_user(roles.AGENT, other_dealer))
    response = _upload(agent_client, csv_bytes(DELIVERY_HEADER, [delivery_row(1)]))
    assert other.get(response.url).status_code == 404


@pytest.mark.parametrize(
    ("name", "content"),
    [("deliveries.xlsx", b"PK\x03\x04"), ("deliveries.csv", b""), ("big.csv", b"x" * (5 * 1024 * 1024 + 1))],
)
def test_only_csv_files_up_to_5_mb(agent_client, name, content):
    response = _upload(agent_client, content, name=name)
    assert response.status_code == 200 and "file" in response.context["form"].errors
    assert not Sale.objects.exists()


def test_a_missing_kind_or_a_damaged_confirmation_writes_nothing(agent_client, dealer):
    response = agent_client.post(reverse("events:import"), {"kind": "prospects"})
    assert response.status_code == 200 and "kind" in response.context["form"].errors
    response = agent_client.post(
        reverse("events:import_confirm"),
        {"dealer": dealer.pk, "kind": "deliveries", "content": "not base64!!", "good_rows_only": "True"},
    )
    assert response.status_code == 302 and response.url == reverse("events:import")
    assert not Sale.objects.exists()


def test_the_confirmation_cannot_import_into_another_dealer(agent_client, other_dealer):
    content = ImportConfirmForm.encode(csv_bytes(DELIVERY_HEADER, [delivery_row(1)]))
    response = agent_client.post(
        reverse("events:import_confirm"),
        {"dealer": other_dealer.pk, "kind": "deliveries", "content": content, "good_rows_only": "True"},
    )
    assert response.status_code == 302
    assert not Sale.objects.exists() and not DmsImport.objects.exists()


def test_the_executive_cannot_post_an_import(client, make_user, dealer):
    client.force_login(make_user(roles.EXECUTIVE, dealer))
    assert _upload(client, csv_bytes(DELIVERY_HEADER, [delivery_row(1)])).status_code == 403
    assert client.post(reverse("events:import_confirm"), {}).status_code == 403
    assert not Sale.objects.exists()


# --- Query counts ------------------------------------------------------------------------------------


def test_list_pages_take_a_bounded_number_of_queries(client, make_user, dealer, django_assert_max_num_queries):
    client.force_login(make_user(roles.SERVICE_MANAGER, dealer))
    for index in range(30):
        vehicle = vehicle_under_warranty(dealer)
        sale(vehicle)
        visit(vehicle, date_in=days_ago(40), days=26 if index % 3 == 0 else 2, fault_code="F-1")
    for name in ("events:sales", "events:service_visits", "events:sanbao"):
        with django_assert_max_num_queries(12):
            response = client.get(reverse(name))
        assert response.status_code == 200
    assert len(client.get(reverse("events:sanbao")).context["rows"]) == 10
