"""The complaint's history names each step as data: the timeline and the API read columns, not reason sentences."""

from importlib import import_module

import pytest

from cac import roles
from complaints.models import Category, Channel, Complaint, Escalation
from complaints.selectors import complaint_record
from complaints.services import (
    complaint_assign,
    complaint_create,
    complaint_escalate,
    complaint_transition,
    complaint_update_details,
)
from tests.cac.factories import CustomerFactory

migration = import_module("complaints.migrations.0007_history_step_and_note")


@pytest.fixture
def manager(make_user, dealer):
    return make_user(roles.SERVICE_MANAGER, dealer, username="manager")


@pytest.fixture
def make_complaint(dealer, agent):
    def make() -> Complaint:
        return complaint_create(
            customer=CustomerFactory(dealer=dealer, name="张伟"),
            acting_user=agent,
            channel=Channel.DEALER_HOTLINE,
            category=Category.SERVICE_ATTITUDE,
            description="接待态度冷淡",
            demand="要求道歉",
        )

    return make


@pytest.mark.parametrize(
    ("reason", "expected"),
    [
        ("received", ("received", "")),
        ("acknowledge", ("acknowledge", "")),
        ("reopen: 客户不满意: 仍有异响", ("reopen", "客户不满意: 仍有异响")),
        ("assigned to wang", ("assign", "")),
        ("escalated: major", ("escalate", "major")),
        ("updated: description, demand", ("update", "description, demand")),
        ("reported to the OEM: status", ("report_oem", "status")),
        ("", ("", "")),
    ],
)
def test_rows_written_before_get_their_step_from_the_reason_once(reason, expected):
    assert migration._step_and_note(reason) == expected


@pytest.mark.django_db
def test_every_service_names_its_step(make_complaint, agent, manager):
    complaint = make_complaint()
    complaint_assign(complaint_ids=[complaint.pk], owner=agent, acting_user=manager)
    complaint_update_details(complaint_id=complaint.pk, acting_user=agent, demand="尽快修好")
    complaint_escalate(complaint_id=complaint.pk, reason=Escalation.Reason.values[0], note="", acting_user=agent)
    complaint_transition(complaint_id=complaint.pk, action="acknowledge", acting_user=agent, note="已致电客户")
    steps = list(
        Complaint.history.filter(id=complaint.pk)
        .order_by("history_date", "history_id")
        .values_list("history_step", "history_note")
    )
    assert steps == [
        ("received", ""),
        ("assign", ""),
        ("update", "demand"),
        ("escalate", Escalation.Reason.values[0]),
        ("acknowledge", "已致电客户"),
    ]


@pytest.mark.django_db
def test_the_timeline_reads_the_note_column_not_the_reason(make_complaint, agent):
    complaint = make_complaint()
    complaint_transition(complaint_id=complaint.pk, action="acknowledge", acting_user=agent, note="已受理: 明早回电")
    # The sentence of the admin's history may say anything: the timeline keeps to the columns.
    Complaint.history.filter(id=complaint.pk, history_step="acknowledge").update(history_change_reason="x: y")
    entries = [e for e in complaint_record(complaint=complaint).timeline if e.kind == "history"]
    acknowledged = [e for e in entries if "已受理: 明早回电" in e.text]
    assert len(acknowledged) == 1
    assert not any(e.text.endswith("· y") for e in entries)
