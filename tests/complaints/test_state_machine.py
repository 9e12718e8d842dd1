"""The transition table of a complaint: every state × every step × every role, and what each one needs.

The table below is the specification (issue 3), written out by hand so that a change to the model has to be a
change to this table too; `test_the_model_declares_exactly_this_table` ties the two together."""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from cac import roles
from cac.models import Dealer
from complaints.deadlines import deadlines_for
from complaints.models import OPEN_STATUSES, Category, Channel, CloseKind, Complaint, ResolutionType, Status
from complaints.services import (
    TRANSITIONS,
    available_transitions,
    complaint_close_after_follow_up,
    complaint_create,
    complaint_resolved,
    complaint_transition,
    department_manager,
)
from tests.cac.factories import CustomerFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")
RECEIVED = datetime(2026, 3, 10, 9, 0, tzinfo=SHANGHAI)  # a Tuesday
ACTED = datetime(2026, 3, 10, 11, 30, tzinfo=SHANGHAI)
EARLIER = datetime(2026, 3, 10, 10, 0, tzinfo=SHANGHAI)

HANDLE = "handle"
MANAGE = "manage"
# action: (states it starts from, state it leads to, permission it needs)
TABLE = {
    "acknowledge": ({Status.NEW}, Status.ACKNOWLEDGED, HANDLE),
    "investigate": ({Status.ACKNOWLEDGED, Status.REOPENED}, Status.INVESTIGATING, HANDLE),
    "propose_countermeasure": ({Status.INVESTIGATING}, Status.COUNTERMEASURE_PROPOSED, HANDLE),
    "start": ({Status.COUNTERMEASURE_PROPOSED}, Status.IN_PROGRESS, HANDLE),
    "resolve": ({Status.IN_PROGRESS}, Status.RESOLVED, HANDLE),
    "close_satisfied": ({Status.RESOLVED}, Status.CLOSED, HANDLE),
    "close_by_manager": ({Status.RESOLVED}, Status.CLOSED, MANAGE),
    "reopen": ({Status.RESOLVED}, Status.REOPENED, HANDLE),
    "cancel": (set(OPEN_STATUSES), Status.CANCELLED, MANAGE),
}
ROLES_WITH = {
    HANDLE: {roles.AGENT, roles.SERVICE_MANAGER, roles.SALES_MANAGER, roles.DIRECTOR, roles.ADMIN},
    MANAGE: {roles.SERVICE_MANAGER, roles.SALES_MANAGER, roles.DIRECTOR, roles.ADMIN},
}
ROLES = [roles.AGENT, roles.SERVICE_MANAGER, roles.SALES_MANAGER, roles.DIRECTOR, roles.EXECUTIVE, roles.ADMIN]
OTHER_DEALER = "other_dealer"

# What the row looks like in each state, as the workflow would have left it (set by `.update()` in setup only).
STATE_FIELDS = {
    Status.NEW: {},
    Status.ACKNOWLEDGED: {"acknowledged_at": EARLIER},
    Status.INVESTIGATING: {"acknowledged_at": EARLIER},
    Status.COUNTERMEASURE_PROPOSED: {"acknowledged_at": EARLIER, "root_cause": "漏装卡扣", "countermeasure": "返修"},
    Status.IN_PROGRESS: {"acknowledged_at": EARLIER, "root_cause": "漏装卡扣", "countermeasure": "返修"},
    Status.RESOLVED: {
        "acknowledged_at": EARLIER,
        "root_cause": "漏装卡扣",
        "countermeasure": "返修",
        "resolved_at": EARLIER,
        "resolution_type": ResolutionType.REWORK,
        "resolution_note": "已返修",
    },
    Status.REOPENED: {
        "acknowledged_at": EARLIER,
        "root_cause": "漏装卡扣",
        "countermeasure": "返修",
        "resolution_type": ResolutionType.REWORK,
        "resolution_note": "已返修",
        "reopen_count": 1,
    },
    Status.CLOSED: {
        "acknowledged_at": EARLIER,
        "resolved_at": EARLIER,
        "resolution_type": ResolutionType.REWORK,
        "resolution_note": "已返修",
        "closed_at": EARLIER,
    },
    Status.CANCELLED: {"closed_at": EARLIER, "close_reason": "重复登记"},
}


