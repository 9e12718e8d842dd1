"""The shared core of the CAC: dealers, staff, customers, their vehicles and every call."""

from string import Template

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition
from simple_history.models import HistoricalRecords

from cac.desk.phones import format_mobile
from cac.platform.model_base import TimeStampedModel
from cac.platform.validation import choices_enforced
from cac.texts import render


class Dealer(TimeStampedModel):
    """A dealership (经销商). Every record of the CAC belongs to one."""

    code = models.CharField(_("code"), max_length=12, unique=True, help_text=_("Short code, e.g. GZ01."))
    name = models.CharField(_("name"), max_length=120)
    phone = models.CharField(_("service line"), max_length=20, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    time_zone = models.CharField(_("time zone"), max_length=40, default="Asia/Shanghai")
    opens_at = models.TimeField(_("opens at"), default="08:30")
    closes_at = models.TimeField(_("closes at"), default="18:00")
    works_on_weekends = models.BooleanField(_("open on weekends"), default=True)
    follow_up_days = models.PositiveSmallIntegerField(
        _("days to make a follow-up call"), default=3, help_text=_("After a sale, a repair or a resolved complaint.")
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = _("dealer")
        verbose_name_plural = _("dealers")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class DealerHoliday(models.Model):
    """A day of the dealer's own calendar, which overrides the state calendar and the weekend: closed (a holiday of
    its own, skipped by deadlines counted in working days) or, with `is_open`, open on a day the state calendar or
    the weekend would close."""

    dealer = models.ForeignKey(Dealer, on_delete=models.CASCADE, related_name="holidays", verbose_name=_("dealer"))
    date = models.DateField(_("date"))
    name = models.CharField(_("name"), max_length=60)
    is_open = models.BooleanField(
        _("open on this day"),
        default=False,
        help_text=_("Open although the state calendar or the weekend closes the day; unticked, the dealer is closed."),
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["date"]
        verbose_name = _("dealer holiday")
        verbose_name_plural = _("dealer holidays")
        constraints = [models.UniqueConstraint(fields=["dealer", "date"], name="unique_dealer_holiday")]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


class StateCalendarDay(models.Model):
    """A day China's official calendar sets apart from the plain week: a public holiday (closed, weekend days of a
    holiday week included) or a make-up working day (调休: a Saturday or Sunday worked). Loaded a year at a time
    from the chinesecalendar library by `load_state_calendar`; a year without rows is a plain week of weekends."""

    date = models.DateField(_("date"), unique=True)
    is_workday = models.BooleanField(_("working day"))
    name = models.CharField(_("name"), max_length=60)

    class Meta:
        ordering = ["date"]
        verbose_name = _("state calendar day")
        verbose_name_plural = _("state calendar days")

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


@choices_enforced
class User(AbstractUser):
    """A member of staff. Belongs to one dealer; OEM and regional staff may be given several."""

    dealers = models.ManyToManyField(Dealer, related_name="staff", blank=True, verbose_name=_("dealers"))
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    language = models.CharField(
        _("language"),
        max_length=10,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
        help_text=_("The language of the e-mails sent to this user."),
    )
    extension = models.CharField(
        _("extension"),
        max_length=20,
        blank=True,
        default="",
        db_default="",
        help_text=_("The extension (分机号) the phone system names this user by."),
    )
    # The account an integration (an API key) acts through: never a person, so never an owner, handler or caller.
    is_integration = models.BooleanField(_("integration account"), default=False, editable=False)

    # Roles and dealers too: "who gave this agent access to dealer B, and when" is in the history.
    history = HistoricalRecords(excluded_fields=["password", "last_login"], m2m_fields=["groups", "dealers"])

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def get_full_name(self) -> str:
        """Chinese names read family name first, without a space: 王芳."""
        first, last = self.first_name.strip(), self.last_name.strip()
        if any("\u4e00" <= ch <= "\u9fff" for ch in first + last):
            return f"{last}{first}"
        return f"{first} {last}".strip()


@choices_enforced
class Customer(TimeStampedModel):
    class ContactChannel(models.TextChoices):
        PHONE = "phone", _("Phone")
        SMS = "sms", _("SMS")
        MAIL = "mail", _("Mail")
        NONE = "none", _("No contact")

    dealer = models.ForeignKey(Dealer, on_delete=models.PROTECT, related_name="customers", verbose_name=_("dealer"))
    name = models.CharField(_("name"), max_length=60)
    mobile = models.CharField(_("mobile phone"), max_length=11, help_text=_("Stored as 11 digits."))
    other_phones = models.CharField(
        _("other phones"), max_length=120, blank=True, help_text=_("Separated by commas; stored normalized.")
    )
    preferred_channel = models.CharField(
        _("preferred contact channel"), max_length=8, choices=ContactChannel, default=ContactChannel.PHONE
    )
    consents_to_calls = models.BooleanField(_("consents to follow-up calls"), default=True)
    birthday = models.DateField(_("birthday"), null=True, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="adopted_customers",
        verbose_name=_("owner"),
        help_text=_("The member of staff responsible for all contact with this customer."),
    )
    notes = models.TextField(_("notes"), max_length=2000, blank=True)
    erased_at = models.DateTimeField(
        _("personal data erased at"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("On the customer's request: name, numbers, address and call contents were removed."),
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        permissions = [
            ("view_full_phone", _("Can see customers' whole phone numbers")),
            ("erase_customer", _("Can erase a customer's personal data on request")),
        ]
        constraints = [
            # An erased customer has no number: only numbers are unique.
            models.UniqueConstraint(
                fields=["dealer", "mobile"], condition=~Q(mobile=""), name="unique_customer_mobile_per_dealer"
            )
        ]
        indexes = [
            # With the id: the complaint search finds a dealer's customers by name from the index alone.
            models.Index(fields=["dealer", "name"], include=["id"], name="customer_dealer_name"),
            # The phone box searches by prefix (LIKE '138%'), which a default-collation index can't serve.
            models.Index(
                fields=["dealer", "mobile"],
                opclasses=["int8_ops", "varchar_pattern_ops"],
                name="customer_mobile_prefix",
            ),
            # Few customers have other numbers: the search inside them reads only those.
            models.Index(fields=["dealer"], condition=~models.Q(other_phones=""), name="customer_other_phones"),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.mobile_display}"

    @property
    def mobile_display(self) -> str:
        return format_mobile(self.mobile)


class Vehicle(TimeStampedModel):
    dealer = models.ForeignKey(Dealer, on_delete=models.PROTECT, related_name="vehicles", verbose_name=_("dealer"))
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="vehicles", verbose_name=_("customer")
    )
    vin = models.CharField(_("VIN"), max_length=17)
    plate = models.CharField(_("plate"), max_length=12, blank=True)
    model = models.CharField(_("model"), max_length=60)
    purchase_date = models.DateField(_("purchase date"), null=True, blank=True)
    warranty_end = models.DateField(_("warranty ends"), null=True, blank=True)
    insurance_expiry = models.DateField(_("insurance expires"), null=True, blank=True)
    mileage = models.PositiveIntegerField(
        _("mileage (km)"), null=True, blank=True, validators=[MaxValueValidator(2_000_000)]
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["-purchase_date", "vin"]
        verbose_name = _("vehicle")
        verbose_name_plural = _("vehicles")
        constraints = [models.UniqueConstraint(fields=["dealer", "vin"], name="unique_vehicle_vin_per_dealer")]
        # The complaint search finds a dealer's vehicles by plate from the index alone.
        indexes = [
            models.Index(fields=["dealer", "plate"], include=["id"], name="vehicle_dealer_plate"),
            # The global search: plates and VINs by prefix (LIKE 'ABC%'), which a default-collation index can't serve.
            models.Index(
                fields=["dealer", "plate"], opclasses=["int8_ops", "varchar_pattern_ops"], name="vehicle_plate_prefix"
            ),
            models.Index(
                fields=["dealer", "vin"], opclasses=["int8_ops", "varchar_pattern_ops"], name="vehicle_vin_prefix"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.model} {self.plate or self.vin}"


@choices_enforced
class CallLog(TimeStampedModel):
    """One call in or out (顾客来电记录表)."""

    class Direction(models.TextChoices):
        INBOUND = "in", _("Inbound")
        OUTBOUND = "out", _("Outbound")

    class Purpose(models.TextChoices):
        INQUIRY = "inquiry", _("Inquiry")
        COMPLAINT = "complaint", _("Complaint")
        APPOINTMENT = "appointment", _("Appointment")
        FOLLOW_UP = "follow_up", _("Follow-up")
        OTHER = "other", _("Other")

    dealer = models.ForeignKey(Dealer, on_delete=models.PROTECT, related_name="calls", verbose_name=_("dealer"))
    direction = models.CharField(_("direction"), max_length=3, choices=Direction, default=Direction.INBOUND)
    started_at = models.DateTimeField(_("started at"))
    customer = models.ForeignKey(
        Customer,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="calls",
        verbose_name=_("customer"),
    )
    phone = models.CharField(_("phone number"), max_length=20, help_text=_("Kept even when the caller is unknown."))
    caller_name = models.CharField(
        _("caller's name"),
        max_length=60,
        blank=True,
        help_text=_("The name the caller gave, kept for a caller who is not (yet) a customer."),
    )
    purpose = models.CharField(_("purpose"), max_length=12, choices=Purpose, default=Purpose.INQUIRY)
    summary = models.TextField(_("what was said"), max_length=4000)
    # What the app wrote of the call (a follow-up's result), as data: shown in the reader's language (cac.texts).
    summary_text = models.JSONField(_("summary as data"), null=True, blank=True, editable=False)
    outcome = models.CharField(_("outcome"), max_length=500, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="calls_handled", verbose_name=_("handled by")
    )
    duration_seconds = models.PositiveIntegerField(
        _("duration (seconds)"), null=True, blank=True, validators=[MaxValueValidator(6 * 60 * 60)]
    )
    recording = models.FileField(_("recording"), upload_to="recordings/%Y/%m/", blank=True)
    recording_url = models.URLField(_("recording link"), blank=True)
    callback_owed = models.BooleanField(_("call-back owed"), default=False)
    external_id = models.CharField(
        _("call id in the phone system"), max_length=64, null=True, blank=True, help_text=_("The CTI server's callId.")
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["-started_at", "-id"]
        permissions = [("listen_to_recording", _("Can listen to call recordings"))]
        verbose_name = _("call")
        verbose_name_plural = _("calls")
        indexes = [
            models.Index(fields=["dealer", "-started_at"], name="call_dealer_started"),
            models.Index(fields=["customer", "-started_at"], name="call_customer_started"),
            models.Index(fields=["dealer", "phone"], name="call_dealer_phone"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_seconds__isnull=True) | Q(duration_seconds__lte=6 * 60 * 60),
                name="call_duration_at_most_six_hours",
            ),
            models.UniqueConstraint(
                fields=["dealer", "external_id"],
                condition=Q(external_id__isnull=False),
                name="unique_call_external_id_per_dealer",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_direction_display()} {self.phone} {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def shown_summary(self) -> str:
        """What was said, in the active language when the app wrote it."""
        return render(self.summary_text) if self.summary_text else self.summary

    @property
    def duration_display(self) -> str:
        if self.duration_seconds is None:
            return ""
        minutes, seconds = divmod(self.duration_seconds, 60)
        return f"{minutes}:{seconds:02d}"

    @property
    def phone_display(self) -> str:
        return format_mobile(self.phone)


class Sale(TimeStampedModel):
    """A vehicle delivery (交车). Owes an after-sale follow-up call."""

    dealer = models.ForeignKey(Dealer, on_delete=models.PROTECT, related_name="sales", verbose_name=_("dealer"))
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="sales", verbose_name=_("customer"))
    vehicle = models.ForeignKey(Vehicle, on_delete=models.PROTECT, related_name="sales", verbose_name=_("vehicle"))
    delivered_on = models.DateField(_("delivery date"))
    consultant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sales_made",
        verbose_name=_("sales consultant"),
    )
    consultant_name = models.CharField(_("sales consultant (as in the DMS)"), max_length=60, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-delivered_on", "-id"]
        verbose_name = _("sale")
        verbose_name_plural = _("sales")
        constraints = [models.UniqueConstraint(fields=["dealer", "vehicle"], name="unique_sale_per_vehicle")]

    def __str__(self) -> str:
        return f"{self.vehicle} {self.delivered_on}"


class ServiceVisit(TimeStampedModel):
    """A repair order (维修工单). Owes an after-service follow-up call; feeds the 三包 watch."""

    dealer = models.ForeignKey(
        Dealer, on_delete=models.PROTECT, related_name="service_visits", verbose_name=_("dealer")
    )
    order_number = models.CharField(_("repair order number"), max_length=30)
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="service_visits", verbose_name=_("customer")
    )
    vehicle = models.ForeignKey(
        Vehicle, on_delete=models.PROTECT, related_name="service_visits", verbose_name=_("vehicle")
    )
    date_in = models.DateField(_("date in"))
    date_out = models.DateField(_("date out"), null=True, blank=True)
    mileage = models.PositiveIntegerField(_("mileage (km)"), null=True, blank=True)
    advisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="service_visits_advised",
        verbose_name=_("service advisor"),
    )
    advisor_name = models.CharField(_("service advisor (as in the DMS)"), max_length=60, blank=True)
    fault = models.CharField(_("fault"), max_length=300, blank=True)
    fault_code = models.CharField(
        _("fault code"), max_length=40, blank=True, help_text=_("Same code = same fault, for the 三包 watch.")
    )
    work_done = models.TextField(_("work done"), max_length=3000, blank=True)
    is_warranty = models.BooleanField(_("warranty repair"), default=False)
    is_rework = models.BooleanField(_("rework"), default=False)
    is_safety_fault = models.BooleanField(_("serious safety fault"), default=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-date_in", "-id"]
        verbose_name = _("service visit")
        verbose_name_plural = _("service visits")
        constraints = [
            models.UniqueConstraint(fields=["dealer", "order_number"], name="unique_repair_order_per_dealer"),
            models.CheckConstraint(
                condition=Q(date_out__isnull=True) | Q(date_out__gte=models.F("date_in")),
                name="service_visit_out_after_in",
            ),
        ]
        indexes = [
            models.Index(fields=["vehicle", "date_in"], name="service_visit_vehicle_date"),
            # The global search finds a repair order by a prefix of its number.
            models.Index(
                fields=["dealer", "order_number"],
                opclasses=["int8_ops", "varchar_pattern_ops"],
                name="service_visit_order_prefix",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order_number} {self.vehicle}"

    @property
    def workshop_days(self) -> int:
        """Days in the workshop, the day in and the day out both counted (三包 counts calendar days)."""
        if self.date_out is None:
            return 0
        return (self.date_out - self.date_in).days + 1


class SmsPurpose(models.TextChoices):
    """Why the CAC sends an SMS; each purpose has its template (SmsTemplate)."""

    FOLLOW_UP_DECLINED = "follow_up_declined", _("Follow-up declined: SMS survey")
    FOLLOW_UP_UNREACHABLE = "follow_up_unreachable", _("Follow-up unreachable: SMS survey")


@choices_enforced
class SmsTemplate(models.Model):
    """The text of one purpose's SMS as registered with the gateways: Chinese gateways send a registered signature
    (签名) and template (模板) filled with parameters, never free text. `body` is the registered text with its
    parameters written `${name}` (as Alibaba Cloud registers them; Tencent Cloud's `{1}`, `{2}` … are the same
    parameters in the order of `parameters`). A dealer's own row beats the group's (empty dealer)."""

    dealer = models.ForeignKey(
        Dealer,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="sms_templates",
        verbose_name=_("dealer"),
        help_text=_("Empty: applies to every dealer without a template of its own."),
    )
    purpose = models.CharField(_("purpose"), max_length=40, choices=SmsPurpose)
    signature = models.CharField(
        _("signature"), max_length=30, help_text=_("The SMS signature (短信签名) registered with the gateway.")
    )
    body = models.CharField(
        _("text"),
        max_length=500,
        help_text=_("The registered template text, with its parameters written ${name}."),
    )
    parameters = models.JSONField(
        _("parameters"),
        default=list,
        blank=True,
        help_text=_('The parameter names in the template\'s order, e.g. ["dealer", "phone"].'),
    )
    alibaba_template_code = models.CharField(
        _("Alibaba Cloud template code"), max_length=40, blank=True, help_text=_("e.g. SMS_123456789")
    )
    tencent_template_id = models.CharField(
        _("Tencent Cloud template ID"), max_length=40, blank=True, help_text=_("e.g. 1234567")
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["purpose", "dealer__code"]
        verbose_name = _("SMS template")
        verbose_name_plural = _("SMS templates")
        constraints = [
            models.UniqueConstraint(fields=["dealer", "purpose"], name="sms_template_one_per_dealer_purpose"),
            models.UniqueConstraint(
                fields=["purpose"], condition=Q(dealer__isnull=True), name="sms_template_one_group_default"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} ({self.dealer.code if self.dealer_id else _('group')})"

    def clean(self) -> None:
        """The parameters named in the text are the parameters listed, so that both gateways fill the same text."""
        if not isinstance(self.parameters, list) or not all(isinstance(name, str) for name in self.parameters):
            raise ValidationError({"parameters": _('List the parameter names, e.g. ["dealer", "phone"].')})
        named = set(Template(self.body or "").get_identifiers())
        if named != set(self.parameters):
            raise ValidationError(
                {
                    "parameters": _("The parameters must be exactly those the text names: %(names)s.")
                    % {"names": ", ".join(sorted(named)) or "—"}
                }
            )

    def template_code(self, vendor: str) -> str:
        """The gateway's code of this template for `vendor` ("alibaba", "tencent"); empty when not registered."""
        return {"alibaba": self.alibaba_template_code, "tencent": self.tencent_template_id}.get(vendor, "")


@choices_enforced
class SmsMessage(FSMModelMixin, models.Model):
    """Every SMS the CAC sends, whatever the gateway: queued in the transaction of the step that sends it, handed to
    the gateway by a worker after the commit, then delivered or failed by the gateway's receipt."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENT = "sent", _("Sent")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")

    dealer = models.ForeignKey(Dealer, on_delete=models.PROTECT, related_name="sms_messages", verbose_name=_("dealer"))
    customer = models.ForeignKey(
        Customer,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sms_messages",
        verbose_name=_("customer"),
    )
    phone = models.CharField(_("phone number"), max_length=20)
    text = models.CharField(_("text"), max_length=500)
    purpose = models.CharField(_("purpose"), max_length=40)
    template = models.ForeignKey(
        SmsTemplate, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("template")
    )
    signature = models.CharField(_("signature"), max_length=30, blank=True)
    parameters = models.JSONField(_("parameters"), default=dict, blank=True)
    status = FSMField(_("status"), max_length=10, choices=Status, default=Status.QUEUED, protected=True)
    gateway = models.CharField(_("gateway"), max_length=20, blank=True)
    gateway_reference = models.CharField(_("gateway message id"), max_length=100, blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    handed_over_at = models.DateTimeField(_("handed to the gateway at"), null=True, blank=True)
    reported_at = models.DateTimeField(_("receipt at"), null=True, blank=True)
    receipt_code = models.CharField(_("receipt code"), max_length=60, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("sent by")
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["-sent_at", "-id"]
        verbose_name = _("SMS")
        verbose_name_plural = _("SMS messages")
        constraints = [
            models.UniqueConstraint(
                fields=["gateway", "gateway_reference"],
                condition=~Q(gateway_reference=""),
                name="sms_gateway_reference_unique",
            )
        ]
        indexes = [models.Index(fields=["customer", "sent_at"], name="sms_customer_sent")]

    def __str__(self) -> str:
        return f"{self.phone} {self.text[:20]}"

    # The transitions change the row in memory; the services in cac/deadlines/sms.py lock, call them and save.
    @transition(field=status, source=Status.QUEUED, target=Status.SENT)
    def hand_over(self, *, gateway: str, reference: str, at) -> None:
        """The gateway accepted the message and named it."""
        self.gateway, self.gateway_reference, self.handed_over_at = gateway, reference[:100], at
        self.error = ""

    @transition(field=status, source=Status.QUEUED, target=Status.FAILED)
    def refuse(self, *, gateway: str, error: str) -> None:
        """The gateway refused it, or stayed unreachable through every retry."""
        self.gateway, self.error = gateway, error[:300]

    @transition(field=status, source=Status.SENT, target=Status.DELIVERED)
    def deliver(self, *, at, code: str) -> None:
        """The gateway's receipt: the phone received it."""
        self.reported_at, self.receipt_code = at, code[:60]

    @transition(field=status, source=Status.SENT, target=Status.FAILED)
    def undeliverable(self, *, at, code: str, error: str) -> None:
        """The gateway's receipt: the phone did not receive it (switched off for days, no such number …)."""
        self.reported_at, self.receipt_code, self.error = at, code[:60], error[:300]


class Notification(models.Model):
    """One in-app notice (and its e-mail) to one user. `key` names the event, so that it never notifies twice."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("recipient")
    )
    dealer = models.ForeignKey(
        Dealer, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("dealer")
    )
    kind = models.CharField(_("kind"), max_length=40)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("notice text"), max_length=5000, blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    # The title and text as data ({"title": text, "body": text}, cac.texts), worded in the reader's language;
    # `title` and `body` keep them in the CAC's language (and the words of a notice written before).
    texts = models.JSONField(_("texts as data"), default=dict, blank=True, editable=False)
    key = models.CharField(_("event key"), max_length=200, unique=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_unread"),
            models.Index(fields=["recipient", "-created_at"], name="notification_recipient_list"),
        ]

    def __str__(self) -> str:
        return self.shown_title

    @property
    def shown_title(self) -> str:
        """The title in the active language."""
        return render(self.texts["title"]) if self.texts.get("title") else self.title

    @property
    def shown_body(self) -> str:
        return render(self.texts["body"]) if self.texts.get("body") else self.body


class FailedTask(models.Model):
    """A background task that failed for good (after its retries): kept for administrators to see and act on."""

    task_name = models.CharField(_("task"), max_length=200)
    task_id = models.CharField(_("task id"), max_length=100, blank=True)
    arguments = models.TextField(_("arguments"), blank=True)
    exception = models.TextField(_("error"))
    traceback = models.TextField(_("traceback"), blank=True)
    failed_at = models.DateTimeField(_("failed at"), default=timezone.now)

    class Meta:
        ordering = ["-failed_at", "-id"]
        verbose_name = _("failed task")
        verbose_name_plural = _("failed tasks")

    def __str__(self) -> str:
        return f"{self.task_name} {self.failed_at:%Y-%m-%d %H:%M}"


@choices_enforced
class AccessLog(models.Model):
    """One access to personal data that the PIPL asks to be able to account for: a whole number revealed by a role
    that sees them masked, an export, a report downloaded, a recording played. Written by `cac.security.privacy` only."""

    class Action(models.TextChoices):
        REVEAL_PHONE = "reveal_phone", _("Whole phone number revealed")
        EXPORT_CSV = "export_csv", _("CSV export")
        EXPORT_XLSX = "export_xlsx", _("XLSX export")
        REPORT_DOWNLOAD = "report_download", _("Report downloaded")
        RECORDING_PLAY = "recording_play", _("Recording played")

    at = models.DateTimeField(_("when"), default=timezone.now)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("user")
    )
    action = models.CharField(_("action"), max_length=20, choices=Action)
    dealer = models.ForeignKey(
        Dealer, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("dealer")
    )
    # The record may be the core's (a customer, a call) or a workflow's (a report): named by its content type.
    record_type = models.ForeignKey(
        "contenttypes.ContentType", on_delete=models.PROTECT, related_name="+", verbose_name=_("record type")
    )
    record_id = models.PositiveBigIntegerField(_("record id"))
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=300, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")
        indexes = [
            models.Index(fields=["-at"], name="access_log_at"),
            models.Index(fields=["user", "-at"], name="access_log_user"),
            models.Index(fields=["dealer", "-at"], name="access_log_dealer"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.user_id} {self.action} {self.record_type_id}:{self.record_id}"


class SubmitToken(models.Model):
    """A create form's one-time token, claimed by its first POST (see cac.security.once).

    The unique key decides a race: of two POSTs with the same token, the second waits for the first's transaction
    and then finds the record it created."""

    token = models.CharField(_("token"), max_length=64, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("submitted by")
    )
    content_type = models.ForeignKey(
        "contenttypes.ContentType", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(_("submitted at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("submitted form")
        verbose_name_plural = _("submitted forms")

    def __str__(self) -> str:
        return self.token


# Defined in a module of its own, registered here with the app's other models.
from cac.events.import_models import DmsImport, DmsImportStatus  # noqa: E402, F401


class CtiLine(TimeStampedModel):
    """A dealer's line on its phone system (CTI 线路): the PBX pushes the line's call events to
    `/api/v1/cti/<token>/`. Only the token's SHA-256 is stored (`cac.cti.lines`)."""

    dealer = models.ForeignKey(Dealer, on_delete=models.PROTECT, related_name="cti_lines", verbose_name=_("dealer"))
    number = models.CharField(_("line number"), max_length=20, unique=True, help_text=_("The line's phone number."))
    name = models.CharField(_("name"), max_length=120, blank=True)
    blocked_numbers = models.TextField(
        _("blocked numbers"), blank=True, help_text=_("One number a line: their calls are rejected.")
    )
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True, editable=False)
    token_rotated_at = models.DateTimeField(_("token made at"), null=True, editable=False)

    class Meta:
        ordering = ["dealer", "number"]
        verbose_name = _("phone line")
        verbose_name_plural = _("phone lines")

    def __str__(self) -> str:
        return f"{self.number} {self.name}".strip()


@choices_enforced
class CtiCall(models.Model):
    """One call as the phone system reported it (来电事件), written once per line and callId whatever the order,
    number or lateness of its events (`cac.cti.events`). Its state is read from its times: ringing, answered,
    ended; an inbound call that ended without an answer is a missed call."""

    class Direction(models.TextChoices):
        INBOUND = "in", _("Inbound")
        OUTBOUND = "out", _("Outbound")

    class Cause(models.TextChoices):
        NORMAL_CLEARING = "normalClearing", _("Normal clearing")
        BUSY = "busy", _("Busy")
        CANCEL = "cancel", _("Cancelled by the caller")
        NO_ANSWER = "noAnswer", _("No answer")
        CONGESTION = "congestion", _("Congestion")
        NOT_FOUND = "notFound", _("Number not found")
        FORWARDED = "forwarded", _("Forwarded")

    line = models.ForeignKey(CtiLine, on_delete=models.PROTECT, related_name="calls", verbose_name=_("line"))
    dealer = models.ForeignKey(Dealer, on_delete=models.PROTECT, related_name="cti_calls", verbose_name=_("dealer"))
    call_id = models.CharField(_("call id in the phone system"), max_length=64)
    direction = models.CharField(_("direction"), max_length=3, choices=Direction, blank=True)
    from_number = models.CharField(_("calling number"), max_length=40, blank=True)
    to_number = models.CharField(_("called number"), max_length=40, blank=True)
    phone = models.CharField(
        _("phone number"), max_length=40, blank=True, help_text=_("The customer's side of the call, normalised.")
    )
    customer = models.ForeignKey(
        "Customer", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("customer")
    )
    queue = models.CharField(_("queue"), max_length=60, blank=True)
    agents = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="cti_calls_ringing", verbose_name=_("rings for")
    )
    started_at = models.DateTimeField(_("started at"))
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cti_calls_answered",
        verbose_name=_("answered by"),
    )
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    cause = models.CharField(_("cause"), max_length=16, choices=Cause, blank=True)
    recording_url = models.URLField(_("recording link"), max_length=500, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("phone system call")
        verbose_name_plural = _("phone system calls")
        constraints = [models.UniqueConstraint(fields=["line", "call_id"], name="unique_cti_call_per_line")]
        indexes = [
            models.Index(fields=["dealer", "-started_at"], name="cti_call_dealer_started"),
            models.Index(fields=["dealer", "phone"], name="cti_call_dealer_phone"),
        ]

    def __str__(self) -> str:
        return f"{self.call_id} {self.phone}"

    @property
    def missed(self) -> bool:
        return self.direction != self.Direction.OUTBOUND and self.ended_at is not None and self.answered_at is None

    @property
    def duration_seconds(self) -> int | None:
        if self.answered_at is None or self.ended_at is None:
            return None
        return min(max(int((self.ended_at - self.answered_at).total_seconds()), 0), 6 * 60 * 60)

    @property
    def phone_display(self) -> str:
        return format_mobile(self.phone)
