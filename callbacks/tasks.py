"""Follow-up call tasks: thin, ids in, the rows fetched again, one service called."""

import logging
from smtplib import SMTPException

from celery import shared_task
from django.conf import settings
from django.db import OperationalError
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cac.platform.site import absolute_reverse

logger = logging.getLogger(__name__)


@shared_task(
    name="callbacks.care_callbacks_daily",
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
    ignore_result=True,
)
def care_callbacks_daily() -> int:
    """Beat, 06:00: the day's care calls and the 三包 watch of every dealer. A rerun the same day creates nothing."""
    from callbacks.care import care_callbacks_create

    return care_callbacks_create(today=timezone.localdate())


@shared_task(
    name="callbacks.sanbao_notify_service_managers",
    autoretry_for=(SMTPException, ConnectionError),
    retry_backoff=True,
    max_retries=5,
    ignore_result=True,
)
def sanbao_notify_service_managers(*, vehicle_id: int, warnings: list[str]) -> int:
    """Tell the dealer's service managers that a vehicle reached a 三包 warning threshold. Returns the mails sent."""
    from cac.deadlines.notifications import notify_and_mail
    from cac.models import Vehicle
    from callbacks.warranty_watch import sanbao_figures, service_managers

    vehicle = Vehicle.objects.select_related("customer", "dealer").filter(pk=vehicle_id).first()
    if vehicle is None:
        return 0
    managers = service_managers(dealer_id=vehicle.dealer_id)
    if not managers:
        logger.warning("No service manager with an e-mail address for dealer %s", vehicle.dealer.code)
        return 0
    figures = next(iter(sanbao_figures(dealer=vehicle.dealer_id, vehicle_ids=[vehicle.pk])), None)
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("三包 warning: %(vehicle)s (%(vin)s)") % {"vehicle": vehicle, "vin": vehicle.vin}
        lines = [
            f"{vehicle.customer.name} · {vehicle.customer.mobile_display} · {vehicle.model} {vehicle.plate}",
            _("Warranty until %(date)s") % {"date": vehicle.warranty_end},
        ]
        if figures is not None:
            lines.append(_("Days in the workshop (warranty repairs): %(days)s") % {"days": figures.workshop_days})
            for code, count in sorted(figures.same_fault.items()):
                lines.append(_("Fault %(code)s repaired %(count)s times") % {"code": code, "count": count})
            if figures.safety_repairs:
                lines.append(_("Safety-fault repairs: %(count)s") % {"count": figures.safety_repairs})
        lines.append(_("New warnings: %(warnings)s") % {"warnings": ", ".join(warnings)})
        url = reverse("events:sanbao")
        lines.append(absolute_reverse("events:sanbao"))
    # Through the notification ledger, one key per manager and set of warnings: a rerun mails nobody twice.
    return sum(
        notify_and_mail(
            recipient=user,
            key=f"vehicle:{vehicle.pk}:sanbao:{'+'.join(sorted(warnings))}:user:{user.pk}",
            kind="sanbao_warning",
            title=subject,
            body="\n".join(lines[:-1]),
            url=url,
            mail_body="\n".join(lines),
            dealer=vehicle.dealer_id,
        )
        for user in managers
    )
