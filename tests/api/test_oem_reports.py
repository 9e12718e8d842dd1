"""The reports to the OEM: made once when ready, sent to a real local webhook (signed, retried on a 500 and a
timeout), by e-mail where no webhook is configured, shown in the outbox and sent again from there."""

import json
import re
import time
from datetime import UTC, datetime, timedelta
from unittest import mock

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from api.models import DealerOemSettings, OemReport
from api.oem import oem_report_deliver, oem_reports_queue
from api.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign
from api.tasks import oem_report_send
from complaints.models import Channel
from complaints.services import complaint_transition
from tests.api.receiver import Receiver
from tests.cac.factories import CustomerFactory
from tests.complaints.factories import open_complaint

pytestmark = pytest.mark.django_db

SECRET = "shared-with-the-oem"
# A Wednesday morning in Shanghai (01:30 UTC): the status report is due at 18:00 local time.
MORNING = datetime(2026, 12, 2, 1, 30, tzinfo=UTC)


@pytest.fixture
def oem_complaint(dealer, managers, agent):
    with time_machine.travel(MORNING, tick=False):
        return open_complaint(
            customer=CustomerFactory(dealer=dealer),
            acting_user=agent,
            channel=Channel.OEM_HOTLINE,
            oem_reference="OEM-9",
        )


@pytest.fixture
def fast_timeout(settings):
    settings.OEM_WEBHOOK_TIMEOUT = 0.5


def _acknowledge(complaint, agent):
    with time_machine.travel(MORNING + timedelta(hours=1), tick=False):
        complaint_transition(complaint_id=complaint.pk, action="acknowledge", acting_user=agent)


def test_the_status_report_is_made_once_when_the_complaint_is_acknowledged(
    oem_complaint, agent, django_capture_on_commit_callbacks
):
    assert oem_reports_queue(now=MORNING + timedelta(minutes=5)) == 0  # new, and 18:00 is far
    _acknowledge(oem_complaint, agent)
    with django_capture_on_commit_callbacks() as callbacks:
        assert oem_reports_queue(now=MORNING + timedelta(hours=1, minutes=1)) == 1
    assert oem_reports_queue(now=MORNING + timedelta(hours=1, minutes=2)) == 0
    assert len(callbacks) == 1
    assert list(OemReport.objects.values_list("kind", "state")) == [("status", "pending")]


def test_the_status_report_goes_near_its_deadline_even_if_not_acknowledged(oem_complaint):
    assert oem_reports_queue(now=MORNING + timedelta(hours=6)) == 0
    assert oem_reports_queue(now=MORNING + timedelta(hours=9)) == 1  # 18:30 local: its deadline (18:00) passed


def test_no_backlog_of_old_complaints_is_sent(oem_complaint):
    assert oem_reports_queue(now=MORNING + timedelta(days=31)) == 0


def test_a_complaint_not_from_the_oem_owes_no_report(dealer, managers, agent):
    open_complaint(customer=CustomerFactory(dealer=dealer), acting_user=agent, channel=Channel.WALK_IN)
    assert oem_reports_queue(now=MORNING + timedelta(days=5)) == 0


def test_the_report_reaches_the_webhook_once_signed_after_a_500_and_a_timeout(
    oem_complaint, agent, dealer, fast_timeout
):
    _acknowledge(oem_complaint, agent)
    oem_reports_queue(now=MORNING + timedelta(hours=2))
    report = OemReport.objects.get()
    with Receiver([500, "sleep", 200]) as receiver:
        DealerOemSettings.objects.create(dealer=dealer, webhook_url=receiver.url, webhook_secret=SECRET)
        oem_report_send.apply(kwargs={"report_id": report.pk})
        oem_report_send.apply(kwargs={"report_id": report.pk})  # a second run sends nothing
    assert len(receiver.requests) == 3
    report.refresh_from_db()
    assert (report.state, report.channel, report.attempts, report.last_error) == ("sent", "webhook", 3, "")
    oem_complaint.refresh_from_db()
    assert oem_complaint.oem_status_reported_at == report.sent_at
    assert oem_complaint.oem_result_reported_at is None
    last = receiver.requests[-1]
    headers = {name.lower(): value for name, value in last["headers"].items()}
    assert headers[SIGNATURE_HEADER.lower()] == sign(
        secret=SECRET, timestamp=headers[TIMESTAMP_HEADER.lower()], body=last["body"]
    )
    assert abs(int(headers[TIMESTAMP_HEADER.lower()]) - time.time()) < 60
    payload = json.loads(last["body"])
    assert payload["report"] == "status"
    assert payload["complaint"]["oem_reference"] == "OEM-9"
    assert payload["complaint"]["status"] == "acknowledged"
    assert [step["status"] for step in payload["complaint"]["steps"]] == ["new", "acknowledged"]
    history = oem_complaint.history.first()
    assert history.history_change_reason == "reported to the OEM: status"


