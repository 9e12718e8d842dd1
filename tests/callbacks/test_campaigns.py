"""The call-list page (campaign, recall, holiday greeting): who may open it, dealer scoping, the preview, creation
with its skipped customers, idempotence, bad input as field errors with nothing written, the query count."""

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.urls import reverse

from cac import roles
from cac.models import Customer
from callbacks.models import Callback, Kind
from tests.cac.factories import CustomerFactory, DealerFactory, VehicleFactory, make_vin

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
URL = reverse("callbacks:call_list_new")
TODAY = date(2026, 3, 10)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(datetime(2026, 3, 10, 10, 0, tzinfo=SHANGHAI), tick=False):
        yield


@pytest.fixture
def supervisor(make_user, dealer, agent):
    """A service manager of the dealer; `agent` is there so that agent_for has someone to assign."""
    return make_user(roles.SERVICE_MANAGER, dealer, username="supervisor")


@pytest.fixture
def supervisor_client(client, supervisor):
    client.force_login(supervisor)
    return client


def owner(dealer, model="凯美瑞", purchase_date=date(2024, 6, 1), **customer_fields) -> Customer:
    customer = CustomerFactory(dealer=dealer, **customer_fields)
    VehicleFactory(customer=customer, model=model, purchase_date=purchase_date)
    return customer


def create(client, **fields):
    data = {"name": "2026 空调免费检测", "kind": "campaign", "due_on": "2026-03-20", **fields}
    return client.post(URL, data, HTTP_ACCEPT_LANGUAGE="en")  # messages in English for the assertions


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


# --- Who may open it ----------------------------------------------------------------------------------------------


def test_only_supervisors_open_the_page(client, agent, supervisor):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    client.force_login(agent)
    assert client.get(URL).status_code == 403
    assert create(client).status_code == 403
    client.force_login(supervisor)
    assert client.get(URL).status_code == 200


def test_the_worklist_links_to_it_for_supervisors_only(client, agent, supervisor):
    client.force_login(agent)
    assert URL not in client.get(reverse("callbacks:worklist")).content.decode()
    client.force_login(supervisor)
    assert URL in client.get(reverse("callbacks:worklist")).content.decode()


# --- Preview ----------------------------------------------------------------------------------------------------------


def test_preview_counts_the_customers_the_filters_choose(supervisor_client, dealer):
    chosen = [owner(dealer, model="凯美瑞 2.0") for _ in range(3)]
    owner(dealer, model="雅阁")
    owner(dealer, purchase_date=date(2020, 1, 1))
    refusing = owner(dealer, consents_to_calls=False)
    response = supervisor_client.get(
        URL, {"model": "凯美瑞", "purchased_from": "2024-01-01", "purchased_to": "2024-12-31"}
    )
    preview = response.context["preview"]
    assert (preview["total"], preview["reachable"], preview["no_consent"]) == (4, 3, 1)
    assert {c.pk for c in preview["customers"]} == {*(c.pk for c in chosen), refusing.pk}
    assert not Callback.objects.exists()


def test_preview_by_pasted_vins_names_the_unknown_ones(supervisor_client, dealer):
    customer = owner(dealer)
    owner(dealer)
    vin = customer.vehicles.get().vin
    unknown = make_vin(99_999_999)
    response = supervisor_client.get(URL, {"vins": f"{vin.lower()}\n\n{unknown}\n"})
    preview = response.context["preview"]
    assert preview["total"] == 1
    assert preview["unknown_vins"] == [unknown]


def test_a_bad_vin_is_a_field_error(supervisor_client, dealer):
    response = supervisor_client.get(URL, {"vins": "NOTAVIN"})
    assert response.context["preview"] is None
    assert "vins" in response.context["form"].errors


def test_another_dealers_customers_are_never_chosen(supervisor_client, dealer, other_dealer):
    mine = owner(dealer)
    owner(other_dealer)
    response = supervisor_client.get(URL, {"model": "凯美瑞"})
    assert [c.pk for c in response.context["preview"]["customers"]] == [mine.pk]
    # A user of one dealer has no dealer to choose: a posted one is ignored.
    response = create(supervisor_client, dealer=other_dealer.pk)
    assert Callback.objects.get().customer == mine
    assert response.status_code == 302


def test_with_several_dealers_one_is_chosen(client, make_user, dealer, other_dealer, agent, other_agent):
    director = make_user(roles.SERVICE_MANAGER, dealer, other_dealer, username="two-dealers")
    owner(dealer)
    theirs = owner(other_dealer)
    client.force_login(director)
    assert "dealer" in client.get(URL).context["form"].fields
    response = create(client, dealer=other_dealer.pk)
    assert response.status_code == 302
    assert list(Callback.objects.values_list("customer_id", "dealer_id")) == [(theirs.pk, other_dealer.pk)]
    stranger = DealerFactory(code="BJ03")
    owner(stranger)
    response = create(client, dealer=stranger.pk, name="另一个活动")
    assert "dealer" in response.context["form"].errors
    assert not Callback.objects.filter(dealer=stranger).exists()


