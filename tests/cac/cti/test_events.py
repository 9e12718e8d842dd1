"""The phone system's events through the real endpoint: every sequence converges to one call, bad input writes
nothing, a line never touches another dealer's data."""

import pytest
import time_machine

from api.models import ApiAccessLog
from cac.cti.lines import cti_line_create, cti_line_rotate
from cac.models import CtiCall
from tests.cac.factories import CustomerFactory

pytestmark = pytest.mark.django_db

CALLER = "13800138000"


@pytest.fixture
def agents(make_user, dealer):
    return (
        make_user("agent", dealer, username="wang", extension="801", email="wang@gz01.example"),
        make_user("agent", dealer, username="li", extension="802"),
    )


def _new(pbx, call_id="c-1", **extra):
    return pbx(event="newCall", callId=call_id, **{"from": CALLER, "to": "02088880000", "direction": "in", **extra})


def _state(call: CtiCall) -> tuple:
    return (
        call.phone,
        call.direction,
        call.answered_by_id,
        call.answered_at is not None,
        call.ended_at is not None,
        call.cause,
        call.missed,
        sorted(call.agents.values_list("username", flat=True)),
    )


def test_an_answered_call_has_its_agent_times_and_duration(pbx, agents, dealer):
    customer = CustomerFactory(dealer=dealer, mobile=CALLER)
    with time_machine.travel("2026-03-10 10:00:00+08:00", tick=False):
        response = _new(pbx, **{"user[]": ["wang", "li"]})
    assert response.status_code == 200 and response.json() == {}
    with time_machine.travel("2026-03-10 10:00:05+08:00", tick=False):
        assert pbx(event="answer", callId="c-1", answeringNumber="801", user="wang").status_code == 200
    with time_machine.travel("2026-03-10 10:03:30+08:00", tick=False):
        assert (
            pbx(event="hangup", callId="c-1", cause="normalClearing", recordingUrl="https://pbx.example/r/1.mp3").json()
            == {}
        )
    call = CtiCall.objects.get()
    assert call.customer == customer and call.answered_by == agents[0] and call.dealer == dealer
    assert call.duration_seconds == 205 and not call.missed and call.cause == "normalClearing"
    assert call.recording_url == "https://pbx.example/r/1.mp3"
    assert sorted(call.agents.values_list("username", flat=True)) == ["li", "wang"]


def test_a_call_nobody_answered_is_missed(pbx, agents):
    _new(pbx, user="wang")
    pbx(event="hangup", callId="c-1", cause="noAnswer")
    call = CtiCall.objects.get()
    assert call.missed and call.answered_by is None and call.duration_seconds is None


def test_a_busy_call_is_missed_with_its_cause(pbx, agents):
    _new(pbx)
    pbx(event="hangup", callId="c-1", cause="busy")
    call = CtiCall.objects.get()
    assert call.missed and call.cause == "busy"


def test_a_call_transferred_between_two_agents_belongs_to_the_last(pbx, agents):
    _new(pbx, **{"user[]": ["801"]})
    pbx(event="answer", callId="c-1", answeringNumber="801")
    pbx(event="answer", callId="c-1", answeringNumber="802", **{"user[]": ["802"]})
    pbx(event="hangup", callId="c-1", cause="normalClearing")
    call = CtiCall.objects.get()
    assert call.answered_by == agents[1] and not call.missed


def test_the_agent_is_found_by_extension_username_or_email(pbx, agents):
    _new(pbx, user="WANG@gz01.example")
    assert list(CtiCall.objects.get().agents.all()) == [agents[0]]


SEQUENCE = [
    {"event": "newCall", "callId": "c-9", "from": CALLER, "to": "02088880000", "direction": "in", "user[]": "wang"},
    {"event": "answer", "callId": "c-9", "answeringNumber": "801", "direction": "in", "from": CALLER},
    {"event": "hangup", "callId": "c-9", "cause": "normalClearing", "direction": "in", "from": CALLER},
]


@pytest.mark.parametrize(
    "order",
    [[0, 1, 2], [0, 0, 1, 1, 2, 2], [2, 1, 0], [1, 2, 0], [2, 0, 1, 2], [0, 2, 1]],
    ids=["in order", "each twice", "reversed", "answer first", "hangup twice", "late answer"],
)
def test_any_order_or_repetition_converges_to_one_call(pbx, agents, order):
    for index in order:
        assert pbx(**SEQUENCE[index]).json() == {}
    call = CtiCall.objects.get()
    assert _state(call) == (CALLER, "in", agents[0].pk, True, True, "normalClearing", False, ["wang"])
    assert call.answered_at <= call.ended_at


