"""Every rule of the deadline sweep, with the clock moved (time-machine), including weekends and a dealer holiday.
Each rule is also run twice: the second sweep acts on nothing."""

from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.utils import translation

from cac.deadlines.engine import deadline_digest, sweep_deadlines
from cac.models import DealerHoliday, Notification
from callbacks.models import Callback, Kind
from callbacks.models import Status as CallbackStatus
from complaints.models import Channel, Complaint, Escalation, EscalationLevel, Status
from prospects.models import Status as ProspectStatus
from tests.cac.factories import CustomerFactory
from tests.complaints.factories import ComplaintFactory
from tests.deadlines.conftest import at, local
from tests.prospects.factories import ProspectFactory, put

pytestmark = pytest.mark.django_db


def complaint(dealer, owner, **fields):
    fields.setdefault("received_at", local(2025, 3, 10, 9, 0))
    fields.setdefault("acknowledge_due_at", local(2025, 3, 10, 18, 0))
    fields.setdefault("resolve_due_at", local(2025, 3, 13, 18, 0))
    return ComplaintFactory(customer=CustomerFactory(dealer=dealer), owner=owner, **fields)


def level(c: Complaint) -> int:
    return Complaint.objects.get(pk=c.pk).escalation_level


def keys(kind: str) -> list[str]:
    return list(Notification.objects.filter(kind=kind).values_list("key", flat=True))


# --- Complaints: acknowledgment -----------------------------------------------------------------------


def test_acknowledgment_breached_escalates_to_the_department_manager_once(dealer, staff):
    manager = staff["service_manager"]
    late = complaint(dealer, None)
    on_time = complaint(dealer, None, acknowledge_due_at=local(2025, 3, 10, 20, 0))
    with at(2025, 3, 10, 18, 1):
        counts = sweep_deadlines()
        again = sweep_deadlines()
    assert counts["complaints_escalated"] == 1
    assert "complaints_escalated" not in again
    assert level(late) == EscalationLevel.DEPARTMENT_MANAGER
    assert level(on_time) == EscalationLevel.AGENT
    escalation = Escalation.objects.get(complaint=late)
    assert (escalation.from_level, escalation.to_level, escalation.reason) == (0, 1, Escalation.Reason.DEADLINE)
    assert escalation.escalated_by is None
    assert list(Notification.objects.filter(kind="complaint_escalated").values_list("recipient", flat=True)) == [
        manager.pk
    ]


def test_an_acknowledged_complaint_is_not_escalated_for_acknowledgment(dealer, staff):
    done = complaint(dealer, staff["service_manager"], status=Status.ACKNOWLEDGED)
    with at(2025, 3, 10, 18, 1):
        sweep_deadlines()
    assert level(done) == EscalationLevel.AGENT


# --- Complaints: resolution -----------------------------------------------------------------------------


def test_resolution_due_within_24_hours_warns_the_owner_once(dealer, staff):
    owner = staff["service_manager"]
    soon = complaint(dealer, owner, status=Status.INVESTIGATING)
    complaint(dealer, owner, status=Status.INVESTIGATING, resolve_due_at=local(2025, 3, 14, 18, 0))  # 2 days away
    with at(2025, 3, 12, 18, 30):
        assert sweep_deadlines()["complaints_due_soon"] == 1
        assert "complaints_due_soon" not in sweep_deadlines()
    notice = Notification.objects.get(kind="complaint_due_soon")
    assert notice.recipient == owner
    assert soon.number in notice.title


