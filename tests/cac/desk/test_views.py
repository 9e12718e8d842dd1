"""The call desk through Django's test client: who may open what, dealer scoping, the desk flow, recordings,
the health check, query counts and the language switch."""

import re
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone, translation

from cac import roles
from cac.celery import app as celery_app
from cac.deadlines.sms_receipts import receipt_token
from cac.models import CallLog, Customer, Vehicle
from tests import uploads as made
from tests.cac.factories import CallLogFactory, CustomerFactory, UserFactory, VehicleFactory, make_vin
from tests.conftest import verify_two_factor
from tests.csp import csp_problems

pytestmark = pytest.mark.django_db

LOGIN_URL = "/accounts/login/"
AUDIO = b"ID3\x03\x00\x00\x00\x00\x00\x0f" + b"\xff\xfb\x90\x00" * 64


def _now_local() -> str:
    return timezone.localtime().strftime("%Y-%m-%dT%H:%M")


def call_data(**overrides) -> dict:
    return {
        "direction": "in",
        "purpose": "inquiry",
        "started_at": _now_local(),
        "duration": "3:25",
        "summary": "咨询首保时间",
        "outcome": "已预约",
        **overrides,
    }


def counts() -> dict[str, int]:
    return {
        "customers": Customer.objects.count(),
        "vehicles": Vehicle.objects.count(),
        "calls": CallLog.objects.count(),
        "history": Customer.history.count() + Vehicle.history.count() + CallLog.history.count(),
    }


@pytest.fixture
def customer(dealer):
    return CustomerFactory(
        dealer=dealer, name="陈静", mobile="13800138000", other_phones="02088888888", notes="客户备注"
    )


@pytest.fixture
def vehicle(customer):
    return VehicleFactory(customer=customer, vin=make_vin(1), plate="粤A12345", mileage=15000)


@pytest.fixture
def recorded_call(customer, agent, media_root):
    call = CallLogFactory(customer=customer, handled_by=agent, summary="带录音的通话")
    call.recording.save("call.mp3", ContentFile(AUDIO), save=True)
    return call


@pytest.fixture
def foreign(other_dealer, other_agent, media_root):
    """Dealer B's rows, which dealer A's staff must never reach."""
    customer = CustomerFactory(dealer=other_dealer, name="李雷", mobile="13900139000", other_phones="075588888888")
    vehicle = VehicleFactory(customer=customer, vin=make_vin(2), model="帕萨特")
    call = CallLogFactory(customer=customer, handled_by=other_agent, summary="B店的通话", callback_owed=True)
    call.recording.save("b.mp3", ContentFile(AUDIO), save=True)
    unknown = CallLogFactory(
        customer=None, dealer=other_dealer, phone="13900139111", handled_by=other_agent, summary="B店陌生来电"
    )
    return {"customer": customer, "vehicle": vehicle, "call": call, "unknown_call": unknown}


@pytest.fixture
def filesystem_broker(tmp_path, monkeypatch):
    """The default broker, kombu's file-system transport, in a throw-away folder (whatever REDIS_URL says)."""
    folder = tmp_path / "broker"
    monkeypatch.setitem(celery_app.conf, "broker_url", "filesystem://")
    monkeypatch.setitem(
        celery_app.conf,
        "broker_transport_options",
        {
            "data_folder_in": str(folder / "queue"),
            "data_folder_out": str(folder / "queue"),
            "processed_folder": str(folder / "processed"),
            "store_processed": False,
        },
    )
    return folder


# --- (1) URL x role ---------------------------------------------------------------------------------------------

ANON, NO_ROLE = "anonymous", "no_role"
DESK_ROLES = (roles.AGENT, roles.SERVICE_MANAGER, roles.SALES_MANAGER, roles.DIRECTOR, roles.ADMIN)
ALL_ROLES = (ANON, NO_ROLE, *DESK_ROLES, roles.EXECUTIVE)
TO_LOGIN = "login"  # a 302 to /accounts/login/?next=...


def _row(desk, executive, *, anonymous=TO_LOGIN, no_role=403, **per_role):
    return {
        ANON: anonymous,
        NO_ROLE: no_role,
        roles.EXECUTIVE: executive,
        **dict.fromkeys(DESK_ROLES, desk),
        **per_role,
    }


def _form_errors(response):
    context = getattr(response, "context", None) or {}
    form = context.get("form") or context.get("call_form")
    return form.errors if form is not None else None


def _every(status):
    return dict.fromkeys(ALL_ROLES, status)


