"""The reports to the OEM go out by themselves: the OEM loop of seed 000 (§五, §七).

Every minute `oem_reports_queue` makes the reports that are ready into outbox rows, one per report key
(`OemReport.key` is unique, so a rerun or a second beat makes none twice):

- for a complaint on an OEM channel (the OEM's hotline, website, product-quality survey, and its third-party CSI
  survey) the dual clock the deadline sweep watches (`oem_status_reported_at`, `oem_result_reported_at`): the
  **status report** once the complaint is acknowledged, or at the latest when its same-day deadline comes near; the
  **result report** once it is resolved or closed, or at the latest when its 3-working-day deadline comes near (it
  then says where the case stands: waiting for parts or an appointment), and then, once it is finally resolved,
  the **final result report** (§五.6);
- the **pre-report** (预报, §五.1) of a major, special (the press, a regulator) or emergency complaint the dealer
  received directly (walk-in, its own line ...), as soon as it is opened;
- a **progress report** on a major or emergency complaint the OEM knows of (from its channel or pre-reported) for
  every `progress_report_days` working days it stays unresolved (§五.5), the one of the current period only;
- the **closing report** to the OEM's after-sales contact when a complaint the OEM knows of closes (§七, 附件11);
- the **escalation** to the OEM region to the regional manager, by the same path: one for each authorisation a
  manager asks of the region (complaints.AuthorityRequest, seed 000 §五.7), with what is asked; the deadline sweep
  never sends a complaint there.

`oem_report_send` delivers one row: a webhook POST of signed JSON where the dealer has one, else an e-mail to the
contact of the report's kind (`DealerOemSettings.email_for`) in the dealer's language. It holds the row locked while
it sends, so two runs never send the same report twice; a 2xx or a sent e-mail marks the row sent and, for the
status and result reports, sets the complaint's reported-at mark through complaints.services. A failure is kept on
the row (shown on the complaint and in the outbox) and retried with backoff by Celery; a manager may send it again.
"""

import logging
from datetime import datetime, timedelta
from smtplib import SMTPException

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from api.models import DealerOemSettings, OemReport
from api.signing import REPORT_HEADER, DeliveryFailed, post_signed
from cac.platform.business_time import BusinessCalendar
from cac.platform.queue import enqueue_on_commit
from complaints.deadlines import ACKNOWLEDGE_DUE_SOON, DUE_SOON
from complaints.figures import oem_report_deadlines
from complaints.models import (
    OEM_CHANNELS,
    UNRESOLVED_STATUSES,
    AuthorityRequest,
    Channel,
    Complaint,
    Severity,
    Status,
)
from complaints.services import complaint_mark_oem_reported

logger = logging.getLogger(__name__)

REPORTED = {OemReport.Kind.STATUS: "oem_status_reported_at", OemReport.Kind.RESULT: "oem_result_reported_at"}
RESULT_READY = {Status.RESOLVED, Status.CLOSED}
# 重大、特殊、紧急: major and emergency by severity; special when the press or a regulator is involved.
PRE_REPORT_SEVERITIES = {Severity.MAJOR, Severity.EMERGENCY}
SPECIAL_CHANNELS = {Channel.MEDIA, Channel.REGULATOR}
PROGRESS_SEVERITIES = {Severity.MAJOR, Severity.EMERGENCY}
# How far back a long-running major complaint is still followed with progress reports.
PROGRESS_MAX_AGE_DAYS = 366
DEFAULT_PROGRESS_REPORT_DAYS = 2
# Who at the OEM each report is for (the webhook receives it too, to route it).
CONTACT_ROLES = {
    OemReport.Kind.PRE_REPORT: "cac",
    OemReport.Kind.CLOSING: "after_sales",
    OemReport.Kind.ESCALATION: "regional_manager",
}


# The OEM's endpoint did not take the report.
OemDeliveryFailed = DeliveryFailed


def report_key(complaint_id: int, kind: str, period: int | None = None) -> str:
    suffix = f"-{period}" if period is not None else ""
    return f"complaint:{complaint_id}:oem-{kind}{suffix}"


def is_pre_reportable(complaint: Complaint) -> bool:
    """A complaint the dealer received directly that the OEM CAC must hear of at once (§五.1)."""
    return complaint.channel not in OEM_CHANNELS and (
        complaint.severity in PRE_REPORT_SEVERITIES or complaint.channel in SPECIAL_CHANNELS
    )


def _working_days_elapsed(calendar: BusinessCalendar, since: datetime, now: datetime) -> int:
    """How many working days after the day of `since` have closed by `now`."""
    day, count = since.astimezone(calendar.zone).date(), 0
    for _day in range(PROGRESS_MAX_AGE_DAYS):
        day = calendar.next_working_day(day)
        if calendar.closing(day) > now:
            break
        count += 1
    return count