def test_resolution_breached_goes_to_the_director_once_and_the_ladder_stops_there(dealer, staff):
    late = complaint(dealer, staff["service_manager"], status=Status.INVESTIGATING)  # due Thursday 18:00
    with at(2025, 3, 13, 18, 1):
        sweep_deadlines()
        sweep_deadlines()
    assert level(late) == EscalationLevel.DIRECTOR
    assert sorted(keys("complaint_escalated")) == sorted(
        [
            f"complaint:{late.pk}:escalated:2:user:{staff['director'].pk}",
            f"complaint:{late.pk}:escalated:2:user:{staff['service_manager'].pk}",
        ]
    )
    # Seed 000 §五.7: the OEM region is asked for what exceeds the dealer's authority, not sent late cases.
    for moment in [(2025, 3, 14, 18, 1), (2025, 3, 17, 18, 1), (2025, 4, 30, 12, 0)]:
        with at(*moment):
            sweep_deadlines()
        assert level(late) == EscalationLevel.DIRECTOR, moment
    assert list(Escalation.objects.filter(complaint=late).values_list("to_level", flat=True)) == [2]


def test_the_answer_promised_to_the_customer_passing_without_a_result_tells_the_handler_once(dealer, staff):
    owner = staff["service_manager"]
    promised = local(2025, 3, 11, 12, 0)
    late = complaint(dealer, owner, status=Status.INVESTIGATING, answer_promised_at=promised)
    complaint(dealer, owner, status=Status.RESOLVED, answer_promised_at=promised)  # the answer was given
    complaint(dealer, owner, status=Status.IN_PROGRESS, answer_promised_at=local(2025, 3, 11, 15, 0))
    with at(2025, 3, 11, 11, 59):
        assert "complaints_answer_overdue" not in sweep_deadlines()
    with at(2025, 3, 11, 12, 1):
        assert sweep_deadlines()["complaints_answer_overdue"] == 1
        assert "complaints_answer_overdue" not in sweep_deadlines()
    notice = Notification.objects.get(kind="complaint_answer_overdue")
    assert notice.recipient == owner
    assert late.number in notice.title


def test_closed_and_resolved_complaints_are_left_alone(dealer, staff):
    resolved = complaint(dealer, None, status=Status.RESOLVED)
    closed = complaint(dealer, None, status=Status.CLOSED)
    with at(2025, 3, 20, 18, 1):
        assert sweep_deadlines().get("complaints_escalated", 0) == 0
    assert level(resolved) == level(closed) == EscalationLevel.AGENT


# --- Complaints from the OEM CAC -----------------------------------------------------------------------


def oem_complaint(dealer, owner, received_at):
    far = received_at + timedelta(days=30)
    return complaint(
        dealer,
        owner,
        channel=Channel.OEM_HOTLINE,
        status=Status.ACKNOWLEDGED,
        received_at=received_at,
        acknowledge_due_at=far,
        resolve_due_at=far,
    )


def test_oem_status_report_reminds_then_escalates_the_same_day(weekday_dealer, staff):
    owner = staff["service_manager"]
    oem = oem_complaint(weekday_dealer, owner, local(2025, 3, 14, 10, 0))  # Friday: status due 18:00
    with at(2025, 3, 14, 15, 0):
        assert sweep_deadlines() == {}
    with at(2025, 3, 14, 16, 30):
        assert sweep_deadlines()["oem_reminders"] == 1
        assert "oem_reminders" not in sweep_deadlines()
    with at(2025, 3, 14, 18, 1):
        counts = sweep_deadlines()
        again = sweep_deadlines()
    assert counts["oem_escalated"] == 1 and counts["oem_overdue"] == 1
    assert again == {}
    assert level(oem) == EscalationLevel.DEPARTMENT_MANAGER
    assert Notification.objects.get(kind="oem_report_overdue").recipient == owner


def test_oem_status_report_received_on_saturday_is_due_monday(weekday_dealer, staff):
    oem = oem_complaint(weekday_dealer, staff["service_manager"], local(2025, 3, 15, 10, 0))
    with at(2025, 3, 16, 20, 0):
        sweep_deadlines()
    assert level(oem) == EscalationLevel.AGENT
    with at(2025, 3, 17, 18, 1):
        sweep_deadlines()
    assert level(oem) == EscalationLevel.DEPARTMENT_MANAGER


