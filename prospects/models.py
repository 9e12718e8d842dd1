"""Prospects (潜在客户, attachments 1 and 2): leads with a real intention to buy, graded by purchase horizon,
adopted by one owner (认养), contacted under the shared 3-attempts-in-3-slots rule, converted once or archived."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition
from simple_history.models import HistoricalRecords

from cac.desk.phones import format_mobile
from cac.models import CallLog, Customer, Dealer, TimeStampedModel, Vehicle
from cac.platform.attempts import AttemptResult, Slot
from cac.platform.validation import choices_enforced

WORK = "prospects.work_prospect"
MANAGE = "prospects.manage_prospect"


class Source(models.TextChoices):
    WALK_IN = "walk_in", _("Walk-in")
    PHONE = "phone", _("Phone inquiry")
    WEBSITE = "website", _("Website")
    OEM_LEAD = "oem_lead", _("OEM lead")
    EVENT = "event", _("Event")
    REFERRAL = "referral", _("Referral")
    OTHER = "other", _("Other")


class Grade(models.TextChoices):
    """Intention level (意向级别) by purchase horizon."""

    H = "H", _("H (within 7 days)")
    A = "A", _("A (within 15 days)")
    B = "B", _("B (within 30 days)")
    C = "C", _("C (later)")


DEFAULT_HORIZON_DAYS = {Grade.H: 7, Grade.A: 15, Grade.B: 30, Grade.C: 90}


class Status(models.TextChoices):
    NEW = "new", _("New")
    CONTACTING = "contacting", _("Contacting")
    FOLLOWING = "following", _("Following")
    APPOINTMENT = "appointment", _("Appointment")
    WON = "won", _("Won")
    LOST = "lost", _("Lost")
    UNREACHABLE = "unreachable", _("Unreachable")
    ARCHIVED = "archived", _("Archived")


OPEN_STATUSES = [Status.NEW, Status.CONTACTING, Status.FOLLOWING, Status.APPOINTMENT]
# The pool a campaign draws from (潜在客户信息存档) and the lost ones it may win back.
CAMPAIGN_POOL = [Status.ARCHIVED, Status.LOST]


class LostReason(models.TextChoices):
    BOUGHT_ELSEWHERE = "bought_elsewhere", _("Bought elsewhere")
    BUDGET = "budget", _("Budget")
    NOT_INTERESTED = "not_interested", _("No longer interested")
    OTHER = "other", _("Other")


class AppointmentKind(models.TextChoices):
    SHOWROOM_VISIT = "visit", _("Showroom visit")
    TEST_DRIVE = "test_drive", _("Test drive")


@choices_enforced
class GradeHorizon(models.Model):
    """A dealer's own purchase horizon for a grade; without a row the default (H 7, A 15, B 30, C 90 days)."""

    dealer = models.ForeignKey(
        Dealer, on_delete=models.CASCADE, related_name="prospect_grades", verbose_name=_("dealer")
    )
    grade = models.CharField(_("intention level"), max_length=1, choices=Grade)
    horizon_days = models.PositiveSmallIntegerField(
        _("purchase horizon (days)"), validators=[MinValueValidator(1), MaxValueValidator(365)]
    )

    class Meta:
        verbose_name = _("intention level horizon")
        verbose_name_plural = _("intention level horizons")
        constraints = [models.UniqueConstraint(fields=["dealer", "grade"], name="unique_prospect_grade_per_dealer")]

    def __str__(self) -> str:
        return f"{self.dealer} {self.grade}: {self.horizon_days}"


class Campaign(TimeStampedModel):
    """A campaign or promotion that calls the archive pool (and lost prospects) again."""

    dealer = models.ForeignKey(Dealer, on_delete=models.PROTECT, related_name="campaigns", verbose_name=_("dealer"))
    name = models.CharField(_("name"), max_length=100)
    models_text = models.CharField(_("models"), max_length=200, blank=True)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    message = models.TextField(_("message"), max_length=2000, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )

    class Meta:
        ordering = ["-starts_on", "-id"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        constraints = [models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="campaign_dates")]

    def __str__(self) -> str:
        return self.name


