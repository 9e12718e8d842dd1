"""Sending SMS: templates, the queue and the gateways' receipts.

Chinese SMS gateways send a registered signature (签名) and a registered template filled with parameters, never
free text. A workflow names the purpose and the parameters (`sms_send`); the dealer's template of that purpose (or
the group's, `SmsTemplate`) gives the signature, the text shown in the CAC and the gateway's template code.

Guarantees:
- `sms_send` writes the message `queued` in the caller's transaction and hands it to a worker only after the commit
  (a rolled-back step sends nothing).
- `sms_deliver` (the worker) sends a queued message at most once: it locks the row, skips it when another worker holds
  it or when it is no longer queued, and records the gateway's message id in the same transaction. A temporary failure
  (a 5xx, a timeout, a connection refused) leaves it queued for the task's next retry; a refusal or the last retry
  makes it `failed`. (A worker killed between the gateway's acceptance and the commit leaves the message queued, and
  the task, redelivered, sends it again: the message id goes along as Alibaba Cloud's OutId and Tencent Cloud's
  SessionContext, so the gateway's records show such a repeat.)
- `sms_receipt_record` applies a gateway's delivery receipt once: `sent → delivered | failed`; a repeated or unknown
  receipt changes nothing.

The backend is settings.CAC_SMS_BACKEND: the log (default), the memory outbox (tests), Alibaba Cloud or Tencent Cloud
(`cac/deadlines/sms_gateways.py`)."""

import logging
from dataclasses import dataclass, field
from datetime import datetime
from string import Template

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.module_loading import import_string

from cac.models import Customer, Dealer, SmsMessage, SmsTemplate, User
from cac.platform.history import save_with_history
from cac.platform.queue import enqueue_on_commit
from cac.platform.validation import check_choices

logger = logging.getLogger(__name__)

DELIVER_TASK = "cac.tasks.sms_deliver_task"


class SmsError(Exception):
    """The gateway refused the message: sending it again would not help."""


class SmsTemporaryError(SmsError):
    """The gateway could not be reached or failed on its side (5xx, timeout): try again later."""


@dataclass(frozen=True)
class SmsRequest:
    """What a gateway is given: the registered signature, the template's code for that gateway, its parameters in
    the template's order, and the text they make (for the log)."""

    message_id: int
    phone: str
    signature: str
    template_code: str
    parameters: list[tuple[str, str]] = field(default_factory=list)
    text: str = ""


class SmsBackend:
    """A gateway. `vendor` picks the template's code (SmsTemplate.template_code)."""

    vendor = ""

    def send(self, request: SmsRequest) -> str:
        """Send one message; return the gateway's message id, or raise SmsError / SmsTemporaryError."""
        raise NotImplementedError


class LogSmsBackend(SmsBackend):
    """Development and demo: the message goes to the log only."""

    vendor = "log"

    def send(self, request: SmsRequest) -> str:
        logger.info("SMS to %s: %s", request.phone, request.text)
        return f"log-{request.message_id}"


class MemorySmsBackend(SmsBackend):
    """Tests: requests are kept in `outbox`."""

    vendor = "memory"
    outbox: list[SmsRequest] = []  # noqa: RUF012 - shared on purpose, like Django's mail.outbox

    def send(self, request: SmsRequest) -> str:
        MemorySmsBackend.outbox.append(request)
        return f"memory-{request.message_id}"


def get_backend() -> SmsBackend:
    return import_string(settings.CAC_SMS_BACKEND)()


def sms_template_for(*, dealer: Dealer, purpose: str) -> SmsTemplate | None:
    """The dealer's template of `purpose`, else the group's."""
    return (
        SmsTemplate.objects.filter(Q(dealer=dealer) | Q(dealer__isnull=True), purpose=purpose)
        .order_by(F("dealer_id").asc(nulls_last=True))  # the dealer's own row first, on every database
        .first()
    )


def sms_render(*, template: SmsTemplate, parameters: dict[str, str]) -> str:
    """The text the customer reads: the gateway puts the signature in 【】 before the filled template."""
    return f"【{template.signature}】{Template(template.body).safe_substitute(parameters)}"


def _ordered(template: SmsTemplate | None, parameters: dict[str, str]) -> list[tuple[str, str]]:
    names = list(template.parameters) if template is not None and template.parameters else sorted(parameters)
    return [(name, str(parameters.get(name, ""))) for name in names]


