"""The rest of the OEM loop of seed 000 (§五, §七): the pre-report of a major complaint the dealer received
directly, progress reports on a long-running major one, the final result of a case that waited, the closing
report to the OEM's after-sales contact, the escalation to the OEM region, and the CSI survey as an OEM channel."""

import json
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail

from api.models import DealerOemSettings, OemReport
from api.oem import oem_reports_queue
from api.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign
from api.tasks import oem_report_send
from complaints.models import Channel, Severity
from complaints.services import authority_request_answer, authority_request_create, complaint_transition
from tests.api.receiver import Receiver
from tests.cac.factories import CustomerFactory
from tests.complaints.factories import STEP_DATA, open_complaint, walk

pytestmark = pytest.mark.django_db

# A Wednesday morning in Shanghai (01:30 UTC).
MORNING = datetime(2026, 12, 2, 1, 30, tzinfo=UTC)
CONTACTS = {
    "language": "en",
    "cac_email": "cac@oem.example",
    "regional_manager_email": "region@oem.example",
    "regional_engineer_email": "engineer@oem.example",
    "after_sales_email": "after-sales@oem.example",
}


def _open(dealer, user, **fields):
    with time_machine.travel(MORNING, tick=False):
        return open_complaint(customer=CustomerFactory(dealer=dealer), acting_user=user, **fields)


def _queue(at: datetime) -> list[str]:
    """Run the queue at `at`; the kinds of the rows it made."""
    before = set(OemReport.objects.values_list("pk", flat=True))
    with time_machine.travel(at, tick=False):
        oem_reports_queue(now=at)
    return sorted(OemReport.objects.exclude(pk__in=before).values_list("kind", flat=True))


def _send_all():
    for report in OemReport.objects.exclude(state="sent").order_by("pk"):
        oem_report_send.apply(kwargs={"report_id": report.pk})


def test_a_major_walk_in_is_pre_reported_at_once_to_the_oem_cac(dealer, managers, agent):
    DealerOemSettings.objects.create(dealer=dealer, **CONTACTS)
    complaint = _open(dealer, agent, channel=Channel.WALK_IN, severity=Severity.EMERGENCY)
    _open(dealer, agent, channel=Channel.WALK_IN)  # a normal one: no pre-report
    _open(dealer, agent, channel=Channel.OEM_HOTLINE, severity=Severity.MAJOR)  # the OEM's own: no pre-report
    assert _queue(MORNING + timedelta(minutes=1)) == ["pre_report"]
    assert _queue(MORNING + timedelta(minutes=2)) == []
    _send_all()
    (message,) = mail.outbox
    assert message.to == ["cac@oem.example"] and message.cc == ["engineer@oem.example"]  # an emergency: §六
    assert message.subject.startswith("Pre-report") and complaint.number in message.subject
    report = OemReport.objects.get(kind="pre_report")
    assert (report.state, report.recipient) == ("sent", "cac@oem.example")
    complaint.refresh_from_db()
    assert complaint.oem_status_reported_at is None  # not on the dual clock of the OEM's own complaints


def test_a_complaint_from_the_press_is_special_and_pre_reported(dealer, managers, agent):
    _open(dealer, agent, channel=Channel.MEDIA)
    assert _queue(MORNING + timedelta(minutes=1)) == ["pre_report"]


def test_a_long_running_major_complaint_gets_a_progress_report_every_period(dealer, managers, agent):
    DealerOemSettings.objects.create(dealer=dealer, progress_report_days=2, **CONTACTS)
    complaint = _open(dealer, agent, channel=Channel.WALK_IN, severity=Severity.MAJOR)
    assert _queue(MORNING + timedelta(minutes=1)) == ["pre_report"]
    # The dealer opens every day. Thursday closed: one working day; Friday 18:00 Shanghai (10:00 UTC): two.
    assert _queue(datetime(2026, 12, 4, 9, 0, tzinfo=UTC)) == []
    assert _queue(datetime(2026, 12, 4, 10, 1, tzinfo=UTC)) == ["progress"]
    assert _queue(datetime(2026, 12, 5, 10, 1, tzinfo=UTC)) == []  # three
    assert _queue(datetime(2026, 12, 6, 10, 1, tzinfo=UTC)) == ["progress"]  # Sunday closed: four
    assert sorted(OemReport.objects.filter(kind="progress").values_list("key", flat=True)) == [
        f"complaint:{complaint.pk}:oem-progress-1",
        f"complaint:{complaint.pk}:oem-progress-2",
    ]
    with time_machine.travel(datetime(2026, 12, 9, 2, 0, tzinfo=UTC), tick=False):
        walk(complaint, to="resolved", user=managers["service_manager"])
    assert _queue(datetime(2026, 12, 10, 10, 1, tzinfo=UTC)) == []  # resolved: no more progress


