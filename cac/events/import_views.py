"""The page that follows a DMS import a worker is writing: it polls until the import is done or failed."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from django_htmx.http import HttpResponseClientRefresh

from cac.events import import_jobs, imports
from cac.events.import_models import DmsImport


@login_required
@require_GET
def import_status(request, import_id: int):
    """Queued or importing: a page that asks again every 2 seconds. Done: the counts and the bad rows. Failed: the
    reason, and nothing written."""
    if not any(request.user.has_perm(perm) for perm in imports.PERMISSIONS.values()):
        raise PermissionDenied
    try:
        job = import_jobs.dms_import_get(user=request.user, import_id=import_id)
    except DmsImport.DoesNotExist:
        raise Http404(_("No such import.")) from None
    if request.htmx:
        # The poll: the same page again once the worker has finished, else nothing to change.
        return (
            HttpResponseClientRefresh()
            if not job.is_pending
            else render(request, "cac/events/_import_pending.html", {"job": job})
        )
    return render(request, "cac/events/import_status.html", {"job": job, "kind_label": imports.KINDS.get(job.kind)})