def test_oem_status_report_skips_a_dealer_holiday(weekday_dealer, staff):
    DealerHoliday.objects.create(dealer=weekday_dealer, date=date(2025, 3, 17), name="店休")
    oem = oem_complaint(weekday_dealer, staff["service_manager"], local(2025, 3, 15, 10, 0))
    with at(2025, 3, 17, 18, 1):
        sweep_deadlines()
    assert level(oem) == EscalationLevel.AGENT
    with at(2025, 3, 18, 18, 1):
        sweep_deadlines()
    assert level(oem) == EscalationLevel.DEPARTMENT_MANAGER


def test_oem_result_report_in_three_working_days(weekday_dealer, staff):
    oem = oem_complaint(weekday_dealer, staff["service_manager"], local(2025, 3, 12, 10, 0))  # Wednesday
    Complaint.objects.filter(pk=oem.pk).update(oem_status_reported_at=local(2025, 3, 12, 11, 0))
    # Three working days after Wednesday: Thursday, Friday, Monday (18:00).
    with at(2025, 3, 16, 18, 30):
        assert sweep_deadlines()["oem_reminders"] == 1
    with at(2025, 3, 17, 17, 59):
        sweep_deadlines()
    assert level(oem) == EscalationLevel.AGENT
    with at(2025, 3, 17, 18, 1):
        sweep_deadlines()
        sweep_deadlines()
    assert level(oem) == EscalationLevel.DIRECTOR
    assert Escalation.objects.filter(complaint=oem).count() == 1


def test_reported_oem_complaints_need_no_reminder(weekday_dealer, staff):
    oem = oem_complaint(weekday_dealer, staff["service_manager"], local(2025, 3, 12, 10, 0))
    Complaint.objects.filter(pk=oem.pk).update(
        oem_status_reported_at=local(2025, 3, 12, 11, 0), oem_result_reported_at=local(2025, 3, 13, 11, 0)
    )
    with at(2025, 3, 20, 18, 1):
        assert sweep_deadlines() == {}


# --- Follow-up calls -------------------------------------------------------------------------------------


def callback(dealer, agent, due_at, kind=Kind.AFTER_SERVICE, status=CallbackStatus.SCHEDULED):
    return Callback.objects.create(
        dealer=dealer, customer=CustomerFactory(dealer=dealer), kind=kind, due_at=due_at, agent=agent, status=status
    )


def test_a_scheduled_call_becomes_due_at_its_time(dealer, agent, staff):
    call = callback(dealer, agent, local(2025, 3, 10, 10, 0))
    with at(2025, 3, 10, 9, 59):
        sweep_deadlines()
    assert Callback.objects.get(pk=call.pk).status == CallbackStatus.SCHEDULED
    with at(2025, 3, 10, 10, 0):
        assert sweep_deadlines()["callbacks_due"] == 1
        assert "callbacks_due" not in sweep_deadlines()
    assert Callback.objects.get(pk=call.pk).status == CallbackStatus.DUE


def test_a_call_a_working_day_overdue_notifies_the_supervisor_once(weekday_dealer, agent, staff):
    after_service = callback(weekday_dealer, agent, local(2025, 3, 14, 10, 0))  # Friday
    after_sale = callback(weekday_dealer, agent, local(2025, 3, 14, 10, 0), kind=Kind.AFTER_SALE)
    with at(2025, 3, 16, 12, 0):  # the weekend does not count
        assert "callbacks_overdue" not in sweep_deadlines()
    with at(2025, 3, 17, 18, 1):
        assert sweep_deadlines()["callbacks_overdue"] == 2
        assert "callbacks_overdue" not in sweep_deadlines()
    recipients = dict(Notification.objects.filter(kind="callback_overdue").values_list("url", "recipient"))
    assert recipients == {
        f"/callbacks/{after_service.pk}/": staff["service_manager"].pk,
        f"/callbacks/{after_sale.pk}/": staff["sales_manager"].pk,
    }


def test_a_completed_call_is_never_overdue(dealer, agent, staff):
    callback(dealer, agent, local(2025, 3, 10, 10, 0), status=CallbackStatus.COMPLETED)
    with at(2025, 3, 20, 10, 0):
        assert sweep_deadlines() == {}