def note_for(action: str) -> str:
    return f"备注 {action}"


# The valid input of each step, and what the step must change on the row (besides status and updated_at).
VALID_DATA = {
    "propose_countermeasure": {
        "root_cause": "卡扣漏装",
        "root_cause_class": "technical",
        "countermeasure": "重新装配并检查",
    },
    "resolve": {"resolution_type": ResolutionType.REPAIR},
    "close_by_manager": {"close_kind": CloseKind.UNREACHABLE},
}


def expected_changes(action: str, before: dict) -> dict:
    note = note_for(action)
    return {
        # No time given: the customer is promised the answer by the resolution deadline.
        "acknowledge": {"acknowledged_at": ACTED, "answer_promised_at": before["resolve_due_at"]},
        "investigate": {},
        "propose_countermeasure": {
            "root_cause": "卡扣漏装",
            "root_cause_class": "technical",
            "countermeasure": "重新装配并检查",
        },
        "start": {},
        "resolve": {
            "resolved_at": ACTED,
            "resolution_type": ResolutionType.REPAIR,
            "resolution_note": note,
            "compensation_amount": None,
        },
        "close_satisfied": {"closed_at": ACTED, "close_kind": CloseKind.SATISFIED},
        "close_by_manager": {"closed_at": ACTED, "close_kind": CloseKind.UNREACHABLE, "close_reason": note},
        # A new resolution deadline from the moment it is reopened, and back to the department's manager.
        "reopen": {
            "reopen_count": before["reopen_count"] + 1,
            "resolved_at": None,
            "resolve_due_at": reopened_due(before),
            "answer_promised_at": reopened_due(before),
            "owner_id": reopened_owner(before),
        },
        "cancel": {"closed_at": ACTED, "close_reason": note},
    }[action]


def reopened_due(before: dict):
    dealer = Dealer.objects.get(pk=before["dealer_id"])
    return deadlines_for(dealer=dealer, channel=before["channel"], severity=before["severity"], received_at=ACTED)[1]


def reopened_owner(before: dict):
    manager = department_manager(dealer=Dealer.objects.get(pk=before["dealer_id"]), department=before["department"])
    return manager.pk if manager else before["owner_id"]


# Only a reached, satisfied follow-up call closes a complaint as satisfied (complaint_close_after_follow_up): no
# role takes that step by hand.
ONLY_AFTER_FOLLOW_UP = {"close_satisfied"}


def is_allowed(state: str, action: str, role: str) -> bool:
    sources, _target, permission = TABLE[action]
    if action in ONLY_AFTER_FOLLOW_UP:
        return False
    return role != OTHER_DEALER and state in sources and role in ROLES_WITH[permission]


def row(complaint_id: int) -> dict:
    return Complaint.objects.values().get(pk=complaint_id)


def history_count(complaint_id: int) -> int:
    return Complaint.history.filter(id=complaint_id).count()


@pytest.fixture(autouse=True)
def english():
    """Messages are asserted in English; the default language is Simplified Chinese."""
    with translation.override("en"):
        yield


@pytest.fixture
def travel():
    with time_machine.travel(RECEIVED, tick=False) as traveller:
        yield traveller


@pytest.fixture
def customer(dealer):
    return CustomerFactory(dealer=dealer, name="张伟")


@pytest.fixture
def make_complaint(customer, agent, travel):
    """A complaint of `dealer` in the given state; the clock stands at RECEIVED."""

    def make(state: str = Status.NEW, **fields) -> Complaint:
        complaint = complaint_create(
            customer=customer,
            acting_user=agent,
            channel=Channel.DEALER_HOTLINE,
            category=Category.SERVICE_ATTITUDE,
            description="接待态度冷淡",
            demand="要求道歉",
        )
        updates = {**STATE_FIELDS[state], **fields}
        if state != Status.NEW or updates:
            Complaint.objects.filter(pk=complaint.pk).update(status=state, **updates)
        return Complaint.objects.get(pk=complaint.pk)

    return make


