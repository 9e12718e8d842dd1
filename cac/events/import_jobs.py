"""The DMS import as background work: the request checks the file and queues it; a worker writes it.

A file of 20,000 rows takes longer to write than a web request may last. The upload page checks the file at once
(its bad rows shown before anything is written, as before) and, once the user has nothing left to decide, stores the
file and queues it; `dms_import_run` imports it in a worker through `cac.events.imports.import_apply`, which writes the
whole file in one transaction: an import that fails, or a worker killed in the middle, has written nothing, and the
user simply tries again."""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from cac.desk.selectors import dealer_ids
from cac.events import imports
from cac.events.import_models import DmsImport, DmsImportStatus
from cac.models import Dealer, User
from cac.platform.queue import enqueue_on_commit

logger = logging.getLogger(__name__)


def _limit() -> timedelta:
    """How long an import may run before the reaper fails it: the task's hard time limit and a minute's grace."""
    return timedelta(seconds=settings.CAC_IMPORT_TIME_LIMIT + 60)


@transaction.atomic
def dms_import_request(
    *, dealer: Dealer, kind: str, filename: str, content: bytes, good_rows_only: bool, acting_user: User
) -> DmsImport:
    """A queued import of a checked file; a worker imports it once this commits."""
    imports.authorize(dealer=dealer, kind=kind, acting_user=acting_user)
    job = DmsImport(
        dealer=dealer, kind=kind, filename=filename[:255], good_rows_only=good_rows_only, requested_by=acting_user
    )
    job.file.save(filename, ContentFile(content), save=False)
    job.save()
    enqueue_on_commit("cac.tasks.dms_import_task", import_id=job.pk)
    return job


def dms_import_run(*, import_id: int) -> DmsImport | None:
    """Import a queued file. An import no longer queued is left alone (a rerun is a no-op). A file refused now
    (rows that became bad since the check: another import got there first) or any error marks it failed with the
    reason, so that the page stops waiting; nothing of it is written then."""
    with transaction.atomic():
        job = DmsImport.objects.select_for_update().filter(pk=import_id, status=DmsImportStatus.QUEUED).first()
        if job is None:
            return None
        job.start(at=timezone.now())
        job.save(update_fields=["status", "started_at", "updated_at"])
    try:
        with job.file.open("rb") as stored:
            content = stored.read()
        result = imports.import_apply(
            dealer=job.dealer,
            kind=job.kind,
            content=content,
            acting_user=job.requested_by,
            today=timezone.localdate(),
            good_rows_only=job.good_rows_only,
        )
    except imports.ImportRefused as refused:
        return _fail(import_id, error=str(refused), errors=refused.check.errors)
    except Exception as exc:  # noqa: BLE001 - any failure must end the wait with a reason
        logger.exception("DMS import %s failed", import_id)
        return _fail(import_id, error=f"{type(exc).__name__}: {exc}")
    with transaction.atomic():
        job = DmsImport.objects.select_for_update().get(pk=import_id)
        job.finish(
            at=timezone.now(),
            created=result.created,
            present=result.present,
            bad=result.bad,
            errors=_rows(result.errors),
        )
        job.save(update_fields=["status", "finished_at", "created", "present", "bad", "errors", "updated_at"])
    return job


def _rows(errors: list[imports.RowError]) -> list[dict]:
    return [{"line": error.line, "message": str(error.message)} for error in errors]


def _fail(import_id: int, *, error: str, errors: list[imports.RowError] = ()) -> DmsImport:
    with transaction.atomic():
        job = DmsImport.objects.select_for_update().get(pk=import_id)
        job.fail(at=timezone.now(), error=error, errors=_rows(list(errors)))
        job.save(update_fields=["status", "finished_at", "error", "errors", "bad", "updated_at"])
    return job


def dms_imports_reap(*, now: datetime) -> int:
    """Fail the imports still running past their time limit (their worker was killed). Returns how many."""
    reaped = 0
    with transaction.atomic():
        stuck = DmsImport.objects.select_for_update(skip_locked=True).filter(
            status=DmsImportStatus.RUNNING, started_at__lt=now - _limit()
        )
        for job in stuck:
            job.fail(at=now, error="Stopped: the import took longer than its time limit. Upload the file again.")
            job.save(update_fields=["status", "finished_at", "error", "errors", "bad", "updated_at"])
            reaped += 1
    return reaped


def dms_import_get(*, user: User, import_id: int) -> DmsImport:
    """An import of one of the user's dealers (DoesNotExist otherwise)."""
    return DmsImport.objects.select_related("dealer").get(pk=import_id, dealer_id__in=dealer_ids(user=user))
