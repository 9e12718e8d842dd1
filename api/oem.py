"""The reports to the OEM go out by themselves.

For each complaint on an OEM channel two reports are owed: the same-day status report and the result report
within 3 working days (the dual clock the deadline sweep watches, `oem_status_reported_at` and
`oem_result_reported_at`). Every minute `oem_reports_queue` makes the reports that are ready into outbox rows, one
per complaint and report (`OemReport.key` is unique, so a rerun or a second beat makes none twice):

- the status report once the complaint is acknowledged (the facts confirmed, the customer told when to expect an
  answer), or at the latest when its deadline comes near, whatever the state;
- the result report once the complaint is resolved or closed, or at the latest when its deadline comes near (then
  it says where the case stands: waiting for parts or an appointment).

`oem_report_send` delivers one row: a webhook POST of signed JSON where the dealer has one, else an e-mail to the
OEM regional contact in the dealer's language. It holds the row locked while it sends, so two runs never send the
same report twice; a 2xx or a sent e-mail marks the row sent and sets the complaint's reported-at mark through
complaints.services. A failure is kept on the row (shown on the complaint and in the outbox) and retried with
backoff by Celery; a manager may send it again.
"""

import hashlib
import hmac
import json
import logging
import time
from datetime import datetime, timedelta
from smtplib import SMTPException

import requests
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from api.models import DealerOemSettings, OemReport
from cac.platform.business_time import BusinessCalendar
from cac.platform.queue import enqueue_on_commit
from complaints.deadlines import ACKNOWLEDGE_DUE_SOON, DUE_SOON, OEM_RESULT_WORKING_DAYS
from complaints.models import OEM_CHANNELS, Complaint, Status
from complaints.services import complaint_mark_oem_reported

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-CAC-Signature"
TIMESTAMP_HEADER = "X-CAC-Timestamp"
REPORT_HEADER = "X-CAC-Report-Id"
REPORTED = {OemReport.Kind.STATUS: "oem_status_reported_at", OemReport.Kind.RESULT: "oem_result_reported_at"}
RESULT_READY = {Status.RESOLVED, Status.CLOSED}


class OemDeliveryFailed(Exception):
    """The OEM's endpoint did not take the report (not a 2xx, a timeout, a refused connection, a failed mail)."""