# (method, url name) -> role -> expected status. Every URL of cac/urls.py is here (checked below).
ACCESS = {
    ("GET", "desk"): _row(200, 200),  # each role's home: which one is HOMES below
    ("GET", "call_desk"): _row(200, 200),
    ("GET", "customer_list"): _row(200, 200),
    ("GET", "customer_lookup"): _row(200, 200),
    ("GET", "customer_find"): _row(302, 302),
    ("GET", "search"): _row(200, 200),
    ("GET", "desk_today"): _row(200, 200),
    ("GET", "customer_create"): _row(200, 403),
    ("POST", "customer_create"): _row(302, 403),
    ("GET", "customer_detail"): _row(200, 200),
    ("GET", "customer_edit"): _row(200, 403),
    ("POST", "customer_edit"): _row(302, 403),
    ("GET", "customer_call_create"): _row(405, 403),
    ("POST", "customer_call_create"): _row(302, 403),
    ("GET", "vehicle_create"): _row(200, 403),
    ("POST", "vehicle_create"): _row(302, 403),
    ("GET", "vehicle_edit"): _row(200, 403),
    ("POST", "vehicle_edit"): _row(302, 403),
    ("GET", "call_list"): _row(200, 200),
    ("GET", "call_new"): _row(200, 403),
    ("GET", "call_detail"): _row(200, 200),
    ("POST", "call_new"): _row(302, 403),
    ("GET", "call_recording"): _row(200, 403),
    # The phone system: the screen pop's stream for those who take calls; the call button (no dialer configured
    # here: it says so and sends the user back).
    ("GET", "screen_pop_stream"): _row(200, 403),
    ("GET", "call_dial"): _row(405, 403),
    ("POST", "call_dial"): _row(302, 403),
    ("GET", "healthz"): _every(200),
    ("GET", "healthz_live"): _every(200),
    ("GET", "healthz_ready"): _every(200),
    ("GET", "login"): _row(302, 302, anonymous=200, no_role=302),
    ("GET", "logout"): _every(405),
    ("POST", "logout"): _every(302),
    ("POST", "set_language"): _every(302),
    ("GET", "admin:index"): {**_every(302), roles.ADMIN: 200},  # the administrator with its second factor
    # Verified already, or not asked for a second factor: sent on.
    ("GET", "two_factor"): _row(302, 302, no_role=302),
    ("POST", "two_factor"): _row(302, 302, no_role=302),
    ("GET", "password_change"): _row(200, 200, no_role=200),
    ("POST", "password_change"): _row(200, 200, no_role=200),  # empty: the form's errors, nothing changed
    ("GET", "password_change_done"): _row(200, 200, no_role=200),
    ("GET", "password_reset"): _every(200),
    ("POST", "password_reset"): _every(200),
    ("GET", "password_reset_done"): _every(200),
    ("GET", "password_reset_confirm"): _every(200),  # a link that is not valid says so
    ("GET", "password_reset_complete"): _every(200),
    # Every signed-in user has notifications, with a role or without.
    ("GET", "notifications"): _row(200, 200, no_role=200),
    ("GET", "notification_bell"): _row(200, 200, no_role=200),
    ("GET", "notification_read"): _row(405, 405, no_role=405),
    ("POST", "notification_read"): _row(302, 302, no_role=302),
    ("POST", "notification_read_all"): _row(302, 302, no_role=302),
    # Personal data: every reader may ask for a whole number (logged when their role sees it masked); only the
    # administrator erases, and last here, since it anonymises the customer of the rows above.
    ("GET", "customer_reveal_phone"): _row(405, 405),
    ("POST", "customer_reveal_phone"): _row(200, 200),
    ("GET", "customer_erase"): _row(403, 403, **{roles.ADMIN: 200}),
    ("POST", "customer_erase"): _row(403, 403, **{roles.ADMIN: 302}),
    # The SMS gateways' receipts: no login, the secret token in the URL; a body that is no receipt is a 400.
    ("GET", "sms_receipt"): _every(405),
    ("POST", "sms_receipt"): _every(400),
}
WRITES = {"customer_create", "customer_edit", "customer_call_create", "vehicle_create", "vehicle_edit", "call_new"}


def _request_for(name: str, method: str, *, dealer, customer, vehicle, call):
    """The path and the (valid) data of each URL."""
    args = {
        "customer_detail": [customer.pk],
        "customer_reveal_phone": [customer.pk],
        "customer_erase": [customer.pk],
        "customer_edit": [customer.pk],
        "customer_call_create": [customer.pk],
        "vehicle_create": [customer.pk],
        "vehicle_edit": [vehicle.pk],
        "call_recording": [call.pk],
        "call_detail": [call.pk],
        "notification_read": [0],  # none of the user's: nothing changes, back to the list
        "password_reset_confirm": ["MA", "not-a-token"],
        "sms_receipt": ["alibaba", receipt_token("alibaba")],
    }.get(name, [])
    data = {
        "customer_lookup": {"q": "138"},
        "customer_find": {"q": "陈静"},
        "search": {"q": "陈"},
        "customer_create": {
            "dealer": dealer.pk,
            "name": "新客户",
            "mobile": "137 0013 7000",
            "preferred_channel": "phone",
            "consents_to_calls": "on",
        },
        "customer_edit": {"name": "陈静", "mobile": customer.mobile, "preferred_channel": "sms"},
        "customer_call_create": call_data(),
        "vehicle_create": {"vin": make_vin(77), "model": "雷凌", "plate": "粤A 77777"},
        "vehicle_edit": {"vin": vehicle.vin, "model": "凯美瑞", "mileage": "16000"},
        "call_new": {
            "dealer": dealer.pk,
            "phone": "137 0013 7001",
            "create_customer": "on",
            "customer_name": "新来电",
            "preferred_channel": "phone",
            **call_data(),
        },
        "set_language": {"language": "en", "next": "/"},
        "customer_erase": {"reason": "顾客来电要求删除个人信息", "confirm": "on"},
        "call_dial": {"customer": customer.pk},
    }.get(name, {})
    if method == "GET" and name in WRITES:
        data = {}
    return reverse(name, args=args), data


@pytest.fixture
def user_of_role(make_user, dealer):
    def make(role: str):
        if role == ANON:
            return None
        if role == NO_ROLE:
            user = UserFactory(username="no-role")
            user.dealers.add(dealer)
            return user
        return make_user(role, dealer, is_staff=role == roles.ADMIN)

    return make


