"""The agent's side: the screen pop's stream, the missed calls owed on the desk, the 360's call form prefilled
from the phone system, and click to call through a fake PBX over HTTP."""

import json
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.urls import reverse
from django.utils import timezone

from cac.cti.selectors import missed_calls_count
from cac.models import CallLog, CtiCall
from tests.cac.cti.pbx_server import FakePbx
from tests.cac.factories import CallLogFactory, CustomerFactory, VehicleFactory

pytestmark = pytest.mark.django_db
CALLER = "13800138000"


@pytest.fixture(autouse=True)
def short_stream(settings):
    settings.CTI_STREAM_SECONDS = 0.05
    settings.CTI_POLL_SECONDS = 0.01


@pytest.fixture(autouse=True)
def english(client):
    """The agent chose English with the language switch: the pages, the pop and the messages are in English."""
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"


def _events(client) -> list[list[dict]]:
    response = client.get(reverse("screen_pop_stream"))
    assert response.status_code == 200 and response["Content-Type"] == "text/event-stream"
    body = b"".join(response.streaming_content).decode()
    assert body.startswith("retry: ")
    return [json.loads(part.split("data: ", 1)[1]) for part in body.split("\n\n") if "data: " in part]


def _ring(pbx, call_id="c-1", **extra):
    return pbx(event="newCall", callId=call_id, **{"from": CALLER, "to": "02088880000", "direction": "in", **extra})


def test_a_ringing_call_pops_with_the_customer_and_a_link_to_the_360(agent_client, agent, dealer, pbx):
    customer = CustomerFactory(dealer=dealer, mobile=CALLER, name="陈静")
    VehicleFactory(customer=customer, model="Model Y", plate="粤A12345")
    _ring(pbx, user="agent")
    [calls] = _events(agent_client)
    [pop] = calls
    assert pop["customer"] == "陈静" and pop["phone"] == "138 0013 8000"
    assert any("粤A12345" in detail for detail in pop["details"])
    call = CtiCall.objects.get()
    assert pop["url"] == reverse("customer_detail", args=[customer.pk]) + f"?cti={call.pk}"


def test_an_unknown_caller_pops_with_the_new_caller_form(agent_client, agent, pbx):
    _ring(pbx)  # nobody named: it rings for the line's agents
    [[pop]] = _events(agent_client)
    assert pop["customer"] == "Unknown caller"
    assert pop["url"].startswith(reverse("call_new") + f"?phone={CALLER}&cti=")


def test_a_call_for_another_agent_or_dealer_does_not_pop(agent_client, agent, make_user, dealer, pbx, other_agent):
    make_user("agent", dealer, username="li")
    _ring(pbx, user="li")
    assert _events(agent_client) == [[]]


def test_an_answered_call_pops_until_the_agent_logs_it(agent_client, agent, dealer, pbx):
    customer = CustomerFactory(dealer=dealer, mobile=CALLER)
    _ring(pbx, user="agent")
    pbx(event="answer", callId="c-1", answeringNumber="agent")
    pbx(event="hangup", callId="c-1", cause="normalClearing")
    [[pop]] = _events(agent_client)
    assert pop["state"] == "Ended: log the call"
    call = CtiCall.objects.get()
    page = agent_client.get(pop["url"])
    form = page.context["call_form"]
    assert form.initial["external_id"] == "c-1" and form.initial["direction"] == "in"
    assert form.initial["started_at"] == timezone.localtime(call.started_at).replace(microsecond=0)
    assert 'name="external_id" value="c-1"' in page.content.decode()
    response = agent_client.post(
        reverse("customer_call_create", args=[customer.pk]),
        {
            "direction": "in",
            "purpose": "inquiry",
            "started_at": form.initial["started_at"].strftime("%Y-%m-%d %H:%M"),
            "duration": form.initial.get("duration", ""),
            "summary": "询问保养",
            "external_id": "c-1",
            "once_token": form.initial.get("once_token", page.context["call_form"]["once_token"].value()),
        },
    )
    assert response.status_code == 302
    assert CallLog.objects.get().external_id == "c-1"
    assert _events(agent_client) == [[]]


def test_a_missed_call_is_owed_until_a_call_to_the_number_is_logged(agent_client, agent, dealer, pbx):
    _ring(pbx, user="agent")
    pbx(event="hangup", callId="c-1", cause="noAnswer")
    _ring(pbx, call_id="c-2", **{"from": "13900001111"})
    pbx(event="hangup", callId="c-2", cause="cancel")
    assert missed_calls_count(user=agent) == {"all": 2, "mine": 2}
    page = agent_client.get(reverse("desk"))
    assert len(page.context["missed_calls"]) == 2
    assert 'id="missed-count">2<' in page.content.decode()
    CallLogFactory(dealer=dealer, phone=CALLER, started_at=timezone.now() + timedelta(seconds=1))
    assert missed_calls_count(user=agent) == {"all": 1, "mine": 1}


def test_without_a_dialer_there_is_no_call_button(agent_client, agent, dealer, settings):
    settings.CTI_DIALER_URL = ""
    customer = CustomerFactory(dealer=dealer, mobile=CALLER)
    assert "dial-button" not in agent_client.get(reverse("customer_detail", args=[customer.pk])).content.decode()


def test_click_to_call_asks_the_pbx_to_dial(agent_client, agent, dealer, settings, line):
    agent.extension = "801"
    agent.save(update_fields=["extension"])
    customer = CustomerFactory(dealer=dealer, mobile=CALLER)
    with FakePbx() as fake:
        settings.CTI_DIALER_URL = fake.url
        page = agent_client.get(reverse("customer_detail", args=[customer.pk]))
        assert "dial-button" in page.content.decode()
        response = agent_client.post(reverse("call_dial"), {"customer": customer.pk, "next": "/"})
        assert response.status_code == 302
        assert fake.requests == [{"from": "801", "to": CALLER, "line": "02088880000", "dealer": "GZ01"}]
        fake.status = 503
        response = agent_client.post(reverse("call_dial"), {"customer": customer.pk}, follow=True)
        assert "did not place the call" in response.content.decode()


def test_click_to_call_refuses_another_dealers_customer(agent_client, other_dealer, settings):
    settings.CTI_DIALER_URL = "http://127.0.0.1:9/"
    customer = CustomerFactory(dealer=other_dealer, mobile=CALLER)
    assert agent_client.post(reverse("call_dial"), {"customer": customer.pk}).status_code == 404


def test_the_stream_does_not_keep_an_idle_session_alive(agent_client, settings):
    import time

    from cac.security.sessions import SEEN

    session = agent_client.session
    session[SEEN] = time.time() - 120
    session.save()
    seen = agent_client.session[SEEN]
    _events(agent_client)
    assert agent_client.session[SEEN] == seen
