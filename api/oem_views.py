"""The outbox of reports to the OEM and of deliveries to the dealer's webhooks, for managers of the dealers: what
went, what failed and why, send again."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from api.models import OemReport, WebhookDelivery
from api.oem import oem_report_resend
from api.outbound import webhook_delivery_resend
from cac.desk.selectors import dealer_ids
from cac.platform.pagination import page_of
from cac.platform.views import role_required
from complaints.models import MANAGE

WEBHOOKS = "webhooks"


def oem_report_list_for(*, user):
    return OemReport.objects.filter(dealer_id__in=dealer_ids(user=user)).select_related("complaint", "dealer")


def webhook_delivery_list_for(*, user):
    return WebhookDelivery.objects.filter(dealer_id__in=dealer_ids(user=user)).select_related(
        "complaint", "dealer", "endpoint"
    )


@require_GET
@role_required(MANAGE)
def oem_report_list(request):
    state = request.GET.get("state", "")
    outbox = WEBHOOKS if request.GET.get("outbox") == WEBHOOKS else "oem"
    rows = (webhook_delivery_list_for if outbox == WEBHOOKS else oem_report_list_for)(user=request.user)
    rows = rows.order_by("-updated_at", "-pk")
    if state in OemReport.State.values:
        rows = rows.filter(state=state)
    page = page_of(rows, request.GET.get("page"), 25)
    return render(
        request,
        "api/oem_report_list.html",
        {"page": page, "state": state, "states": OemReport.State.choices, "outbox": outbox},
    )


def _back(request, default: str):
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect(default)


@require_POST
@role_required(MANAGE)
def oem_report_resend_view(request, report_id: int):
    try:
        report = oem_report_resend(report_id=report_id, acting_user=request.user)
    except OemReport.DoesNotExist:
        raise Http404(_("Not found.")) from None
    messages.success(request, _("The report %(key)s is being sent again.") % {"key": report.key})
    return _back(request, "oem_reports:list")


@require_POST
@role_required(MANAGE)
def webhook_delivery_resend_view(request, delivery_id: int):
    try:
        delivery = webhook_delivery_resend(delivery_id=delivery_id, acting_user=request.user)
    except WebhookDelivery.DoesNotExist:
        raise Http404(_("Not found.")) from None
    messages.success(request, _("The delivery %(key)s is being sent again.") % {"key": delivery.key})
    return _back(request, "oem_reports:list")
