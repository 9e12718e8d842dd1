"""`{% oem_reports complaint %}`: the complaint's reports to the OEM and its deliveries to the dealer's webhooks,
with a resend button on a failed one."""

from django import template

from api.models import OemReport, WebhookDelivery

register = template.Library()


@register.inclusion_tag("api/_complaint_oem_reports.html", takes_context=True)
def oem_reports(context, complaint):
    reports = list(OemReport.objects.filter(complaint=complaint).order_by("created_at", "pk"))
    # Only the failures of the webhooks for other systems: a sent one is no news on the complaint.
    deliveries = list(
        WebhookDelivery.objects.filter(complaint=complaint)
        .exclude(state=WebhookDelivery.State.SENT)
        .select_related("endpoint")
        .order_by("created_at", "pk")
    )
    return {
        "reports": reports,
        "deliveries": deliveries,
        "perms": context.get("perms"),
        "request": context.get("request"),
        "csrf_token": context.get("csrf_token"),
    }
