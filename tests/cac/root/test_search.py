"""The global search of the navigation bar: every kind of key finds its record, grouped; other dealers' never."""

from datetime import date

import pytest
from django.urls import reverse

from cac.models import ServiceVisit
from cac.roles import EXECUTIVE
from tests.cac.factories import CustomerFactory, VehicleFactory, make_vin
from tests.complaints.factories import ComplaintFactory
from tests.prospects.factories import ProspectFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(dealer, other_dealer, agent):
    customer = CustomerFactory(dealer=dealer, name="陈静", mobile="13800138000")
    vehicle = VehicleFactory(customer=customer, vin=make_vin(4242), plate="粤A12345")
    complaint = ComplaintFactory(customer=customer, vehicle=vehicle, oem_reference="FAW-88121")
    ServiceVisit.objects.create(
        dealer=dealer,
        order_number="RO-2026-0777",
        customer=customer,
        vehicle=vehicle,
        date_in=date(2026, 11, 1),
        date_out=date(2026, 11, 2),
    )
    prospect = ProspectFactory(dealer=dealer, owner=agent, name="陈先生", phone="13900139000")
    # The same keys at another dealer: never found.
    stranger = CustomerFactory(dealer=other_dealer, name="陈其他", mobile="13800138001")
    VehicleFactory(customer=stranger, vin=make_vin(4243), plate="粤A12346")
    ComplaintFactory(customer=stranger, oem_reference="FAW-88122")
    ProspectFactory(dealer=other_dealer, owner=agent, name="陈外", phone="13900139001")
    return {"customer": customer, "vehicle": vehicle, "complaint": complaint, "prospect": prospect}


def _search(client, query):
    response = client.get(reverse("search"), {"q": query})
    assert response.status_code == 200
    return response.context["groups"]


def _ids(rows):
    return [row.pk for row in rows]


@pytest.mark.parametrize("query", ["138 0013 8000", "+86 138-0013-8000", "13800138000", "１３８００１３８"])
def test_a_phone_number_in_any_spelling_finds_the_customer(agent_client, world, query):
    groups = _search(agent_client, query)
    assert _ids(groups["customers"]) == [world["customer"].pk]


def test_a_name_finds_customers_and_prospects_of_the_users_dealers_only(agent_client, world):
    groups = _search(agent_client, "陈")
    assert _ids(groups["customers"]) == [world["customer"].pk]
    assert _ids(groups["prospects"]) == [world["prospect"].pk]


def test_a_prospects_number_finds_the_prospect(agent_client, world):
    assert _ids(_search(agent_client, "139 0013")["prospects"]) == [world["prospect"].pk]


@pytest.mark.parametrize("query", ["粤A 12345", "粤a1234", lambda w: w["vehicle"].vin, lambda w: w["vehicle"].vin[:8]])
def test_a_plate_or_vin_finds_the_vehicle(agent_client, world, query):
    query = query(world) if callable(query) else query
    assert _ids(_search(agent_client, query)["vehicles"]) == [world["vehicle"].pk]


def test_a_repair_order_number_finds_its_vehicle(agent_client, world):
    assert _ids(_search(agent_client, "ro-2026-07")["vehicles"]) == [world["vehicle"].pk]


def test_a_complaint_number_or_oem_reference_finds_the_complaint(agent_client, world):
    complaint = world["complaint"]
    assert _ids(_search(agent_client, complaint.number.lower())["complaints"]) == [complaint.pk]
    assert _ids(_search(agent_client, "FAW-8812")["complaints"]) == [complaint.pk]


def test_the_page_shows_the_groups_with_links(agent_client, world):
    response = agent_client.get(reverse("search"), {"q": "陈"})
    html = response.content.decode()
    assert 'id="search-customers"' in html and 'id="search-prospects"' in html
    assert reverse("customer_detail", args=[world["customer"].pk]) in html
    assert "陈其他" not in html


def test_nothing_found_says_so_and_odd_input_is_no_500(agent_client, world):
    for query in ["zz-nothing", "\x00", "12", "%", "_" * 200]:
        response = agent_client.get(reverse("search"), {"q": query})
        assert response.status_code == 200


def test_the_executive_sees_numbers_masked(client, make_user, dealer, world):
    client.force_login(make_user(EXECUTIVE, dealer))
    response = client.get(reverse("search"), {"q": "138"})
    assert "138****8000" in response.content.decode()
    assert "13800138000" not in response.content.decode()


def test_the_navigation_bar_has_the_box(agent_client, world):
    response = agent_client.get(reverse("desk"))
    assert 'id="nav-search"' in response.content.decode()


# --- The call desk's day -------------------------------------------------------------------------------------------


def test_the_desk_counts_todays_work_and_lists_owed_call_backs_todays_first(agent_client, agent, dealer):
    from datetime import timedelta

    from django.utils import timezone

    from tests.cac.factories import CallLogFactory

    customer = CustomerFactory(dealer=dealer, name="周敏")
    old = CallLogFactory(
        customer=customer, handled_by=agent, callback_owed=True, started_at=timezone.now() - timedelta(days=90)
    )
    new = CallLogFactory(customer=customer, handled_by=agent, callback_owed=True, summary="今天要回电")
    ProspectFactory(dealer=dealer, owner=agent, next_contact_at=timezone.now() - timedelta(hours=1))
    response = agent_client.get(reverse("desk"))
    owed = list(response.context["owed_calls"])
    assert [call.pk for call in owed] == [new.pk, old.pk]
    assert owed[1].callback_overdue and owed[1].callback_due_at < timezone.now()
    html = response.content.decode()
    assert f'id="owed-call-{new.pk}"' in html and 'hx-get="/desk/today/"' in html
    counts = agent_client.get(reverse("desk_today")).context["counts"]
    assert counts["callbacks_owed"] == 2
    assert counts["prospects_to_contact"] == 1
    assert counts["follow_ups_due"] == 0