def test_a_failure_is_kept_and_shown_in_the_outbox_and_sent_again(
    oem_complaint, agent, dealer, managers, client, fast_timeout, django_capture_on_commit_callbacks
):
    _acknowledge(oem_complaint, agent)
    oem_reports_queue(now=MORNING + timedelta(hours=2))
    report = OemReport.objects.get()
    with Receiver([503]) as receiver:
        DealerOemSettings.objects.create(dealer=dealer, webhook_url=receiver.url, webhook_secret=SECRET)
        with pytest.raises(Exception, match="HTTP 503"):
            oem_report_deliver(report_id=report.pk)
        report.refresh_from_db()
        assert (report.state, report.attempts) == ("failed", 1)

        client.force_login(managers["service_manager"])
        page = client.get(reverse("oem_reports:list"))
        assert page.status_code == 200
        assert "HTTP 503" in page.content.decode()
        detail = client.get(reverse("complaints:detail", args=[oem_complaint.pk]))
        assert "HTTP 503" in detail.content.decode()

        with (
            mock.patch.object(oem_report_send, "apply_async", lambda kwargs: oem_report_send.apply(kwargs=kwargs)),
            django_capture_on_commit_callbacks(execute=True),
        ):
            response = client.post(reverse("oem_reports:resend", args=[report.pk]))
        assert response.status_code == 302
    report.refresh_from_db()
    assert report.state == "sent"
    assert len(receiver.requests) == 2


def test_the_outbox_is_for_managers_of_the_dealer(client, agent, make_user, other_dealer, oem_complaint):
    oem_reports_queue(now=MORNING + timedelta(hours=9))
    report = OemReport.objects.get()
    client.force_login(agent)
    assert client.get(reverse("oem_reports:list")).status_code == 403
    client.force_login(make_user("service_manager", other_dealer))
    assert report.key not in client.get(reverse("oem_reports:list")).content.decode()
    assert client.post(reverse("oem_reports:resend", args=[report.pk])).status_code == 404


def test_without_a_webhook_the_report_goes_by_mail_in_the_dealers_language(oem_complaint, agent, dealer):
    DealerOemSettings.objects.create(
        dealer=dealer, language="en", regional_manager_name="赵经理", regional_manager_email="region@oem.example"
    )
    _acknowledge(oem_complaint, agent)
    for step, data in (
        ("investigate", {}),
        (
            "propose_countermeasure",
            {"root_cause": "技师漏检", "root_cause_class": "people", "countermeasure": "免费返修"},
        ),
        ("start", {}),
        ("resolve", {"resolution_type": "rework", "note": "已返修"}),
    ):
        complaint_transition(complaint_id=oem_complaint.pk, action=step, acting_user=agent, **data)
    oem_reports_queue()
    for report in OemReport.objects.order_by("kind"):
        oem_report_send.apply(kwargs={"report_id": report.pk})
    assert sorted(message.to[0] for message in mail.outbox) == ["region@oem.example"] * 2
    result = next(message for message in mail.outbox if message.subject.startswith("Result report"))
    assert oem_complaint.number in result.subject and "OEM-9" in result.subject
    assert "免费返修" in result.body and "Countermeasure" in result.body and "no follow-up call yet" in result.body
    assert "Countermeasure proposed" in result.body and "countermeasure_proposed" not in result.body  # the steps named
    assert [re.findall(r"(?:^|\s)(/[\w\-./?=&%]*)", message.body, re.MULTILINE) for message in mail.outbox] == [[], []]
    oem_complaint.refresh_from_db()
    assert oem_complaint.oem_status_reported_at and oem_complaint.oem_result_reported_at
    assert set(OemReport.objects.values_list("state", "channel")) == {("sent", "email")}


def test_without_any_endpoint_the_report_fails_visibly(oem_complaint, dealer):
    oem_reports_queue(now=MORNING + timedelta(hours=9))
    report = OemReport.objects.get()
    with pytest.raises(Exception, match="No OEM webhook|尚未配置厂家报告地址"):
        oem_report_deliver(report_id=report.pk)
    report.refresh_from_db()
    assert report.state == "failed"
