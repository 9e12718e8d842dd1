"""The outbox of reports to the OEM, for managers of the dealers: what went, what failed and why, send again."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from api.models import OemReport
from api.oem import oem_report_resend
from cac.desk.selectors import dealer_ids
from cac.platform.pagination import page_of
from cac.platform.views import role_required
from complaints.models import MANAGE


def oem_report_list_for(*, user):
    return OemReport.objects.filter(dealer_id__in=dealer_ids(user=user)).select_related("complaint", "dealer")


@require_GET
@role_required(MANAGE)
def oem_report_list(request):
    state = request.GET.get("state", "")
    reports = oem_report_list_for(user=request.user).order_by("-updated_at", "-pk")
    if state in OemReport.State.values:
        reports = reports.filter(state=state)
    page = page_of(reports, request.GET.get("page"), 25)
    return render(
        request, "api/oem_report_list.html", {"page": page, "state": state, "states": OemReport.State.choices}
    )


@require_POST
@role_required(MANAGE)
def oem_report_resend_view(request, report_id: int):
    try:
        report = oem_report_resend(report_id=report_id, acting_user=request.user)
    except OemReport.DoesNotExist:
        raise Http404(_("Not found.")) from None
    messages.success(request, _("The report %(key)s is being sent again.") % {"key": report.key})
    return redirect(request.POST.get("next") or "oem_reports:list")
