"""Each role's home at `/`: the managers' queue health and the agent's day on the call desk. Every figure is a link
to the list that makes it, and that list's count is the figure; the figures are the hand-built day's, never another
dealer's; "today" and the ages are the dealer's days at any hour; the queries do not grow with the data."""

from datetime import datetime, timedelta

import pytest
import time_machine
from django.conf import settings as django_settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cac import roles
from cac.root.home import HOME_AGENT, HOME_DASHBOARD, HOME_DESK, HOME_MANAGER, home_of
from complaints.models import Department, Status
from tests.cac.factories import CallLogFactory, CustomerFactory
from tests.cac.root.home_world import SHANGHAI, Staff, build, complaint, escalate, start_of_local_day

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(make_user, dealer):
    return Staff(
        agent=make_user(roles.AGENT, dealer, username="agent", first_name="芳", last_name="王"),
        agent_2=make_user(roles.AGENT, dealer, username="agent-2", first_name="丽", last_name="赵"),
        service_manager=make_user(roles.SERVICE_MANAGER, dealer, username="service", first_name="强", last_name="刘"),
        sales_manager=make_user(roles.SALES_MANAGER, dealer, username="sales", first_name="军", last_name="陈"),
    )


@pytest.fixture
def other_staff(make_user, other_dealer):
    return Staff(
        agent=make_user(roles.AGENT, other_dealer, username="o-agent"),
        agent_2=make_user(roles.AGENT, other_dealer, username="o-agent-2"),
        service_manager=make_user(roles.SERVICE_MANAGER, other_dealer, username="o-service"),
        sales_manager=make_user(roles.SALES_MANAGER, other_dealer, username="o-sales"),
    )


@pytest.fixture
def world(dealer, other_dealer, staff, other_staff):
    """The hand-built day at the dealer, and the same twice at the other dealer (never counted)."""

    def make(size: int = 1, now: datetime | None = None):
        build(dealer=dealer, staff=staff, size=size, now=now)
        build(dealer=other_dealer, staff=other_staff, size=2, now=now, serial=1)

    return make


def list_count(client, url: str) -> int:
    """The count the list at `url` shows, after checking that it took every filter of the link."""
    response = client.get(url.split("#")[0])
    assert response.status_code == 200, url
    context = response.context
    if "filter" in context:
        assert context["filter"].is_valid() and not context["filter"].form.errors, (url, context["filter"].form.errors)
    if "filter_form" in context and context["filter_form"] is not None:
        assert context["filter_form"].is_valid(), (url, context["filter_form"].errors)
    if "page" in context:
        return context["page"].paginator.count
    return context["missed_count"]["all"]  # the desk's missed calls


def manager_figures(client) -> dict[str, int]:
    response = client.get(reverse("desk"))
    assert response.status_code == 200
    assert "cac/home_manager.html" in [template.name for template in response.templates]
    return response.context["home"].figures


def agent_figures(client) -> list:
    response = client.get(reverse("desk_today"))
    assert response.status_code == 200
    return response.context["day"].figures


def assert_figures_are_their_lists(client, figures) -> None:
    wrong = {
        figure.key: (figure.value, count)
        for figure in figures
        if (count := list_count(client, figure.url)) != figure.value
    }
    assert wrong == {}


def values(figures) -> dict[str, int]:
    return {figure.key: figure.value for figure in figures}


# --- Who gets which home -------------------------------------------------------------------------------------------


def test_each_role_has_its_home(make_user, dealer):
    homes = {
        roles.AGENT: HOME_AGENT,
        roles.SERVICE_MANAGER: HOME_MANAGER,
        roles.SALES_MANAGER: HOME_MANAGER,
        roles.DIRECTOR: HOME_DASHBOARD,
        roles.EXECUTIVE: HOME_DASHBOARD,
        roles.ADMIN: HOME_DESK,
    }
    assert {role: home_of(make_user(role, dealer)) for role in homes} == homes
    both = make_user(roles.SERVICE_MANAGER, dealer)
    both.groups.add(*make_user(roles.DIRECTOR, dealer).groups.all())
    assert home_of(both) == HOME_DASHBOARD  # whoever is also a director lands on the director's dashboard


# --- The managers' home --------------------------------------------------------------------------------------------


