"""Reports (报表): the monthly complaint analysis, stored with its PDF, and the corrective actions decided on it."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_fsm import FSMField, FSMModelMixin, transition
from simple_history.models import HistoricalRecords

from cac.models import Dealer, TimeStampedModel
from cac.platform.validation import choices_enforced


class Status(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Generating")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Generation failed")


def _report_path(instance, filename: str) -> str:
    return f"reports/{instance.month:%Y-%m}/{filename}"


@choices_enforced
class MonthlyReport(FSMModelMixin, TimeStampedModel):
    """One month's complaint analysis of one dealer or several. Served only through a view that checks dealers."""

    dealers = models.ManyToManyField(Dealer, related_name="monthly_reports", verbose_name=_("dealers"))
    month = models.DateField(_("month"), help_text=_("The first day of the month reported on."))
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    status = FSMField(_("status"), max_length=10, choices=Status, default=Status.QUEUED, protected=True)
    file = models.FileField(_("file"), upload_to=_report_path, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="monthly_reports",
        verbose_name=_("requested by"),
        help_text=_("Empty: generated on schedule."),
    )
    started_at = models.DateTimeField(_("generation started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    error = models.TextField(_("error"), max_length=3000, blank=True)
    # What the PDF was made from (reports.snapshot), kept when it is generated: the preview, CSV and XLSX of a ready
    # report show it, whatever happens to the complaints afterwards. Empty until the report is ready.
    snapshot = models.JSONField(_("snapshot"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-month", "-created_at", "-id"]
        verbose_name = _("monthly report")
        verbose_name_plural = _("monthly reports")
        indexes = [models.Index(fields=["month", "status"], name="monthly_report_month_status")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}"

    @property
    def is_pending(self) -> bool:
        return self.status in (Status.QUEUED, Status.RUNNING)

    # --- Transitions: memory only; reports.services saves. ---

    @transition(field=status, source=Status.QUEUED, target=Status.RUNNING)
    def start(self, *, at):
        """A worker took it."""
        self.started_at = at

    @transition(field=status, source=Status.RUNNING, target=Status.READY)
    def finish(self, *, at, snapshot: dict):
        self.finished_at = at
        self.snapshot = snapshot
        self.error = ""

    @transition(field=status, source=[Status.QUEUED, Status.RUNNING], target=Status.FAILED)
    def fail(self, *, at, error: str):
        self.finished_at = at
        self.error = error[:3000]


class ActionStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("action status", "Open")
    DONE = "done", pgettext_lazy("action status", "Done")
    DROPPED = "dropped", pgettext_lazy("action status", "Dropped")


@choices_enforced
class CorrectiveAction(FSMModelMixin, TimeStampedModel):
    """A corrective or preventive action (纠正预防措施) decided on a month's complaint analysis (seed 003 §7-3):
    what is done, by whom and by when, for which complaints. The month's report lists it; the next month's report
    reviews it (done, dropped, or still open and overdue)."""

    dealer = models.ForeignKey(
        Dealer, on_delete=models.PROTECT, related_name="corrective_actions", verbose_name=_("dealer")
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month whose analysis decided it."))
    action = models.TextField(_("action"), max_length=2000)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="corrective_actions", verbose_name=_("owner")
    )
    due_on = models.DateField(_("due on"))
    status = FSMField(_("status"), max_length=10, choices=ActionStatus, default=ActionStatus.OPEN, protected=True)
    outcome = models.TextField(_("outcome"), max_length=2000, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    complaints = models.ManyToManyField(
        "complaints.Complaint", related_name="corrective_actions", blank=True, verbose_name=_("complaints")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="corrective_actions_created",
        verbose_name=_("created by"),
    )
    history = HistoricalRecords(m2m_fields=["complaints"])

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("corrective action")
        verbose_name_plural = _("corrective actions")
        indexes = [models.Index(fields=["dealer", "month"], name="corrective_action_month")]

    def __str__(self) -> str:
        return self.action[:60]

    # --- Transitions: memory only; reports.services saves. ---

    @transition(field=status, source=ActionStatus.OPEN, target=ActionStatus.DONE)
    def complete(self, *, at, outcome: str):
        self.closed_at, self.outcome = at, outcome

    @transition(field=status, source=ActionStatus.OPEN, target=ActionStatus.DROPPED)
    def drop(self, *, at, outcome: str):
        self.closed_at, self.outcome = at, outcome


class DealerTarget(TimeStampedModel):
    """A dealer's targets for the figures of the executive's dashboard, each figure coloured against them. A dealer
    without a row is held to the defaults below (`DealerTarget.for_dealers`); a rate is met when it reaches the
    target, a figure where less is better (hours, reopen and unreachable rates) when it stays within it."""

    dealer = models.OneToOneField(Dealer, on_delete=models.CASCADE, related_name="target", verbose_name=_("dealer"))
    acknowledged_on_time_pct = models.DecimalField(
        _("acknowledged on time, at least (%)"), max_digits=4, decimal_places=1, default=95
    )
    resolved_on_time_pct = models.DecimalField(
        _("result within the deadline, at least (%)"), max_digits=4, decimal_places=1, default=90
    )
    oem_status_on_time_pct = models.DecimalField(
        _("OEM same-day status reports on time, at least (%)"), max_digits=4, decimal_places=1, default=100
    )
    oem_result_on_time_pct = models.DecimalField(
        _("OEM 3-day result reports on time, at least (%)"), max_digits=4, decimal_places=1, default=100
    )
    median_hours_to_resolve = models.DecimalField(
        _("median time to resolve, at most (hours)"), max_digits=6, decimal_places=1, default=72
    )
    reopen_rate_pct = models.DecimalField(_("reopen rate, at most (%)"), max_digits=4, decimal_places=1, default=5)
    follow_up_on_time_pct = models.DecimalField(
        _("follow-up calls made on time, at least (%)"), max_digits=4, decimal_places=1, default=95
    )
    unreachable_pct = models.DecimalField(
        _("follow-up calls unreachable, at most (%)"), max_digits=4, decimal_places=1, default=10
    )
    average_satisfaction = models.DecimalField(
        _("average satisfaction, at least (of 5)"), max_digits=3, decimal_places=2, default=4.5
    )
    top_box_pct = models.DecimalField(
        _("top-box satisfaction (5 of 5), at least (%)"), max_digits=4, decimal_places=1, default=80
    )
    conversion_pct = models.DecimalField(
        _("prospects converted, at least (%)"), max_digits=4, decimal_places=1, default=20
    )

    # Where less is better.
    AT_MOST = frozenset({"median_hours_to_resolve", "reopen_rate_pct", "unreachable_pct"})

    class Meta:
        verbose_name = _("dealer's targets")
        verbose_name_plural = _("dealers' targets")
        permissions = [("view_dashboard", _("Can see the executive's dashboard"))]

    def __str__(self) -> str:
        return str(self.dealer)

    @classmethod
    def figure_names(cls) -> list[str]:
        return [f.name for f in cls._meta.concrete_fields if isinstance(f, models.DecimalField)]

    @classmethod
    def for_dealers(cls, dealer_ids) -> dict[int, dict[str, float]]:
        """Each dealer's targets as numbers, the defaults where it has none: one query."""
        names = cls.figure_names()
        defaults = {name: float(cls._meta.get_field(name).default) for name in names}
        targets = {dealer_id: dict(defaults) for dealer_id in dealer_ids}
        for row in cls.objects.filter(dealer_id__in=list(dealer_ids)).values("dealer_id", *names):
            targets[row["dealer_id"]] = {name: float(row[name]) for name in names}
        return targets