def test_an_unknown_call_id_on_hangup_still_makes_a_record(pbx, agents):
    assert pbx(event="hangup", callId="late", cause="cancel", **{"from": CALLER, "direction": "in"}).json() == {}
    call = CtiCall.objects.get()
    assert call.call_id == "late" and call.missed and call.phone == CALLER


def test_json_events_are_read_as_forms_are(pbx, agents):
    assert (
        pbx(json=True, event="newCall", callId="j-1", user=["wang", "li"], **{"from": CALLER, "direction": "in"}).json()
        == {}
    )
    assert CtiCall.objects.get().agents.count() == 2


def test_a_blocked_number_is_rejected_and_nothing_is_written(pbx):
    response = pbx(event="newCall", callId="b-1", **{"from": "+86 139 0000 0000", "direction": "in"})
    assert response.status_code == 200 and response.json() == {"action": "reject"}
    pbx(event="hangup", callId="b-1", **{"from": "13900000000", "direction": "in"})
    assert not CtiCall.objects.exists()


def test_a_wrong_token_is_404_and_writes_nothing(pbx):
    response = pbx(token="not-the-token", event="newCall", callId="x", **{"from": CALLER})
    assert response.status_code == 404 and "errors" in response.json()
    assert not CtiCall.objects.exists()


@pytest.mark.parametrize(
    "fields",
    [
        {"callId": "x"},
        {"event": "newCall"},
        {"event": "ring", "callId": "x"},
        {"event": "newCall", "callId": "x", "from": "1" * 10_000},
        {"event": "newCall", "callId": "x" * 65},
        {"event": "newCall", "callId": "x", "direction": "sideways"},
        {"event": "hangup", "callId": "x", "recordingUrl": "javascript:alert(1)"},
        {"event": "newCall", "callId": "x\x00"},
    ],
)
def test_bad_input_is_a_400_with_a_json_error_and_writes_nothing(pbx, fields):
    response = pbx(**fields)
    assert response.status_code == 400, response.content
    assert response.json()["errors"]
    assert not CtiCall.objects.exists()


def test_malformed_json_is_a_400(line_and_token, client):
    response = client.post(f"/api/v1/cti/{line_and_token[1]}/", "{not json", content_type="application/json")
    assert response.status_code == 400 and "errors" in response.json()
    assert not CtiCall.objects.exists()


def test_the_access_log_never_holds_the_token(pbx, line_and_token):
    _new(pbx)
    assert line_and_token[1] not in ApiAccessLog.objects.get().endpoint


def test_a_rotated_token_replaces_the_old_one(pbx, line, line_and_token):
    _line, token = cti_line_rotate(line_id=line.pk)
    assert _new(pbx).status_code == 404
    assert _new(pbx, token=token).status_code == 200
    assert CtiCall.objects.count() == 1


def test_a_line_never_touches_another_dealers_data(pbx, other_dealer, make_user, agents):
    CustomerFactory(dealer=other_dealer, mobile=CALLER)
    make_user("agent", other_dealer, username="sz", extension="801")
    other_line, other_token = cti_line_create(dealer=other_dealer, number="0755 6666 0000")
    _new(pbx, user="801")
    _new(pbx, token=other_token, user="801")
    mine, theirs = CtiCall.objects.get(line__dealer__code="GZ01"), CtiCall.objects.get(line=other_line)
    assert mine.customer is None  # the other dealer's customer with the number is not ours
    assert list(mine.agents.all()) == [agents[0]]
    assert theirs.dealer == other_dealer and theirs.customer.dealer == other_dealer
    assert list(theirs.agents.values_list("username", flat=True)) == ["sz"]


def test_events_are_throttled_per_line(pbx, settings, line_and_token, other_dealer):
    from django.core.cache import cache
    from rest_framework.settings import api_settings

    cache.clear()
    rates = {**api_settings.DEFAULT_THROTTLE_RATES, "cti_line": "3/minute"}
    from api.authentication import CtiLineThrottle

    CtiLineThrottle.THROTTLE_RATES = rates
    try:
        codes = [_new(pbx, call_id=f"t-{n}").status_code for n in range(4)]
        _other, other_token = cti_line_create(dealer=other_dealer, number="0755 6666 0001")
        assert _new(pbx, token=other_token).status_code == 200
    finally:
        CtiLineThrottle.THROTTLE_RATES = api_settings.DEFAULT_THROTTLE_RATES
        cache.clear()
    assert codes == [200, 200, 200, 429]
    assert CtiCall.objects.count() == 4