def test_preview_takes_a_bounded_number_of_queries(supervisor_client, dealer, django_assert_max_num_queries):
    for _ in range(30):
        owner(dealer)
    with django_assert_max_num_queries(12):
        response = supervisor_client.get(URL, {"model": "凯美瑞", "purchased_from": "2024-01-01"})
    assert response.context["preview"]["total"] == 30
    assert len(response.context["preview"]["customers"]) == 20


# --- Creating -----------------------------------------------------------------------------------------------------------


def test_creation_skips_customers_who_refuse_calls_and_says_why(supervisor_client, dealer, agent):
    callable_ = [owner(dealer) for _ in range(2)]
    owner(dealer, consents_to_calls=False)
    owner(dealer, preferred_channel=Customer.ContactChannel.NONE)
    response = create(supervisor_client, model="凯美瑞")
    assert response.status_code == 302
    assert response["Location"] == reverse("callbacks:worklist")
    callbacks = Callback.objects.all()
    assert {c.customer_id for c in callbacks} == {c.pk for c in callable_}
    assert {(c.kind, c.care_key, c.agent_id) for c in callbacks} == {
        (Kind.CAMPAIGN, "campaign:2026-空调免费检测", agent.pk)
    }
    assert all(c.due_at.astimezone(SHANGHAI).date() == date(2026, 3, 20) for c in callbacks)
    assert messages_of(response) == [
        "Call list “2026 空调免费检测”: 2 follow-up calls created.",
        "Skipped: 1 customer does not consent to calls. 1 customer wants no contact.",
    ]


def test_a_holiday_greeting_list(supervisor_client, dealer):
    customer = CustomerFactory(dealer=dealer)  # no vehicle: a greeting goes to every customer
    create(supervisor_client, name="春节问候", kind="holiday")
    callback = Callback.objects.get()
    assert (callback.customer, callback.kind, callback.care_key) == (customer, Kind.HOLIDAY, "holiday:春节问候")


def test_creating_the_same_list_twice_creates_nothing_new(supervisor_client, dealer):
    for _ in range(3):
        owner(dealer)
    first = create(supervisor_client, kind="recall")
    assert messages_of(first) == ["Call list “2026 空调免费检测”: 3 follow-up calls created."]
    assert Callback.objects.count() == 3
    supervisor_client.get(reverse("callbacks:worklist"))  # shows, and so consumes, the first messages
    response = create(supervisor_client, kind="recall")
    assert response.status_code == 302
    assert Callback.objects.count() == 3
    assert messages_of(response) == [
        "Call list “2026 空调免费检测”: 0 follow-up calls created.",
        "Skipped: 3 customers are already on this list.",
    ]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "  !!! "}, "name"),
        ({"due_on": ""}, "due_on"),
        ({"due_on": "2026-02-30"}, "due_on"),
        ({"due_on": "2026-03-09"}, "due_on"),
        ({"purchased_from": "yesterday"}, "purchased_from"),
        ({"purchased_from": "2025-01-01", "purchased_to": "2024-01-01"}, "purchased_to"),
        ({"kind": "spam"}, "kind"),
    ],
)
def test_bad_input_is_a_field_error_and_writes_nothing(supervisor_client, dealer, fields, field):
    owner(dealer)
    response = create(supervisor_client, **fields)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Callback.objects.exists()


def test_a_list_nobody_matches_writes_nothing(supervisor_client, dealer):
    owner(dealer)
    response = create(supervisor_client, model="雅阁")
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert not Callback.objects.exists()


def test_due_today_is_accepted(supervisor_client, dealer):
    owner(dealer)
    assert create(supervisor_client, due_on=TODAY.isoformat()).status_code == 302


def test_the_preview_creates_exactly_the_list_previewed(supervisor_client, dealer):
    chosen = owner(dealer, model="凯美瑞")
    owner(dealer, model="雅阁")
    page = supervisor_client.get(
        URL, {"name": "凯美瑞召回", "kind": "recall", "due_on": "2026-03-12", "model": "凯美瑞", "vins": ""}
    )
    form = re.search(r'<form method="post"[^>]*id="call-list-create">(.*?)</form>', page.content.decode(), re.S)
    data = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form.group(1)))
    assert data["name"] == "凯美瑞召回"
    assert supervisor_client.post(URL, data).status_code == 302
    callback = Callback.objects.get()
    assert (callback.customer, callback.kind, callback.care_key) == (chosen, Kind.CAMPAIGN, "campaign:凯美瑞召回")