def report_period(key: str) -> int | None:
    """The period of a report key (`…-oem-progress-2` → 2; an escalation's is its authorisation request)."""
    tail = key.rsplit("-", 1)[-1]
    return int(tail) if tail.isdigit() else None


def _owed(
    complaint: Complaint,
    *,
    made: dict[str, datetime],
    calendar: BusinessCalendar,
    cadence: int,
    now: datetime,
    asked: list[int] = (),
) -> list[tuple[str, int | None]]:
    """The (kind, period) of the reports this complaint owes now that have no row yet."""
    recent = now - timedelta(days=settings.OEM_REPORT_MAX_AGE_DAYS)
    oem_channel = complaint.channel in OEM_CHANNELS
    owed: list[tuple[str, int | None]] = []
    if complaint.received_at >= recent:
        if oem_channel:
            status_due, result_due = oem_report_deadlines(calendar, complaint.received_at)
            if complaint.oem_status_reported_at is None and (
                complaint.status != Status.NEW or now >= status_due - ACKNOWLEDGE_DUE_SOON
            ):
                owed.append((OemReport.Kind.STATUS, None))
            if complaint.oem_result_reported_at is None and (
                complaint.status in RESULT_READY or now >= result_due - DUE_SOON
            ):
                owed.append((OemReport.Kind.RESULT, None))
        elif is_pre_reportable(complaint):
            owed.append((OemReport.Kind.PRE_REPORT, None))
    oem_knows = oem_channel or report_key(complaint.pk, OemReport.Kind.PRE_REPORT) in made
    result_made = made.get(report_key(complaint.pk, OemReport.Kind.RESULT))
    if (
        oem_channel
        and complaint.status in RESULT_READY
        and result_made is not None
        and complaint.resolved_at is not None
        and complaint.resolved_at > result_made
        and complaint.resolved_at >= recent
    ):
        owed.append((OemReport.Kind.FINAL_RESULT, None))  # the result went out while the case still waited
    if oem_knows and complaint.status == Status.CLOSED and complaint.closed_at and complaint.closed_at >= recent:
        owed.append((OemReport.Kind.CLOSING, None))
    owed += [(OemReport.Kind.ESCALATION, request_id) for request_id in asked]  # each recent authorisation asked
    if (
        oem_knows
        and cadence > 0
        and complaint.severity in PROGRESS_SEVERITIES
        and complaint.status in UNRESOLVED_STATUSES
    ):
        period = _working_days_elapsed(calendar, complaint.received_at, now) // cadence
        if period >= 1:
            owed.append((OemReport.Kind.PROGRESS, period))
    return [(kind, period) for kind, period in owed if report_key(complaint.pk, kind, period) not in made]