def test_the_service_managers_figures_are_the_days_and_their_lists(client, staff, world):
    world(size=1)
    client.force_login(staff.service_manager)
    figures = manager_figures(client)
    assert values(figures) == {
        "deadline-breached": 1,
        "deadline-due_soon": 1,
        "age-under_1": 1,
        "age-1_3": 1,
        "age-3_7": 1,
        "age-over_7": 1,
        f"handler-{staff.agent.pk}": 2,
        f"handler-{staff.agent_2.pk}": 1,
        "handler-none": 1,
        f"follow-ups-overdue-{staff.agent.pk}": 1,
        f"follow-ups-overdue-{staff.agent_2.pk}": 1,
        "follow-ups-overdue": 2,
        "escalated-today": 1,
    }
    assert_figures_are_their_lists(client, figures)
    # The after-sales department's own lists: the sales complaint is in none of them.
    assert all("department=after_sales" in figure.url for figure in figures if "complaints" in figure.url)


def test_the_sales_managers_figures_are_the_sales_departments(client, staff, world):
    world(size=2)
    client.force_login(staff.sales_manager)
    figures = manager_figures(client)
    assert values(figures) == {
        "deadline-breached": 0,
        "deadline-due_soon": 0,
        "age-under_1": 0,
        "age-1_3": 2,
        "age-3_7": 0,
        "age-over_7": 0,
        f"handler-{staff.agent_2.pk}": 2,
        f"follow-ups-overdue-{staff.agent.pk}": 2,
        f"follow-ups-overdue-{staff.agent_2.pk}": 2,
        "follow-ups-overdue": 4,
        "escalated-today": 2,
    }
    assert_figures_are_their_lists(client, figures)


def test_a_manager_of_both_departments_sees_both_without_a_department_filter(client, make_user, dealer, staff, world):
    world(size=1)
    manager = make_user(roles.SERVICE_MANAGER, dealer)
    manager.groups.add(*staff.sales_manager.groups.all())
    client.force_login(manager)
    figures = manager_figures(client)
    assert values(figures)["escalated-today"] == 2 and values(figures)["age-1_3"] == 2
    assert not any("department=" in figure.url for figure in figures)
    assert_figures_are_their_lists(client, figures)


# --- The agent's day -----------------------------------------------------------------------------------------------


def test_the_agents_day_is_on_the_desk_and_each_figure_is_its_list(client, staff, world):
    world(size=2)
    client.force_login(staff.agent)
    desk = client.get(reverse("desk"))
    assert "cac/desk.html" in [template.name for template in desk.templates]  # the call desk, as it was
    response = client.get(reverse("desk_today"))
    day = response.context["day"]
    in_slot = day.slot is not None
    expected = {"calls-today": 4 if in_slot else 2, "missed-calls": 2, "my-open-complaints": 4}
    if in_slot:
        expected |= {"follow-ups-made-in-slot": 2, "follow-ups-left-in-slot": 4}
    assert values(day.figures) == expected
    assert_figures_are_their_lists(client, day.figures)
    # The counts that were there before, against their lists too.
    counts = response.context["counts"]
    assert counts["follow_ups_due"] == list_count(client, reverse("callbacks:worklist"))
    assert counts["callbacks_owed"] == list_count(client, reverse("call_list") + "?callback_owed=true")
    assert counts["prospects_to_contact"] == list_count(client, reverse("prospects:due"))


def test_a_manager_or_an_executive_desk_shows_no_agents_day(client, staff, make_user, dealer, world):
    world(size=1)
    for user in (staff.service_manager, make_user(roles.EXECUTIVE, dealer), make_user(roles.DIRECTOR, dealer)):
        client.force_login(user)
        assert client.get(reverse("desk_today")).context["day"] is None
        assert client.get(reverse("call_desk")).status_code == 200


# --- At the edges of the dealer's day ------------------------------------------------------------------------------

# Shanghai clocks: a month's and a year's end at night, the 1st just after midnight (the UTC date is still the
# month before), before the first slot (UTC the day before), a Saturday in a slot, 29 February in the evening slot.
EDGE_CLOCKS = ["2027-01-31T23:30", "2027-03-01T00:30", "2026-12-31T07:30", "2027-03-06T10:00", "2028-02-29T20:30"]


