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