def _check_access(client, user, method, name, expected, objects) -> str | None:
    """One cell of the table: None when the response is the expected one, else what went wrong."""
    if user is not None:
        client.force_login(user)  # again: the logout row logs the client out
        if user.is_staff:
            verify_two_factor(client, user)  # administrators sign in with their second factor
    path, data = _request_for(name, method, **objects)
    before = counts()
    response = client.get(path, data) if method == "GET" else client.post(path, data)
    if response.streaming:
        b"".join(response.streaming_content)  # reading to the end closes the recording
    status = response.status_code
    if problems := csp_problems(response):
        return f"{method} {path}: {problems}"
    if expected == TO_LOGIN:
        if status != 302 or not response.url.startswith(f"{LOGIN_URL}?next="):
            return f"{method} {path}: {status} {getattr(response, 'url', '')}, expected a redirect to the login page"
    elif status != expected:
        return f"{method} {path}: {status}, expected {expected} {_form_errors(response) or ''}"
    if status != 302 or expected == TO_LOGIN:
        if counts() != before:
            return f"{method} {path}: refused with {status} but wrote a row"
    elif method == "POST" and name in WRITES and counts() == before:
        return f"{method} {path}: redirected but wrote nothing"
    if name == "admin:index" and expected == 302 and not response.url.startswith(reverse("admin:login")):
        return f"{method} {path}: redirected to {response.url}, not to the admin login"
    return None


@pytest.mark.parametrize("role", ALL_ROLES)
def test_access_by_role(client, user_of_role, filesystem_broker, dealer, customer, vehicle, recorded_call, role):
    """Every row of ACCESS for one role; all wrong cells are reported together."""
    user = user_of_role(role)
    objects = {"dealer": dealer, "customer": customer, "vehicle": vehicle, "call": recorded_call}
    wrong = [
        problem
        for (method, name), expected in ACCESS.items()
        if (problem := _check_access(client, user, method, name, expected[role], objects))
    ]
    assert wrong == []


# role -> the page `/` shows it: the managers their queue health, everyone else the call desk (the agent's with
# their day in its counts, tests/cac/root/test_home.py).
HOMES = {
    roles.AGENT: "cac/desk.html",
    roles.SERVICE_MANAGER: "cac/home_manager.html",
    roles.SALES_MANAGER: "cac/home_manager.html",
    roles.DIRECTOR: "reports/dashboard.html",
    roles.EXECUTIVE: "reports/dashboard.html",
    roles.ADMIN: "cac/desk.html",
}


@pytest.mark.parametrize("role", list(HOMES))
def test_each_role_lands_on_its_home(client, user_of_role, role):
    user = user_of_role(role)
    client.force_login(user)
    if user.is_staff:
        verify_two_factor(client, user)
    response = client.get(reverse("desk"))
    assert response.status_code == 200
    assert response.templates[0].name == HOMES[role]
    assert csp_problems(response) == []
    day = client.get(reverse("desk_today")).context["day"]
    assert (day is not None) == (role == roles.AGENT)


