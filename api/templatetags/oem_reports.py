"""`{% oem_reports complaint %}`: the complaint's reports to the OEM, failures first, with a resend button."""

from django import template

from api.models import OemReport

register = template.Library()


@register.inclusion_tag("api/_complaint_oem_reports.html", takes_context=True)
def oem_reports(context, complaint):
    reports = list(OemReport.objects.filter(complaint=complaint).order_by("kind"))
    return {
        "reports": reports,
        "perms": context.get("perms"),
        "request": context.get("request"),
        "csrf_token": context.get("csrf_token"),
    }
