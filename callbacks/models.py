"""Follow-up calls (回访): the 3-day call after a sale, a repair or a resolved complaint, and care calls."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition
from simple_history.models import HistoricalRecords

from cac.models import CallLog, Customer, Dealer, Sale, ServiceVisit, TimeStampedModel, Vehicle
from cac.platform.attempts import AttemptResult, Slot
from cac.platform.validation import choices_enforced

WORK = "callbacks.work_callback"
SUPERVISE = "callbacks.supervise_callback"


class Kind(models.TextChoices):
    AFTER_SALE = "after_sale", _("After sale")
    AFTER_SERVICE = "after_service", _("After service")
    AFTER_COMPLAINT = "after_complaint", _("After complaint")
    MAINTENANCE = "maintenance", _("Maintenance reminder")
    INSURANCE_RENEWAL = "insurance_renewal", _("Insurance renewal")
    WARRANTY_END = "warranty_end", _("Warranty end")
    BIRTHDAY = "birthday", _("Birthday")
    HOLIDAY = "holiday", _("Holiday greeting")
    CAMPAIGN = "campaign", _("Campaign or recall")


class Status(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    DUE = "due", _("Due")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    UNREACHABLE = "unreachable", _("Unreachable")
    DECLINED = "declined", _("Declined")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_STATUSES = [Status.SCHEDULED, Status.DUE, Status.IN_PROGRESS]
SATISFIED_FROM = 4  # satisfaction 4 or 5 of 5 is satisfied; 1-3 is a complaint
# Made: the customer was reached, whether they answered the questions or declined the call (they prefer SMS).
MADE_STATUSES = [Status.COMPLETED, Status.DECLINED]


def made_q() -> Q:
    return Q(status__in=MADE_STATUSES)


TOP_BOX = 5  # the share of 5 of 5: only the very satisfied stay loyal (seed 002)


def due_in_q(start, end) -> Q:
    """The follow-up calls of a month (the monthly report's table, the dashboard, the month's list): due in it and
    not cancelled."""
    return Q(due_at__gte=start, due_at__lt=end) & ~Q(status=Status.CANCELLED)


def made_on_time_q() -> Q:
    """The one definition of a follow-up call made on time: made by its deadline. The statistics page, the monthly
    report and its PDF, and the call's own page all count by it."""
    return made_q() & Q(completed_at__lte=F("due_at"))