@choices_enforced
class Prospect(FSMModelMixin, TimeStampedModel):
    dealer = models.ForeignKey(Dealer, on_delete=models.PROTECT, related_name="prospects", verbose_name=_("dealer"))
    name = models.CharField(_("name"), max_length=60)
    phone = models.CharField(_("mobile phone"), max_length=11, help_text=_("Stored as 11 digits."))
    source = models.CharField(_("source"), max_length=12, choices=Source)
    model_of_interest = models.CharField(_("intended model"), max_length=60, blank=True)
    budget = models.DecimalField(
        _("budget (CNY)"), max_digits=12, decimal_places=0, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    grade = models.CharField(_("intention level"), max_length=1, choices=Grade, default=Grade.B)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="prospects_owned",
        verbose_name=_("owner"),
        help_text=_("The consultant or agent who adopts this prospect (认养)."),
    )
    status = FSMField(_("status"), max_length=12, choices=Status, default=Status.NEW, protected=True)
    last_contact_at = models.DateTimeField(_("last contact"), null=True, blank=True)
    next_contact_at = models.DateTimeField(_("next contact"), null=True, blank=True)
    contacting_since = models.DateTimeField(_("contacting since"), null=True, blank=True)
    contacted_at = models.DateTimeField(_("first reached at"), null=True, blank=True)
    appointment_kind = models.CharField(_("appointment"), max_length=12, choices=AppointmentKind, blank=True)
    appointment_at = models.DateTimeField(_("appointment at"), null=True, blank=True)
    won_at = models.DateTimeField(_("won at"), null=True, blank=True)
    lost_reason = models.CharField(_("lost reason"), max_length=20, choices=LostReason, blank=True)
    closed_note = models.TextField(_("closing note"), max_length=2000, blank=True)
    notes = models.TextField(_("notes"), max_length=2000, blank=True)
    call = models.ForeignKey(
        CallLog,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="prospects",
        verbose_name=_("call it came from"),
    )
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, null=True, blank=True, related_name="prospects", verbose_name=_("customer")
    )
    vehicle = models.ForeignKey(
        Vehicle, on_delete=models.PROTECT, null=True, blank=True, related_name="prospects", verbose_name=_("vehicle")
    )
    campaign = models.ForeignKey(
        Campaign,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="prospects",
        verbose_name=_("campaign"),
    )

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["next_contact_at", "-id"]
        verbose_name = _("prospect")
        verbose_name_plural = _("prospects")
        permissions = [
            ("work_prospect", _("Can contact and follow prospects")),
            ("manage_prospect", _("Can run campaigns and see the prospect funnel")),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(status=Status.LOST) | ~Q(lost_reason=""), name="prospect_lost_reason"),
            models.CheckConstraint(
                condition=~Q(status=Status.WON) | Q(customer__isnull=False), name="prospect_won_has_customer"
            ),
        ]
        indexes = [
            models.Index(fields=["dealer", "status", "next_contact_at"], name="prospect_dealer_status_next"),
            models.Index(fields=["owner", "status", "next_contact_at"], name="prospect_owner_due"),
            models.Index(fields=["dealer", "phone"], name="prospect_dealer_phone"),
            # The global search finds a prospect by a prefix of the number (LIKE '139%').
            models.Index(
                fields=["dealer", "phone"], opclasses=["int8_ops", "varchar_pattern_ops"], name="prospect_phone_prefix"
            ),
            models.Index(fields=["status", "next_contact_at"], name="prospect_sweep_next_contact"),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.phone_display}"

    @property
    def phone_display(self) -> str:
        return format_mobile(self.phone)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    # --- Transitions: memory only; prospects.services saves and records who and why. ---

    @transition(field=status, source=Status.NEW, target=Status.CONTACTING, permission=WORK)
    def start_contacting(self, *, at):
        self.contacting_since = at

    @transition(field=status, source=Status.CONTACTING, target=Status.FOLLOWING, permission=WORK)
    def follow(self, *, at):
        """Reached and interested."""
        self.contacted_at = self.contacted_at or at

    @transition(field=status, source=Status.CONTACTING, target=Status.UNREACHABLE, permission=WORK)
    def give_up(self):
        """Failed attempts in three different slots (the shared attempts rule)."""
        self.next_contact_at = None

    def _reached_on_its_call(self) -> bool:
        """A new prospect captured from an inquiry call was reached on that call: the visit or test drive is booked
        from it, without a second call to record."""
        return self.status != Status.NEW or self.call_id is not None

    @transition(
        field=status,
        source=[Status.FOLLOWING, Status.NEW],
        target=Status.APPOINTMENT,
        permission=WORK,
        conditions=[_reached_on_its_call],
    )
    def book_appointment(self, *, kind: str, at, reached_at=None):
        """`reached_at`: when the prospect was reached, for one booked from the call it came from."""
        self.appointment_kind = kind
        self.appointment_at = at
        self.next_contact_at = at
        if reached_at is not None:
            self.contacted_at = self.contacted_at or reached_at
            self.last_contact_at = max(self.last_contact_at or reached_at, reached_at)

    @transition(field=status, source=Status.APPOINTMENT, target=Status.WON, permission=WORK)
    def win(self, *, at, customer: Customer, vehicle: Vehicle | None):
        self.won_at = at
        self.customer = customer
        self.vehicle = vehicle
        self.next_contact_at = None

    @transition(
        field=status,
        source=[Status.CONTACTING, Status.FOLLOWING, Status.APPOINTMENT],
        target=Status.LOST,
        permission=WORK,
    )
    def lose(self, *, reason: str, note: str = ""):
        self.lost_reason = reason
        self.closed_note = note
        self.next_contact_at = None

    @transition(field=status, source=Status.FOLLOWING, target=Status.ARCHIVED, permission=WORK)
    def archive(self, *, note: str = ""):
        """Interested, not now: into the archive pool (attachment 2)."""
        self.closed_note = note
        self.next_contact_at = None

    @transition(field=status, source=CAMPAIGN_POOL, target=Status.CONTACTING, permission=MANAGE)
    def reactivate(self, *, at, campaign: Campaign):
        """A campaign picks the prospect up again: a contact task for its owner, due now."""
        self.campaign = campaign
        self.contacting_since = at
        self.next_contact_at = at
        self.lost_reason = ""