# --- Prospects -------------------------------------------------------------------------------------------


def prospect(dealer, owner, next_contact_at, status=ProspectStatus.FOLLOWING):
    return put(ProspectFactory(dealer=dealer, owner=owner), status, next_contact_at=next_contact_at)


def test_a_prospect_to_contact_is_a_line_of_the_digest_not_a_notice_each(weekday_dealer, agent, staff):
    prospect(weekday_dealer, agent, local(2025, 3, 14, 10, 0))
    prospect(weekday_dealer, agent, local(2025, 3, 14, 16, 0))  # later today: in this morning's digest too
    prospect(weekday_dealer, agent, local(2025, 3, 15, 10, 0))  # tomorrow: not yet
    prospect(weekday_dealer, agent, local(2025, 3, 14, 10, 0), status=ProspectStatus.WON)
    with at(2025, 3, 14, 10, 1):
        assert "prospects_due" not in sweep_deadlines()
    assert not Notification.objects.filter(kind="prospect_due").exists()
    with at(2025, 3, 14, 8, 0):
        deadline_digest()
    digest = Notification.objects.get(kind="digest", recipient=agent)
    with translation.override("en"):
        assert "Prospects to contact today: 2" in digest.shown_body


def test_a_prospect_three_working_days_overdue_notifies_the_sales_manager_once(weekday_dealer, agent, staff):
    prospect(weekday_dealer, agent, local(2025, 3, 13, 10, 0))  # Thursday: Friday, Monday, Tuesday 18:00
    with at(2025, 3, 17, 20, 0):
        assert "prospects_overdue" not in sweep_deadlines()
    with at(2025, 3, 18, 18, 1):
        assert sweep_deadlines()["prospects_overdue"] == 1
        assert "prospects_overdue" not in sweep_deadlines()
    assert Notification.objects.get(kind="prospect_overdue").recipient == staff["sales_manager"]


def test_a_dealer_holiday_delays_the_overdue_prospect_notice(weekday_dealer, agent, staff):
    DealerHoliday.objects.create(dealer=weekday_dealer, date=date(2025, 3, 18), name="店休")
    prospect(weekday_dealer, agent, local(2025, 3, 13, 10, 0))
    with at(2025, 3, 18, 18, 1):
        assert "prospects_overdue" not in sweep_deadlines()
    with at(2025, 3, 19, 18, 1):
        assert sweep_deadlines()["prospects_overdue"] == 1


# --- The morning digest and the command --------------------------------------------------------------------


def test_the_digest_reaches_each_agent_and_manager_once_a_day(dealer, agent, staff):
    complaint(dealer, agent, status=Status.INVESTIGATING)
    with at(2025, 3, 14, 8, 30):
        sent = deadline_digest()
        assert deadline_digest() == 0
    # The agent's own complaint; the managers and the director see their dealer's.
    assert sent == 4
    digest = Notification.objects.get(kind="digest", recipient=agent)
    assert digest.key == f"digest:{agent.pk}:20250314"
    with at(2025, 3, 15, 8, 30):
        assert deadline_digest() == 4


def test_the_digest_skips_users_with_nothing_open(dealer, agent):
    with at(2025, 3, 14, 8, 30):
        assert deadline_digest() == 0


def test_the_command_sweeps_once_and_prints_the_counts(dealer, staff, capsys):
    complaint(dealer, None)
    with at(2025, 3, 10, 18, 1):
        call_command("sweep_deadlines")
        assert "complaints_escalated: 1" in capsys.readouterr().out
        call_command("sweep_deadlines")
        assert "nothing due" in capsys.readouterr().out


def test_the_sweep_works_in_batches(dealer, staff):
    rows = [complaint(dealer, None) for _ in range(7)]
    with at(2025, 3, 10, 18, 1):
        assert sweep_deadlines(batch=3)["complaints_escalated"] == 7
    assert {level(c) for c in rows} == {EscalationLevel.DEPARTMENT_MANAGER}