def test_progress_reports_follow_the_dealers_cadence_and_only_majors(dealer, managers, agent):
    DealerOemSettings.objects.create(dealer=dealer, progress_report_days=0)
    _open(dealer, agent, channel=Channel.OEM_WEBSITE, severity=Severity.MAJOR)
    _open(dealer, agent, channel=Channel.OEM_WEBSITE)
    made = _queue(datetime(2026, 12, 8, 10, 1, tzinfo=UTC))
    assert "progress" not in made
    DealerOemSettings.objects.update(progress_report_days=3)
    assert _queue(datetime(2026, 12, 8, 10, 2, tzinfo=UTC)) == ["progress"]  # the major one, 4 // 3 = period 1


def test_a_case_that_waited_gets_its_final_result_once_solved(dealer, managers, agent):
    waiting = _open(dealer, agent, channel=Channel.OEM_HOTLINE, oem_reference="OEM-W")
    quick = _open(dealer, agent, channel=Channel.OEM_HOTLINE, oem_reference="OEM-Q")
    with time_machine.travel(MORNING + timedelta(hours=1), tick=False):
        walk(quick, to="resolved", user=managers["service_manager"])
        walk(waiting, to="in_progress", user=managers["service_manager"])  # waiting for the part
    # Friday 19:00 Shanghai: the result is due by Saturday 18:00; the waiting case reports where it stands.
    assert _queue(datetime(2026, 12, 4, 11, 0, tzinfo=UTC)) == ["result", "result", "status", "status"]
    with time_machine.travel(datetime(2026, 12, 9, 2, 0, tzinfo=UTC), tick=False):
        complaint_transition(
            complaint_id=waiting.pk, action="resolve", acting_user=managers["service_manager"], **STEP_DATA["resolve"]
        )
    assert _queue(datetime(2026, 12, 9, 2, 1, tzinfo=UTC)) == ["final_result"]
    assert _queue(datetime(2026, 12, 9, 2, 2, tzinfo=UTC)) == []
    assert OemReport.objects.get(kind="final_result").complaint == waiting


def test_the_closing_report_goes_to_the_after_sales_contact(dealer, managers, agent):
    DealerOemSettings.objects.create(dealer=dealer, **CONTACTS)
    complaint = _open(dealer, agent, channel=Channel.OEM_HOTLINE, oem_reference="OEM-C")
    ours = _open(dealer, agent, channel=Channel.DEALER_HOTLINE)  # the OEM never heard of it: no closing report
    with time_machine.travel(MORNING + timedelta(hours=1), tick=False):
        walk(complaint, to="closed", user=managers["service_manager"])
        walk(ours, to="closed", user=managers["service_manager"])
    assert _queue(MORNING + timedelta(hours=1, minutes=1)) == ["closing", "result", "status"]
    _send_all()
    closing = next(message for message in mail.outbox if message.subject.startswith("Closing report"))
    assert closing.to == ["after-sales@oem.example"]
    assert "OEM-C" in closing.subject and "Countermeasure" in closing.body


def test_an_escalation_to_the_oem_region_reaches_the_regional_manager_by_the_webhook(dealer, managers, agent):
    complaint = _open(dealer, agent, channel=Channel.WALK_IN, severity=Severity.MAJOR)  # at the director already
    with time_machine.travel(MORNING + timedelta(hours=1), tick=False):
        authority_request_create(
            complaint_id=complaint.pk, kind="exchange_refund", request="客户要求换车", acting_user=managers["director"]
        )
    assert _queue(MORNING + timedelta(hours=1, minutes=1)) == ["escalation", "pre_report"]
    with Receiver([200, 200]) as receiver:
        DealerOemSettings.objects.create(dealer=dealer, webhook_url=receiver.url, webhook_secret="s3", **CONTACTS)
        _send_all()
    bodies = {json.loads(request["body"])["report"]: request for request in receiver.requests}
    escalation = bodies["escalation"]
    headers = {name.lower(): value for name, value in escalation["headers"].items()}
    assert headers[SIGNATURE_HEADER.lower()] == sign(
        secret="s3", timestamp=headers[TIMESTAMP_HEADER.lower()], body=escalation["body"]
    )
    payload = json.loads(escalation["body"])
    assert payload["for"] == "regional_manager"
    assert payload["escalation"]["reason"] == "authority" and payload["escalation"]["note"] == "客户要求换车"
    assert payload["escalation"]["authorisation"] == "exchange_refund"
    assert json.loads(bodies["pre_report"]["body"])["for"] == "cac"
    assert mail.outbox == []