@choices_enforced
class Callback(FSMModelMixin, TimeStampedModel):
    dealer = models.ForeignKey(Dealer, on_delete=models.PROTECT, related_name="callbacks", verbose_name=_("dealer"))
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="callbacks", verbose_name=_("customer")
    )
    vehicle = models.ForeignKey(
        Vehicle, on_delete=models.PROTECT, null=True, blank=True, related_name="callbacks", verbose_name=_("vehicle")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind)
    sale = models.ForeignKey(
        Sale, on_delete=models.PROTECT, null=True, blank=True, related_name="callbacks", verbose_name=_("sale")
    )
    service_visit = models.ForeignKey(
        ServiceVisit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="callbacks",
        verbose_name=_("service visit"),
    )
    complaint = models.ForeignKey(
        "complaints.Complaint",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="callbacks",
        verbose_name=_("complaint"),
    )
    raised_complaint = models.OneToOneField(
        "complaints.Complaint",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="raised_by_callback",
        verbose_name=_("complaint it raised"),
    )
    care_key = models.CharField(
        _("care key"), max_length=60, blank=True, help_text=_("What a care call is for, so that it is made once.")
    )
    due_at = models.DateTimeField(_("due at"))
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="callbacks_assigned",
        verbose_name=_("agent"),
    )
    excluded_agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("may not call"),
        help_text=_("The service advisor of the repair does not make its follow-up call."),
    )
    status = FSMField(_("status"), max_length=16, choices=Status, default=Status.SCHEDULED, protected=True)
    satisfaction = models.PositiveSmallIntegerField(
        _("satisfaction (1-5)"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    remarks = models.TextField(_("remarks"), max_length=3000, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=300, blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt from"), null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["due_at", "id"]
        verbose_name = _("follow-up call")
        verbose_name_plural = _("follow-up calls")
        permissions = [
            ("work_callback", _("Can make follow-up calls")),
            ("supervise_callback", _("Can supervise follow-up calls")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "sale"], condition=Q(sale__isnull=False), name="one_callback_per_sale"
            ),
            models.UniqueConstraint(
                fields=["kind", "service_visit"],
                condition=Q(service_visit__isnull=False),
                name="one_callback_per_service_visit",
            ),
            models.UniqueConstraint(
                fields=["kind", "complaint", "due_at"],
                condition=Q(complaint__isnull=False),
                name="one_callback_per_complaint_resolution",
            ),
            models.UniqueConstraint(
                fields=["dealer", "customer", "kind", "care_key"],
                condition=~Q(care_key=""),
                name="one_care_callback_per_key",
            ),
        ]
        indexes = [
            models.Index(fields=["dealer", "status", "due_at"], name="callback_worklist"),
            models.Index(fields=["agent", "status", "due_at"], name="callback_agent_worklist"),
            models.Index(fields=["customer", "status"], name="callback_customer_status"),
            models.Index(fields=["status", "due_at"], name="callback_sweep_due"),  # the deadline sweep
            # The monthly report's satisfaction figures: the calls a dealer completed in a month.
            models.Index(
                fields=["dealer", "completed_at"],
                condition=models.Q(completed_at__isnull=False),
                name="callback_dealer_completed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.customer}"

    @property
    def made_on_time(self) -> bool | None:
        """Whether the call was made on time (made_on_time_q for one call); None while it is not made."""
        if self.status not in MADE_STATUSES or self.completed_at is None:
            return None
        return self.completed_at <= self.due_at

    @property
    def is_satisfied(self) -> bool:
        return self.satisfaction is not None and self.satisfaction >= SATISFIED_FROM

    # --- Transitions: memory only; callbacks.services saves and records who and why. ---

    @transition(field=status, source=Status.SCHEDULED, target=Status.DUE)
    def become_due(self):
        """Its due time has come (the deadline sweep, or the worklist when an agent opens it)."""

    @transition(field=status, source=[Status.SCHEDULED, Status.DUE], target=Status.IN_PROGRESS, permission=WORK)
    def start(self):
        """The first attempt was made."""

    @transition(
        field=status,
        source=[Status.SCHEDULED, Status.DUE, Status.IN_PROGRESS],
        target=Status.COMPLETED,
        permission=WORK,
    )
    def complete(self, *, at, satisfaction: int, answers: dict, remarks: str):
        self.completed_at = at
        self.satisfaction = satisfaction
        self.answers = answers
        self.remarks = remarks
        self.next_attempt_at = None

    @transition(
        field=status,
        source=[Status.SCHEDULED, Status.DUE, Status.IN_PROGRESS],
        target=Status.UNREACHABLE,
        permission=WORK,
    )
    def give_up(self, *, at):
        """Failed attempts in enough different slots (the attempts rule)."""
        self.completed_at = at
        self.next_attempt_at = None

    @transition(
        field=status, source=[Status.SCHEDULED, Status.DUE, Status.IN_PROGRESS], target=Status.DECLINED, permission=WORK
    )
    def decline(self, *, at, remarks: str):
        """The customer refuses phone follow-up: an SMS follow-up replaces the call."""
        self.completed_at = at
        self.remarks = remarks
        self.next_attempt_at = None

    @transition(field=status, source=OPEN_STATUSES, target=Status.CANCELLED, permission=SUPERVISE)
    def cancel(self, *, at, reason: str):
        self.completed_at = at
        self.cancel_reason = reason
        self.next_attempt_at = None


@choices_enforced
class CallbackAttempt(models.Model):
    callback = models.ForeignKey(
        Callback, on_delete=models.CASCADE, related_name="attempts", verbose_name=_("follow-up call")
    )
    attempted_at = models.DateTimeField(_("attempted at"))
    slot = models.CharField(_("slot"), max_length=10, choices=Slot)
    result = models.CharField(_("result"), max_length=14, choices=AttemptResult)
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, verbose_name=_("agent"))
    note = models.CharField(_("note"), max_length=500, blank=True)
    call = models.OneToOneField(
        CallLog,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="callback_attempt",
        verbose_name=_("call"),
    )

    class Meta:
        ordering = ["attempted_at", "id"]
        verbose_name = _("attempt")
        verbose_name_plural = _("attempts")

    def __str__(self) -> str:
        return f"{self.callback} {self.attempted_at:%Y-%m-%d %H:%M} {self.result}"


@choices_enforced
class Question(models.Model):
    """One question of the short questionnaire (call script) of a kind of follow-up call, per dealer."""

    class AnswerType(models.TextChoices):
        SCORE = "score", _("Score 1-5")
        YES_NO = "yes_no", _("Yes or no")
        TEXT = "text", _("Free text")

    dealer = models.ForeignKey(
        Dealer,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="callback_questions",
        verbose_name=_("dealer"),
        help_text=_("Empty: used by every dealer without questions of its own."),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    text = models.CharField(_("question"), max_length=300)
    text_en = models.CharField(
        _("question in English"),
        max_length=300,
        blank=True,
        help_text=_("What users working in English read; empty: the question above."),
    )
    answer_type = models.CharField(_("answer type"), max_length=8, choices=AnswerType, default=AnswerType.SCORE)
    required = models.BooleanField(_("required"), default=True)

    class Meta:
        ordering = ["kind", "position", "id"]
        verbose_name = _("questionnaire question")
        verbose_name_plural = _("questionnaire questions")

    def __str__(self) -> str:
        return self.localized_text

    @property
    def localized_text(self) -> str:
        """The question in the language of the one who reads it (the English text, when there is one, in English)."""
        if self.text_en and (translation.get_language() or "").startswith("en"):
            return self.text_en
        return self.text


class SanbaoWarning(models.Model):
    """The 三包 watch's ledger: one row per vehicle and threshold it has warned about, so that each threshold is
    warned of once, whatever later happens to the key-attention entry."""

    vehicle = models.ForeignKey(
        Vehicle, on_delete=models.CASCADE, related_name="sanbao_warnings", verbose_name=_("vehicle")
    )
    threshold = models.CharField(_("threshold"), max_length=60, help_text="days, safety or fault:<code>")
    warned_at = models.DateTimeField(_("warned at"))

    class Meta:
        ordering = ["vehicle", "warned_at"]
        constraints = [models.UniqueConstraint(fields=["vehicle", "threshold"], name="sanbao_warning_once")]
        verbose_name = _("三包 warning")
        verbose_name_plural = _("三包 warnings")

    def __str__(self) -> str:
        return f"{self.vehicle_id} {self.threshold}"
