"""The integration API's own records: who may call it (keys), what they did (the access log), which creates were
already made (idempotency claims), each dealer's OEM contacts and endpoint, and every report sent to the OEM."""

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cac.models import Dealer, TimeStampedModel
from cac.platform.validation import choices_enforced


class Scope(models.TextChoices):
    CUSTOMERS_READ = "customers:read", _("Look customers up")
    CALLS_WRITE = "calls:write", _("Record calls")
    COMPLAINTS_READ = "complaints:read", _("Read complaints")
    COMPLAINTS_WRITE = "complaints:write", _("Create complaints")
    PROSPECTS_WRITE = "prospects:write", _("Create prospects")


class ApiKey(TimeStampedModel):
    """One integration's key (the OEM CAC, a CTI server, a DMS). Only a hash is kept; the key is shown once."""

    name = models.CharField(_("name"), max_length=100)
    dealers = models.ManyToManyField(Dealer, related_name="api_keys", verbose_name=_("dealers"))
    scopes = models.JSONField(_("scopes"), default=list)
    prefix = models.CharField(_("key prefix"), max_length=16, unique=True, editable=False)
    key_hash = models.CharField(_("key hash"), max_length=64, editable=False)
    # The key acts as this account in the services: its dealers and permissions are the key's.
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="api_key",
        editable=False,
        verbose_name=_("acts as"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("created by"),
    )
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class ApiAccessLog(models.Model):
    """One row per API request."""

    key = models.ForeignKey(
        ApiKey, on_delete=models.SET_NULL, null=True, blank=True, related_name="requests", verbose_name=_("API key")
    )
    method = models.CharField(_("method"), max_length=8)
    endpoint = models.CharField(_("endpoint"), max_length=300)
    status = models.PositiveSmallIntegerField(_("status"))
    at = models.DateTimeField(_("at"), default=timezone.now)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"))

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("API request")
        verbose_name_plural = _("API requests")
        indexes = [models.Index(fields=["key", "-at"], name="api_access_key_at")]

    def __str__(self) -> str:
        return f"{self.method} {self.endpoint} {self.status}"


