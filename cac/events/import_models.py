"""A DMS import run by a worker: the file checked in the request, written by a task, followed by the page."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from cac.platform.model_base import TimeStampedModel
from cac.platform.validation import choices_enforced


class DmsImportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Importing")
    DONE = "done", _("Imported")
    FAILED = "failed", _("Import failed")


@choices_enforced
class DmsImport(FSMModelMixin, TimeStampedModel):
    """One uploaded DMS file of deliveries or repair orders. The file is kept in the media storage, so that the
    worker that imports it may run on another machine than the web server that received it."""

    dealer = models.ForeignKey(
        "cac.Dealer", on_delete=models.PROTECT, related_name="dms_imports", verbose_name=_("dealer")
    )
    kind = models.CharField(_("kind"), max_length=20)
    filename = models.CharField(_("file name"), max_length=255)
    file = models.FileField(_("file"), upload_to="imports/%Y/%m/")
    good_rows_only = models.BooleanField(_("good rows only"), default=False)
    status = FSMField(
        _("status"), max_length=10, choices=DmsImportStatus, default=DmsImportStatus.QUEUED, protected=True
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dms_imports",
        verbose_name=_("requested by"),
    )
    started_at = models.DateTimeField(_("import started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    created = models.PositiveIntegerField(_("created"), default=0)
    present = models.PositiveIntegerField(_("already present"), default=0)
    bad = models.PositiveIntegerField(_("bad rows"), default=0)
    errors = models.JSONField(_("row errors"), default=list, blank=True)  # [{"line": 3, "message": "…"}]
    error = models.TextField(_("error"), max_length=3000, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("DMS import")
        verbose_name_plural = _("DMS imports")
        # The reaper's selection: imports running since before a moment.
        indexes = [models.Index(fields=["status", "started_at"], name="dms_import_status_started")]

    def __str__(self) -> str:
        return self.filename

    @property
    def is_pending(self) -> bool:
        return self.status in (DmsImportStatus.QUEUED, DmsImportStatus.RUNNING)

    # --- Transitions: memory only; cac.events.import_jobs saves. ---

    @transition(field=status, source=DmsImportStatus.QUEUED, target=DmsImportStatus.RUNNING)
    def start(self, *, at):
        """A worker took it."""
        self.started_at = at

    @transition(field=status, source=DmsImportStatus.RUNNING, target=DmsImportStatus.DONE)
    def finish(self, *, at, created: int, present: int, bad: int, errors: list[dict]):
        self.finished_at = at
        self.created, self.present, self.bad, self.errors = created, present, bad, errors

    @transition(field=status, source=[DmsImportStatus.QUEUED, DmsImportStatus.RUNNING], target=DmsImportStatus.FAILED)
    def fail(self, *, at, error: str, errors: list[dict] | None = None):
        self.finished_at = at
        self.error = error[:3000]
        self.errors = errors or []
        self.bad = len({row["line"] for row in self.errors})