def test_without_a_webhook_the_escalation_is_mailed_to_the_regional_manager(dealer, managers, agent):
    DealerOemSettings.objects.create(dealer=dealer, **CONTACTS)
    complaint = _open(dealer, agent, channel=Channel.OEM_HOTLINE, severity=Severity.MAJOR)
    with time_machine.travel(MORNING + timedelta(hours=1), tick=False):
        authority_request_create(
            complaint_id=complaint.pk, kind="rental_car", request="代步车5天", acting_user=managers["director"]
        )
    assert "escalation" in _queue(MORNING + timedelta(hours=1, minutes=1))
    oem_report_send.apply(kwargs={"report_id": OemReport.objects.get(kind="escalation").pk})
    (message,) = mail.outbox
    assert message.to == ["region@oem.example"] and message.cc == []
    assert "Escalated to the OEM region" in message.body
    assert "Authorisation asked for: Rental car (租车费)" in message.body and "代步车5天" in message.body


def test_each_authorisation_asked_sends_its_own_escalation_report_and_an_answer_sends_none(dealer, managers, agent):
    complaint = _open(dealer, agent, channel=Channel.DEALER_HOTLINE)
    manager = managers["service_manager"]
    with time_machine.travel(MORNING + timedelta(hours=1), tick=False):
        first = authority_request_create(
            complaint_id=complaint.pk, kind="rental_car", request="代步车3天", acting_user=manager
        )
    assert _queue(MORNING + timedelta(hours=1, minutes=1)) == ["escalation"]
    with time_machine.travel(MORNING + timedelta(hours=2), tick=False):
        authority_request_answer(request_id=first.pk, answer="granted", note="同意3天", acting_user=manager)
    assert _queue(MORNING + timedelta(hours=2, minutes=1)) == []
    with time_machine.travel(MORNING + timedelta(hours=3), tick=False):
        second = authority_request_create(
            complaint_id=complaint.pk, kind="parts_claim", request="变速箱索赔", acting_user=manager
        )
    assert _queue(MORNING + timedelta(hours=3, minutes=1)) == ["escalation"]
    assert sorted(OemReport.objects.values_list("key", flat=True)) == sorted(
        [f"complaint:{complaint.pk}:oem-escalation-{first.pk}", f"complaint:{complaint.pk}:oem-escalation-{second.pk}"]
    )


def test_a_deadline_breach_sends_no_escalation_report(dealer, managers, agent):
    from cac.deadlines.engine import sweep_deadlines

    complaint = _open(dealer, agent, channel=Channel.DEALER_HOTLINE)
    later = MORNING + timedelta(days=30)
    with time_machine.travel(later, tick=False):
        sweep_deadlines(now=later)
    complaint.refresh_from_db()
    assert complaint.escalation_level == 2  # the director, never the region
    assert "escalation" not in _queue(later + timedelta(minutes=1))


def test_the_csi_survey_is_on_the_oem_clock(dealer, managers, agent):
    complaint = _open(dealer, agent, channel=Channel.CSI_SURVEY)
    assert _queue(MORNING + timedelta(hours=9)) == ["status"]  # its same-day deadline passed
    with Receiver([200]) as receiver:
        DealerOemSettings.objects.create(dealer=dealer, webhook_url=receiver.url, webhook_secret="s")
        _send_all()
    complaint.refresh_from_db()
    assert complaint.oem_status_reported_at is not None


def test_the_report_mail_is_in_the_dealers_language(dealer, managers, agent):
    DealerOemSettings.objects.create(dealer=dealer, **{**CONTACTS, "language": "zh-hans"})
    _open(dealer, agent, channel=Channel.WALK_IN, severity=Severity.MAJOR)
    _queue(MORNING + timedelta(minutes=1))
    _send_all()
    (message,) = mail.outbox
    assert "事实经过" in message.body and "对策" in message.body and "The facts" not in message.body


def test_no_backlog_of_old_escalations_or_closings(dealer, managers, agent):
    complaint = _open(dealer, agent, channel=Channel.OEM_HOTLINE, severity=Severity.MAJOR)
    with time_machine.travel(MORNING + timedelta(hours=1), tick=False):
        authority_request_create(
            complaint_id=complaint.pk, kind="compensation", request="补偿500元", acting_user=managers["director"]
        )
        walk(complaint, to="closed", user=managers["service_manager"])
    assert _queue(MORNING + timedelta(days=40)) == []
