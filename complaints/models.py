"""Complaints (顾客抱怨/投诉): intake to closure as a state machine, with deadlines, escalation and evidence."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition
from simple_history.models import HistoricalRecords

from cac import roles
from cac.models import CallLog, Customer, Dealer, TimeStampedModel, Vehicle
from cac.platform.history import StepRecord
from cac.platform.validation import choices_enforced
from cac.texts import Text, render


class Channel(models.TextChoices):
    """Where a complaint came from (申诉来源); each has its own response limits in the SLA policy."""

    OEM_HOTLINE = "oem_hotline", _("OEM customer hotline")
    DEALER_HOTLINE = "dealer_hotline", _("Dealer 800/400 line")
    WALK_IN = "walk_in", _("Walk-in")
    LETTER = "letter", _("Letter or fax")
    EMAIL = "email", _("E-mail")
    OEM_WEBSITE = "oem_website", _("OEM website")
    OEM_QUALITY_SURVEY = "oem_quality_survey", _("OEM product-quality survey")
    CSI_SURVEY = "csi_survey", _("CSI satisfaction survey")
    INTERNAL_TRANSFER = "internal_transfer", _("Transfer from another department")
    SALES_FOLLOW_UP = "sales_follow_up", _("Sales follow-up call")
    SERVICE_FOLLOW_UP = "service_follow_up", _("After-sales follow-up call")
    REPAIR_REWORK = "repair_rework", _("Repair rework")
    MEDIA = "media", _("Media or press")
    REGULATOR = "regulator", _("Regulator or consumer association")


# Complaints the OEM CAC sends and wants reports back on: same-day status, result within 3 days. The CSI survey is
# the OEM's too: its third-party survey company passes the customers' problems on to the dealer (seed 000 §七).
OEM_CHANNELS = {Channel.OEM_HOTLINE, Channel.OEM_WEBSITE, Channel.OEM_QUALITY_SURVEY, Channel.CSI_SURVEY}


class Category(models.TextChoices):
    PRODUCT_QUALITY = "product_quality", _("Product quality")
    REPAIR_QUALITY = "repair_quality", _("Repair quality or skill")
    REPAIR_COST = "repair_cost", _("Repair cost")
    SERVICE_ATTITUDE = "service_attitude", _("Reception or service attitude")
    PURCHASE = "purchase", _("Purchase (sales process)")
    PARTS = "parts", _("Parts availability or price")
    USER_ISSUE = "user_issue", _("User issue (misuse)")
    MULTIPLE = "multiple", _("Multiple")
    OTHER = "other", _("Other")


class Severity(models.TextChoices):
    NORMAL = "normal", _("Normal")
    MAJOR = "major", _("Major")
    EMERGENCY = "emergency", _("Emergency")


class Department(models.TextChoices):
    SALES = "sales", _("Sales")
    AFTER_SALES = "after_sales", _("After-sales")


def department_manager_role(department: str) -> str:
    """The role that manages a department's complaints: every sales-side complaint the showroom manager (seed 003
    §4-1), whatever its category; the after-sales ones the service manager."""
    return roles.manager_of(sales=department == Department.SALES)


class EscalationLevel(models.IntegerChoices):
    AGENT = 0, _("CAC agent")
    DEPARTMENT_MANAGER = 1, _("Department manager")
    DIRECTOR = 2, _("Director")
    OEM_REGION = 3, _("OEM region")


class ResolutionType(models.TextChoices):
    REPAIR = "repair", _("Repair")
    REWORK = "rework", _("Rework")
    PART_REPLACEMENT = "part_replacement", _("Part replacement")
    REFUND = "refund", _("Refund")
    EXCHANGE = "exchange", _("Exchange")
    COMPENSATION = "compensation", _("Compensation")
    EXPLANATION = "explanation", _("Explanation")
    APOLOGY = "apology", _("Apology")
    OTHER = "other", _("Other")


class CloseKind(models.TextChoices):
    """How a complaint ended closed: verified satisfied on its follow-up call (seed 003 §7), or closed by a manager
    with one of the reasons seed 000 allows; the figures count each apart."""

    SATISFIED = "satisfied", _("Satisfied on the follow-up call")
    UNREACHABLE = "unreachable", _("Customer unreachable")
    ACCEPTED = "accepted", _("Not satisfied but accepts (不满意但是能接受)")


# The kinds a manager may close with; SATISFIED comes only from a reached, satisfied follow-up call.
MANAGER_CLOSE_KINDS = [CloseKind.UNREACHABLE, CloseKind.ACCEPTED]


class RootCauseClass(models.TextChoices):
    """The cause classes of seed 000 (原因分析: 人员 / 组织 / 技术 / 产品 / 价格)."""

    PEOPLE = "people", _("People")
    ORGANISATION = "organisation", _("Organisation")
    TECHNICAL = "technical", _("Technical")
    PRODUCT = "product", _("Product")
    PRICE = "price", _("Price")


class Status(models.TextChoices):
    NEW = "new", _("New")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    INVESTIGATING = "investigating", _("Investigating")
    COUNTERMEASURE_PROPOSED = "countermeasure_proposed", _("Countermeasure proposed")
    IN_PROGRESS = "in_progress", _("In progress")
    RESOLVED = "resolved", _("Resolved")
    REOPENED = "reopened", _("Reopened")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_STATUSES = [
    Status.NEW,
    Status.ACKNOWLEDGED,
    Status.INVESTIGATING,
    Status.COUNTERMEASURE_PROPOSED,
    Status.IN_PROGRESS,
    Status.REOPENED,
]
# Until resolved, the resolution deadline runs; a resolved complaint waits for its follow-up call.
UNRESOLVED_STATUSES = OPEN_STATUSES


def current_due_expression() -> models.Case:
    """SQL for the deadline that runs now, to filter and sort lists by it (and to index them by it)."""
    return models.Case(
        models.When(status=Status.NEW, then=models.F("acknowledge_due_at")),
        models.When(status__in=UNRESOLVED_STATUSES, then=models.F("resolve_due_at")),
        default=models.Value(None),
        output_field=models.DateTimeField(),
    )


HANDLE = "complaints.handle_complaint"
MANAGE = "complaints.manage_complaint"


@choices_enforced
class Complaint(FSMModelMixin, TimeStampedModel):
    dealer = models.ForeignKey(Dealer, on_delete=models.PROTECT, related_name="complaints", verbose_name=_("dealer"))
    number = models.CharField(_("number"), max_length=20, editable=False)
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="complaints", verbose_name=_("customer")
    )
    vehicle = models.ForeignKey(
        Vehicle, on_delete=models.PROTECT, null=True, blank=True, related_name="complaints", verbose_name=_("vehicle")
    )
    channel = models.CharField(_("channel"), max_length=24, choices=Channel)
    category = models.CharField(_("category"), max_length=24, choices=Category)
    severity = models.CharField(_("severity"), max_length=12, choices=Severity, default=Severity.NORMAL)
    department = models.CharField(_("department"), max_length=12, choices=Department)
    description = models.TextField(_("description"), max_length=5000)
    demand = models.TextField(_("customer's demand (诉求)"), max_length=2000, blank=True)
    status = FSMField(_("status"), max_length=24, choices=Status, default=Status.NEW, protected=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="complaints_owned",
        verbose_name=_("handler"),
    )
    staff_involved = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="complaints_about",
        verbose_name=_("staff member complained about (当事人)"),
    )
    escalation_level = models.PositiveSmallIntegerField(
        _("escalation level"), choices=EscalationLevel, default=EscalationLevel.AGENT
    )
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    acknowledge_due_at = models.DateTimeField(_("acknowledge by"))
    resolve_due_at = models.DateTimeField(_("resolve by"))
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    # Seed 000 受理: the customer is told how long the countermeasure will take; the sweep holds the dealer to it.
    answer_promised_at = models.DateTimeField(_("answer promised to the customer by"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    root_cause = models.TextField(_("root cause"), max_length=3000, blank=True)
    root_cause_class = models.CharField(_("cause class"), max_length=16, choices=RootCauseClass, blank=True)
    countermeasure = models.TextField(_("countermeasure"), max_length=3000, blank=True)
    resolution_type = models.CharField(_("resolution"), max_length=20, choices=ResolutionType, blank=True)
    compensation_amount = models.DecimalField(
        _("compensation amount (CNY)"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    resolution_note = models.TextField(_("what was done"), max_length=3000, blank=True)
    prevention_measure = models.TextField(_("prevention measure"), max_length=3000, blank=True)
    prevention_measure_at = models.DateTimeField(_("prevention measure recorded at"), null=True, blank=True)
    oem_reference = models.CharField(_("OEM reference"), max_length=40, blank=True)
    oem_status_reported_at = models.DateTimeField(_("status reported to the OEM at"), null=True, blank=True)
    oem_result_reported_at = models.DateTimeField(_("result reported to the OEM at"), null=True, blank=True)
    is_abnormal = models.BooleanField(_("abnormal complaint (非正常投诉)"), default=False)
    abnormal_reason = models.TextField(_("why abnormal"), max_length=2000, blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)
    close_kind = models.CharField(_("how it was closed"), max_length=12, choices=CloseKind, blank=True)
    close_reason = models.TextField(_("reason for closing or cancelling"), max_length=2000, blank=True)
    calls = models.ManyToManyField(CallLog, blank=True, related_name="complaints", verbose_name=_("calls"))

    # Each history row names its step and the note typed with it (cac.platform.history.StepRecord).
    history = HistoricalRecords(excluded_fields=["updated_at"], bases=[StepRecord])

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        permissions = [
            ("handle_complaint", _("Can handle complaints")),
            ("manage_complaint", _("Can assign, cancel and close complaints")),
        ]
        constraints = [
            models.UniqueConstraint(fields=["dealer", "number"], name="unique_complaint_number_per_dealer"),
            models.CheckConstraint(
                condition=Q(escalation_level__gte=0) & Q(escalation_level__lte=3), name="complaint_escalation_range"
            ),
            models.CheckConstraint(
                condition=~Q(is_abnormal=True) | ~Q(abnormal_reason=""), name="complaint_abnormal_needs_reason"
            ),
        ]
        indexes = [
            models.Index(fields=["dealer", "status", "resolve_due_at"], name="complaint_open_by_due"),
            models.Index(fields=["dealer", "status", "acknowledge_due_at"], name="complaint_new_by_ack_due"),
            models.Index(fields=["owner", "status"], name="complaint_owner_status"),
            models.Index(fields=["dealer", "-received_at"], name="complaint_dealer_received"),
            # The list's order (the running deadline, then the newest): any page is a walk along this index.
            models.Index(
                models.F("dealer"),
                current_due_expression(),
                models.F("received_at").desc(),
                models.F("id").desc(),
                name="complaint_list_by_deadline",
                # The deadline's own columns, so that a page's ids come from the index alone (PostgreSQL).
                include=["status", "acknowledge_due_at", "resolve_due_at"],
            ),
            models.Index(fields=["customer", "status"], name="complaint_customer_status"),
            # The global search: a prefix of the number or of the OEM reference (LIKE 'TS-2026%').
            models.Index(
                fields=["dealer", "number"],
                opclasses=["int8_ops", "varchar_pattern_ops"],
                name="complaint_number_prefix",
            ),
            models.Index(
                fields=["dealer", "oem_reference"],
                opclasses=["int8_ops", "varchar_pattern_ops"],
                condition=~Q(oem_reference=""),
                name="complaint_oem_reference_prefix",
            ),
            # The deadline sweep looks across dealers.
            models.Index(fields=["status", "acknowledge_due_at"], name="complaint_sweep_ack_due"),
            models.Index(fields=["status", "resolve_due_at"], name="complaint_sweep_resolve_due"),
            models.Index(fields=["status", "answer_promised_at"], name="complaint_sweep_answer_due"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def current_due_at(self):
        """The deadline that runs now: acknowledgment while new, resolution until resolved, none after."""
        if self.status == Status.NEW:
            return self.acknowledge_due_at
        if self.status in UNRESOLVED_STATUSES:
            return self.resolve_due_at
        return None

    # --- Transitions: they change memory only; complaints.services saves and records who and why. ---

    @transition(field=status, source=Status.NEW, target=Status.ACKNOWLEDGED, permission=HANDLE)
    def acknowledge(self, *, at, answer_promised_at):
        """Facts confirmed and the customer told when to expect an answer (seed 000 受理)."""
        self.acknowledged_at = at
        self.answer_promised_at = answer_promised_at

    @transition(
        field=status, source=[Status.ACKNOWLEDGED, Status.REOPENED], target=Status.INVESTIGATING, permission=HANDLE
    )
    def investigate(self):
        """Finding the real cause."""

    @transition(field=status, source=Status.INVESTIGATING, target=Status.COUNTERMEASURE_PROPOSED, permission=HANDLE)
    def propose_countermeasure(self, *, root_cause: str, countermeasure: str, root_cause_class: str = ""):
        self.root_cause = root_cause
        self.root_cause_class = root_cause_class
        self.countermeasure = countermeasure

    @transition(field=status, source=Status.COUNTERMEASURE_PROPOSED, target=Status.IN_PROGRESS, permission=HANDLE)
    def start(self):
        """The customer agreed to the countermeasure; carrying it out."""

    @transition(field=status, source=Status.IN_PROGRESS, target=Status.RESOLVED, permission=HANDLE)
    def resolve(self, *, at, resolution_type: str, resolution_note: str, compensation_amount=None):
        self.resolved_at = at
        self.resolution_type = resolution_type
        self.resolution_note = resolution_note
        self.compensation_amount = compensation_amount

    def follow_up_found_satisfied(self) -> bool:
        """Set by complaints.services.complaint_close_after_follow_up for the complaint it holds locked: only a
        reached, satisfied after-complaint follow-up call closes a complaint as satisfied (seed 003 §7)."""
        return getattr(self, "_satisfied_follow_up", False)

    @transition(
        field=status,
        source=Status.RESOLVED,
        target=Status.CLOSED,
        permission=HANDLE,
        conditions=[follow_up_found_satisfied],
    )
    def close_satisfied(self, *, at):
        """The follow-up caller (回访员) found the customer satisfied."""
        self.closed_at = at
        self.close_kind = CloseKind.SATISFIED

    @transition(field=status, source=Status.RESOLVED, target=Status.CLOSED, permission=MANAGE)
    def close_by_manager(self, *, at, kind: str, reason: str):
        """A manager closes without a satisfied follow-up: the customer is unreachable, or not satisfied but
        accepts the result (seed 000)."""
        self.closed_at = at
        self.close_kind = kind
        self.close_reason = reason

    @transition(field=status, source=Status.RESOLVED, target=Status.REOPENED, permission=HANDLE)
    def reopen(self, *, resolve_due_at):
        """The follow-up found the customer dissatisfied: find the cause again (seed 003's loop), against a new
        resolution deadline counted from now."""
        self.reopen_count += 1
        self.resolved_at = None
        self.resolve_due_at = resolve_due_at
        self.answer_promised_at = resolve_due_at  # the customer is told the loop starts again

    @transition(field=status, source=OPEN_STATUSES, target=Status.CANCELLED, permission=MANAGE)
    def cancel(self, *, at, reason: str):
        """Duplicate or withdrawn."""
        self.closed_at = at
        self.close_reason = reason


@choices_enforced
class ComplaintSLA(models.Model):
    """How long a complaint may wait, by channel × severity (申诉管道管理). Blank channel or severity match any;
    a dealer's own row beats the group's; the most specific row wins."""

    class AcknowledgeRule(models.TextChoices):
        END_OF_BUSINESS_DAY = "end_of_day", _("By the end of the business day it arrived")
        WORKING_HOURS = "working_hours", _("Within working hours")
        CLOCK_HOURS = "clock_hours", _("Within hours, day and night")

    dealer = models.ForeignKey(
        Dealer,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="complaint_slas",
        verbose_name=_("dealer"),
        help_text=_("Empty: applies to every dealer without a row of its own."),
    )
    channel = models.CharField(_("channel"), max_length=24, choices=Channel, blank=True)
    severity = models.CharField(_("severity"), max_length=12, choices=Severity, blank=True)
    acknowledge_rule = models.CharField(_("acknowledge"), max_length=16, choices=AcknowledgeRule)
    acknowledge_hours = models.DecimalField(
        _("hours to acknowledge"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    resolve_days = models.PositiveSmallIntegerField(_("working days to resolve"), validators=[MinValueValidator(1)])

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("complaint deadline policy")
        verbose_name_plural = _("complaint deadline policies")
        constraints = [
            models.UniqueConstraint(
                fields=["dealer", "channel", "severity"],
                condition=Q(dealer__isnull=False),
                name="unique_complaint_sla_per_dealer",
            ),
            models.UniqueConstraint(
                fields=["channel", "severity"], condition=Q(dealer__isnull=True), name="unique_complaint_sla_default"
            ),
            models.CheckConstraint(
                condition=Q(acknowledge_rule="end_of_day") | Q(acknowledge_hours__isnull=False),
                name="complaint_sla_hours_when_needed",
            ),
        ]

    def __str__(self) -> str:
        return " · ".join(
            str(part)
            for part in (
                self.dealer or _("all dealers"),
                self.get_channel_display() or _("any channel"),
                self.get_severity_display() or _("any severity"),
            )
        )


@choices_enforced
class Escalation(models.Model):
    """One step up the ladder: agent → department manager → director; the OEM region only when a manager asks it
    for an authorisation (AuthorityRequest)."""

    class Reason(models.TextChoices):
        AUTHORITY = "authority", _("Beyond this level's authority")
        CUSTOMER_DEMAND = "customer_demand", _("Customer demands it")
        DEADLINE = "deadline", _("Deadline breached")
        MAJOR = "major", _("Major or emergency")

    complaint = models.ForeignKey(
        Complaint, on_delete=models.CASCADE, related_name="escalations", verbose_name=_("complaint")
    )
    from_level = models.PositiveSmallIntegerField(_("from level"), choices=EscalationLevel)
    to_level = models.PositiveSmallIntegerField(_("to level"), choices=EscalationLevel)
    reason = models.CharField(_("reason"), max_length=20, choices=Reason)
    note = models.TextField(_("note"), max_length=2000, blank=True)
    escalated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("escalated by")
    )
    escalated_at = models.DateTimeField(_("escalated at"), default=timezone.now)

    class Meta:
        ordering = ["escalated_at", "id"]
        verbose_name = _("escalation")
        verbose_name_plural = _("escalations")
        constraints = [
            models.CheckConstraint(condition=Q(to_level__gt=models.F("from_level")), name="escalation_goes_up"),
            models.UniqueConstraint(fields=["complaint", "to_level"], name="escalation_once_per_level"),
        ]

    def __str__(self) -> str:
        return f"{self.complaint} {self.from_level}→{self.to_level}"


@choices_enforced
class AuthorityRequest(TimeStampedModel):
    """What exceeds the dealer's authority, asked of the OEM region by a manager (seed 000 §五.7, 客诉授权): the
    authorisation asked for, and later the region's answer as the manager records it. Asking raises the complaint
    to the OEM region (one Escalation row, the first time) and sends the OEM its escalation report; the deadline
    ladder never does (避免直接将客诉推向厂家)."""

    class Kind(models.TextChoices):
        COMPENSATION = "compensation", _("Compensation")
        RENTAL_CAR = "rental_car", _("Rental car (租车费)")
        TRANSPORT_SUBSIDY = "transport_subsidy", _("Transport subsidy (交通补助)")
        EXCHANGE_REFUND = "exchange_refund", _("Exchange or refund of the vehicle (退换车)")
        PARTS_CLAIM = "parts_claim", _("Parts or warranty claim (零件索赔)")
        MEDIATION = "mediation", _("Mediation with a third party (与第三者协调)")

    class Answer(models.TextChoices):
        GRANTED = "granted", _("Granted")
        REFUSED = "refused", _("Refused")

    complaint = models.ForeignKey(
        Complaint, on_delete=models.CASCADE, related_name="authority_requests", verbose_name=_("complaint")
    )
    kind = models.CharField(_("authorisation asked for"), max_length=20, choices=Kind)
    request = models.TextField(_("what is asked of the OEM region"), max_length=2000)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("requested by")
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    answer = models.CharField(_("the region's answer"), max_length=8, choices=Answer, blank=True)
    answer_note = models.TextField(_("what the region answered"), max_length=2000, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("answer recorded by"),
    )
    answered_at = models.DateTimeField(_("answer recorded at"), null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["requested_at", "id"]
        verbose_name = _("OEM authorisation request")
        verbose_name_plural = _("OEM authorisation requests")
        constraints = [
            models.CheckConstraint(
                condition=(Q(answer="") & Q(answered_at__isnull=True) & Q(answered_by__isnull=True))
                | (~Q(answer="") & Q(answered_at__isnull=False)),
                name="authority_request_answered_with_time",
            ),
            # One open question of each kind at a time: a second one would be a duplicate to the region.
            models.UniqueConstraint(
                fields=["complaint", "kind"], condition=Q(answer=""), name="one_pending_authority_request_per_kind"
            ),
        ]
        indexes = [models.Index(fields=["requested_at"], name="authority_request_requested")]

    def __str__(self) -> str:
        return f"{self.complaint} {self.get_kind_display()}"

    @property
    def is_pending(self) -> bool:
        return not self.answer


class EngineerDispatch(TimeStampedModel):
    """For an emergency: the OEM regional engineer called for on-site appraisal (紧急事故联络区域工程师)."""

    complaint = models.OneToOneField(
        Complaint, on_delete=models.CASCADE, related_name="dispatch", verbose_name=_("complaint")
    )
    engineer = models.CharField(_("engineer called"), max_length=60, blank=True)
    called_at = models.DateTimeField(_("called at"), null=True, blank=True)
    promised_arrival_at = models.DateTimeField(_("promised arrival"), null=True, blank=True)
    arrived_at = models.DateTimeField(_("arrived at"), null=True, blank=True)
    appraisal_result = models.TextField(_("appraisal result"), max_length=3000, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("engineer dispatch")
        verbose_name_plural = _("engineer dispatches")

    def __str__(self) -> str:
        return f"{self.complaint} {self.engineer}"


def _attachment_path(instance, filename: str) -> str:
    return f"complaints/{instance.complaint.dealer_id}/{instance.complaint_id}/{filename}"


@choices_enforced
class Attachment(models.Model):
    """Evidence: photos, letters, recordings. Served only through a view that checks the complaint's dealer."""

    class Kind(models.TextChoices):
        PHOTO = "photo", _("Photo")
        DOCUMENT = "document", _("Letter or document")
        RECORDING = "recording", _("Recording")

    complaint = models.ForeignKey(
        Complaint, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("complaint")
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind)
    file = models.FileField(_("file"), upload_to=_attachment_path)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    description = models.CharField(_("description"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, verbose_name=_("uploaded by"))
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.original_name


class KeyAttentionVehicle(TimeStampedModel):
    """重点关注车辆: in-warranty quality, repair-quality and rework complaints put a vehicle here until its
    complaints are closed after a satisfied follow-up."""

    dealer = models.ForeignKey(Dealer, on_delete=models.PROTECT, related_name="key_vehicles", verbose_name=_("dealer"))
    vehicle = models.ForeignKey(
        Vehicle, on_delete=models.PROTECT, related_name="key_attention", verbose_name=_("vehicle")
    )
    reason = models.CharField(_("reason"), max_length=200)
    # The reasons as data (a list of cac.texts), worded in the reader's language; `reason` keeps them in the CAC's
    # language (and the words of an entry written before).
    reasons = models.JSONField(_("reasons as data"), default=list, blank=True, editable=False)
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="key_vehicles",
        verbose_name=_("responsible person"),
    )
    since = models.DateTimeField(_("on the list since"), default=timezone.now)
    released_at = models.DateTimeField(_("released at"), null=True, blank=True)
    complaints = models.ManyToManyField(Complaint, related_name="key_attention_entries", verbose_name=_("complaints"))

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["-since"]
        verbose_name = _("key-attention vehicle")
        verbose_name_plural = _("key-attention vehicles")
        constraints = [
            models.UniqueConstraint(
                fields=["vehicle"], condition=Q(released_at__isnull=True), name="one_active_key_attention_per_vehicle"
            )
        ]

    def __str__(self) -> str:
        return str(self.vehicle)

    def add_reason(self, reason: Text) -> None:
        """One more reason (a text): kept as data, and in the CAC's language in `reason`."""
        self.reasons = [*self.reasons, reason]
        words = render(reason, language=settings.LANGUAGE_CODE)
        self.reason = (f"{self.reason}; {words}" if self.reason else words)[:200]

    @property
    def shown_reason(self) -> str:
        """The reasons in the active language."""
        return "; ".join(render(reason) for reason in self.reasons) if self.reasons else self.reason
