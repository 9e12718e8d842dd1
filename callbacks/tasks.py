"""Follow-up call tasks: thin, ids in, the rows fetched again, one service called."""

import logging
from smtplib import SMTPException

from celery import shared_task
from django.db import OperationalError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_noop

from cac.texts import joined, text

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
    # Worded for each manager: the bell in the language of the page, the e-mail in the one they chose.
    subject = text(gettext_noop("三包 warning: %(vehicle)s (%(vin)s)"), vehicle=str(vehicle), vin=vehicle.vin)
    lines = [
        f"{vehicle.customer.name} · {vehicle.customer.mobile_display} · {vehicle.model} {vehicle.plate}",
        text(gettext_noop("Warranty until %(date)s"), date=vehicle.warranty_end),
    ]
    if figures is not None:
        lines.append(
            text(gettext_noop("Days in the workshop (warranty repairs): %(days)s"), days=figures.workshop_days)
        )
        for code, count in sorted(figures.same_fault.items()):
            lines.append(text(gettext_noop("Fault %(code)s repaired %(count)s times"), code=code, count=count))
        if figures.safety_repairs:
            lines.append(text(gettext_noop("Safety-fault repairs: %(count)s"), count=figures.safety_repairs))
    lines.append(text(gettext_noop("New warnings: %(warnings)s"), warnings=", ".join(warnings)))
    url = reverse("events:sanbao")
    # Through the notification ledger, one key per manager and set of warnings: a rerun mails nobody twice.
    return sum(
        notify_and_mail(
            recipient=user,
            key=f"vehicle:{vehicle.pk}:sanbao:{'+'.join(sorted(warnings))}:user:{user.pk}",
            kind="sanbao_warning",
            title=subject,
            body=joined(*lines, separator="\n"),
            url=url,
            dealer=vehicle.dealer_id,
        )
        for user in managers
    )