@pytest.mark.parametrize("clock", EDGE_CLOCKS)
def test_today_and_the_ages_are_the_dealers_days_at_any_hour(client, staff, world, dealer, clock):
    moment = datetime.fromisoformat(clock).replace(tzinfo=SHANGHAI)
    with time_machine.travel(moment, tick=False):
        now = timezone.now()
        world(size=1, now=now)
        midnight = start_of_local_day(now)
        half_minute = timedelta(seconds=30)
        # Either side of each bound of the buckets: the local midnights of today, 2 and 6 days ago.
        for days_ago in (0, 2, 6):
            bound = start_of_local_day(now, days_ago)
            complaint(
                dealer, received_at=bound - half_minute, owner=staff.agent, resolve_due_at=now + timedelta(days=5)
            )
            complaint(
                dealer, received_at=bound + half_minute, owner=staff.agent, resolve_due_at=now + timedelta(days=5)
            )
        # Escalated and called either side of last midnight.
        for at in (midnight - half_minute, midnight + half_minute):
            escalate(complaint(dealer, received_at=at - timedelta(days=1), status=Status.INVESTIGATING), at=at)
            CallLogFactory(
                dealer=dealer, customer=CustomerFactory(dealer=dealer), handled_by=staff.agent, started_at=at
            )

        client.force_login(staff.service_manager)
        figures = manager_figures(client)
        got = values(figures)
        # The day's own (1 each) and the bounds': today +1; 1–3 +2 (yesterday 23:59:30, 2 days ago 00:00:30) and the
        # two escalated (yesterday); 3–7 +2; over 7 +1.
        assert {key: got[key] for key in ("age-under_1", "age-1_3", "age-3_7", "age-over_7")} == {
            "age-under_1": 2,
            "age-1_3": 5,
            "age-3_7": 3,
            "age-over_7": 2,
        }
        assert got["escalated-today"] == 2  # the day's and the one 30 seconds after midnight
        assert_figures_are_their_lists(client, figures)

        client.force_login(staff.agent)
        day = agent_figures(client)
        in_slot = "follow-ups-made-in-slot" in values(day)
        assert values(day)["calls-today"] == (3 if in_slot else 2)  # the day's, its follow-up, and 00:00:30
        assert_figures_are_their_lists(client, day)


# --- Query counts --------------------------------------------------------------------------------------------------


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_homes_queries_do_not_grow_with_the_data(client, staff, world, dealer, django_assert_max_num_queries):
    world(size=1)
    small = {}
    for user, url in ((staff.service_manager, reverse("desk")), (staff.agent, reverse("desk_today"))):
        client.force_login(user)
        small[user.username] = _queries(client, url)
    build(dealer=dealer, staff=staff, size=4, serial=7)
    for user, url in ((staff.service_manager, reverse("desk")), (staff.agent, reverse("desk_today"))):
        client.force_login(user)
        assert _queries(client, url) == small[user.username], user.username
    client.force_login(staff.service_manager)
    with django_assert_max_num_queries(12):
        client.get(reverse("desk"))
    client.force_login(staff.agent)
    with django_assert_max_num_queries(12):
        client.get(reverse("desk_today"))


# --- Both languages ------------------------------------------------------------------------------------------------

ENGLISH = [
    "Queue health",
    "Breached now",
    "At risk now (due soon)",
    "Escalated today",
    "Follow-ups overdue",
    "Open complaints by age",
    "Open complaints by handler",
    "Follow-up calls overdue by agent",
    "No handler yet",
    "Triage board",
]
AGENT_ENGLISH = ["My day", "Calls handled today", "Missed calls to return", "My open complaints"]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_homes_speak_the_users_language(client, staff, world, language):
    world(size=1)
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = language
    client.force_login(staff.service_manager)
    manager = client.get(reverse("desk")).content.decode()
    client.force_login(staff.agent)
    agent = client.get(reverse("desk_today")).content.decode()
    for text in ENGLISH:
        assert (text in manager) == (language == "en"), text
    for text in AGENT_ENGLISH:
        assert (text in agent) == (language == "en"), text
    if language == "zh-hans":
        assert "队列" in manager or "抱怨" in manager


def test_the_department_names_of_the_managers_home(client, staff, world):
    world(size=1)
    client.force_login(staff.sales_manager)
    assert client.get(reverse("desk")).context["home"].departments == [str(Department.SALES.label)]
