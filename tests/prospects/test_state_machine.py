"""The prospect state machine: every step from every state, allowed or refused; a refused step changes nothing."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from prospects import services
from prospects.models import Prospect, Status
from tests.cac.factories import make_vin
from tests.prospects.factories import put

pytestmark = pytest.mark.django_db

DATA = {
    "book_appointment": {"kind": "test_drive", "at": lambda: timezone.now() + timedelta(days=2)},
    "win": {"vin": make_vin(501), "model": "凯美瑞"},
    "lose": {"reason": "budget"},
    "archive": {"note": "明年再买"},
}


def data(action: str) -> dict:
    """The action's arguments, a moment taken when the test runs (at its clock), not when it is collected."""
    return {key: value() if callable(value) else value for key, value in DATA[action].items()}


TARGET = {"book_appointment": Status.APPOINTMENT, "win": Status.WON, "lose": Status.LOST, "archive": Status.ARCHIVED}
ALLOWED = {
    ("book_appointment", Status.FOLLOWING),
    ("win", Status.APPOINTMENT),
    ("lose", Status.CONTACTING),
    ("lose", Status.FOLLOWING),
    ("lose", Status.APPOINTMENT),
    ("archive", Status.FOLLOWING),
}


@pytest.mark.parametrize("status", Status.values)
@pytest.mark.parametrize("action", list(services.TRANSITIONS))
def test_transition_table(prospect, agent, action, status):
    prospect = put(prospect, status)
    before = (Prospect.objects.values().get(pk=prospect.pk), Prospect.history.count())
    if (action, status) in ALLOWED:
        result = services.prospect_transition(prospect_id=prospect.pk, action=action, acting_user=agent, **data(action))
        assert result.status == TARGET[action]
        assert Prospect.history.filter(id=prospect.pk).latest().history_user == agent
    elif action == "win" and status == Status.WON:
        services.prospect_transition(prospect_id=prospect.pk, action=action, acting_user=agent, **data(action))
        assert (Prospect.objects.values().get(pk=prospect.pk), Prospect.history.count()) == before
    else:
        with pytest.raises(ValidationError):
            services.prospect_transition(prospect_id=prospect.pk, action=action, acting_user=agent, **data(action))
        assert (Prospect.objects.values().get(pk=prospect.pk), Prospect.history.count()) == before


def test_lost_needs_a_reason(prospect, agent):
    prospect = put(prospect, Status.FOLLOWING)
    with pytest.raises(ValidationError) as exc:
        services.prospect_transition(prospect_id=prospect.pk, action="lose", acting_user=agent, reason="")
    assert "reason" in exc.value.error_dict
    with pytest.raises(ValidationError) as exc:
        services.prospect_transition(prospect_id=prospect.pk, action="lose", acting_user=agent, reason="other")
    assert "note" in exc.value.error_dict
    assert Prospect.objects.get(pk=prospect.pk).status == Status.FOLLOWING


def test_the_status_cannot_be_assigned(prospect):
    with pytest.raises(AttributeError):
        prospect.status = Status.WON


def test_an_executive_cannot_take_a_step(prospect, make_user, dealer):
    executive = make_user("executive", dealer)
    prospect = put(prospect, Status.FOLLOWING)
    with pytest.raises(Exception):  # noqa: B017 — PermissionDenied before any lookup
        services.prospect_transition(prospect_id=prospect.pk, action="archive", acting_user=executive)
    assert Prospect.objects.get(pk=prospect.pk).status == Status.FOLLOWING


def test_reactivation_is_for_managers_only(prospect, agent, sales_manager):
    prospect = put(prospect, Status.ARCHIVED)
    from django_fsm import has_transition_perm

    assert not has_transition_perm(prospect.reactivate, agent)
    assert has_transition_perm(prospect.reactivate, sales_manager)


# --- Booked from the inquiry call, converted with the number's calls -----------------------------------------------


def test_a_new_prospect_from_an_inquiry_call_is_booked_from_that_call(prospect, agent):
    from tests.cac.factories import CallLogFactory

    call = CallLogFactory(customer=None, dealer=prospect.dealer, phone=prospect.phone, handled_by=agent)
    Prospect.objects.filter(pk=prospect.pk).update(call=call)
    booked = services.prospect_transition(
        prospect_id=prospect.pk, action="book_appointment", acting_user=agent, **data("book_appointment")
    )
    assert booked.status == Status.APPOINTMENT
    assert booked.contacted_at == call.started_at == booked.last_contact_at
    assert booked.appointment_kind == "test_drive"


def test_winning_links_the_numbers_earlier_calls_to_the_new_customer(prospect, agent):
    from cac.models import CallLog
    from tests.cac.factories import CallLogFactory, DealerFactory

    calls = [
        CallLogFactory(customer=None, dealer=prospect.dealer, phone=prospect.phone, handled_by=agent) for _ in range(2)
    ]
    elsewhere = CallLogFactory(  # the same number on another dealer's line
        customer=None, dealer=DealerFactory(code="ZZ09"), phone=prospect.phone, handled_by=agent
    )
    prospect = put(prospect, Status.APPOINTMENT)
    won = services.prospect_transition(prospect_id=prospect.pk, action="win", acting_user=agent, **data("win"))
    assert {call.customer_id for call in CallLog.objects.filter(pk__in=[c.pk for c in calls])} == {won.customer_id}
    assert CallLog.objects.get(pk=elsewhere.pk).customer_id is None
    assert CallLog.history.filter(id=calls[0].pk).latest().history_user == agent