@choices_enforced
class IdempotencyClaim(models.Model):
    """A create already made: the same OEM reference, CTI call id, OEM lead id or Idempotency-Key header of the
    same dealer returns this record. The unique constraint decides between two requests that race."""

    class Kind(models.TextChoices):
        CALL = "call", _("Call")
        COMPLAINT = "complaint", _("Complaint")
        PROSPECT = "prospect", _("Prospect")

    dealer = models.ForeignKey(Dealer, on_delete=models.CASCADE, related_name="+", verbose_name=_("dealer"))
    kind = models.CharField(_("kind"), max_length=12, choices=Kind)
    key = models.CharField(_("key"), max_length=200)
    object_id = models.BigIntegerField(_("record"), null=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("idempotency claim")
        verbose_name_plural = _("idempotency claims")
        constraints = [models.UniqueConstraint(fields=["dealer", "kind", "key"], name="unique_idempotency_claim")]

    def __str__(self) -> str:
        return f"{self.kind} {self.key}"


@choices_enforced
class DealerOemSettings(TimeStampedModel):
    """Where a dealer's reports to the carmaker go: the OEM contacts (厂家CAC, 区域经理, 区域工程师) and, when the
    OEM offers one, the webhook that takes the reports as signed JSON."""

    dealer = models.OneToOneField(
        Dealer, on_delete=models.CASCADE, related_name="oem_settings", verbose_name=_("dealer")
    )
    language = models.CharField(
        _("language of the reports"), max_length=10, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    cac_name = models.CharField(_("OEM CAC contact"), max_length=60, blank=True)
    cac_email = models.EmailField(_("OEM CAC e-mail"), blank=True)
    regional_manager_name = models.CharField(_("regional manager"), max_length=60, blank=True)
    regional_manager_email = models.EmailField(_("regional manager's e-mail"), blank=True)
    regional_engineer_name = models.CharField(_("regional engineer"), max_length=60, blank=True)
    regional_engineer_email = models.EmailField(_("regional engineer's e-mail"), blank=True)
    after_sales_name = models.CharField(_("OEM after-sales contact"), max_length=60, blank=True)
    after_sales_email = models.EmailField(
        _("OEM after-sales contact's e-mail"),
        blank=True,
        help_text=_("The closing report goes here (厂家售后区域负责人); empty: to the regional manager."),
    )
    progress_report_days = models.PositiveSmallIntegerField(
        _("progress report every (working days)"),
        default=2,
        validators=[MaxValueValidator(30)],
        help_text=_("How often the OEM hears how a long-running major complaint stands; 0: never."),
    )
    webhook_url = models.URLField(
        _("report webhook URL"), blank=True, help_text=_("Empty: the reports go by e-mail to the regional manager.")
    )
    webhook_secret = models.CharField(
        _("webhook signing secret"), max_length=200, blank=True, help_text=_("Shared with the OEM; signs each body.")
    )

    class Meta:
        verbose_name = _("OEM contacts and endpoint")
        verbose_name_plural = _("OEM contacts and endpoints")

    def __str__(self) -> str:
        return str(self.dealer)

    @property
    def report_email(self) -> str:
        """The seed's way: the reports go to the OEM regional contact, the OEM CAC where no region is named."""
        return self.regional_manager_email or self.cac_email

    def email_for(self, kind: str) -> str:
        """Who receives a report by e-mail: the pre-report goes to the OEM CAC (预报CAC), the closing report to the
        after-sales contact (附件11), an escalation to the regional manager, the rest to the regional contact."""
        if kind == OemReport.Kind.PRE_REPORT:
            return self.cac_email or self.report_email
        if kind == OemReport.Kind.CLOSING:
            return self.after_sales_email or self.report_email
        if kind == OemReport.Kind.ESCALATION:
            return self.regional_manager_email or self.cac_email
        return self.report_email


@choices_enforced
class OemReport(TimeStampedModel):
    """One report to the OEM about one complaint (an outbox row): made once per complaint and report key (one per
    kind; a progress report once per period), sent by a task with retries, marked sent on a 2xx or a sent e-mail."""

    class Kind(models.TextChoices):
        PRE_REPORT = "pre_report", _("Pre-report (预报)")
        STATUS = "status", _("Same-day status report")
        RESULT = "result", _("Result report")
        PROGRESS = "progress", _("Progress report")
        FINAL_RESULT = "final_result", _("Final result report")
        CLOSING = "closing", _("Closing report")
        ESCALATION = "escalation", _("Escalation to the OEM region")

    class Channel(models.TextChoices):
        WEBHOOK = "webhook", _("Webhook")
        EMAIL = "email", _("E-mail")

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    dealer = models.ForeignKey(Dealer, on_delete=models.PROTECT, related_name="+", verbose_name=_("dealer"))
    complaint = models.ForeignKey(
        "complaints.Complaint", on_delete=models.CASCADE, related_name="oem_reports", verbose_name=_("complaint")
    )
    kind = models.CharField(_("report"), max_length=12, choices=Kind)
    key = models.CharField(_("report key"), max_length=100, unique=True)
    channel = models.CharField(_("sent by"), max_length=8, choices=Channel, blank=True)
    state = models.CharField(_("state"), max_length=8, choices=State, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    recipient = models.CharField(_("sent to"), max_length=300, blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("report to the OEM")
        verbose_name_plural = _("reports to the OEM")
        indexes = [models.Index(fields=["dealer", "state"], name="oem_report_dealer_state")]
        constraints = [
            models.CheckConstraint(condition=~Q(state="sent") | Q(sent_at__isnull=False), name="oem_report_sent_at")
        ]

    def __str__(self) -> str:
        return self.key


class ComplaintEvent(models.TextChoices):
    CREATED = "created", _("Complaint created")
    STATUS_CHANGED = "status_changed", _("Status changed")
    CLOSED = "closed", _("Complaint closed")


def all_events() -> list[str]:
    return list(ComplaintEvent.values)


@choices_enforced
class WebhookEndpoint(TimeStampedModel):
    """Another system of the dealer (a DMS, a BI tool) told of its complaints as they change, by signed JSON."""

    dealer = models.ForeignKey(
        Dealer, on_delete=models.CASCADE, related_name="webhook_endpoints", verbose_name=_("dealer")
    )
    name = models.CharField(_("name"), max_length=100)
    url = models.URLField(_("URL"))
    secret = models.CharField(
        _("signing secret"), max_length=200, help_text=_("Shared with the receiver; signs each body.")
    )
    events = models.JSONField(_("events"), default=all_events)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["dealer", "name"]
        verbose_name = _("webhook for other systems")
        verbose_name_plural = _("webhooks for other systems")

    def __str__(self) -> str:
        return f"{self.name} ({self.dealer})"


@choices_enforced
class WebhookDelivery(TimeStampedModel):
    """One event of one complaint for one endpoint (an outbox row): the body is kept as it was at the event, sent
    once by a task with retries, marked sent on a 2xx."""

    dealer = models.ForeignKey(Dealer, on_delete=models.PROTECT, related_name="+", verbose_name=_("dealer"))
    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("webhook")
    )
    complaint = models.ForeignKey(
        "complaints.Complaint", on_delete=models.CASCADE, related_name="webhook_deliveries", verbose_name=_("complaint")
    )
    event = models.CharField(_("event"), max_length=16, choices=ComplaintEvent)
    key = models.CharField(_("delivery key"), max_length=100, unique=True)
    payload = models.JSONField(_("body"))
    state = models.CharField(_("state"), max_length=8, choices=OemReport.State, default=OemReport.State.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    State = OemReport.State

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        indexes = [models.Index(fields=["dealer", "state"], name="webhook_delivery_dealer_state")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(state="sent") | Q(sent_at__isnull=False), name="webhook_delivery_sent_at"
            )
        ]

    def __str__(self) -> str:
        return self.key