def oem_reports_queue(*, now: datetime | None = None) -> int:
    """Make the outbox rows of the reports that are ready, and send each after the commit; send again the rows a
    lost task left pending. Safe to run twice or at once. Returns the rows made now."""
    now = now or timezone.now()
    # Older cases are left to the people who handled them: switching the outbox on sends no backlog.
    recent = now - timedelta(days=settings.OEM_REPORT_MAX_AGE_DAYS)
    asked_recently = Exists(AuthorityRequest.objects.filter(complaint=OuterRef("pk"), requested_at__gte=recent))
    concerned = (
        Q(channel__in=OEM_CHANNELS)
        | Q(severity__in=PRE_REPORT_SEVERITIES)
        | Q(channel__in=SPECIAL_CHANNELS)
        | asked_recently
    )
    moving = (
        Q(received_at__gte=recent)
        | Q(resolved_at__gte=recent)
        | Q(closed_at__gte=recent)
        | Q(
            status__in=UNRESOLVED_STATUSES,
            severity__in=PROGRESS_SEVERITIES,
            received_at__gte=now - timedelta(days=PROGRESS_MAX_AGE_DAYS),
        )
        | asked_recently
    )
    candidates = (
        Complaint.objects.filter(concerned & moving)
        .exclude(status=Status.CANCELLED)
        .select_related("dealer")
        .prefetch_related("dealer__holidays")
        .order_by("pk")
    )
    calendars: dict[int, BusinessCalendar] = {}
    cadences = dict(DealerOemSettings.objects.values_list("dealer_id", "progress_report_days"))
    rows = []
    for chunk in _chunks(candidates.iterator(chunk_size=500), 500):
        ids = [complaint.pk for complaint in chunk]
        made = dict(OemReport.objects.filter(complaint_id__in=ids).values_list("key", "created_at"))
        asked: dict[int, list[int]] = {}
        for complaint_id, request_id in (
            AuthorityRequest.objects.filter(complaint_id__in=ids, requested_at__gte=recent)
            .order_by("pk")
            .values_list("complaint_id", "pk")
        ):
            asked.setdefault(complaint_id, []).append(request_id)
        for complaint in chunk:
            if complaint.dealer_id not in calendars:
                calendars[complaint.dealer_id] = BusinessCalendar.for_dealer(complaint.dealer)
            owed = _owed(
                complaint,
                made=made,
                calendar=calendars[complaint.dealer_id],
                cadence=cadences.get(complaint.dealer_id, DEFAULT_PROGRESS_REPORT_DAYS),
                now=now,
                asked=asked.get(complaint.pk, []),
            )
            rows += [
                OemReport(
                    dealer_id=complaint.dealer_id,
                    complaint=complaint,
                    kind=kind,
                    key=report_key(complaint.pk, kind, period),
                )
                for kind, period in owed
            ]
    with transaction.atomic():
        keys = [row.key for row in rows]
        existing = set(OemReport.objects.filter(key__in=keys).values_list("key", flat=True))
        OemReport.objects.bulk_create([row for row in rows if row.key not in existing], ignore_conflicts=True)
        stale = now - timedelta(seconds=settings.OEM_REPORT_STALE_SECONDS)
        to_send = list(
            OemReport.objects.filter(
                Q(key__in=set(keys) - existing, attempts=0) | Q(state=OemReport.State.PENDING, updated_at__lt=stale)
            )
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        for report_id in to_send:
            enqueue_on_commit("api.tasks.oem_report_send", report_id=report_id)
    return len(rows) - len(existing)


def _chunks(iterable, size: int):
    chunk = []
    for item in iterable:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _payload(report: OemReport) -> dict:
    from api.selectors import _with_details
    from api.serializers import ComplaintOut

    complaint = _with_details(
        [Complaint.objects.select_related("dealer", "customer__dealer", "vehicle").get(pk=report.complaint_id)]
    )[0]
    payload = {
        "report_id": report.key,
        "report": report.kind,
        "dealer": complaint.dealer.code,
        "complaint": ComplaintOut(complaint).data,
        "customer_response": _customer_response(complaint),
    }
    if report.kind in CONTACT_ROLES:
        payload["for"] = CONTACT_ROLES[report.kind]
    if report.kind == OemReport.Kind.ESCALATION:
        authority = (
            AuthorityRequest.objects.select_related("requested_by")
            .filter(complaint_id=complaint.pk, pk=report_period(report.key))
            .first()
        )
        payload["escalation"] = (
            {
                "reason": "authority",
                "authorisation": authority.kind,
                "note": authority.request,
                "requested_by": str(authority.requested_by),
                "at": authority.requested_at.isoformat(),
            }
            if authority
            else None
        )
    return payload


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
    post_signed(
        url=oem.webhook_url,
        secret=oem.webhook_secret,
        payload=payload,
        id_header=REPORT_HEADER,
        delivery_id=report.key,
    )


def _mail_recipients(oem: DealerOemSettings, report: OemReport) -> tuple[list[str], list[str]]:
    """To the contact of the report's kind; the regional engineer in copy of an emergency's pre-report and
    escalation (§六: the engineer comes on site)."""
    to = [oem.email_for(report.kind)]
    cc = []
    if (
        report.kind in (OemReport.Kind.PRE_REPORT, OemReport.Kind.ESCALATION)
        and report.complaint.severity == Severity.EMERGENCY
        and oem.regional_engineer_email
        and oem.regional_engineer_email not in to
    ):
        cc.append(oem.regional_engineer_email)
    return to, cc


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
                "steps": [
                    {**step, "status": dict(Status.choices).get(step["status"], step["status"])}
                    for step in complaint["steps"]
                ],
                "response": payload["customer_response"],
                "oem": oem,
                "escalation": payload.get("escalation"),
                "authorisation": dict(AuthorityRequest.Kind.choices).get(
                    (payload.get("escalation") or {}).get("authorisation")
                ),
            },
        )
    to, cc = _mail_recipients(oem, report)
    try:
        EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, to, cc=cc).send()
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
        recipient = ""
        if oem is not None and oem.webhook_url:
            channel, recipient = OemReport.Channel.WEBHOOK, oem.webhook_url
        elif oem is not None and oem.email_for(report.kind):
            channel, recipient = OemReport.Channel.EMAIL, oem.email_for(report.kind)
        else:
            error = _("No OEM webhook or regional contact is configured for this dealer.")
        if channel:
            try:
                payload = _payload(report)
                (_post if channel == OemReport.Channel.WEBHOOK else _mail)(oem, payload, report)
            except OemDeliveryFailed as exc:
                error = str(exc)
        report.attempts += 1
        report.channel, report.recipient = channel, recipient[:300]
        fields = ["attempts", "channel", "recipient", "state", "last_error", "updated_at"]
        if not error:
            now = timezone.now()
            report.state, report.sent_at, report.last_error = OemReport.State.SENT, now, ""
            report.save(update_fields=[*fields, "sent_at"])
            if report.kind in REPORTED:
                complaint_mark_oem_reported(
                    complaint_id=report.complaint_id, report=report.kind, at=now, acting_user=None
                )
            return True
        report.state, report.last_error = OemReport.State.FAILED, error[:500]
        report.save(update_fields=fields)
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