@pytest.fixture
def actor_of(make_user, dealer, agent, request):
    def make(role: str):
        if role == OTHER_DEALER:
            return make_user(roles.DIRECTOR, request.getfixturevalue("other_dealer"), username="other-director")
        if role == roles.AGENT:
            return agent
        return make_user(role, dealer, username=f"actor-{role}")

    return make


def _cases():
    for state in Status:
        for action in TRANSITIONS:
            for role in [*ROLES, OTHER_DEALER]:
                verdict = "allowed" if is_allowed(state, action, role) else "refused"
                yield pytest.param(state, action, role, id=f"{state.value}-{action}-{role}-{verdict}")


@pytest.mark.django_db
@pytest.mark.parametrize(("state", "action", "role"), list(_cases()))
def test_transition_table(state, action, role, make_complaint, actor_of, travel):
    complaint = make_complaint(state)
    actor = actor_of(role)
    before = row(complaint.pk)
    histories = history_count(complaint.pk)
    travel.move_to(ACTED)
    if role != OTHER_DEALER:  # the detail page, scoped to the user's dealers, offers exactly the allowed steps
        offered = dict(available_transitions(complaint=complaint, user=actor))
        assert (action in offered) is is_allowed(state, action, role)

    if is_allowed(state, action, role):
        result = complaint_transition(
            complaint_id=complaint.pk,
            action=action,
            acting_user=actor,
            note=note_for(action),
            **VALID_DATA.get(action, {}),
        )

        after = row(complaint.pk)
        target = TABLE[action][1]
        assert result.status == after["status"] == target
        assert after == {
            **before,
            **expected_changes(action, before),
            "status": target,
            "updated_at": after["updated_at"],
        }
        assert after["updated_at"] == ACTED
        assert history_count(complaint.pk) == histories + 1
        record = Complaint.history.filter(id=complaint.pk).latest("history_date", "history_id")
        assert record.status == target
        assert record.history_user == actor
        assert note_for(action) in record.history_change_reason
        return

    expected = PermissionDenied if role == OTHER_DEALER else ValidationError
    with pytest.raises(expected) as refused:
        complaint_transition(
            complaint_id=complaint.pk,
            action=action,
            acting_user=actor,
            note=note_for(action),
            **VALID_DATA.get(action, {}),
        )
    message = " ".join(refused.value.messages) if expected is ValidationError else str(refused.value)
    if role == OTHER_DEALER:
        assert "dealer you do not work for" in message
    else:
        assert str(TRANSITIONS[action]) in message
        assert complaint.number in message
        assert str(Status(state).label) in message
    assert row(complaint.pk) == before
    assert history_count(complaint.pk) == histories


@pytest.mark.django_db
def test_the_model_declares_exactly_this_table():
    declared = {}
    for transition in Complaint._meta.get_field("status").get_all_transitions(Complaint):
        sources, target, permission = declared.setdefault(
            transition.name, (set(), transition.target, transition.permission)
        )
        assert (transition.target, transition.permission) == (target, permission)
        sources.add(transition.source)
    permissions = {HANDLE: "complaints.handle_complaint", MANAGE: "complaints.manage_complaint"}
    assert declared == {
        action: (sources, target, permissions[permission]) for action, (sources, target, permission) in TABLE.items()
    }
    assert set(TRANSITIONS) == set(TABLE)


def test_the_roles_hold_the_permissions_the_table_assumes():
    for permission, codename in (
        (HANDLE, "complaints.handle_complaint"),
        (MANAGE, "complaints.manage_complaint"),
    ):
        holders = {role for role, perms in roles.ROLE_PERMISSIONS.items() if codename in perms}
        assert holders == ROLES_WITH[permission]