def sms_send(
    *,
    dealer: Dealer,
    phone: str,
    purpose: str,
    parameters: dict[str, str],
    customer: Customer | None = None,
    acting_user: User | None = None,
) -> SmsMessage:
    """Queue the SMS of `purpose` to `phone`, rendered from its template, to be sent by a worker after the commit.
    Without a template the message is recorded as failed: the workflow goes on."""
    template = sms_template_for(dealer=dealer, purpose=purpose)
    parameters = {name: str(value) for name, value in parameters.items()}
    message = SmsMessage(
        dealer=dealer,
        customer=customer,
        phone=phone,
        purpose=purpose,
        template=template,
        parameters=parameters,
        sent_by=acting_user,
    )
    if template is None:
        message.text = " ".join(value for _name, value in _ordered(None, parameters))[:500]
        message.refuse(gateway="", error=f"No SMS template for {purpose}")
    else:
        message.signature = template.signature
        message.text = sms_render(template=template, parameters=parameters)[:500]
    check_choices(message)
    message._history_user = acting_user
    message._change_reason = f"queued: {purpose}" if template is not None else f"no template: {purpose}"
    message.save()
    if message.status == SmsMessage.Status.QUEUED:
        enqueue_on_commit(DELIVER_TASK, message_id=message.pk)
    return message


def sms_deliver(*, message_id: int, final_attempt: bool = True) -> SmsMessage | None:
    """Hand one queued message to the gateway (the worker's step). Returns the message, or None when there was
    nothing to do (not queued any more, or another worker holds it). Raises SmsTemporaryError, after recording the
    attempt, when the gateway failed temporarily and this was not the final attempt."""
    temporary: SmsTemporaryError | None = None
    with transaction.atomic():
        message = (
            SmsMessage.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("template")
            .filter(pk=message_id, status=SmsMessage.Status.QUEUED)
            .first()
        )
        if message is None:
            return None
        backend = get_backend()
        message.attempts += 1
        template = message.template
        request = SmsRequest(
            message_id=message.pk,
            phone=message.phone,
            signature=message.signature,
            template_code=template.template_code(backend.vendor) if template is not None else "",
            parameters=_ordered(template, message.parameters),
            text=message.text,
        )
        fields = ["attempts", "gateway", "gateway_reference", "handed_over_at", "error", "status"]
        try:
            reference = backend.send(request)
        except SmsTemporaryError as exc:
            logger.warning("SMS %s: the gateway failed (attempt %s): %s", message.pk, message.attempts, exc)
            if not final_attempt:
                message.error = str(exc)[:300]
                save_with_history(message, acting_user=None, reason="gateway failed, retrying", fields=fields)
                temporary = exc
            else:
                message.refuse(gateway=backend.vendor, error=str(exc))
                save_with_history(message, acting_user=None, reason="gateway failed, no retry left", fields=fields)
        except SmsError as exc:
            logger.warning("SMS %s refused by the gateway: %s", message.pk, exc)
            message.refuse(gateway=backend.vendor, error=str(exc))
            save_with_history(message, acting_user=None, reason="refused by the gateway", fields=fields)
        else:
            message.hand_over(gateway=backend.vendor, reference=reference, at=timezone.now())
            save_with_history(message, acting_user=None, reason="handed to the gateway", fields=fields)
    if temporary is not None:
        raise temporary
    return message


@dataclass(frozen=True)
class SmsReceipt:
    """One delivery receipt of a gateway, in the CAC's words."""

    reference: str
    delivered: bool
    code: str
    description: str = ""
    at: datetime | None = None


@transaction.atomic
def sms_receipt_record(*, gateway: str, receipts: list[SmsReceipt]) -> int:
    """Apply the receipts of `gateway`; returns how many messages changed. Idempotent: a receipt for a message that
    is no longer `sent` (already delivered or failed) or that the CAC never sent changes nothing."""
    by_reference = {receipt.reference: receipt for receipt in receipts}
    messages = SmsMessage.objects.select_for_update().filter(
        gateway=gateway, gateway_reference__in=list(by_reference), status=SmsMessage.Status.SENT
    )
    changed = 0
    for message in messages:
        receipt = by_reference[message.gateway_reference]
        at = receipt.at or timezone.now()
        if receipt.delivered:
            message.deliver(at=at, code=receipt.code)
        else:
            message.undeliverable(at=at, code=receipt.code, error=receipt.description or receipt.code)
        save_with_history(
            message,
            acting_user=None,
            reason=f"receipt: {receipt.code}",
            fields=["status", "reported_at", "receipt_code", "error"],
        )
        changed += 1
    return changed
