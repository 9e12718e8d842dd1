"""Sending SMS through a pluggable gateway. The default backend writes to the log; a real gateway implements
`SmsBackend.send` and is named in settings.CAC_SMS_BACKEND. Every message is recorded as an SmsMessage."""

import logging
from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string

from cac.models import Customer, Dealer, SmsMessage, User
from cac.platform.validation import check_choices

logger = logging.getLogger(__name__)


class SmsError(Exception):
    """The gateway refused or failed to send."""


@dataclass
class SmsBackend:
    def send(self, *, phone: str, text: str) -> str:
        """Send one message; return the gateway's reference, or raise SmsError."""
        raise NotImplementedError


class LogSmsBackend(SmsBackend):
    """Development and demo: the message goes to the log only."""

    def send(self, *, phone: str, text: str) -> str:
        logger.info("SMS to %s: %s", phone, text)
        return f"log-{phone}"


class MemorySmsBackend(SmsBackend):
    """Tests: messages are kept in `outbox`."""

    outbox: list[tuple[str, str]] = []  # noqa: RUF012 - shared on purpose, like Django's mail.outbox

    def send(self, *, phone: str, text: str) -> str:
        MemorySmsBackend.outbox.append((phone, text))
        return f"memory-{len(MemorySmsBackend.outbox)}"


def get_backend() -> SmsBackend:
    return import_string(settings.CAC_SMS_BACKEND)()


def sms_send(
    *,
    dealer: Dealer,
    phone: str,
    text: str,
    purpose: str,
    customer: Customer | None = None,
    acting_user: User | None = None,
) -> SmsMessage:
    """Send an SMS and record it, sent or failed. A failure is recorded, not raised: the workflow goes on."""
    message = SmsMessage(
        dealer=dealer, customer=customer, phone=phone, text=text[:500], purpose=purpose, sent_by=acting_user
    )
    try:
        message.gateway_reference = get_backend().send(phone=phone, text=message.text)[:100]
        message.status = SmsMessage.Status.SENT
    except SmsError as exc:
        message.status = SmsMessage.Status.FAILED
        message.error = str(exc)[:300]
        logger.warning("SMS to %s failed: %s", phone, exc)
    check_choices(message)
    message.save()
    return message