@pytest.mark.django_db
def test_a_complaint_walks_the_whole_loop_and_its_history_says_who_did_what(make_complaint, make_user, dealer, travel):
    handler = make_user(roles.AGENT, dealer, username="handler")
    manager = make_user(roles.SERVICE_MANAGER, dealer, username="manager")
    complaint = make_complaint()
    travel.move_to(ACTED)
    steps = [
        (handler, "acknowledge", {}),
        (handler, "investigate", {}),
        (handler, "propose_countermeasure", VALID_DATA["propose_countermeasure"]),
        (handler, "start", {}),
        (handler, "resolve", VALID_DATA["resolve"]),
        (handler, "reopen", {}),
        (handler, "investigate", {}),
        (handler, "propose_countermeasure", VALID_DATA["propose_countermeasure"]),
        (handler, "start", {}),
        (handler, "resolve", VALID_DATA["resolve"]),
        (manager, "close_by_manager", VALID_DATA["close_by_manager"]),
    ]
    for user, action, data in steps:
        complaint_transition(complaint_id=complaint.pk, action=action, acting_user=user, note=note_for(action), **data)

    complaint.refresh_from_db()
    assert complaint.status == Status.CLOSED
    assert complaint.reopen_count == 1
    assert complaint.acknowledged_at == complaint.resolved_at == complaint.closed_at == ACTED
    records = list(Complaint.history.filter(id=complaint.pk).order_by("history_date", "history_id"))
    assert [r.history_change_reason for r in records] == ["received"] + [
        f"{action}: {note_for(action)}" for _user, action, _data in steps
    ]
    # The step and its note are columns of the row, read by the timeline and the API without parsing the reason.
    assert [(r.history_step, r.history_note) for r in records] == [("received", "")] + [
        (action, note_for(action)) for _user, action, _data in steps
    ]
    assert [r.history_user for r in records[1:]] == [user for user, _action, _data in steps]
    assert [r.status for r in records] == [Status.NEW] + [TABLE[action][1] for _user, action, _data in steps]


def _follow_up_cases():
    for state in Status:
        for role in [*ROLES, OTHER_DEALER]:
            allowed = state == Status.RESOLVED and role != OTHER_DEALER and role in ROLES_WITH[HANDLE]
            yield pytest.param(state, role, allowed, id=f"{state.value}-{role}-{'allowed' if allowed else 'refused'}")


@pytest.mark.django_db
@pytest.mark.parametrize(("state", "role", "allowed"), list(_follow_up_cases()))
def test_only_a_satisfied_follow_up_closes_as_satisfied(state, role, allowed, make_complaint, actor_of, travel):
    """The follow-up caller's satisfied answer closes a resolved complaint: `close_satisfied`, its kind recorded,
    the call's score in the history with who made it; from any other state, or for another dealer, nothing."""
    complaint = make_complaint(state)
    actor = actor_of(role)
    before, histories = row(complaint.pk), history_count(complaint.pk)
    travel.move_to(ACTED)
    if allowed:
        complaint_close_after_follow_up(complaint_id=complaint.pk, satisfaction=5, remarks="很满意", acting_user=actor)
        after = row(complaint.pk)
        assert after == {
            **before,
            "status": Status.CLOSED,
            "closed_at": ACTED,
            "close_kind": CloseKind.SATISFIED,
            "updated_at": ACTED,
        }
        record = Complaint.history.filter(id=complaint.pk).latest("history_date", "history_id")
        assert (record.history_step, record.history_user) == ("close_satisfied", actor)
        assert "5/5" in record.history_note and "很满意" in record.history_note
        return
    with pytest.raises(PermissionDenied if role == OTHER_DEALER else ValidationError):
        complaint_close_after_follow_up(complaint_id=complaint.pk, satisfaction=5, remarks="", acting_user=actor)
    assert row(complaint.pk) == before
    assert history_count(complaint.pk) == histories


@pytest.mark.django_db
def test_a_manager_closes_only_with_a_kind_of_the_seed(make_complaint, make_user, dealer, travel):
    manager = make_user(roles.SERVICE_MANAGER, dealer, username="manager")
    complaint = make_complaint(Status.RESOLVED)
    for kind in ("", CloseKind.SATISFIED, "other"):
        with pytest.raises(ValidationError) as refused:
            complaint_transition(
                complaint_id=complaint.pk, action="close_by_manager", acting_user=manager, note="x", close_kind=kind
            )
        assert "close_kind" in refused.value.message_dict
    assert row(complaint.pk)["status"] == Status.RESOLVED
    complaint_transition(
        complaint_id=complaint.pk,
        action="close_by_manager",
        acting_user=manager,
        note="客户表示不满意但能接受",
        close_kind=CloseKind.ACCEPTED,
    )
    assert row(complaint.pk)["close_kind"] == CloseKind.ACCEPTED