@choices_enforced
class ContactAttempt(models.Model):
    """One call to a prospect, under the same attempts rule as follow-up calls."""

    prospect = models.ForeignKey(
        Prospect, on_delete=models.CASCADE, related_name="attempts", verbose_name=_("prospect")
    )
    attempted_at = models.DateTimeField(_("attempted at"))
    slot = models.CharField(_("time slot"), max_length=10, choices=Slot)
    result = models.CharField(_("result"), max_length=14, choices=AttemptResult)
    note = models.CharField(_("note"), max_length=500, blank=True)
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("called by")
    )
    call = models.OneToOneField(
        CallLog, on_delete=models.PROTECT, related_name="prospect_attempt", verbose_name=_("call")
    )

    class Meta:
        ordering = ["attempted_at", "id"]
        verbose_name = _("contact attempt")
        verbose_name_plural = _("contact attempts")

    def __str__(self) -> str:
        return f"{self.prospect} {self.attempted_at:%Y-%m-%d %H:%M} {self.result}"


@choices_enforced
class CampaignTarget(models.Model):
    """A prospect a campaign picked up: a contact task for its owner."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="targets", verbose_name=_("campaign"))
    prospect = models.ForeignKey(
        Prospect, on_delete=models.CASCADE, related_name="campaign_targets", verbose_name=_("prospect")
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("owner")
    )
    previous_status = models.CharField(_("previous status"), max_length=12, choices=Status)

    class Meta:
        verbose_name = _("campaign prospect")
        verbose_name_plural = _("campaign prospects")
        constraints = [models.UniqueConstraint(fields=["campaign", "prospect"], name="unique_campaign_prospect")]

    def __str__(self) -> str:
        return f"{self.campaign}: {self.prospect}"
