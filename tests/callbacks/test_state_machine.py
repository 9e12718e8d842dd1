"""The follow-up call state machine: every transition allowed or refused by state and role, and a refused step
changes nothing — on the model and through the services."""

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django_fsm import TransitionNotAllowed, can_proceed, has_transition_perm

from cac import roles
from cac.models import CallLog
from cac.platform.attempts import AttemptResult
from callbacks.models import OPEN_STATUSES, Callback, CallbackAttempt, Status
from callbacks.services import callback_assign, callback_cancel, callback_record_attempt, callbacks_make_due
from tests.callbacks.conftest import local

pytestmark = pytest.mark.django_db

ALL = list(Status)
OPEN = set(OPEN_STATUSES)
# transition → (states it leaves from, roles that may take it; None: the system, any role)
TABLE = {
    "become_due": ({Status.SCHEDULED}, None),
    "start": ({Status.SCHEDULED, Status.DUE}, {roles.AGENT, roles.SERVICE_MANAGER}),
    "complete": (OPEN, {roles.AGENT, roles.SERVICE_MANAGER}),
    "give_up": (OPEN, {roles.AGENT, roles.SERVICE_MANAGER}),
    "decline": (OPEN, {roles.AGENT, roles.SERVICE_MANAGER}),
    "cancel": (OPEN, {roles.SERVICE_MANAGER}),
}
ROLES = [roles.AGENT, roles.SERVICE_MANAGER, roles.EXECUTIVE]
TARGETS = {
    "become_due": Status.DUE,
    "start": Status.IN_PROGRESS,
    "complete": Status.COMPLETED,
    "give_up": Status.UNREACHABLE,
    "decline": Status.DECLINED,
    "cancel": Status.CANCELLED,
}
ARGS = {
    "complete": {"at": local(2025, 3, 10, 10, 0), "satisfaction": 5, "answers": {}, "remarks": ""},
    "give_up": {"at": local(2025, 3, 10, 10, 0)},
    "decline": {"at": local(2025, 3, 10, 10, 0), "remarks": ""},
    "cancel": {"at": local(2025, 3, 10, 10, 0), "reason": "重复"},
}


@pytest.mark.parametrize("status", ALL)
@pytest.mark.parametrize("role", ROLES)
def test_transition_table(make_callback, make_user, dealer, status, role):
    user = make_user(role, dealer)
    for name, (sources, allowed_roles) in TABLE.items():
        callback = make_callback(status=status)
        method = getattr(callback, name)
        expected_state = status in sources
        expected = expected_state and (allowed_roles is None or role in allowed_roles)
        assert can_proceed(method) is expected_state, (name, status)
        assert has_transition_perm(method, user) is expected, (name, status, role)
        if expected_state:
            method(**ARGS.get(name, {}))
            assert callback.status == TARGETS[name]
        else:
            with pytest.raises(TransitionNotAllowed):
                method(**ARGS.get(name, {}))
            assert callback.status == status


def test_status_cannot_be_assigned(make_callback):
    callback = make_callback(status=Status.DUE)
    with pytest.raises(AttributeError):
        callback.status = Status.COMPLETED


# --- Through the services: a refused step writes nothing ------------------------------------------------------------


def _snapshot(callback):
    row = Callback.objects.get(pk=callback.pk)
    return (row.status, row.agent_id, row.completed_at, row.cancel_reason, row.history.count())


@pytest.mark.parametrize("status", [Status.COMPLETED, Status.UNREACHABLE, Status.DECLINED, Status.CANCELLED])
def test_no_attempt_on_a_finished_callback(make_callback, agent, status):
    callback = make_callback(status=status)
    before = _snapshot(callback)
    with time_machine.travel(local(2025, 3, 10, 10, 0), tick=False), pytest.raises(ValidationError):
        callback_record_attempt(callback_id=callback.pk, acting_user=agent, result=AttemptResult.NO_ANSWER)
    assert _snapshot(callback) == before
    assert CallLog.objects.count() == 0
    assert CallbackAttempt.objects.count() == 0


def test_an_executive_makes_no_attempt(make_callback, executive):
    callback = make_callback()
    with time_machine.travel(local(2025, 3, 10, 10, 0), tick=False), pytest.raises(PermissionDenied):
        callback_record_attempt(callback_id=callback.pk, acting_user=executive, result=AttemptResult.NO_ANSWER)
    assert CallbackAttempt.objects.count() == 0


def test_the_advisor_of_the_repair_makes_no_attempt(make_callback, agent, second_agent):
    callback = make_callback(excluded_agent=agent, agent=second_agent)
    with time_machine.travel(local(2025, 3, 10, 10, 0), tick=False), pytest.raises(ValidationError):
        callback_record_attempt(callback_id=callback.pk, acting_user=agent, result=AttemptResult.NO_ANSWER)
    assert CallbackAttempt.objects.count() == 0


def test_an_unknown_result_is_refused(make_callback, agent):
    callback = make_callback()
    with time_machine.travel(local(2025, 3, 10, 10, 0), tick=False), pytest.raises(ValidationError) as refused:
        callback_record_attempt(callback_id=callback.pk, acting_user=agent, result="hung_up")
    assert "result" in refused.value.error_dict
    assert CallbackAttempt.objects.count() == 0