def sign(*, secret: str, timestamp: str, body: bytes) -> str:
    """HMAC-SHA256 of `timestamp.body`: the receiver recomputes it and refuses old timestamps (replay)."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def report_key(complaint_id: int, kind: str) -> str:
    return f"complaint:{complaint_id}:oem-{kind}"


def _ready(complaint: Complaint, kind: str, calendar: BusinessCalendar, now: datetime) -> bool:
    if kind == OemReport.Kind.STATUS:
        due = calendar.end_of_business_day(complaint.received_at)
        return complaint.status != Status.NEW or now >= due - ACKNOWLEDGE_DUE_SOON
    due = calendar.add_working_days(complaint.received_at, OEM_RESULT_WORKING_DAYS)
    return complaint.status in RESULT_READY or now >= due - DUE_SOON


def oem_reports_queue(*, now: datetime | None = None) -> int:
    """Make the outbox rows of the reports that are ready, and send each after the commit; send again the rows a
    lost task left pending. Safe to run twice or at once. Returns the rows made now."""
    now = now or timezone.now()
    owed = Q()
    for kind, field in REPORTED.items():
        made = OemReport.objects.filter(complaint=OuterRef("pk"), kind=kind)
        owed |= Q(**{f"{field}__isnull": True}) & ~Exists(made)
    candidates = (
        # Older cases are left to the people who handled them: switching the outbox on sends no backlog.
        Complaint.objects.filter(
            channel__in=OEM_CHANNELS, received_at__gte=now - timedelta(days=settings.OEM_REPORT_MAX_AGE_DAYS)
        )
        .exclude(status=Status.CANCELLED)
        .filter(owed)
        .select_related("dealer")
        .prefetch_related("dealer__holidays")
        .order_by("pk")
    )
    calendars: dict[int, BusinessCalendar] = {}
    rows = []
    for complaint in candidates.iterator(chunk_size=500):
        if complaint.dealer_id not in calendars:
            calendars[complaint.dealer_id] = BusinessCalendar.for_dealer(complaint.dealer)
        for kind, field in REPORTED.items():
            if getattr(complaint, field) is None and _ready(complaint, kind, calendars[complaint.dealer_id], now):
                rows.append(
                    OemReport(
                        dealer_id=complaint.dealer_id,
                        complaint=complaint,
                        kind=kind,
                        key=report_key(complaint.pk, kind),
                    )
                )
    with transaction.atomic():
        keys = [row.key for row in rows]
        existing = set(OemReport.objects.filter(key__in=keys).values_list("key", flat=True))
        OemReport.objects.bulk_create([row for row in rows if row.key not in existing], ignore_conflicts=True)
        stale = now - timedelta(seconds=settings.OEM_REPORT_STALE_SECONDS)
        to_send = list(
            OemReport.objects.filter(
                Q(key__in=set(keys) - existing, attempts=0) | Q(state=OemReport.State.PENDING, updated_at__lt=stale)
            ).values_list("pk", flat=True)
        )
        for report_id in to_send:
            enqueue_on_commit("api.tasks.oem_report_send", report_id=report_id)
    return len(rows) - len(existing)


def _payload(report: OemReport) -> dict:
    from api.selectors import _with_details
    from api.serializers import ComplaintOut

    complaint = _with_details(
        [Complaint.objects.select_related("dealer", "customer__dealer", "vehicle").get(pk=report.complaint_id)]
    )[0]
    return {
        "report_id": report.key,
        "report": report.kind,
        "dealer": complaint.dealer.code,
        "complaint": ComplaintOut(complaint).data,
        "customer_response": _customer_response(complaint),
    }


def _customer_response(complaint: Complaint) -> dict | None:
    """What the customer said at the follow-up call after the complaint, if it was made."""
    from callbacks.models import Callback, Kind

    call = (
        Callback.objects.filter(complaint=complaint, kind=Kind.AFTER_COMPLAINT, completed_at__isnull=False)
        .order_by("-completed_at")
        .first()
    )
    if call is None:
        return None
    return {"satisfaction": call.satisfaction, "remarks": call.remarks, "at": call.completed_at.isoformat()}


def _post(oem: DealerOemSettings, payload: dict, report: OemReport) -> None:
    body = json.dumps(payload, ensure_ascii=False, sort_keys=True).encode()
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: sign(secret=oem.webhook_secret, timestamp=timestamp, body=body),
        REPORT_HEADER: report.key,
    }
    try:
        response = requests.post(oem.webhook_url, data=body, headers=headers, timeout=settings.OEM_WEBHOOK_TIMEOUT)
    except requests.RequestException as exc:
        raise OemDeliveryFailed(f"{type(exc).__name__}: {exc}"[:500]) from exc
    if not 200 <= response.status_code < 300:
        raise OemDeliveryFailed(f"HTTP {response.status_code}: {response.text[:200]}")


def _mail(oem: DealerOemSettings, payload: dict, report: OemReport) -> None:
    with translation.override(oem.language):
        complaint = payload["complaint"]
        subject = _("%(report)s: complaint %(number)s (OEM %(reference)s)") % {
            "report": OemReport.Kind(report.kind).label,
            "number": complaint["number"],
            "reference": complaint["oem_reference"] or "—",
        }
        body = render_to_string(
            "api/oem_report_email.txt",
            {
                "report": report,
                "complaint": report.complaint,
                "payload": payload,
                "steps": complaint["steps"],
                "response": payload["customer_response"],
                "oem": oem,
            },
        )
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [oem.report_email])
    except (SMTPException, OSError) as exc:
        raise OemDeliveryFailed(f"{type(exc).__name__}: {exc}"[:500]) from exc


def oem_report_deliver(*, report_id: int) -> bool:
    """Send one report unless it was sent. Returns True when sent now or before; raises OemDeliveryFailed (kept
    on the row) when the OEM did not take it, so that the task retries."""
    with transaction.atomic():
        report = OemReport.objects.select_for_update().select_related("complaint", "dealer").get(pk=report_id)
        if report.state == OemReport.State.SENT:
            return True
        oem = DealerOemSettings.objects.filter(dealer_id=report.dealer_id).first()
        error = ""
        channel = ""
        if oem is not None and oem.webhook_url:
            channel = OemReport.Channel.WEBHOOK
        elif oem is not None and oem.report_email:
            channel = OemReport.Channel.EMAIL
        else:
            error = _("No OEM webhook or regional contact is configured for this dealer.")
        if channel:
            try:
                payload = _payload(report)
                (_post if channel == OemReport.Channel.WEBHOOK else _mail)(oem, payload, report)
            except OemDeliveryFailed as exc:
                error = str(exc)
        report.attempts += 1
        report.channel = channel
        if not error:
            now = timezone.now()
            report.state, report.sent_at, report.last_error = OemReport.State.SENT, now, ""
            report.save(update_fields=["attempts", "channel", "state", "sent_at", "last_error", "updated_at"])
            complaint_mark_oem_reported(complaint_id=report.complaint_id, report=report.kind, at=now, acting_user=None)
            return True
        report.state, report.last_error = OemReport.State.FAILED, error[:500]
        report.save(update_fields=["attempts", "channel", "state", "last_error", "updated_at"])
    logger.warning("Report %s to the OEM failed (attempt %s): %s", report.key, report.attempts, error)
    raise OemDeliveryFailed(error)


@transaction.atomic
def oem_report_resend(*, report_id: int, acting_user) -> OemReport:
    """A manager sends a failed report again (their dealers only; a sent report is not sent twice)."""
    from cac.desk.selectors import dealer_ids

    report = OemReport.objects.select_for_update().get(pk=report_id, dealer_id__in=dealer_ids(user=acting_user))
    if report.state != OemReport.State.SENT:
        report.state = OemReport.State.PENDING
        report.save(update_fields=["state", "updated_at"])
        enqueue_on_commit("api.tasks.oem_report_send", report_id=report.pk)
    return report
