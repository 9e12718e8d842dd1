"""The shared core of the CAC: dealers, staff, customers, their vehicles and every call."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from cac.phones import format_mobile


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


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

    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = _("dealer")
        verbose_name_plural = _("dealers")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class DealerHoliday(models.Model):
    """A day the dealer is closed: deadlines counted in working days skip it."""

    dealer = models.ForeignKey(Dealer, on_delete=models.CASCADE, related_name="holidays", verbose_name=_("dealer"))
    date = models.DateField(_("date"))
    name = models.CharField(_("name"), max_length=60)

    history = HistoricalRecords()

    class Meta:
        ordering = ["date"]
        verbose_name = _("dealer holiday")
        verbose_name_plural = _("dealer holidays")
        constraints = [models.UniqueConstraint(fields=["dealer", "date"], name="unique_dealer_holiday")]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


class User(AbstractUser):
    """A member of staff. Belongs to one dealer; OEM and regional staff may be given several."""

    dealers = models.ManyToManyField(Dealer, related_name="staff", blank=True, verbose_name=_("dealers"))
    phone = models.CharField(_("phone"), max_length=20, blank=True)

    history = HistoricalRecords(excluded_fields=["password", "last_login"])

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

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        constraints = [models.UniqueConstraint(fields=["dealer", "mobile"], name="unique_customer_mobile_per_dealer")]
        indexes = [models.Index(fields=["dealer", "name"], name="customer_dealer_name")]

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

    def __str__(self) -> str:
        return f"{self.model} {self.plate or self.vin}"


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
    purpose = models.CharField(_("purpose"), max_length=12, choices=Purpose, default=Purpose.INQUIRY)
    summary = models.TextField(_("what was said"), max_length=4000)
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
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_direction_display()} {self.phone} {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def duration_display(self) -> str:
        if self.duration_seconds is None:
            return ""
        minutes, seconds = divmod(self.duration_seconds, 60)
        return f"{minutes}:{seconds:02d}"

    @property
    def phone_display(self) -> str:
        return format_mobile(self.phone)