@pytest.mark.parametrize("status", [Status.SCHEDULED, Status.DUE])
def test_the_first_attempt_starts_the_callback(make_callback, agent, status):
    callback = make_callback(status=status)
    with time_machine.travel(local(2025, 3, 10, 10, 0), tick=False):
        callback = callback_record_attempt(callback_id=callback.pk, acting_user=agent, result=AttemptResult.BUSY)
    assert callback.status == Status.IN_PROGRESS
    assert Callback.history.filter(id=callback.pk).order_by("-history_id").first().history_user == agent


@pytest.mark.parametrize("status", OPEN_STATUSES)
def test_a_supervisor_cancels_an_open_callback_with_a_reason(make_callback, supervisor, status):
    callback = make_callback(status=status)
    callback = callback_cancel(callback_id=callback.pk, reason="客户已把车卖掉", acting_user=supervisor)
    callback.refresh_from_db()
    assert callback.status == Status.CANCELLED
    assert callback.cancel_reason == "客户已把车卖掉"
    assert callback.completed_at is not None
    latest = Callback.history.filter(id=callback.pk).order_by("-history_id").first()
    assert latest.history_user == supervisor


def test_an_agent_cannot_cancel(make_callback, agent):
    callback = make_callback()
    before = _snapshot(callback)
    with pytest.raises(ValidationError):
        callback_cancel(callback_id=callback.pk, reason="不想打", acting_user=agent)
    assert _snapshot(callback) == before


def test_cancelling_needs_a_reason(make_callback, supervisor):
    callback = make_callback()
    before = _snapshot(callback)
    with pytest.raises(ValidationError) as refused:
        callback_cancel(callback_id=callback.pk, reason="  ", acting_user=supervisor)
    assert "reason" in refused.value.error_dict
    assert _snapshot(callback) == before


@pytest.mark.parametrize("status", [Status.COMPLETED, Status.UNREACHABLE, Status.DECLINED, Status.CANCELLED])
def test_a_finished_callback_cannot_be_cancelled(make_callback, supervisor, status):
    callback = make_callback(status=status)
    before = _snapshot(callback)
    with pytest.raises(ValidationError):
        callback_cancel(callback_id=callback.pk, reason="重复", acting_user=supervisor)
    assert _snapshot(callback) == before


def test_another_dealers_supervisor_cannot_cancel(make_callback, make_user, other_dealer):
    stranger = make_user(roles.SERVICE_MANAGER, other_dealer)
    callback = make_callback()
    before = _snapshot(callback)
    with pytest.raises(PermissionDenied):
        callback_cancel(callback_id=callback.pk, reason="重复", acting_user=stranger)
    assert _snapshot(callback) == before


# --- Reassigning ---------------------------------------------------------------------------------------------------


def test_a_supervisor_reassigns(make_callback, supervisor, second_agent):
    callback = make_callback()
    assert callback_assign(callback_ids=[callback.pk], agent=second_agent, acting_user=supervisor) == 1
    callback.refresh_from_db()
    assert callback.agent == second_agent
    assert callback_assign(callback_ids=[callback.pk], agent=second_agent, acting_user=supervisor) == 0


def test_an_agent_cannot_reassign(make_callback, agent, second_agent):
    callback = make_callback()
    with pytest.raises(PermissionDenied):
        callback_assign(callback_ids=[callback.pk], agent=second_agent, acting_user=agent)
    callback.refresh_from_db()
    assert callback.agent == agent


def test_not_to_the_advisor_of_the_repair(make_callback, supervisor, agent, second_agent):
    callback = make_callback(excluded_agent=second_agent)
    with pytest.raises(ValidationError):
        callback_assign(callback_ids=[callback.pk], agent=second_agent, acting_user=supervisor)
    callback.refresh_from_db()
    assert callback.agent == agent


def test_not_to_an_agent_of_another_dealer(make_callback, supervisor, agent, other_agent):
    callback = make_callback()
    with pytest.raises(ValidationError):
        callback_assign(callback_ids=[callback.pk], agent=other_agent, acting_user=supervisor)
    callback.refresh_from_db()
    assert callback.agent == agent


# --- The due sweep --------------------------------------------------------------------------------------------------


def test_make_due_twice_acts_once(make_callback):
    now = local(2025, 3, 10, 8, 0)
    past = make_callback(status=Status.SCHEDULED, due_at=local(2025, 3, 9, 18, 0))
    future = make_callback(status=Status.SCHEDULED, due_at=local(2025, 3, 11, 18, 0))
    started = make_callback(status=Status.IN_PROGRESS, due_at=local(2025, 3, 9, 18, 0))
    assert callbacks_make_due(now=now) == 1
    assert callbacks_make_due(now=now) == 0
    statuses = dict(Callback.objects.values_list("pk", "status"))
    assert statuses == {past.pk: Status.DUE, future.pk: Status.SCHEDULED, started.pk: Status.IN_PROGRESS}
    assert Callback.history.filter(id=past.pk, status=Status.DUE).count() == 1
