"""The complaint screens through Django's test client: who may open what, dealer scoping, opening a complaint from
the desk, the list's filters and order, the steps of the state machine, evidence, triage, key-attention vehicles,
the customer 360 and query counts."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLResolver, get_resolver, reverse
from django.utils import timezone

from cac import roles
from complaints import services
from complaints.models import (
    Attachment,
    AuthorityRequest,
    Category,
    Channel,
    Complaint,
    EngineerDispatch,
    Escalation,
    EscalationLevel,
    KeyAttentionVehicle,
    Severity,
    Status,
)
from tests import uploads as made
from tests.cac.factories import CallLogFactory, CustomerFactory, UserFactory, VehicleFactory, make_vin
from tests.complaints.factories import ComplaintFactory, open_complaint, walk
from tests.conftest import verify_two_factor
from tests.csp import csp_problems

pytestmark = pytest.mark.django_db

LOGIN_URL = "/accounts/login/"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
MAX_QUERIES = 12


def png(name: str = "photo.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def stored_files(root: Path) -> list[Path]:
    return [path for path in Path(root).rglob("*") if path.is_file()] if Path(root).exists() else []


def snapshot() -> dict[str, int]:
    """Everything a complaint screen can write, counted."""
    return {
        "complaints": Complaint.objects.count(),
        "history": Complaint.history.count(),
        "escalations": Escalation.objects.count(),
        "authority_history": AuthorityRequest.history.count(),
        "attachments": Attachment.objects.count(),
        "dispatch_history": EngineerDispatch.history.count(),
        "key_vehicle_history": KeyAttentionVehicle.history.count(),
    }


def form_errors(response) -> dict | None:
    context = getattr(response, "context", None) or {}
    for key in (
        "form",
        "escalate_form",
        "attachment_form",
        "assign_form",
        "bound_form",
        "identify_form",
        "authority_form",
    ):
        form = context.get(key)
        if form is not None and form.errors:
            return form.errors
    for _action, _label, form in context.get("steps", []):
        if form.errors:
            return form.errors
    return None


@pytest.fixture
def customer(dealer):
    return CustomerFactory(dealer=dealer, name="陈静", mobile="13800138000")


@pytest.fixture
def vehicle(customer):
    return VehicleFactory(customer=customer, vin=make_vin(1), plate="粤A12345", model="凯美瑞")


@pytest.fixture
def call(customer, agent):
    return CallLogFactory(customer=customer, handled_by=agent, purpose="complaint", summary="客户投诉保养后异响")


@pytest.fixture
def service_manager(make_user, dealer):
    return make_user(roles.SERVICE_MANAGER, dealer, username="service-manager", first_name="强", last_name="刘")


@pytest.fixture
def complaint(customer, vehicle, agent):
    """A new repair-quality complaint with a vehicle: it puts the vehicle on the key-attention list."""
    return open_complaint(customer=customer, acting_user=agent, vehicle=vehicle, category=Category.REPAIR_QUALITY)


@pytest.fixture
def attachment(complaint, agent, media_root):
    return services.attachment_add(
        complaint_id=complaint.pk, kind="photo", upload=png(), description="异响位置", acting_user=agent
    )


@pytest.fixture
def foreign(other_dealer, other_agent, media_root):
    """Dealer B's complaint, attachment and key-attention vehicle, which dealer A's staff must never reach."""
    customer = CustomerFactory(dealer=other_dealer, name="李雷", mobile="13900139000")
    vehicle = VehicleFactory(customer=customer, vin=make_vin(2), model="帕萨特")
    call = CallLogFactory(customer=customer, handled_by=other_agent, summary="B店的投诉电话")
    complaint = open_complaint(
        customer=customer, acting_user=other_agent, vehicle=vehicle, category=Category.REPAIR_QUALITY, call=call
    )
    attachment = services.attachment_add(
        complaint_id=complaint.pk, kind="photo", upload=png("b.png"), description="B店证据", acting_user=other_agent
    )
    return {
        "customer": customer,
        "call": call,
        "complaint": complaint,
        "attachment": attachment,
        "entry": KeyAttentionVehicle.objects.get(vehicle=vehicle),
    }


# --- (1) URL x role ----------------------------------------------------------------------------------------------

ANON, NO_ROLE = "anonymous", "no_role"
MANAGERS = (roles.SERVICE_MANAGER, roles.SALES_MANAGER, roles.DIRECTOR, roles.ADMIN)
HANDLERS = (roles.AGENT, *MANAGERS)
ALL_ROLES = (ANON, NO_ROLE, *HANDLERS, roles.EXECUTIVE)
TO_LOGIN = "login"


def _row(handler, executive, *, manager=None, no_role=403):
    """Expected status per role: handlers (agent and managers), managers alone when they differ, the executive."""
    row = {ANON: TO_LOGIN, NO_ROLE: no_role, roles.EXECUTIVE: executive, **dict.fromkeys(HANDLERS, handler)}
    if manager is not None:
        row.update(dict.fromkeys(MANAGERS, manager))
    return row


# (method, url name) -> role -> status. Every URL of complaints/urls.py is here (checked below).
ACCESS = {
    ("GET", "complaints:list"): _row(200, 200),
    ("GET", "complaints:create"): _row(200, 403),
    ("POST", "complaints:create"): _row(302, 403),
    ("GET", "complaints:mine"): _row(200, 403),
    ("GET", "complaints:triage"): _row(403, 403, manager=200),
    ("POST", "complaints:triage"): _row(403, 403, manager=302),
    ("GET", "complaints:key_vehicles"): _row(200, 200),
    ("GET", "complaints:key_vehicle_assign"): _row(403, 403, manager=405),
    ("POST", "complaints:key_vehicle_assign"): _row(403, 403, manager=302),
    ("GET", "complaints:attachment"): _row(200, 200),
    ("GET", "complaints:detail"): _row(200, 200),
    ("GET", "complaints:edit"): _row(200, 403),
    ("POST", "complaints:edit"): _row(302, 403),
    ("GET", "complaints:transition"): _row(405, 403),
    ("POST", "complaints:transition"): _row(302, 403),
    ("POST", "complaints:escalate"): _row(302, 403),
    ("POST", "complaints:assign"): _row(403, 403, manager=302),
    ("POST", "complaints:identify"): _row(403, 403, manager=302),
    ("POST", "complaints:authority_request"): _row(403, 403, manager=302),
    ("POST", "complaints:authority_answer"): _row(403, 403, manager=302),
    ("POST", "complaints:attachment_add"): _row(302, 403),
    ("GET", "complaints:dispatch"): _row(200, 403),
    ("POST", "complaints:dispatch"): _row(302, 403),
}
WRITES = {
    "complaints:create",
    "complaints:triage",
    "complaints:key_vehicle_assign",
    "complaints:edit",
    "complaints:transition",
    "complaints:escalate",
    "complaints:assign",
    "complaints:identify",
    "complaints:authority_request",
    "complaints:authority_answer",
    "complaints:attachment_add",
    "complaints:dispatch",
}


def _now_local() -> str:
    return timezone.localtime().strftime("%Y-%m-%dT%H:%M")


def _request_for(name: str, method: str, *, complaint, attachment, customer, call, handler):
    """The path and the (valid) data of each URL."""
    entry = KeyAttentionVehicle.objects.get(vehicle=complaint.vehicle)
    args = {
        "complaints:key_vehicle_assign": [entry.pk],
        "complaints:attachment": [attachment.pk],
        "complaints:detail": [complaint.pk],
        "complaints:edit": [complaint.pk],
        "complaints:transition": [complaint.pk, "acknowledge"],
        "complaints:escalate": [complaint.pk],
        "complaints:assign": [complaint.pk],
        "complaints:identify": [complaint.pk],
        "complaints:authority_request": [complaint.pk],
        "complaints:attachment_add": [complaint.pk],
        "complaints:dispatch": [complaint.pk],
    }.get(name, [])
    if name == "complaints:authority_answer":
        asked = AuthorityRequest.objects.create(
            complaint=complaint, kind="rental_car", request="代步车三天", requested_by=handler
        )
        args = [asked.pk]
    path = reverse(name, args=args)
    if name == "complaints:create":
        path += f"?customer={customer.pk}&call={call.pk}"
    data = {
        "complaints:create": {
            "channel": Channel.DEALER_HOTLINE,
            "category": Category.SERVICE_ATTITUDE,
            "severity": Severity.NORMAL,
            "received_at": _now_local(),
            "description": "接待态度差",
        },
        "complaints:triage": {"complaints": [complaint.pk], "owner": handler.pk},
        "complaints:key_vehicle_assign": {"responsible": handler.pk},
        "complaints:edit": {"description": "接待态度差，已补充细节", "demand": "要求道歉"},
        "complaints:transition": {"acknowledge-note": "已致歉"},
        "complaints:escalate": {"escalate-reason": "customer_demand", "escalate-note": "客户要求总监处理"},
        "complaints:assign": {"assign-owner": handler.pk},
        "complaints:identify": {
            "identify-category": Category.REPAIR_COST,
            "identify-department": complaint.department,
            "identify-severity": complaint.severity,
            "identify-channel": complaint.channel,
            "identify-reason": "识别：实为维修费用问题",
        },
        "complaints:authority_request": {"authority-kind": "transport_subsidy", "authority-request": "交通补助200元"},
        "complaints:authority_answer": {"answer-{pk}-answer": "granted", "answer-{pk}-answer_note": "区域经理同意"},
        "complaints:attachment_add": {
            "attachment-kind": "photo",
            "attachment-file": png("scratch.png"),
            "attachment-description": "划痕",
        },
        "complaints:dispatch": {"engineer": "区域工程师刘工", "called_at": _now_local()},
    }.get(name, {})
    if method == "GET":
        data = {}
    if name == "complaints:authority_answer":
        data = {key.format(pk=args[0]): value for key, value in data.items()}
    return path, data


@pytest.fixture
def user_of_role(make_user, dealer):
    def make(role: str):
        if role == ANON:
            return None
        if role == NO_ROLE:
            user = UserFactory(username="no-role")
            user.dealers.add(dealer)
            return user
        return make_user(role, dealer, username=f"acting-{role}", is_staff=role == roles.ADMIN)

    return make


@pytest.mark.parametrize("role", ALL_ROLES)
@pytest.mark.parametrize(("method", "name"), list(ACCESS))
def test_access_by_role(client, user_of_role, agent, complaint, attachment, customer, call, method, name, role):
    expected = ACCESS[(method, name)][role]
    user = user_of_role(role)
    if user is not None:
        client.force_login(user)
    path, data = _request_for(
        name, method, complaint=complaint, attachment=attachment, customer=customer, call=call, handler=agent
    )
    before = snapshot()

    response = client.get(path, data) if method == "GET" else client.post(path, data)

    assert csp_problems(response) == []
    if expected == TO_LOGIN:
        assert response.status_code == 302
        assert response.url.startswith(f"{LOGIN_URL}?next=")
    else:
        assert response.status_code == expected, form_errors(response)
    if response.status_code != 302 or expected == TO_LOGIN:
        assert snapshot() == before, "a refused request wrote something"
    elif method == "POST" and name in WRITES:
        assert snapshot() != before


def test_the_access_table_covers_every_complaints_url():
    resolver = next(
        p for p in get_resolver().url_patterns if isinstance(p, URLResolver) and p.namespace == "complaints"
    )
    names = {f"complaints:{pattern.name}" for pattern in resolver.url_patterns}
    assert names == {name for _method, name in ACCESS}


def test_every_role_is_in_the_access_table():
    assert set(roles.ROLE_PERMISSIONS) <= set(ALL_ROLES)


# --- (2) Dealer scoping ------------------------------------------------------------------------------------------

SCOPED = [
    ("GET", "complaints:detail", "complaint", {}),
    ("GET", "complaints:edit", "complaint", {}),
    ("POST", "complaints:edit", "complaint", {"description": "越权修改"}),
    ("POST", "complaints:transition", "complaint", {"acknowledge-note": "越权"}),
    ("POST", "complaints:escalate", "complaint", {"escalate-reason": "authority"}),
    ("POST", "complaints:assign", "complaint", None),
    ("POST", "complaints:identify", "complaint", None),
    (
        "POST",
        "complaints:authority_request",
        "complaint",
        {"authority-kind": "compensation", "authority-request": "越权"},
    ),
    ("POST", "complaints:attachment_add", "complaint", None),
    ("GET", "complaints:dispatch", "complaint", {}),
    ("POST", "complaints:dispatch", "complaint", {"engineer": "越权"}),
    ("GET", "complaints:attachment", "attachment", {}),
    ("POST", "complaints:key_vehicle_assign", "entry", None),
]


@pytest.mark.parametrize(("method", "name", "key", "data"), SCOPED)
def test_another_dealers_complaint_is_not_found(client, make_user, dealer, agent, foreign, method, name, key, data):
    director = make_user(roles.DIRECTOR, dealer, username="director-a")
    client.force_login(director)
    args = [foreign[key].pk, "acknowledge"] if name == "complaints:transition" else [foreign[key].pk]
    data = {
        "complaints:assign": {"assign-owner": agent.pk},
        "complaints:attachment_add": {"attachment-kind": "photo", "attachment-file": png()},
        "complaints:key_vehicle_assign": {"responsible": agent.pk},
        "complaints:identify": {
            "identify-category": "other",
            "identify-department": "sales",
            "identify-severity": "normal",
            "identify-channel": "walk_in",
            "identify-reason": "越权",
        },
    }.get(name, data)
    before = snapshot()
    response = client.get(reverse(name, args=args)) if method == "GET" else client.post(reverse(name, args=args), data)
    assert response.status_code == 404
    assert snapshot() == before
    assert "李雷" not in response.content.decode()


@pytest.mark.parametrize(
    "query", [{"customer": "{customer}"}, {"customer": "{own}", "call": "{call}"}, {"customer": "abc"}]
)
def test_opening_a_complaint_for_another_dealer_is_not_found(agent_client, customer, foreign, query):
    values = {"customer": foreign["customer"].pk, "own": customer.pk, "call": foreign["call"].pk}
    params = {key: value.format(**values) for key, value in query.items()}
    assert agent_client.get(reverse("complaints:create"), params).status_code == 404
    response = agent_client.post(
        reverse("complaints:create") + "?" + "&".join(f"{k}={v}" for k, v in params.items()),
        {"channel": "walk_in", "category": "other", "severity": "normal", "received_at": _now_local()}
        | {"description": "越权"},
    )
    assert response.status_code == 404
    assert Complaint.objects.filter(dealer=customer.dealer).count() == 0


@pytest.mark.parametrize("pk", [987654, 2**63 + 1])
def test_ids_that_do_not_exist_are_not_found(agent_client, pk):
    for name in ("complaints:detail", "complaints:attachment", "complaints:dispatch", "complaints:edit"):
        assert agent_client.get(reverse(name, args=[pk])).status_code == 404


def test_lists_show_only_the_users_dealers(client, make_user, dealer, complaint, foreign):
    director = make_user(roles.DIRECTOR, dealer, username="director-a")
    client.force_login(director)
    for name in ("complaints:list", "complaints:triage", "complaints:key_vehicles"):
        response = client.get(reverse(name))
        html = response.content.decode()
        assert response.status_code == 200
        assert "李雷" not in html, name
        assert foreign["complaint"].number not in html or foreign["complaint"].number == complaint.number
        assert complaint.customer.name in html, name
    listed = client.get(reverse("complaints:list")).context["page"]
    assert [c.pk for c in listed] == [complaint.pk]


def test_bulk_assign_of_another_dealers_complaint_is_refused(client, make_user, dealer, agent, complaint, foreign):
    director = make_user(roles.DIRECTOR, dealer, username="director-a")
    client.force_login(director)
    before = snapshot()
    response = client.post(
        reverse("complaints:triage"), {"complaints": [complaint.pk, foreign["complaint"].pk], "owner": agent.pk}
    )
    assert response.status_code == 200
    assert "complaints" in response.context["form"].errors
    assert snapshot() == before


def test_a_handler_of_another_dealer_cannot_be_given_a_complaint(client, make_user, dealer, complaint, other_agent):
    client.force_login(make_user(roles.DIRECTOR, dealer, username="director-a"))
    response = client.post(reverse("complaints:assign", args=[complaint.pk]), {"assign-owner": other_agent.pk})
    assert response.status_code == 200
    assert "owner" in response.context["assign_form"].errors
    complaint.refresh_from_db()
    assert complaint.owner_id != other_agent.pk


# --- (3) Opening a complaint from the call desk --------------------------------------------------------------------


def test_the_form_is_prefilled_from_the_desk(agent_client, customer, vehicle, call, foreign):
    VehicleFactory(customer=CustomerFactory(dealer=customer.dealer), vin=make_vin(9), plate="粤B99999")
    response = agent_client.get(reverse("complaints:create"), {"customer": customer.pk, "call": call.pk})
    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.fields["vehicle"].queryset) == [vehicle]
    assert form.initial["vehicle"] == vehicle.pk  # the customer's only vehicle is preselected
    assert form.initial["description"] == "客户投诉保养后异响"
    assert form.initial["channel"] == Channel.DEALER_HOTLINE
    assert response.context["call"] == call
    html = response.content.decode()
    assert "陈静" in html
    assert "粤B99999" not in html


def test_opening_a_complaint_links_customer_vehicle_and_call(agent_client, agent, customer, vehicle, call):
    url = reverse("complaints:create") + f"?customer={customer.pk}&call={call.pk}"
    response = agent_client.post(
        url,
        {
            "vehicle": vehicle.pk,
            "channel": Channel.DEALER_HOTLINE,
            "category": Category.REPAIR_QUALITY,
            "severity": Severity.NORMAL,
            "received_at": _now_local(),
            "description": "  保养后发动机异响  ",
            "demand": "要求免费检修",
        },
    )
    complaint = Complaint.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("complaints:detail", args=[complaint.pk])
    assert (complaint.customer, complaint.vehicle, complaint.dealer) == (customer, vehicle, customer.dealer)
    assert list(complaint.calls.all()) == [call]
    assert complaint.description == "保养后发动机异响"
    assert complaint.history.get().history_user == agent
    page = agent_client.get(response.url)
    assert complaint.number in page.content.decode()
    assert page.context["record"].calls == [call]


def test_a_vehicle_of_another_customer_is_a_field_error(agent_client, customer, dealer):
    strangers_car = VehicleFactory(customer=CustomerFactory(dealer=dealer), vin=make_vin(5))
    response = agent_client.post(
        reverse("complaints:create") + f"?customer={customer.pk}",
        {"vehicle": strangers_car.pk, "channel": "walk_in", "category": "other", "severity": "normal"}
        | {"received_at": _now_local(), "description": "x"},
    )
    assert response.status_code == 200
    assert "vehicle" in response.context["form"].errors
    assert Complaint.objects.count() == 0


def test_a_call_of_another_customer_is_not_found(agent_client, customer, dealer, agent):
    other_call = CallLogFactory(customer=CustomerFactory(dealer=dealer), handled_by=agent)
    response = agent_client.get(reverse("complaints:create"), {"customer": customer.pk, "call": other_call.pk})
    assert response.status_code == 404


def test_without_a_customer_the_desk_opens(agent_client):
    response = agent_client.get(reverse("complaints:create"))
    assert response.status_code == 302
    assert response.url == reverse("call_desk")


@pytest.mark.parametrize(
    ("field", "value"),
    [("description", "   "), ("received_at", "2999-01-01T10:00"), ("category", ""), ("channel", "nope")],
)
def test_invalid_input_is_a_field_error(agent_client, customer, field, value):
    data = {"channel": "walk_in", "category": "other", "severity": "normal", "received_at": _now_local()}
    data |= {"description": "态度差", field: value}
    response = agent_client.post(reverse("complaints:create") + f"?customer={customer.pk}", data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert Complaint.objects.count() == 0


def test_the_360_offers_to_open_a_complaint_from_the_customer_and_each_call(agent_client, customer, call):
    html = agent_client.get(reverse("customer_detail", args=[customer.pk])).content.decode()
    base = reverse("complaints:create")
    assert f'href="{base}?customer={customer.pk}"' in html
    assert f'href="{base}?customer={customer.pk}&amp;call={call.pk}"' in html


def test_the_360_does_not_offer_complaints_to_a_role_that_cannot_open_them(client, make_user, dealer, customer, call):
    client.force_login(make_user(roles.EXECUTIVE, dealer))
    html = client.get(reverse("customer_detail", args=[customer.pk])).content.decode()
    assert reverse("complaints:create") not in html
    assert 'id="open-complaints"' in html  # but it may read them


# --- (4) The list: filters and order -----------------------------------------------------------------------------


@pytest.fixture
def spread(dealer, customer, service_manager, agent):
    """Complaints whose running deadlines are breached, due soon and on time, and closed ones."""
    now = timezone.now()
    other = CustomerFactory(dealer=dealer, name="周晓梅", mobile="13700137000")

    def make(**fields):
        return ComplaintFactory(customer=fields.pop("customer", customer), **fields)

    rows = {
        "new_breached": make(
            received_at=now - timedelta(hours=9), acknowledge_due_at=now - timedelta(hours=1), owner=service_manager
        ),
        "new_soon": make(received_at=now - timedelta(hours=1), acknowledge_due_at=now + timedelta(hours=1)),
        "investigating_soon": make(
            status=Status.INVESTIGATING,
            resolve_due_at=now + timedelta(hours=20),
            owner=agent,
            channel=Channel.MEDIA,
            category=Category.REPAIR_COST,
            escalation_level=EscalationLevel.DIRECTOR,
        ),
        "in_progress_on_time": make(
            status=Status.IN_PROGRESS,
            resolve_due_at=now + timedelta(days=2),
            owner=agent,
            customer=other,
            severity=Severity.MAJOR,
            department="sales",
            category=Category.PURCHASE,
        ),
        "closed_old": make(
            status=Status.CLOSED,
            received_at=now - timedelta(days=40),
            resolve_due_at=now - timedelta(days=37),
            closed_at=now - timedelta(days=36),
        ),
        "cancelled": make(status=Status.CANCELLED, received_at=now - timedelta(days=2), closed_at=now),
    }
    return rows


def _listed(client, **params) -> list[int]:
    response = client.get(reverse("complaints:list"), params)
    assert response.status_code == 200
    return [complaint.pk for complaint in response.context["page"]]


def test_the_list_is_sorted_by_the_nearest_running_deadline_closed_last(agent_client, spread):
    expected = [
        spread[key].pk
        for key in ("new_breached", "new_soon", "investigating_soon", "in_progress_on_time", "cancelled", "closed_old")
    ]
    assert _listed(agent_client) == expected


@pytest.mark.parametrize(
    ("params", "keys"),
    [
        ({"status": "new"}, ["new_breached", "new_soon"]),
        ({"status": "open"}, ["new_breached", "new_soon", "investigating_soon", "in_progress_on_time"]),
        ({"status": "closed"}, ["closed_old"]),
        ({"channel": "media"}, ["investigating_soon"]),
        ({"category": "purchase"}, ["in_progress_on_time"]),
        ({"severity": "major"}, ["in_progress_on_time"]),
        ({"department": "sales"}, ["in_progress_on_time"]),
        ({"deadline": "breached"}, ["new_breached"]),
        ({"deadline": "due_soon"}, ["new_soon", "investigating_soon"]),
        ({"deadline": "on_time"}, ["in_progress_on_time"]),
        ({"q": "周晓梅"}, ["in_progress_on_time"]),
        ({"q": "137 0013"}, ["in_progress_on_time"]),
        ({"status": "open", "deadline": "due_soon", "channel": "media"}, ["investigating_soon"]),
        ({"deadline": "nonsense"}, None),  # an unknown value is ignored, not a 500
    ],
)
def test_the_list_filters(agent_client, spread, params, keys):
    everything = _listed(agent_client)
    expected = everything if keys is None else [pk for pk in everything if pk in {spread[k].pk for k in keys}]
    assert _listed(agent_client, **params) == expected


def test_the_list_filters_by_owner_and_received_dates(agent_client, spread, agent):
    assert set(_listed(agent_client, owner=agent.pk)) == {
        spread["investigating_soon"].pk,
        spread["in_progress_on_time"].pk,
    }
    today = timezone.localdate()
    old = (today - timedelta(days=40)).isoformat()
    assert _listed(agent_client, received_from=old, received_to=old) == [spread["closed_old"].pk]
    assert spread["closed_old"].pk not in _listed(agent_client, received_from=(today - timedelta(days=3)).isoformat())


def test_the_list_searches_the_number(agent_client, spread):
    number = spread["new_soon"].number
    assert _listed(agent_client, q=number) == [spread["new_soon"].pk]


def test_the_search_finds_customers_and_plates_of_the_users_dealers_only(agent_client, dealer, other_dealer):
    ours = CustomerFactory(dealer=dealer, name="欧阳修远", mobile="13912345678")
    car = VehicleFactory(customer=ours, plate="粤B88Q66")
    mine = ComplaintFactory(customer=ours, vehicle=car)
    namesake = CustomerFactory(dealer=other_dealer, name="欧阳修远", mobile="13912345679")
    ComplaintFactory(customer=namesake, vehicle=VehicleFactory(customer=namesake, plate="粤B88Q66"))
    for query in ("欧阳修", "b88q", "粤B 88Q66", "139 1234 5678"):
        assert _listed(agent_client, q=query) == [mine.pk], query
    assert _listed(agent_client, q="欧阳修近") == []


def test_the_list_shows_deadline_badges_and_the_escalation_level(agent_client, spread):
    html = agent_client.get(reverse("complaints:list")).content.decode()
    assert 'data-state="breached"' in html
    assert 'data-state="due_soon"' in html
    assert 'data-state="on_time"' in html
    assert 'data-level="2"' in html


def test_the_list_is_paginated_by_25(agent_client, customer):
    ComplaintFactory.create_batch(27, customer=customer)
    first = agent_client.get(reverse("complaints:list"))
    assert len(first.context["page"]) == 25
    second = agent_client.get(reverse("complaints:list"), {"page": 2})
    assert len(second.context["page"]) == 2


def test_my_complaints_are_the_open_ones_i_handle_nearest_deadline_first(agent_client, agent, spread):
    ComplaintFactory(customer=spread["new_soon"].customer, status=Status.RESOLVED, owner=agent)
    response = agent_client.get(reverse("complaints:mine"))
    assert [c.pk for c in response.context["page"]] == [
        spread["investigating_soon"].pk,
        spread["in_progress_on_time"].pk,
    ]


# --- (5) The detail page and the steps of the state machine ---------------------------------------------------------


def _steps(response) -> list[str]:
    return [action for action, _label, _form in response.context["steps"]]


def test_the_detail_shows_facts_deadlines_owner_and_timeline(
    client, agent, service_manager, customer, vehicle, call, media_root
):
    complaint = open_complaint(customer=customer, acting_user=agent, vehicle=vehicle, call=call)
    services.complaint_escalate(complaint_id=complaint.pk, reason="customer_demand", note="客户要求", acting_user=agent)
    services.attachment_add(
        complaint_id=complaint.pk, kind="photo", upload=png(), description="照片", acting_user=agent
    )
    walk(complaint, to=Status.INVESTIGATING, user=service_manager)
    client.force_login(agent)
    response = client.get(reverse("complaints:detail", args=[complaint.pk]))
    html = response.content.decode()
    for text in (
        complaint.number,
        "陈静",
        "粤A12345",
        "服务顾问态度冷淡",
        "要求道歉",
        "客户要求",
        "照片",
        "客户投诉保养后异响",
    ):
        assert text in html, text
    assert reverse("customer_detail", args=[customer.pk]) in html
    kinds = [entry.kind for entry in response.context["record"].timeline]
    assert {"history", "call", "escalation", "attachment"} <= set(kinds)
    titles = [str(entry.title) for entry in response.context["record"].timeline]
    assert "Acknowledge" in titles or "确认受理" in titles or len(titles) >= 5
    notes = " ".join(entry.text for entry in response.context["record"].timeline)
    assert "已向客户致歉并告知答复时间" in notes
    whos = {entry.who for entry in response.context["record"].timeline if entry.kind == "history"}
    assert {agent, service_manager} <= whos
    assert 'data-state="on_time"' in html or 'data-state="due_soon"' in html


@pytest.mark.parametrize(
    ("role", "status", "expected"),
    [
        (roles.AGENT, Status.NEW, ["acknowledge"]),
        (roles.SERVICE_MANAGER, Status.NEW, ["acknowledge", "cancel"]),
        # Closing as satisfied is the follow-up call's, never a button.
        (roles.AGENT, Status.RESOLVED, ["reopen"]),
        (roles.DIRECTOR, Status.RESOLVED, ["close_by_manager", "reopen"]),
        (roles.EXECUTIVE, Status.NEW, []),
        (roles.AGENT, Status.CLOSED, []),
    ],
)
def test_the_detail_offers_only_the_steps_the_user_may_take_now(
    client, make_user, dealer, customer, service_manager, agent, role, status, expected
):
    complaint = walk(open_complaint(customer=customer, acting_user=agent), to=status, user=service_manager)
    client.force_login(make_user(role, dealer, username=f"viewer-{role}"))
    response = client.get(reverse("complaints:detail", args=[complaint.pk]))
    assert _steps(response) == expected
    html = response.content.decode()
    for action in ("acknowledge", "investigate", "cancel", "close_satisfied", "close_by_manager", "reopen", "resolve"):
        assert (f'data-step="{action}"' in html) == (action in expected), action


def test_a_service_manager_walks_a_complaint_to_resolved_and_closed(client, service_manager, customer, agent):
    complaint = open_complaint(customer=customer, acting_user=agent)
    assert complaint.owner == service_manager
    client.force_login(service_manager)
    steps = [
        ("acknowledge", {"acknowledge-note": "已致歉，告知三天内答复"}, Status.ACKNOWLEDGED),
        ("investigate", {}, Status.INVESTIGATING),
        (
            "propose_countermeasure",
            {
                "propose_countermeasure-root_cause": "漏检",
                "propose_countermeasure-root_cause_class": "people",
                "propose_countermeasure-countermeasure": "返修",
            },
            Status.COUNTERMEASURE_PROPOSED,
        ),
        ("start", {}, Status.IN_PROGRESS),
        (
            "resolve",
            {
                "resolve-resolution_type": "compensation",
                "resolve-note": "返修并补偿交通费",
                "resolve-compensation_amount": "200",
            },
            Status.RESOLVED,
        ),
        (
            "close_by_manager",
            {"close_by_manager-close_kind": "accepted", "close_by_manager-note": "客户不满意但能接受"},
            Status.CLOSED,
        ),
    ]
    for action, data, status in steps:
        response = client.post(reverse("complaints:transition", args=[complaint.pk, action]), data)
        assert response.status_code == 302, form_errors(response)
        complaint.refresh_from_db()
        assert complaint.status == status
    assert (complaint.root_cause, complaint.countermeasure) == ("漏检", "返修")
    assert (complaint.resolution_type, complaint.compensation_amount) == ("compensation", 200)
    assert (complaint.close_kind, complaint.close_reason) == ("accepted", "客户不满意但能接受")
    latest = complaint.history.first()
    assert latest.history_user == service_manager
    first_step = complaint.history.filter(status=Status.ACKNOWLEDGED).last()
    assert first_step.history_change_reason == "acknowledge: 已致歉，告知三天内答复"


@pytest.mark.parametrize(
    ("role", "status", "action", "data", "error_field"),
    [
        (roles.AGENT, Status.NEW, "cancel", {"cancel-note": "重复"}, None),  # managers only
        (roles.AGENT, Status.NEW, "investigate", {}, None),  # not from this state
        (roles.SERVICE_MANAGER, Status.CLOSED, "reopen", {}, None),
        (
            roles.AGENT,
            Status.RESOLVED,
            "close_by_manager",
            {"close_by_manager-note": "联系不上", "close_by_manager-close_kind": "unreachable"},
            None,
        ),
        (roles.SERVICE_MANAGER, Status.RESOLVED, "close_satisfied", {}, None),  # only the follow-up call
        (
            roles.SERVICE_MANAGER,
            Status.RESOLVED,
            "close_by_manager",
            {"close_by_manager-note": "联系不上"},
            "close_kind",
        ),
        (roles.SERVICE_MANAGER, Status.NEW, "cancel", {"cancel-note": "  "}, "note"),  # reason required
        (
            roles.AGENT,
            Status.INVESTIGATING,
            "propose_countermeasure",
            {"propose_countermeasure-root_cause": "x"},
            "countermeasure",
        ),
        (roles.AGENT, Status.IN_PROGRESS, "resolve", {"resolve-resolution_type": "repair"}, "note"),
        (
            roles.AGENT,
            Status.IN_PROGRESS,
            "resolve",
            {"resolve-resolution_type": "compensation", "resolve-note": "补偿"},
            "compensation_amount",
        ),
        (
            roles.AGENT,
            Status.IN_PROGRESS,
            "resolve",
            {"resolve-resolution_type": "bribe", "resolve-note": "x"},
            "resolution_type",
        ),
    ],
)
def test_a_refused_step_is_a_form_error_and_changes_nothing(
    client, make_user, dealer, customer, agent, service_manager, role, status, action, data, error_field
):
    complaint = walk(open_complaint(customer=customer, acting_user=agent), to=status, user=service_manager)
    client.force_login(make_user(role, dealer, username=f"actor-{role}"))
    before = snapshot()
    response = client.post(reverse("complaints:transition", args=[complaint.pk, action]), data)
    assert response.status_code == 200
    assert snapshot() == before
    complaint.refresh_from_db()
    assert complaint.status == status
    form = next(
        (form for a, _label, form in response.context["steps"] if a == action),
        None,
    ) or next(form for form in response.context["refused"] if form.action == action)
    if error_field is None:
        assert form.non_field_errors()
        assert form.non_field_errors()[0] in response.content.decode()
    else:
        assert error_field in form.errors


def test_a_long_note_is_kept_whole_in_the_timeline(agent_client, complaint):
    note = "已联系客户并致歉，" * 30
    response = agent_client.post(
        reverse("complaints:transition", args=[complaint.pk, "acknowledge"]), {"acknowledge-note": note}
    )
    assert response.status_code == 302
    timeline = agent_client.get(reverse("complaints:detail", args=[complaint.pk])).context["record"].timeline
    assert any(entry.text.endswith(note.strip()) for entry in timeline)


def test_a_step_that_raced_with_another_user_is_a_form_error(client, agent, service_manager, customer):
    """Two people had the page open; the second press finds the complaint has moved on."""
    complaint = open_complaint(customer=customer, acting_user=agent)
    client.force_login(agent)
    assert client.post(reverse("complaints:transition", args=[complaint.pk, "acknowledge"])).status_code == 302
    response = client.post(reverse("complaints:transition", args=[complaint.pk, "acknowledge"]))
    assert response.status_code == 200
    assert response.context["refused"][0].non_field_errors()


def test_an_unknown_step_is_not_found(agent_client, complaint):
    for action in ("explode", "save", "_lock"):
        response = agent_client.post(reverse("complaints:transition", args=[complaint.pk, action]))
        assert response.status_code == 404


def test_escalate_one_level_with_a_reason(agent_client, agent, complaint):
    response = agent_client.post(
        reverse("complaints:escalate", args=[complaint.pk]),
        {"escalate-reason": "authority", "escalate-note": "需要厂家授权补偿"},
    )
    assert response.status_code == 302
    escalation = Escalation.objects.get(complaint=complaint)
    assert (escalation.from_level, escalation.to_level, escalation.escalated_by) == (0, 1, agent)
    assert escalation.note == "需要厂家授权补偿"


def test_escalate_without_a_reason_or_beyond_the_director_is_a_form_error(agent_client, agent, complaint):
    response = agent_client.post(reverse("complaints:escalate", args=[complaint.pk]), {"escalate-reason": ""})
    assert response.status_code == 200
    assert "reason" in response.context["escalate_form"].errors
    for _n in range(2):
        services.complaint_escalate(complaint_id=complaint.pk, reason="authority", note="", acting_user=agent)
    response = agent_client.post(reverse("complaints:escalate", args=[complaint.pk]), {"escalate-reason": "authority"})
    assert response.status_code == 200
    assert response.context["escalate_form"].non_field_errors()
    assert Escalation.objects.filter(complaint=complaint).count() == 2
    assert not response.context["can_escalate"]  # at the director: the OEM region is asked, not escalated to


def test_a_manager_assigns_a_handler(client, service_manager, agent, complaint):
    client.force_login(service_manager)
    page = client.get(reverse("complaints:detail", args=[complaint.pk]))
    assert set(page.context["assign_form"].fields["owner"].queryset) == {service_manager, agent}
    response = client.post(reverse("complaints:assign", args=[complaint.pk]), {"assign-owner": agent.pk})
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.owner == agent
    assert complaint.history.first().history_change_reason == f"assigned to {agent.username}"


def test_editing_the_details(agent_client, agent, complaint):
    response = agent_client.post(
        reverse("complaints:edit", args=[complaint.pk]),
        {"description": "补充：异响在冷车时明显", "is_abnormal": "on", "abnormal_reason": "", "oem_reference": "OEM-1"},
    )
    assert response.status_code == 200
    assert "abnormal_reason" in response.context["form"].errors
    response = agent_client.post(
        reverse("complaints:edit", args=[complaint.pk]),
        {
            "description": "补充：异响在冷车时明显",
            "is_abnormal": "on",
            "abnormal_reason": "多次索赔且拒绝检测",
            "oem_reference": " OEM-1 ",
            "oem_status_reported_at": _now_local(),
        },
    )
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert (complaint.description, complaint.is_abnormal, complaint.oem_reference) == (
        "补充：异响在冷车时明显",
        True,
        "OEM-1",
    )
    assert complaint.oem_status_reported_at is not None
    assert complaint.history.first().history_user == agent


def test_editing_the_engineer_dispatch_of_an_emergency(agent_client, agent, customer):
    complaint = open_complaint(customer=customer, acting_user=agent, severity=Severity.EMERGENCY)
    page = agent_client.get(reverse("complaints:detail", args=[complaint.pk]))
    assert reverse("complaints:dispatch", args=[complaint.pk]) in page.content.decode()
    called = timezone.localtime() - timedelta(hours=1)
    response = agent_client.post(
        reverse("complaints:dispatch", args=[complaint.pk]),
        {
            "engineer": "区域工程师刘工",
            "called_at": called.strftime("%Y-%m-%dT%H:%M"),
            "promised_arrival_at": (called - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert response.status_code == 200
    assert "promised_arrival_at" in response.context["form"].errors
    response = agent_client.post(
        reverse("complaints:dispatch", args=[complaint.pk]),
        {
            "engineer": "区域工程师刘工",
            "called_at": called.strftime("%Y-%m-%dT%H:%M"),
            "promised_arrival_at": (called + timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert response.status_code == 302
    dispatch = EngineerDispatch.objects.get(complaint=complaint)
    assert dispatch.engineer == "区域工程师刘工"
    detail = agent_client.get(reverse("complaints:detail", args=[complaint.pk]))
    assert "区域工程师刘工" in detail.content.decode()
    assert "dispatch" in [entry.kind for entry in detail.context["record"].timeline]


# --- (6) Evidence: limits and access ---------------------------------------------------------------------------------


def test_evidence_is_stored_and_served_to_staff_of_the_dealer(
    client, agent_client, make_user, dealer, complaint, media_root
):
    response = agent_client.post(
        reverse("complaints:attachment_add", args=[complaint.pk]),
        {"attachment-kind": "photo", "attachment-file": png("刮痕.png"), "attachment-description": "左前门"},
    )
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert (attachment.original_name, attachment.size, attachment.description) == ("刮痕.png", len(PNG), "左前门")
    assert (media_root / attachment.file.name).read_bytes() == PNG

    client.force_login(make_user(roles.EXECUTIVE, dealer))
    download = client.get(reverse("complaints:attachment", args=[attachment.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PNG
    assert download["Content-Type"] == "image/png"
    assert download["Cache-Control"] == "private, no-store"
    assert download["Content-Disposition"].startswith("inline")


def test_a_document_is_downloaded_with_the_type_of_its_extension(agent_client, agent, complaint, media_root):
    upload = SimpleUploadedFile("letter.txt", made.txt(), content_type="text/html")
    attachment = services.attachment_add(
        complaint_id=complaint.pk, kind="document", upload=upload, description="", acting_user=agent
    )
    response = agent_client.get(reverse("complaints:attachment", args=[attachment.pk]))
    assert response["Content-Type"].startswith("text/plain")
    assert response["Content-Disposition"].startswith("attachment")


@pytest.mark.parametrize(
    ("kind", "name", "content", "content_type"),
    [
        ("photo", "virus.exe", b"MZ" + b"\x00" * 20, "application/octet-stream"),
        ("photo", "page.html", b"<html></html>", "text/html"),
        ("recording", "photo.png", PNG, "image/png"),
        ("document", "noextension", b"data", "application/octet-stream"),
    ],
)
def test_a_wrong_type_is_a_field_error_and_nothing_is_written(
    agent_client, complaint, media_root, kind, name, content, content_type
):
    before = snapshot()
    response = agent_client.post(
        reverse("complaints:attachment_add", args=[complaint.pk]),
        {"attachment-kind": kind, "attachment-file": SimpleUploadedFile(name, content, content_type=content_type)},
    )
    assert response.status_code == 200
    assert "file" in response.context["attachment_form"].errors
    assert response.context["open_panel"] == "attachment"
    assert snapshot() == before
    assert stored_files(media_root) == []


def test_an_oversize_file_is_a_field_error_and_nothing_is_written(agent_client, complaint, media_root, monkeypatch):
    extensions, _limit = services.ATTACHMENT_TYPES["photo"]
    monkeypatch.setitem(services.ATTACHMENT_TYPES, "photo", (extensions, 32))
    before = snapshot()
    response = agent_client.post(
        reverse("complaints:attachment_add", args=[complaint.pk]),
        {"attachment-kind": "photo", "attachment-file": png()},
    )
    assert response.status_code == 200
    assert "file" in response.context["attachment_form"].errors
    assert snapshot() == before
    assert stored_files(media_root) == []


def test_a_missing_file_or_kind_is_a_field_error(agent_client, complaint, media_root):
    response = agent_client.post(reverse("complaints:attachment_add", args=[complaint.pk]), {"attachment-kind": "x"})
    assert response.status_code == 200
    assert {"kind", "file"} <= set(response.context["attachment_form"].errors)
    assert Attachment.objects.count() == 0


def test_evidence_is_not_served_to_another_dealer_or_without_the_permission(
    client, attachment, other_agent, dealer, media_root
):
    client.force_login(other_agent)
    assert client.get(reverse("complaints:attachment", args=[attachment.pk])).status_code == 404
    no_role = UserFactory(username="no-role")
    no_role.dealers.add(dealer)
    client.force_login(no_role)
    assert client.get(reverse("complaints:attachment", args=[attachment.pk])).status_code == 403
    client.logout()
    assert client.get(reverse("complaints:attachment", args=[attachment.pk])).status_code == 302


def test_a_file_gone_from_the_disk_is_not_found(agent_client, attachment, media_root):
    (media_root / attachment.file.name).unlink()
    assert agent_client.get(reverse("complaints:attachment", args=[attachment.pk])).status_code == 404


# --- (7) Triage and bulk assign ------------------------------------------------------------------------------------


def test_triage_shows_escalated_and_at_risk_first_then_those_to_assign(client, service_manager, spread, customer):
    quiet = ComplaintFactory(
        customer=customer,
        status=Status.INVESTIGATING,
        owner=service_manager,
        resolve_due_at=timezone.now() + timedelta(days=2),
    )
    unassigned = ComplaintFactory(
        customer=customer, status=Status.ACKNOWLEDGED, owner=None, resolve_due_at=timezone.now() + timedelta(days=2)
    )
    client.force_login(service_manager)
    response = client.get(reverse("complaints:triage"))
    shown = [(c.pk, c.triage) for c in response.context["page"]]
    urgent = [pk for pk, group in shown if group == 0]
    to_assign = [pk for pk, group in shown if group == 1]
    assert shown == [(pk, 0) for pk in urgent] + [(pk, 1) for pk in to_assign]
    assert urgent[0] == spread["investigating_soon"].pk  # escalated to the director comes first
    assert set(urgent) == {spread["investigating_soon"].pk, spread["new_breached"].pk, spread["new_soon"].pk}
    assert to_assign == [unassigned.pk]
    assert quiet.pk not in dict(shown)
    assert spread["closed_old"].pk not in dict(shown)
    assert spread["in_progress_on_time"].pk not in dict(shown)  # the sales department's


def test_triage_keeps_a_new_complaint_once_acknowledged_and_assigned(client, service_manager, customer):
    """The complaint received, acknowledged and given a handler at once stays on the board until investigated."""
    received = ComplaintFactory(
        customer=customer,
        status=Status.ACKNOWLEDGED,
        owner=service_manager,
        resolve_due_at=timezone.now() + timedelta(days=2),
    )
    reopened = ComplaintFactory(
        customer=customer,
        status=Status.REOPENED,
        owner=service_manager,
        resolve_due_at=timezone.now() + timedelta(days=2),
    )
    escalated = ComplaintFactory(
        customer=customer,
        status=Status.INVESTIGATING,
        owner=service_manager,
        resolve_due_at=timezone.now() + timedelta(days=2),
        escalation_level=EscalationLevel.DEPARTMENT_MANAGER,
    )
    client.force_login(service_manager)
    shown = {c.pk: c.triage for c in client.get(reverse("complaints:triage")).context["page"]}
    assert shown == {received.pk: 2, reopened.pk: 0, escalated.pk: 0}
    html = client.get(reverse("complaints:triage")).content.decode()
    assert received.number in html


def test_triage_filters_by_handler_category_severity_channel_and_search(client, service_manager, agent, spread):
    client.force_login(service_manager)

    def shown(**params):
        response = client.get(reverse("complaints:triage"), params)
        assert response.status_code == 200
        return {c.pk for c in response.context["page"]}

    assert shown(owner=agent.pk) == {spread["investigating_soon"].pk}
    assert shown(channel=Channel.MEDIA) == {spread["investigating_soon"].pk}
    assert shown(category=Category.REPAIR_COST) == {spread["investigating_soon"].pk}
    assert shown(severity=Severity.MAJOR) == set()
    assert shown(q=spread["new_soon"].number) == {spread["new_soon"].pk}
    assert shown(owner="not-a-number") == shown()  # a bad filter value is ignored with a field error, never a 500


def test_the_sales_manager_sees_the_sales_departments_board(client, make_user, dealer, spread):
    client.force_login(make_user(roles.SALES_MANAGER, dealer))
    shown = {c.pk for c in client.get(reverse("complaints:triage")).context["page"]}
    assert spread["new_breached"].pk not in shown  # after-sales


def test_bulk_assign_gives_the_ticked_complaints_to_a_handler(client, service_manager, agent, customer):
    complaints = ComplaintFactory.create_batch(3, customer=customer)
    client.force_login(service_manager)
    response = client.post(
        reverse("complaints:triage"), {"complaints": [complaints[0].pk, complaints[2].pk], "owner": agent.pk}
    )
    assert response.status_code == 302
    owners = {c.pk: c.owner_id for c in Complaint.objects.all()}
    assert owners == {complaints[0].pk: agent.pk, complaints[1].pk: None, complaints[2].pk: agent.pk}
    assert Complaint.history.filter(history_user=service_manager).count() == 2


@pytest.mark.parametrize(
    "data", [{"owner": "{agent}"}, {"complaints": ["{complaint}"]}, {"complaints": ["x"], "owner": "{agent}"}]
)
def test_bulk_assign_without_complaints_or_handler_is_a_form_error(client, service_manager, agent, complaint, data):
    values = {"agent": agent.pk, "complaint": complaint.pk}
    data = {
        key: [v.format(**values) for v in value] if isinstance(value, list) else value.format(**values)
        for key, value in data.items()
    }
    client.force_login(service_manager)
    before = snapshot()
    response = client.post(reverse("complaints:triage"), data)
    assert response.status_code == 200
    assert response.context["form"].errors
    assert snapshot() == before


def test_a_user_who_cannot_handle_complaints_is_not_offered_as_handler(
    client, service_manager, make_user, dealer, complaint
):
    executive = make_user(roles.EXECUTIVE, dealer, username="boss")
    client.force_login(service_manager)
    response = client.get(reverse("complaints:triage"))
    assert executive not in list(response.context["handlers"])
    response = client.post(reverse("complaints:triage"), {"complaints": [complaint.pk], "owner": executive.pk})
    assert "owner" in response.context["form"].errors


# --- (8) Key-attention vehicles ------------------------------------------------------------------------------------


def test_key_vehicles_list_and_responsible_person(client, service_manager, agent, complaint):
    entry = KeyAttentionVehicle.objects.get(vehicle=complaint.vehicle)
    client.force_login(service_manager)
    response = client.get(reverse("complaints:key_vehicles"))
    html = response.content.decode()
    assert [e.pk for e in response.context["page"]] == [entry.pk]
    assert complaint.number in html and "粤A12345" in html
    response = client.post(reverse("complaints:key_vehicle_assign", args=[entry.pk]), {"responsible": agent.pk})
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.responsible == agent


def test_naming_nobody_responsible_is_a_form_error(client, service_manager, complaint):
    entry = KeyAttentionVehicle.objects.get(vehicle=complaint.vehicle)
    client.force_login(service_manager)
    response = client.post(reverse("complaints:key_vehicle_assign", args=[entry.pk]), {"responsible": ""})
    assert response.status_code == 200
    assert "responsible" in response.context["bound_form"].errors
    assert response.context["bound_id"] == entry.pk


def test_an_agent_sees_key_vehicles_without_the_assign_form(agent_client, complaint):
    html = agent_client.get(reverse("complaints:key_vehicles")).content.decode()
    assert "粤A12345" in html
    assert 'name="responsible"' not in html


def test_the_360_shows_the_key_attention_badge_and_only_open_complaints(
    agent_client, agent, customer, vehicle, complaint
):
    closed = ComplaintFactory(customer=customer, status=Status.CLOSED, description="早已结案的投诉")
    cancelled = ComplaintFactory(customer=customer, status=Status.CANCELLED)
    resolved = ComplaintFactory(customer=customer, status=Status.RESOLVED)  # waits for its follow-up call
    ComplaintFactory(customer=CustomerFactory(dealer=customer.dealer), status=Status.NEW)
    response = agent_client.get(reverse("customer_detail", args=[customer.pk]))
    html = response.content.decode()
    assert response.context["open_complaints"] == [complaint, resolved]
    assert cancelled.number not in html
    assert complaint.number in html
    assert closed.number not in html
    assert "key-attention-badge" in html
    assert [v.on_key_attention for v in response.context["vehicles"]] == [True]
    complaint.key_attention_entries.update(released_at=timezone.now())
    html = agent_client.get(reverse("customer_detail", args=[customer.pk])).content.decode()
    assert "key-attention-badge" not in html


def test_the_navigation_shows_complaint_links_by_permission(client, make_user, dealer):
    links = {
        "list": reverse("complaints:list"),
        "mine": reverse("complaints:mine"),
        "triage": reverse("complaints:triage"),
    }
    expected = {
        roles.AGENT: {"list", "mine"},
        roles.SERVICE_MANAGER: {"list", "mine", "triage"},
        roles.EXECUTIVE: {"list"},
    }
    for role, shown in expected.items():
        client.force_login(make_user(role, dealer, username=f"nav-{role}"))
        html = client.get(reverse("desk")).content.decode()
        assert {name for name, url in links.items() if f'href="{url}"' in html} == shown, role


# --- (9) Query counts --------------------------------------------------------------------------------------------


@pytest.fixture
def busy(dealer, agent, make_user, customer, vehicle, media_root):
    """Enough rows that one query per row would show."""
    managers = [make_user(roles.SERVICE_MANAGER, dealer, first_name=f"经理{n}", last_name="王") for n in range(3)]
    customers = [CustomerFactory(dealer=dealer, name=f"客户{n:02d}", mobile=f"1361234{n:04d}") for n in range(10)]
    vehicles = [VehicleFactory(customer=c, vin=make_vin(200 + n)) for n, c in enumerate(customers)]
    now = timezone.now()
    statuses = [Status.NEW, Status.ACKNOWLEDGED, Status.INVESTIGATING, Status.IN_PROGRESS, Status.RESOLVED]
    for n in range(40):
        ComplaintFactory(
            customer=customers[n % 10],
            vehicle=vehicles[n % 10],
            owner=[agent, *managers][n % 4] if n % 5 else None,
            status=statuses[n % 5],
            escalation_level=n % 4,
            received_at=now - timedelta(hours=n),
            acknowledge_due_at=now + timedelta(hours=n - 10),
            resolve_due_at=now + timedelta(hours=2 * n - 20),
        )
    for n, car in enumerate(vehicles):
        entry = KeyAttentionVehicle.objects.create(
            dealer=dealer, vehicle=car, reason="返修车辆", responsible=managers[n % 3] if n % 2 else None
        )
        entry.complaints.set(Complaint.objects.filter(vehicle=car)[:2])
    for n in range(15):
        ComplaintFactory(customer=customer, vehicle=vehicle, owner=agent, status=statuses[n % 4])
    star = open_complaint(customer=customer, acting_user=agent, vehicle=vehicle, category=Category.REPAIR_QUALITY)
    for n in range(8):
        star.calls.add(CallLogFactory(customer=customer, handled_by=[agent, *managers][n % 4], summary=f"第{n}次通话"))
    for n in range(2):
        services.complaint_escalate(
            complaint_id=star.pk, reason="customer_demand", note=f"{n}", acting_user=managers[n]
        )
    for n, kind in enumerate(("rental_car", "transport_subsidy", "compensation")):
        asked = services.authority_request_create(
            complaint_id=star.pk, kind=kind, request=f"厂家授权{n}", acting_user=managers[n]
        )
        if n:
            services.authority_request_answer(
                request_id=asked.pk, answer="granted", note="同意", acting_user=managers[0]
            )
    for n in range(5):
        services.attachment_add(
            complaint_id=star.pk, kind="photo", upload=png(f"p{n}.png"), description="", acting_user=managers[n % 3]
        )
    walk(star, to=Status.IN_PROGRESS, user=managers[0])
    for manager in managers:
        services.complaint_assign(complaint_ids=[star.pk], owner=manager, acting_user=manager)
    return {"star": star, "manager": managers[0]}


@pytest.mark.parametrize(
    ("name", "params", "as_manager"),
    [
        ("complaints:list", {}, False),
        ("complaints:list", {"status": "open", "deadline": "breached", "q": "客户"}, False),
        ("complaints:detail", None, False),
        ("complaints:detail", None, True),
        ("complaints:triage", {}, True),
        ("complaints:mine", {}, False),
        ("complaints:key_vehicles", {}, True),
        ("customer_detail", None, False),
    ],
)
def test_pages_need_a_bounded_number_of_queries(
    client, agent, busy, customer, django_assert_max_num_queries, name, params, as_manager
):
    client.force_login(busy["manager"] if as_manager else agent)
    if name == "complaints:detail":
        path, params = reverse(name, args=[busy["star"].pk]), {}
    elif name == "customer_detail":
        path, params = reverse(name, args=[customer.pk]), {}
    else:
        path = reverse(name)
    # The 360 reads the customer's SMS too: one query more (tests/test_query_counts.py's PAGE_BUDGET); so does the
    # detail of a complaint the OEM region was asked about (the star), its authorisation requests.
    with django_assert_max_num_queries(MAX_QUERIES + (name in ("customer_detail", "complaints:detail"))):
        response = client.get(path, params)
    assert response.status_code == 200
    context = response.context
    if name == "complaints:detail":
        assert len(context["record"].timeline) >= 20, "too few timeline entries to show an N+1"
    elif name == "customer_detail":
        assert len(context["open_complaints"]) >= 10
    elif name == "complaints:key_vehicles":
        assert len(context["page"]) >= 10
    elif params == {}:
        assert len(context["page"]) >= 10, "too few rows to show an N+1"


def test_handler_choices_follow_the_roles_table(make_user, dealer):
    """A user given the permission directly, or a superuser of the dealer, can handle complaints too."""
    from complaints.selectors import complaint_handler_list

    manager = make_user(roles.SERVICE_MANAGER, dealer, username="m")
    direct = UserFactory(username="direct")
    direct.dealers.add(dealer)
    direct.user_permissions.add(Group.objects.get(name=roles.AGENT).permissions.get(codename="handle_complaint"))
    inactive = make_user(roles.AGENT, dealer, username="gone", is_active=False)
    handlers = set(complaint_handler_list(user=manager))
    assert {manager, direct} <= handlers
    assert inactive not in handlers


# --- (10) Admin --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "model", ["complaint", "complaintsla", "escalation", "engineerdispatch", "attachment", "keyattentionvehicle"]
)
def test_the_admin_lists_and_shows_every_complaint_model(client, make_user, dealer, complaint, attachment, model):
    root = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(root)
    verify_two_factor(client, root)
    services.complaint_escalate(
        complaint_id=complaint.pk,
        reason="authority",
        note="",
        acting_user=complaint.owner or make_user(roles.AGENT, dealer),
    )
    services.dispatch_update(complaint_id=complaint.pk, acting_user=make_user(roles.AGENT, dealer), engineer="刘工")
    response = client.get(reverse(f"admin:complaints_{model}_changelist"))
    assert response.status_code == 200
    first = response.context["cl"].result_list[0]
    assert client.get(reverse(f"admin:complaints_{model}_change", args=[first.pk])).status_code == 200


def test_the_deadline_policy_is_edited_in_the_admin_and_complaints_are_not(client, make_user, dealer, complaint):
    from complaints.models import ComplaintSLA

    admin_user = make_user(roles.ADMIN, dealer, username="cac-admin", is_staff=True)
    client.force_login(admin_user)
    verify_two_factor(client, admin_user)
    # The dealer's own row: the group's defaults are the platform operator's (tests/cac/security/test_admin_scoping.py).
    row = ComplaintSLA.objects.create(
        dealer=dealer, channel=Channel.EMAIL, severity="", acknowledge_rule="end_of_day", resolve_days=3
    )
    response = client.post(
        reverse("admin:complaints_complaintsla_change", args=[row.pk]),
        {"dealer": dealer.pk, "channel": "email", "severity": "", "acknowledge_rule": "working_hours"}
        | {"acknowledge_hours": "6", "resolve_days": "5"},
    )
    assert response.status_code == 302
    row.refresh_from_db()
    assert (row.acknowledge_rule, row.resolve_days) == ("working_hours", 5)
    before = snapshot()
    assert client.get(reverse("admin:complaints_complaint_add")).status_code == 403
    assert (
        client.post(reverse("admin:complaints_complaint_delete", args=[complaint.pk]), {"post": "yes"}).status_code
        == 403
    )
    assert snapshot() == before


def test_a_complaint_never_escalated_says_so_and_a_cancelled_one_says_cancelled(
    client, agent, service_manager, customer, vehicle
):
    complaint = open_complaint(customer=customer, acting_user=agent, vehicle=vehicle)
    client.force_login(agent)
    html = client.get(reverse("complaints:detail", args=[complaint.pk])).content.decode()
    assert "未升级" in html
    assert "CAC专员</dd>" not in html

    services.complaint_transition(
        complaint_id=complaint.pk, action="cancel", acting_user=service_manager, note="重复登记"
    )
    rows = client.get(reverse("complaints:list")).content.decode()
    assert "已取消 " in rows
    assert "已结案 " not in rows
