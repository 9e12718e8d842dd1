"""The prospect screens through Django's test client: who may open what, dealer scoping, quick capture from the
call desk with the duplicate warning, steps as form errors, campaigns, and query counts."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.urls import URLPattern, reverse
from django.utils import timezone

from cac import roles
from cac.models import CallLog, Customer
from prospects import urls as prospect_urls
from prospects.models import Campaign, ContactAttempt, Prospect, Status
from tests.cac.factories import CallLogFactory, CustomerFactory, UserFactory, make_vin
from tests.csp import csp_problems
from tests.prospects.factories import ProspectFactory, put

pytestmark = pytest.mark.django_db

LOGIN_URL = "/accounts/login/"
MAX_QUERIES = 12
ANON, NO_ROLE = "anonymous", "no role"
ALL_ROLES = (ANON, NO_ROLE, *roles.ROLE_PERMISSIONS)
WORKERS = (roles.AGENT, roles.SALES_MANAGER, roles.DIRECTOR, roles.ADMIN)
MANAGERS = (roles.SALES_MANAGER, roles.DIRECTOR, roles.ADMIN)


def row(*, allowed: tuple, ok: int = 200, viewers: tuple = ()) -> dict:
    result = {ANON: "login"}
    for role in ALL_ROLES[1:]:
        result[role] = ok if role in allowed else (200 if role in viewers else 403)
    return result


VIEWERS = (*WORKERS, roles.EXECUTIVE)
ACCESS = {
    ("GET", "list"): row(allowed=VIEWERS),
    ("GET", "board"): row(allowed=VIEWERS),
    ("GET", "detail"): row(allowed=VIEWERS),
    ("GET", "due"): row(allowed=WORKERS),
    ("GET", "create"): row(allowed=WORKERS),
    ("POST", "create"): row(allowed=WORKERS, ok=302),
    ("GET", "edit"): row(allowed=WORKERS),
    ("POST", "edit"): row(allowed=WORKERS, ok=302),
    ("POST", "attempt"): row(allowed=WORKERS, ok=302),
    ("POST", "transition"): row(allowed=WORKERS, ok=302),
    ("GET", "funnel"): row(allowed=MANAGERS),
    ("GET", "campaigns"): row(allowed=MANAGERS),
    ("GET", "campaign_create"): row(allowed=MANAGERS),
    ("POST", "campaign_create"): row(allowed=MANAGERS, ok=302),
}


def test_the_access_table_covers_every_url():
    names = {pattern.name for pattern in prospect_urls.urlpatterns if isinstance(pattern, URLPattern)}
    assert names == {name for _method, name in ACCESS}


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


def _request(name: str, method: str, *, prospect, dealer, number: int):
    today = timezone.localdate()
    args = {"detail": [prospect.pk], "edit": [prospect.pk], "attempt": [prospect.pk]}.get(name, [])
    if name == "transition":
        args = [prospect.pk, "archive"]
    data = {}
    if method == "POST":
        data = {
            "create": {"name": "新客", "phone": f"1370013{number:04d}", "source": "phone", "grade": "H"},
            "edit": {"grade": "A", "owner": prospect.owner_id},
            "attempt": {"result": "no_answer", "interested": "1"},
            "transition": {"archive-note": "明年"},
            "campaign_create": {"name": "春季", "starts_on": today, "ends_on": today + timedelta(days=7)},
        }[name]
    return reverse(f"prospects:{name}", args=args), data


def _counts():
    return (Prospect.history.count(), ContactAttempt.objects.count(), Campaign.objects.count())


@pytest.mark.parametrize("role", ALL_ROLES)
def test_access_by_role(client, user_of_role, dealer, agent, role, time_machine):
    time_machine.move_to(timezone.now().replace(hour=2, minute=0))  # 10:00 in Shanghai: inside a call slot
    user = user_of_role(role)
    wrong = []
    for number, ((method, name), expected) in enumerate(ACCESS.items()):
        prospect = put(ProspectFactory(dealer=dealer, owner=agent), Status.FOLLOWING if name == "transition" else "new")
        if user is not None:
            client.force_login(user)
        path, data = _request(name, method, prospect=prospect, dealer=dealer, number=number)
        before = _counts()
        response = client.get(path, data) if method == "GET" else client.post(path, data)
        expected = expected[role]
        wrong += [f"{method} {path}: {problem}" for problem in csp_problems(response)]
        if expected == "login":
            if response.status_code != 302 or not response.url.startswith(LOGIN_URL):
                wrong.append(f"{method} {path}: {response.status_code}, expected the login page")
        elif response.status_code != expected:
            context = getattr(response, "context", None) or {}
            errors = [form.errors for key in ("form", "attempt_form") if (form := context.get(key)) is not None]
            wrong.append(f"{method} {path}: {response.status_code}, expected {expected} {errors}")
        if response.status_code != 302 and _counts() != before:
            wrong.append(f"{method} {path}: refused but wrote a row")
        if method == "POST" and expected == 302 and response.status_code == 302 and _counts() == before:
            wrong.append(f"{method} {path}: redirected but wrote nothing")
    assert wrong == []


# --- Dealer scoping ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "name", "action"),
    [
        ("GET", "detail", None),
        ("GET", "edit", None),
        ("POST", "edit", None),
        ("POST", "attempt", None),
        ("POST", "transition", "archive"),
        ("POST", "transition", "lose"),
    ],
)
def test_another_dealers_prospect_is_not_found(client, make_user, dealer, other_dealer, method, name, action):
    manager = make_user("sales_manager", dealer)
    foreign = put(ProspectFactory(dealer=other_dealer, owner=manager), Status.FOLLOWING)
    client.force_login(manager)
    args = [foreign.pk, action] if action else [foreign.pk]
    path = reverse(f"prospects:{name}", args=args)
    data = {"result": "reached", "interested": "1", "grade": "H", "owner": manager.pk, "lose-reason": "budget"}
    response = client.get(path) if method == "GET" else client.post(path, data)
    assert response.status_code == 404
    assert Prospect.objects.get(pk=foreign.pk).status == Status.FOLLOWING


def test_lists_board_due_and_funnel_show_only_the_users_dealers(client, make_user, dealer, other_dealer, agent):
    manager = make_user("sales_manager", dealer)
    ProspectFactory(dealer=dealer, owner=agent, name="本店客")
    ProspectFactory(dealer=other_dealer, owner=agent, name="外店客")
    client.force_login(manager)
    for name in ("list", "board", "funnel"):
        body = client.get(reverse(f"prospects:{name}")).content.decode()
        assert "外店客" not in body
    client.force_login(agent)
    assert "外店客" not in client.get(reverse("prospects:due")).content.decode()


def test_a_call_of_another_dealer_cannot_be_linked(client, agent, other_dealer):
    call = CallLogFactory(customer=None, dealer=other_dealer, phone="13600136000")
    client.force_login(agent)
    assert client.get(reverse("prospects:create"), {"call": call.pk}).status_code == 404
    assert client.get(reverse("prospects:create"), {"call": "x"}).status_code == 404


# --- Quick capture and the duplicate warning -----------------------------------------------------------------------


def test_quick_capture_from_the_call_desk_links_the_call(agent_client, agent, dealer):
    call = CallLogFactory(customer=None, dealer=dealer, phone="13600136000", handled_by=agent, summary="问凯美瑞")
    response = agent_client.get(reverse("prospects:create"), {"phone": call.phone, "call": call.pk})
    assert response.context["form"].initial["phone"] == "13600136000"
    response = agent_client.post(
        reverse("prospects:create") + f"?call={call.pk}",
        {"name": "孙悦", "phone": "13600136000", "source": "phone", "grade": "A", "model_of_interest": "凯美瑞"},
    )
    prospect = Prospect.objects.get()
    assert response.url == reverse("prospects:detail", args=[prospect.pk])
    assert prospect.call == call and prospect.grade == "A" and prospect.owner == agent


def test_the_call_desk_offers_a_new_prospect_button(agent_client, agent, dealer):
    customer = CustomerFactory(dealer=dealer, mobile="13600136000")
    CallLogFactory(customer=customer, dealer=dealer, handled_by=agent, purpose="inquiry")
    body = agent_client.get(reverse("customer_detail", args=[customer.pk])).content.decode()
    assert reverse("prospects:create") + "?phone=13600136000&amp;call=" in body


def test_a_known_number_warns_and_needs_confirmation(agent_client, agent, dealer):
    customer = CustomerFactory(dealer=dealer, mobile="13600136000")
    existing = ProspectFactory(dealer=dealer, owner=agent, phone="13600136000")
    data = {"name": "孙悦", "phone": "136 0013 6000", "source": "phone", "grade": "A"}
    response = agent_client.post(reverse("prospects:create"), data)
    assert response.status_code == 200
    assert "phone" in response.context["form"].errors
    body = response.content.decode()
    assert reverse("customer_detail", args=[customer.pk]) in body
    assert reverse("prospects:detail", args=[existing.pk]) in body
    assert Prospect.objects.count() == 1
    response = agent_client.post(reverse("prospects:create"), {**data, "confirm_duplicate": "on"})
    assert response.status_code == 302
    assert Prospect.objects.count() == 2


def test_the_warning_shows_on_arrival_from_the_desk(agent_client, agent, dealer):
    CustomerFactory(dealer=dealer, mobile="13600136000", name="老客户")
    response = agent_client.get(reverse("prospects:create"), {"phone": "13600136000"})
    assert "老客户" in response.content.decode()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"name": "", "phone": "13600136000", "source": "phone", "grade": "A"}, "name"),
        ({"name": "x", "phone": "12345", "source": "phone", "grade": "A"}, "phone"),
        ({"name": "x", "phone": "13600136000", "source": "tv", "grade": "A"}, "source"),
        ({"name": "x", "phone": "13600136000", "source": "phone", "grade": "Z"}, "grade"),
        ({"name": "x", "phone": "13600136000", "source": "phone", "grade": "A", "budget": "-5"}, "budget"),
    ],
)
def test_bad_capture_input_is_a_field_error_and_writes_nothing(agent_client, data, field):
    response = agent_client.post(reverse("prospects:create"), data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert Prospect.objects.count() == 0


# --- Steps, attempts and campaigns ---------------------------------------------------------------------------------


def test_a_refused_step_is_a_form_error_not_a_500(agent_client, prospect):
    response = agent_client.post(reverse("prospects:transition", args=[prospect.pk, "win"]), {"win-vin": make_vin(3)})
    assert response.status_code == 200
    assert response.context["refused"][0].non_field_errors()
    assert Prospect.objects.get(pk=prospect.pk).status == Status.NEW and Customer.objects.count() == 0


def test_unknown_step_is_404(agent_client, prospect):
    assert agent_client.post(reverse("prospects:transition", args=[prospect.pk, "teleport"])).status_code == 404


def test_bad_step_input_is_a_field_error(agent_client, prospect):
    prospect = put(prospect, Status.FOLLOWING)
    response = agent_client.post(
        reverse("prospects:transition", args=[prospect.pk, "book_appointment"]), {"book_appointment-kind": "x"}
    )
    assert response.status_code == 200
    step = next(form for action, _label, form in response.context["steps"] if action == "book_appointment")
    assert {"kind", "at"} <= set(step.errors)
    assert Prospect.objects.get(pk=prospect.pk).status == Status.FOLLOWING


def test_capture_to_won_through_the_screens(agent_client, agent, time_machine):
    time_machine.move_to(timezone.now().replace(hour=2, minute=0))
    agent_client.post(
        reverse("prospects:create"), {"name": "周全", "phone": "13600136001", "source": "walk_in", "grade": "H"}
    )
    prospect = Prospect.objects.get()
    agent_client.post(reverse("prospects:attempt", args=[prospect.pk]), {"result": "reached", "interested": "1"})
    when = (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    agent_client.post(
        reverse("prospects:transition", args=[prospect.pk, "book_appointment"]),
        {"book_appointment-kind": "test_drive", "book_appointment-at": when},
    )
    response = agent_client.post(
        reverse("prospects:transition", args=[prospect.pk, "win"]), {"win-vin": make_vin(42), "win-model": "凯美瑞"}
    )
    assert response.status_code == 302
    prospect.refresh_from_db()
    assert prospect.status == Status.WON and prospect.vehicle.customer == prospect.customer
    assert CallLog.objects.filter(phone="13600136001").count() == 1


def test_bad_attempt_input_is_a_field_error(agent_client, prospect):
    response = agent_client.post(reverse("prospects:attempt", args=[prospect.pk]), {"result": "maybe"})
    assert response.status_code == 200 and "result" in response.context["attempt_form"].errors
    assert ContactAttempt.objects.count() == 0


def test_campaign_preview_and_creation(client, make_user, dealer, agent):
    manager = make_user("sales_manager", dealer)
    pool = put(ProspectFactory(dealer=dealer, owner=agent, model_of_interest="雷凌", grade="B"), Status.ARCHIVED)
    put(ProspectFactory(dealer=dealer, owner=agent, model_of_interest="凯美瑞", grade="B"), Status.ARCHIVED)
    client.force_login(manager)
    today = timezone.localdate()
    data = {"name": "雷凌试驾周", "starts_on": today, "ends_on": today + timedelta(days=7), "model": "雷凌"}
    preview = client.get(reverse("prospects:campaign_create"), data)
    assert [prospect.pk for prospect in preview.context["candidates"]] == [pool.pk]
    response = client.post(reverse("prospects:campaign_create"), data)
    assert response.status_code == 302
    pool.refresh_from_db()
    assert pool.status == Status.CONTACTING and pool.campaign.name == "雷凌试驾周"
    bad = client.post(reverse("prospects:campaign_create"), {**data, "ends_on": today - timedelta(days=1)})
    assert "ends_on" in bad.context["form"].errors and Campaign.objects.count() == 1


def test_the_nav_shows_prospects_to_those_who_may_see_them(client, make_user, dealer):
    client.force_login(make_user("agent", dealer))
    assert 'id="nav-prospects"' in client.get(reverse("desk")).content.decode()
    client.force_login(make_user("service_manager", dealer))
    assert 'id="nav-prospects"' not in client.get(reverse("desk")).content.decode()


# --- Query counts --------------------------------------------------------------------------------------------------


@pytest.fixture
def busy(dealer, agent, make_user):
    owners = [agent, *(make_user("agent", dealer) for _ in range(3))]
    prospects = []
    for number in range(40):
        status = [Status.NEW, Status.CONTACTING, Status.FOLLOWING, Status.APPOINTMENT][number % 4]
        prospects.append(
            put(
                ProspectFactory(dealer=dealer, owner=owners[number % 4], source=["phone", "walk_in"][number % 2]),
                status,
                next_contact_at=timezone.now() - timedelta(hours=number),
                contacted_at=timezone.now() if number % 2 else None,
            )
        )
    star = put(prospects[2], Status.FOLLOWING)
    for hour in range(20):
        call = CallLogFactory(customer=None, dealer=dealer, phone=star.phone, handled_by=owners[hour % 4])
        ContactAttempt.objects.create(
            prospect=star,
            attempted_at=timezone.now() - timedelta(hours=hour),
            slot="morning",
            result="no_answer",
            agent=owners[hour % 4],
            call=call,
        )
    return {"star": star}


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("list", {}),
        ("list", {"grade": "B", "q": "意向"}),
        ("board", {}),
        ("due", {}),
        ("detail", None),
        ("funnel", {"by": "source"}),
        ("funnel", {"by": "month"}),
        ("funnel", {"by": "model"}),
    ],
)
def test_query_counts(client, make_user, dealer, busy, django_assert_max_num_queries, name, params):
    manager = make_user("sales_manager", dealer)
    manager.groups.add(Group.objects.get(name="agent"))
    client.force_login(manager)
    path = reverse(f"prospects:{name}", args=[busy["star"].pk]) if params is None else reverse(f"prospects:{name}")
    with django_assert_max_num_queries(MAX_QUERIES):
        response = client.get(path, params or {})
    assert response.status_code == 200
    if name == "detail":
        assert len(response.context["attempts"]) == 20
    elif name == "board":
        assert sum(len(column.prospects) for column in response.context["columns"]) == 40
    elif name == "list" and not params:
        assert len(response.context["page"]) == 25


def test_the_board_counts_every_prospect_and_links_to_the_rest(client, make_user, dealer):
    from prospects.selectors import BOARD_LIMIT

    owner = make_user("agent", dealer)
    now = timezone.now()
    for n in range(BOARD_LIMIT + 3):
        put(ProspectFactory(dealer=dealer, owner=owner), Status.FOLLOWING, next_contact_at=now + timedelta(hours=n % 7))
    for _n in range(2):
        put(ProspectFactory(dealer=dealer, owner=owner), Status.NEW, next_contact_at=now)
    client.force_login(make_user("sales_manager", dealer))
    response = client.get(reverse("prospects:board"))
    columns = {column.status: column for column in response.context["columns"]}
    assert (columns[Status.FOLLOWING].count, len(columns[Status.FOLLOWING].prospects)) == (BOARD_LIMIT + 3, BOARD_LIMIT)
    assert (columns[Status.NEW].count, len(columns[Status.NEW].prospects)) == (2, 2)
    following = columns[Status.FOLLOWING].prospects
    assert [p.next_contact_at for p in following] == sorted(p.next_contact_at for p in following)
    assert f"{reverse('prospects:list')}?status={Status.FOLLOWING}" in response.content.decode()
    assert f"{reverse('prospects:list')}?status={Status.NEW}" not in response.content.decode()


def test_the_won_form_is_prefilled_with_the_intended_model(agent_client, prospect):
    put(prospect, Status.APPOINTMENT)
    response = agent_client.get(reverse("prospects:detail", args=[prospect.pk]))
    win = next(form for action, _label, form in response.context["steps"] if action == "win")
    assert win.initial["model"] == prospect.model_of_interest == "凯美瑞"


def test_a_new_prospect_from_a_call_offers_the_booking_at_once(agent_client, prospect, agent):
    call = CallLogFactory(customer=None, dealer=prospect.dealer, phone=prospect.phone, handled_by=agent)
    Prospect.objects.filter(pk=prospect.pk).update(call=call)
    response = agent_client.get(reverse("prospects:detail", args=[prospect.pk]))
    assert "book_appointment" in [action for action, _label, _form in response.context["steps"]]