@pytest.mark.django_db
def test_reopening_gives_a_new_resolution_deadline_from_the_reopen_moment(make_complaint, agent, travel):
    """A complaint resolved long after its old deadline is not breached the moment a dissatisfied follow-up
    reopens it: its clock starts again, on the dealer's working days."""
    complaint = make_complaint(Status.RESOLVED)
    old_due = complaint.resolve_due_at
    later = datetime(2026, 3, 20, 16, 0, tzinfo=SHANGHAI)  # a Friday, long after the old deadline
    travel.move_to(later)
    complaint_transition(complaint_id=complaint.pk, action="reopen", acting_user=agent, note="回访不满意")
    complaint.refresh_from_db()
    assert complaint.resolve_due_at > later > old_due
    assert (
        complaint.resolve_due_at
        == deadlines_for(
            dealer=complaint.dealer, channel=complaint.channel, severity=complaint.severity, received_at=later
        )[1]
    )
    record = Complaint.history.filter(id=complaint.pk).latest("history_date", "history_id")
    assert (record.history_step, record.history_user, record.resolve_due_at) == (
        "reopen",
        agent,
        complaint.resolve_due_at,
    )


@pytest.mark.django_db
def test_the_change_reason_is_the_step_alone_without_a_note(make_complaint, agent, travel):
    complaint = make_complaint()
    complaint_transition(complaint_id=complaint.pk, action="acknowledge", acting_user=agent)
    record = Complaint.history.filter(id=complaint.pk).latest("history_date", "history_id")
    assert record.history_change_reason == "acknowledge"


# --- Required inputs -----------------------------------------------------------------------------