def _names(patterns):
    """The names of cac/urls.py, with Django's own includes; other apps' includes are tested with their app."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                yield "admin:index"
            elif getattr(pattern.urlconf_module, "__name__", "").startswith("django."):
                yield from _names(pattern.url_patterns)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield pattern.name


def test_the_access_table_covers_every_url():
    covered = {name for _method, name in ACCESS}
    assert set(_names(get_resolver().url_patterns)) - covered == set()


def test_every_role_of_the_roles_table_is_in_the_access_table():
    assert set(roles.ROLE_PERMISSIONS) <= set(ALL_ROLES)


def test_an_inactive_user_is_sent_to_the_login_page(client, agent):
    client.force_login(agent)
    agent.is_active = False
    agent.save(update_fields=["is_active"])
    response = client.get(reverse("desk"))
    assert response.status_code == 302
    assert response.url.startswith(LOGIN_URL)


def test_logging_in_with_a_password_opens_the_desk(client, make_user, dealer):
    make_user("agent", dealer, username="li.na")
    response = client.post(reverse("login"), {"username": "li.na", "password": "pw-for-tests-only"})
    assert response.status_code == 302
    assert response.url == reverse("desk")
    assert client.get(reverse("desk")).status_code == 200


# --- (2) Dealer scoping ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "name", "key"),
    [
        ("GET", "customer_detail", "customer"),
        ("GET", "customer_edit", "customer"),
        ("POST", "customer_edit", "customer"),
        ("POST", "customer_call_create", "customer"),
        ("GET", "vehicle_create", "customer"),
        ("POST", "vehicle_create", "customer"),
        ("GET", "vehicle_edit", "vehicle"),
        ("POST", "vehicle_edit", "vehicle"),
        ("GET", "call_recording", "call"),
    ],
)
def test_another_dealers_rows_are_not_found(agent_client, foreign, method, name, key):
    target = foreign[key]
    data = {
        "customer_edit": {"name": "改名", "mobile": "13900139000", "preferred_channel": "phone"},
        "customer_call_create": call_data(summary="不该写入"),
        "vehicle_create": {"vin": make_vin(3), "model": "雷凌"},
        "vehicle_edit": {"vin": make_vin(2), "model": "改型号"},
    }.get(name, {})
    before = counts()
    path = reverse(name, args=[target.pk])
    response = agent_client.get(path) if method == "GET" else agent_client.post(path, data)
    assert response.status_code == 404
    assert counts() == before
    assert "李雷" not in response.content.decode()
    foreign["customer"].refresh_from_db()
    assert foreign["customer"].name == "李雷"


@pytest.mark.parametrize("name", ["customer_detail", "customer_edit", "vehicle_edit", "call_recording"])
def test_ids_that_do_not_exist_or_overflow_are_not_found(agent_client, name):
    for pk in (987654, 2**63 + 1, 10**30):
        assert agent_client.get(reverse(name, args=[pk])).status_code == 404


def test_a_call_without_recording_has_nothing_to_serve(agent_client, customer, agent):
    call = CallLogFactory(customer=customer, handled_by=agent)
    assert agent_client.get(reverse("call_recording", args=[call.pk])).status_code == 404


def test_lists_show_only_the_users_dealers(agent_client, agent, customer, foreign):
    CallLogFactory(customer=customer, handled_by=agent, summary="A店的通话", callback_owed=True)
    pages = {
        "desk": agent_client.get(reverse("desk")),
        "customers": agent_client.get(reverse("customer_list")),
        "calls": agent_client.get(reverse("call_list")),
        "owed": agent_client.get(reverse("call_list"), {"callback_owed": "true"}),
    }
    for page, response in pages.items():
        html = response.content.decode()
        assert response.status_code == 200
        assert "李雷" not in html, page
        assert "B店" not in html, page
        assert "13900139" not in html.replace(" ", ""), page
    assert "陈静" in pages["customers"].content.decode()
    assert "A店的通话" in pages["calls"].content.decode()
    assert "A店的通话" in pages["desk"].content.decode()
    assert [c.pk for c in pages["customers"].context["page"]] == [customer.pk]
    assert {c.dealer_id for c in pages["calls"].context["page"]} == {customer.dealer_id}


@pytest.mark.parametrize("query", ["139", "13900139000", "+86 139 0013 9000", "李", "李雷", "0755 8888 8888"])
def test_lookup_never_finds_another_dealers_customer(agent_client, customer, foreign, query):
    response = agent_client.get(reverse("customer_lookup"), {"q": query})
    assert response.status_code == 200
    assert response.context["results"] == []
    assert reverse("customer_detail", args=[foreign["customer"].pk]) not in response.content.decode()


@pytest.mark.parametrize("params", [{"q": "李雷"}, {"q": "13900139000"}, {"q": "139"}])
def test_customer_list_filter_never_finds_another_dealers_customer(agent_client, foreign, params):
    response = agent_client.get(reverse("customer_list"), params)
    assert list(response.context["page"]) == []


def test_call_list_filters_offer_only_the_users_colleagues(agent_client, foreign, other_agent):
    response = agent_client.get(reverse("call_list"), {"phone": "139", "handled_by": other_agent.pk})
    assert list(response.context["page"]) == []
    assert "李伟" not in response.content.decode()
    response = agent_client.get(reverse("customer_list"))
    assert "李伟" not in response.content.decode()


def test_enter_on_another_dealers_number_opens_the_new_caller_form(agent_client, foreign):
    response = agent_client.get(reverse("customer_find"), {"q": "139 0013 9000"})
    assert response.status_code == 302
    assert response.url == reverse("call_new") + "?phone=13900139000"
    page = agent_client.get(response.url)
    assert page.context["existing"] is None
    assert "李雷" not in page.content.decode()


def test_posting_for_another_dealer_is_a_field_error(agent_client, other_dealer):
    before = counts()
    response = agent_client.post(
        reverse("customer_create"),
        {"dealer": other_dealer.pk, "name": "越权", "mobile": "13700137000", "preferred_channel": "phone"},
    )
    assert response.status_code == 200
    assert "dealer" in response.context["form"].errors
    response = agent_client.post(
        reverse("call_new"),
        {"dealer": other_dealer.pk, "phone": "13700137000", "customer_name": "越权", "create_customer": "on"}
        | {"preferred_channel": "phone", **call_data()},
    )
    assert response.status_code == 200
    assert "dealer" in response.context["form"].errors
    assert counts() == before


def test_staff_of_two_dealers_see_both(client, make_user, dealer, other_dealer, customer, foreign):
    regional = make_user(roles.DIRECTOR, dealer, other_dealer, username="regional")
    client.force_login(regional)
    listed = {c.pk for c in client.get(reverse("customer_list")).context["page"]}
    assert listed == {customer.pk, foreign["customer"].pk}
    assert client.get(reverse("customer_detail", args=[foreign["customer"].pk])).status_code == 200
    assert client.get(reverse("call_new")).context["form"].fields["dealer"].widget.input_type == "select"


# --- (3) The call desk flow ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "138",
        "1380013",
        "138 0013",
        "13800138000",
        "138 0013 8000",
        "+86 138-0013-8000",
        "0086 13800138000",
        "(86)13800138000",
        "+86 138",
        "１３８００１３８０００",
        "陈",
        "陈静",
        "020-8888 8888",  # one of the other phones
        "02088888888",
    ],
)
def test_lookup_as_you_type_finds_the_customer_by_any_spelling(agent_client, customer, query):
    response = agent_client.get(reverse("customer_lookup"), {"q": query})
    assert response.status_code == 200
    assert response.context["results"] == [customer]
    html = response.content.decode()
    assert "陈静" in html
    assert reverse("customer_detail", args=[customer.pk]) in html
    assert "<html" not in html  # a fragment for htmx


@pytest.mark.parametrize("query", ["", " ", "1", "13", "张", "13700", "zzz", "%", "_", "陈%", "\\"])
def test_lookup_finds_nothing_for_short_or_unknown_input(agent_client, customer, query):
    response = agent_client.get(reverse("customer_lookup"), {"q": query})
    assert response.status_code == 200
    assert response.context["results"] == []


def test_lookup_lists_at_most_ten(agent_client, dealer):
    for n in range(12):
        CustomerFactory(dealer=dealer, mobile=f"1380000{n:04d}")
    response = agent_client.get(reverse("customer_lookup"), {"q": "1380000"})
    assert len(response.context["results"]) == 10


def test_lookup_offers_the_new_caller_form_for_an_unknown_valid_number(agent_client, customer):
    response = agent_client.get(reverse("customer_lookup"), {"q": "+86 137 0013 7000"})
    assert response.context["results"] == []
    assert reverse("call_new") + "?phone=13700137000" in response.content.decode()


def test_enter_with_one_match_opens_the_360(agent_client, customer):
    for query in ("138 0013 8000", "+86 138-0013-8000", "陈静", "0086 13800138000"):
        response = agent_client.get(reverse("customer_find"), {"q": query})
        assert response.status_code == 302, query
        assert response.url == reverse("customer_detail", args=[customer.pk])


def test_enter_with_an_unknown_valid_number_opens_the_new_caller_form(agent_client, customer):
    response = agent_client.get(reverse("customer_find"), {"q": "+86 137-0013-7000"})
    assert response.status_code == 302
    assert response.url == "/calls/new/?phone=13700137000"
    page = agent_client.get(response.url)
    assert page.status_code == 200
    assert page.context["form"]["phone"].value() == "13700137000"


def test_enter_with_several_matches_shows_them_on_the_desk(agent_client, dealer, customer):
    other = CustomerFactory(dealer=dealer, name="陈伟", mobile="13800138999")
    response = agent_client.get(reverse("customer_find"), {"q": "陈"})
    assert response.status_code == 200
    assert set(response.context["results"]) == {customer, other}


def test_enter_with_nothing_that_matches_warns(agent_client, customer):
    response = agent_client.get(reverse("customer_find"), {"q": "不存在的人"})
    assert response.status_code == 200
    assert response.context["results"] == []
    assert len(list(response.context["messages"])) == 1


def test_executive_is_not_offered_the_new_caller_form(client, make_user, dealer):
    client.force_login(make_user(roles.EXECUTIVE, dealer))
    response = client.get(reverse("customer_find"), {"q": "13700137000"})
    assert response.status_code == 200
    assert response.context["new_call_url"] is None


def test_new_caller_call_creates_customer_and_call_together(agent_client, agent, dealer):
    response = agent_client.post(
        reverse("call_new"),
        {
            "dealer": dealer.pk,
            "phone": "+86 137-0013-7000",
            "create_customer": "on",
            "customer_name": " 张伟 ",
            "preferred_channel": "sms",
            "consents_to_calls": "on",
            **call_data(summary="第一次来电", duration="125", callback_owed="on"),
        },
    )
    customer = Customer.objects.get()
    call = CallLog.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("customer_detail", args=[customer.pk])
    assert (customer.name, customer.mobile, customer.dealer, customer.owner) == ("张伟", "13700137000", dealer, agent)
    assert customer.preferred_channel == "sms"
    assert (call.customer, call.phone, call.handled_by, call.duration_seconds) == (customer, "13700137000", agent, 125)
    assert call.callback_owed is True
    assert customer.history.get().history_user == agent
    assert call.history.get().history_user == agent


def test_new_caller_call_without_saving_the_caller(agent_client, dealer):
    response = agent_client.post(
        reverse("call_new"),
        {"dealer": dealer.pk, "phone": "010-6552 9988", "preferred_channel": "phone", **call_data()},
    )
    call = CallLog.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("call_detail", args=[call.pk])
    assert (call.customer, call.phone) == (None, "01065529988")
    assert Customer.objects.count() == 0


def test_an_unknown_caller_keeps_the_name_typed_and_lands_on_the_call_with_a_prospect_capture(agent_client, dealer):
    response = agent_client.post(
        reverse("call_new"),
        {
            "dealer": dealer.pk,
            "phone": "137 0013 7002",
            "customer_name": " 赵女士 ",
            "preferred_channel": "phone",
            **call_data(),
        },
        follow=True,
    )
    call = CallLog.objects.get()
    assert call.caller_name == "赵女士" and call.customer is None
    assert response.redirect_chain[-1][0] == reverse("call_detail", args=[call.pk])
    html = response.content.decode()
    assert "赵女士" in html and 'id="caller-new-prospect"' in html
    capture = agent_client.get(reverse("prospects:create"), {"call": call.pk})
    assert capture.context["form"].initial["name"] == "赵女士"
    assert capture.context["form"].initial["phone"] == "13700137002"
    listed = agent_client.get(reverse("call_list")).content.decode()
    assert "赵女士" in listed


def test_new_caller_with_a_known_number_is_a_field_error_and_nothing_is_written(agent_client, dealer, customer):
    before = counts()
    response = agent_client.post(
        reverse("call_new"),
        {
            "dealer": dealer.pk,
            "phone": "138 0013 8000",
            "create_customer": "on",
            "customer_name": "重复",
            "preferred_channel": "phone",
            **call_data(),
        },
    )
    assert response.status_code == 200
    assert "phone" in response.context["form"].errors
    assert counts() == before


def test_new_caller_form_points_at_the_existing_customer(agent_client, customer):
    response = agent_client.get(reverse("call_new"), {"phone": "13800138000"})
    assert response.context["existing"] == customer
    assert reverse("customer_detail", args=[customer.pk]) in response.content.decode()


def test_call_on_the_360_with_htmx_returns_the_new_row_and_a_fresh_form(agent_client, agent, customer):
    CallLogFactory(customer=customer, handled_by=agent, summary="旧的通话")
    response = agent_client.post(
        reverse("customer_call_create", args=[customer.pk]),
        call_data(summary="刚刚的通话", callback_owed="on"),
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    call = CallLog.objects.get(summary="刚刚的通话")
    assert (call.customer, call.phone, call.handled_by, call.duration_seconds) == (
        customer,
        customer.mobile,
        agent,
        205,
    )
    html = response.content.decode()
    assert "<html" not in html
    assert 'hx-swap-oob="afterbegin"' in html
    assert f'id="call-{call.pk}"' in html
    assert "刚刚的通话" in html
    assert "旧的通话" not in html
    assert 'id="call-form-wrap"' in html
    assert re.search(r'<textarea[^>]*name="summary"[^>]*>\s*</textarea>', html), "the form is not fresh"
    assert response.context["call_form"].is_bound is False


def test_invalid_call_with_htmx_returns_the_form_with_errors(agent_client, customer):
    response = agent_client.post(
        reverse("customer_call_create", args=[customer.pk]),
        call_data(summary="", duration="abc"),
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html
    assert "hx-swap-oob" not in html
    assert set(response.context["call_form"].errors) == {"summary", "duration"}
    assert CallLog.objects.count() == 0


def test_call_on_the_360_without_htmx_redirects_to_the_360(agent_client, customer):
    response = agent_client.post(reverse("customer_call_create", args=[customer.pk]), call_data())
    assert response.status_code == 302
    assert response.url == reverse("customer_detail", args=[customer.pk])
    page = agent_client.get(response.url)
    assert "咨询首保时间" in page.content.decode()


def test_the_360_shows_the_customer_vehicles_and_calls(agent_client, agent, customer, vehicle):
    CallLogFactory(customer=customer, handled_by=agent, summary="<b>加粗</b>")
    html = agent_client.get(reverse("customer_detail", args=[customer.pk])).content.decode()
    for text in ("陈静", "138 0013 8000", vehicle.vin, "粤A12345", "&lt;b&gt;加粗&lt;/b&gt;", "客户备注"):
        assert text in html
    assert "<b>加粗</b>" not in html


def test_editing_a_customer_records_the_user_in_the_history(agent_client, agent, customer):
    response = agent_client.post(
        reverse("customer_edit", args=[customer.pk]),
        {"name": "陈小静", "mobile": "+86 138 0013 8000", "preferred_channel": "mail", "other_phones": "020 8888 8888"},
    )
    assert response.status_code == 302
    customer.refresh_from_db()
    assert (customer.name, customer.mobile, customer.preferred_channel) == ("陈小静", "13800138000", "mail")
    latest = customer.history.latest("history_id")
    assert latest.history_user == agent
    assert latest.history_change_reason.startswith("updated: ")


def test_vehicle_forms_save_normalised_values(agent_client, agent, customer):
    response = agent_client.post(
        reverse("vehicle_create", args=[customer.pk]),
        {"vin": "1m8gdm9a xkp042788", "model": "凯美瑞", "plate": "粤a·12345", "purchase_date": "2024-03-01"},
    )
    assert response.status_code == 302
    vehicle = Vehicle.objects.get()
    assert (vehicle.vin, vehicle.plate, vehicle.dealer_id) == ("1M8GDM9AXKP042788", "粤A12345", customer.dealer_id)
    response = agent_client.post(
        reverse("vehicle_edit", args=[vehicle.pk]), {"vin": vehicle.vin, "model": "凯美瑞", "mileage": "30000"}
    )
    assert response.status_code == 302
    vehicle.refresh_from_db()
    assert vehicle.mileage == 30000
    assert vehicle.history.latest("history_id").history_user == agent


def test_a_duplicate_vin_is_a_field_error(agent_client, customer, vehicle):
    before = counts()
    response = agent_client.post(reverse("vehicle_create", args=[customer.pk]), {"vin": vehicle.vin, "model": "雷凌"})
    assert response.status_code == 200
    assert "vin" in response.context["form"].errors
    assert counts() == before


def test_a_duplicate_mobile_is_a_field_error(agent_client, dealer, customer):
    other = CustomerFactory(dealer=dealer, mobile="13700137000")
    before = counts()
    response = agent_client.post(
        reverse("customer_edit", args=[other.pk]),
        {"name": other.name, "mobile": "138-0013-8000", "preferred_channel": "phone"},
    )
    assert response.status_code == 200
    assert "mobile" in response.context["form"].errors
    assert counts() == before
    response = agent_client.post(
        reverse("customer_create"),
        {"dealer": dealer.pk, "name": "重复", "mobile": "13800138000", "preferred_channel": "phone"},
    )
    assert "mobile" in response.context["form"].errors
    assert counts() == before


def test_customer_create_prefills_the_mobile_from_the_desk(agent_client):
    response = agent_client.get(reverse("customer_create"), {"mobile": "13700137000" + "9" * 100})
    assert response.status_code == 200
    assert response.context["form"].initial["mobile"] == "13700137000" + "9" * 19


# --- (4) Recordings ---------------------------------------------------------------------------------------------


def _upload(name="call.mp3", content=AUDIO, content_type="audio/mpeg"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def _stored_files(root):
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("call.mp3", AUDIO, "audio/mpeg"),
        ("call.wav", made.wav(), "audio/wav"),
        ("CALL.M4A", made.m4a(), "audio/x-m4a"),
        ("call.amr", made.amr(), "audio/amr"),
        ("call.ogg", made.ogg(), "audio/ogg"),
        ("通话录音.mp3", made.mp3(), "application/octet-stream"),
    ],
)
def test_an_audio_recording_is_stored_and_served_to_staff_of_the_dealer(
    client, agent_client, make_user, dealer, customer, other_agent, media_root, name, content, content_type
):
    response = agent_client.post(
        reverse("customer_call_create", args=[customer.pk]),
        {**call_data(), "recording": _upload(name, content, content_type=content_type)},
    )
    assert response.status_code == 302
    call = CallLog.objects.get()
    assert call.recording.name.startswith("recordings/")
    assert (media_root / call.recording.name).read_bytes() == content

    url = reverse("call_recording", args=[call.pk])
    served = agent_client.get(url)
    assert served.status_code == 200
    assert b"".join(served.streaming_content) == content
    assert served["Cache-Control"] == "private, no-store"
    assert served["Content-Type"].startswith("audio/")

    manager = make_user(roles.SERVICE_MANAGER, dealer)
    client.force_login(manager)
    ok = client.get(url)
    assert ok.status_code == 200
    # Reading the stream to its end closes the file (the test client's wrapper); close() again would
    # send request_finished and close the test's database connection.
    assert b"".join(ok.streaming_content) == content
    client.force_login(make_user(roles.EXECUTIVE, dealer))
    assert client.get(url).status_code == 403
    client.force_login(other_agent)
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302


def test_a_recording_can_come_with_a_new_caller(agent_client, dealer, media_root):
    response = agent_client.post(
        reverse("call_new"),
        {"dealer": dealer.pk, "phone": "13700137000", "preferred_channel": "phone", **call_data()}
        | {"recording": _upload()},
    )
    assert response.status_code == 302
    assert (media_root / CallLog.objects.get().recording.name).read_bytes() == AUDIO


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("setup.exe", b"MZ\x90\x00" + b"\x00" * 100, "application/x-msdownload"),
        ("call.mp3.exe", AUDIO, "application/octet-stream"),
        ("call.exe", AUDIO, "audio/mpeg"),
        ("call.mp3", b"MZ\x90\x00", "application/x-msdownload"),
        ("call.html", b"<script>alert(1)</script>", "text/html"),
        ("call", AUDIO, "audio/mpeg"),
        ("call.svg", b"<svg onload=alert(1)>", "image/svg+xml"),
    ],
)
def test_a_file_that_is_not_audio_is_a_field_error_and_nothing_is_written(
    agent_client, customer, media_root, name, content, content_type
):
    before = counts()
    response = agent_client.post(
        reverse("customer_call_create", args=[customer.pk]),
        {**call_data(), "recording": _upload(name, content, content_type)},
    )
    assert response.status_code == 200
    assert "recording" in response.context["call_form"].errors
    assert counts() == before
    assert _stored_files(media_root) == []


def test_an_oversize_recording_is_a_field_error_and_nothing_is_written(
    agent_client, customer, dealer, settings, media_root
):
    settings.RECORDING_MAX_BYTES = 1024
    before = counts()
    for url, data in (
        (reverse("customer_call_create", args=[customer.pk]), call_data()),
        (
            reverse("call_new"),
            {"dealer": dealer.pk, "phone": "13700137000", "preferred_channel": "phone"} | call_data(),
        ),
    ):
        response = agent_client.post(url, {**data, "recording": _upload(content=made.mp3()[:1025])})
        assert response.status_code == 200
        form = response.context.get("call_form") or response.context["form"]
        assert "recording" in form.errors
    assert counts() == before
    assert _stored_files(media_root) == []
    ok = agent_client.post(
        reverse("customer_call_create", args=[customer.pk]),
        {**call_data(), "recording": _upload(content=made.mp3()[:1024])},  # at the limit
    )
    assert ok.status_code == 302


# --- (5) Health check --------------------------------------------------------------------------------------------


def test_healthz_reports_database_and_broker(client, filesystem_broker):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"database": "ok", "broker": "ok", "status": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_healthz_works_on_the_configured_broker(client):
    # No override: kombu's file-system transport, or the real Redis when REDIS_URL is set (as in CI).
    assert client.get("/healthz").json() == {"database": "ok", "broker": "ok", "status": "ok"}


class _BrokenConnection:
    def cursor(self):
        raise OperationalError("could not connect to server")


def test_healthz_is_503_when_the_database_is_down(client, filesystem_broker, monkeypatch):
    monkeypatch.setattr("cac.platform.health.connection", _BrokenConnection())
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["database"] == "error: OperationalError"
    assert (body["broker"], body["status"]) == ("ok", "error")


def test_healthz_stays_200_when_only_the_broker_is_down(client, filesystem_broker, monkeypatch):
    def refuse(*args, **kwargs):
        raise ConnectionRefusedError

    monkeypatch.setattr(celery_app, "connection_for_write", refuse)
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "broker": "error: ConnectionRefusedError", "status": "degraded"}


def test_healthz_carries_no_data_and_needs_no_login(client, customer, filesystem_broker):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert "13800138000" not in response.content.decode()


# --- (6) Query counts ------------------------------------------------------------------------------------------

MAX_QUERIES = 12


@pytest.fixture
def busy_dealer(dealer, agent, make_user):
    """Enough rows that one query per row would show: customers with owners, vehicles and many calls."""
    colleagues = [make_user(roles.AGENT, dealer, first_name=f"同事{n}", last_name="张") for n in range(3)]
    customers = [
        CustomerFactory(dealer=dealer, name=f"王{n:02d}", mobile=f"1380013{n:04d}", owner=colleagues[n % 3])
        for n in range(30)
    ]
    star = customers[0]
    for n in range(4):
        VehicleFactory(customer=star, vin=make_vin(100 + n), purchase_date=timezone.localdate() - timedelta(days=n))
    started = timezone.now() - timedelta(days=1)
    for n in range(25):
        CallLogFactory(
            customer=star,
            handled_by=[agent, *colleagues][n % 4],
            started_at=started + timedelta(minutes=n),
            callback_owed=n % 2 == 0,
            duration_seconds=60 + n,
        )
    for n, customer in enumerate(customers[1:]):
        CallLogFactory(
            customer=customer,
            handled_by=[agent, *colleagues][n % 4],
            started_at=started + timedelta(minutes=30 + n),
            callback_owed=n % 3 == 0,
        )
    for n in range(5):
        CallLogFactory(customer=None, dealer=dealer, phone=f"0208888{n:04d}", handled_by=agent, callback_owed=True)
    return {"star": star, "customers": customers}


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("desk", {}),
        ("customer_list", {}),
        ("customer_list", {"q": "王"}),
        ("customer_list", {"q": "138", "preferred_channel": "phone"}),
        ("customer_detail", None),
        ("call_list", {}),
        ("call_list", {"callback_owed": "true", "direction": "in"}),
        ("customer_lookup", {"q": "138"}),
        ("customer_lookup", {"q": "王"}),
        ("customer_find", {"q": "王"}),
        ("call_new", {"phone": "13800130000"}),
    ],
)
def test_pages_need_a_bounded_number_of_queries(agent_client, busy_dealer, django_assert_max_num_queries, name, params):
    if name == "customer_detail":
        path, params = reverse(name, args=[busy_dealer["star"].pk]), {}
    else:
        path = reverse(name)
    # The 360 reads the customer's SMS too: one query more (tests/test_query_counts.py's PAGE_BUDGET).
    with django_assert_max_num_queries(MAX_QUERIES + (name == "customer_detail")):
        response = agent_client.get(path, params)
    assert response.status_code == 200
    shown = {
        "desk": ["my_calls", "owed_calls"],
        "customer_list": ["page"],
        "customer_detail": ["calls", "vehicles"],
        "call_list": ["page"],
        "customer_lookup": ["results"],
        "customer_find": ["results"],
        "call_new": [],
    }[name]
    for key in shown:
        assert len(list(response.context[key])) >= (4 if key == "vehicles" else 10), f"too few {key} to show an N+1"


def test_the_360_shows_twenty_recent_calls(agent_client, busy_dealer):
    response = agent_client.get(reverse("customer_detail", args=[busy_dealer["star"].pk]))
    assert len(list(response.context["calls"])) == 20
    assert len(response.context["vehicles"]) == 4


# --- (7) Language ----------------------------------------------------------------------------------------------


def _html_lang(response) -> str:
    match = re.search(r'<html lang="([^"]+)"', response.content.decode())
    assert match, "no lang attribute on <html>"
    return match.group(1)


def _translated_page_text(language: str) -> str:
    with translation.override(language):
        return translation.gettext("Who is calling?")


@pytest.mark.parametrize(
    ("accept_language", "lang"),
    [("en", "en"), ("en-US,en;q=0.9", "en"), ("zh-CN,zh;q=0.9", "zh-hans"), ("zh-Hans", "zh-hans"), ("fr", "zh-hans")],
)
def test_accept_language_chooses_the_language(agent_client, accept_language, lang):
    response = agent_client.get(reverse("desk"), headers={"Accept-Language": accept_language})
    assert response.status_code == 200
    assert _html_lang(response) == lang
    assert response["Content-Language"] == lang
    assert _translated_page_text(lang) in response.content.decode()


def test_chinese_is_the_default_and_the_page_is_in_chinese(agent_client):
    response = agent_client.get(reverse("desk"))
    html = response.content.decode()
    assert _html_lang(response) == "zh-hans"
    chinese = _translated_page_text("zh-hans")
    assert chinese != "Who is calling?", "the zh-hans catalog is not compiled (make messages)"
    assert chinese in html
    assert "Who is calling?" not in html
    assert "Call desk" not in html


def test_the_language_cookie_wins_over_accept_language(agent_client):
    agent_client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    response = agent_client.get(reverse("desk"), headers={"Accept-Language": "zh-CN"})
    assert _html_lang(response) == "en"
    assert "Who is calling?" in response.content.decode()


def test_the_language_switch_sets_the_cookie(agent_client):
    response = agent_client.post(reverse("set_language"), {"language": "en", "next": reverse("customer_list")})
    assert response.status_code == 302
    assert response.url == reverse("customer_list")
    assert agent_client.cookies[django_settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert _html_lang(agent_client.get(reverse("customer_list"))) == "en"
    agent_client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    assert _html_lang(agent_client.get(reverse("customer_list"))) == "zh-hans"


def test_the_language_switch_ignores_unknown_languages_and_foreign_next(agent_client):
    response = agent_client.post(reverse("set_language"), {"language": "xx", "next": "https://evil.example/"})
    assert response.status_code == 302
    assert response.url == "/"
    assert django_settings.LANGUAGE_COOKIE_NAME not in agent_client.cookies


def test_the_login_page_follows_the_language_too(client):
    assert _html_lang(client.get(LOGIN_URL, headers={"Accept-Language": "en"})) == "en"
    assert _html_lang(client.get(LOGIN_URL, headers={"Accept-Language": "zh-CN"})) == "zh-hans"