MISSING_INPUTS = [
    pytest.param(
        Status.INVESTIGATING, "propose_countermeasure", {"countermeasure": "返修"}, "root_cause", id="no-root-cause"
    ),
    pytest.param(
        Status.INVESTIGATING,
        "propose_countermeasure",
        {"root_cause": "   ", "countermeasure": "返修"},
        "root_cause",
        id="blank-root-cause",
    ),
    pytest.param(
        Status.INVESTIGATING, "propose_countermeasure", {"root_cause": "漏装"}, "countermeasure", id="no-countermeasure"
    ),
    pytest.param(Status.IN_PROGRESS, "resolve", {"note": "已修复"}, "resolution_type", id="no-resolution-type"),
    pytest.param(
        Status.IN_PROGRESS,
        "resolve",
        {"note": "已修复", "resolution_type": "magic"},
        "resolution_type",
        id="unknown-resolution-type",
    ),
    pytest.param(
        Status.IN_PROGRESS,
        "resolve",
        {"note": "赔偿", "resolution_type": ResolutionType.COMPENSATION},
        "compensation_amount",
        id="compensation-without-amount",
    ),
    pytest.param(
        Status.IN_PROGRESS,
        "resolve",
        {"note": "赔偿", "resolution_type": ResolutionType.COMPENSATION, "compensation_amount": Decimal("0")},
        "compensation_amount",
        id="compensation-of-zero",
    ),
    pytest.param(
        Status.IN_PROGRESS,
        "resolve",
        {"note": "  ", "resolution_type": ResolutionType.REPAIR},
        "note",
        id="resolve-without-note",
    ),
    pytest.param(
        Status.RESOLVED, "close_by_manager", {"close_kind": "unreachable"}, "note", id="close-by-manager-without-reason"
    ),
    pytest.param(
        Status.RESOLVED,
        "close_by_manager",
        {"note": " \n ", "close_kind": "unreachable"},
        "note",
        id="close-by-manager-blank-reason",
    ),
    pytest.param(
        Status.RESOLVED, "close_by_manager", {"note": "联系不上"}, "close_kind", id="close-by-manager-no-kind"
    ),
    pytest.param(Status.ACKNOWLEDGED, "cancel", {}, "note", id="cancel-without-reason"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("state", "action", "data", "field"), MISSING_INPUTS)
def test_a_step_without_its_required_input_is_refused_on_that_field(
    state, action, data, field, make_complaint, make_user, dealer
):
    manager = make_user(roles.SERVICE_MANAGER, dealer)
    complaint = make_complaint(state)
    before = row(complaint.pk)
    histories = history_count(complaint.pk)

    with pytest.raises(ValidationError) as refused:
        complaint_transition(complaint_id=complaint.pk, action=action, acting_user=manager, **data)

    assert set(refused.value.message_dict) == {field}
    assert all(message.strip() for message in refused.value.message_dict[field])
    assert row(complaint.pk) == before
    assert history_count(complaint.pk) == histories


@pytest.mark.django_db
def test_compensation_keeps_its_amount_and_other_resolutions_drop_one(make_complaint, agent):
    paid = make_complaint(Status.IN_PROGRESS)
    complaint_transition(
        complaint_id=paid.pk,
        action="resolve",
        acting_user=agent,
        note="补偿代步车费用",
        resolution_type=ResolutionType.COMPENSATION,
        compensation_amount=Decimal("800.00"),
    )
    repaired = make_complaint(Status.IN_PROGRESS)
    complaint_transition(
        complaint_id=repaired.pk,
        action="resolve",
        acting_user=agent,
        note="已修复",
        resolution_type=ResolutionType.REPAIR,
        compensation_amount=Decimal("800.00"),
    )

    assert row(paid.pk)["compensation_amount"] == Decimal("800.00")
    assert row(repaired.pk)["compensation_amount"] is None


@pytest.mark.django_db
def test_an_unknown_step_is_refused(make_complaint, agent):
    complaint = make_complaint()
    before = row(complaint.pk)
    with pytest.raises(ValidationError, match="Unknown step"):
        complaint_transition(complaint_id=complaint.pk, action="delete", acting_user=agent)
    assert row(complaint.pk) == before


# --- The resolved hook and the protected field ----------------------------------------------------


@pytest.mark.django_db
def test_complaint_resolved_fires_once_when_resolved(make_complaint, agent):
    complaint = make_complaint(Status.IN_PROGRESS)
    received = []

    def receiver(sender, **kwargs):
        received.append(kwargs)

    complaint_resolved.connect(receiver, weak=False)
    try:
        with pytest.raises(ValidationError):  # a refused resolve does not fire
            complaint_transition(
                complaint_id=complaint.pk, action="resolve", acting_user=agent, resolution_type=ResolutionType.REPAIR
            )
        complaint_transition(
            complaint_id=complaint.pk,
            action="resolve",
            acting_user=agent,
            note="已修复",
            resolution_type=ResolutionType.REPAIR,
        )
        complaint_close_after_follow_up(complaint_id=complaint.pk, satisfaction=5, remarks="", acting_user=agent)
    finally:
        complaint_resolved.disconnect(receiver)

    assert len(received) == 1
    assert received[0]["complaint"].pk == complaint.pk
    assert received[0]["complaint"].status == Status.RESOLVED
    assert received[0]["acting_user"] == agent


@pytest.mark.django_db
def test_the_status_cannot_be_assigned(make_complaint):
    complaint = make_complaint()
    with pytest.raises(AttributeError, match="Direct status modification is not allowed"):
        complaint.status = Status.CLOSED
    assert complaint.status == Status.NEW
    assert row(complaint.pk)["status"] == Status.NEW


@pytest.mark.django_db
def test_a_transition_method_refuses_a_state_it_does_not_start_from(make_complaint):
    from django_fsm import TransitionNotAllowed

    complaint = make_complaint(Status.CLOSED)
    with pytest.raises(TransitionNotAllowed):
        complaint.reopen()
    assert complaint.status == Status.CLOSED


def test_the_step_labels_follow_the_language_of_the_request():
    for language, label in (("en", "Cancel the complaint"), ("zh-hans", "取消投诉")):
        with translation.override(language):
            assert str(TRANSITIONS["cancel"]) == label
