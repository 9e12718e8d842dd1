"""Complaint tasks: thin, ids in, the row fetched again."""

import logging
from smtplib import SMTPException

from celery import shared_task
from django.urls import reverse
from django.utils.translation import gettext_noop

from cac.texts import joined, text

logger = logging.getLogger(__name__)


@shared_task(
    name="complaints.notify_director",
    autoretry_for=(SMTPException, ConnectionError),
    retry_backoff=True,
    max_retries=5,
    ignore_result=True,
)
def complaint_notify_director(*, complaint_id: int) -> int:
    """Tell the dealer's directors at once about a major or emergency complaint. Returns the mails sent."""
    from cac.deadlines.notifications import notify_and_mail
    from complaints.models import Category, Complaint, Severity
    from complaints.services import directors_of

    complaint = Complaint.objects.select_related("customer", "dealer").filter(pk=complaint_id).first()
    if complaint is None:
        return 0
    directors = directors_of(complaint.dealer_id)
    if not any(user.email for user in directors):
        logger.warning("No director with an e-mail address for dealer %s", complaint.dealer.code)
    # Worded for each director in their language: the bell in the app's, the e-mail in the one they chose.
    subject = text(
        gettext_noop("[%(severity)s] Complaint %(number)s needs the director"),
        severity=Severity(complaint.severity).label,
        number=complaint.number,
    )
    mail_body = joined(
        text(
            gettext_noop("%(number)s · %(customer)s · %(category)s"),
            number=complaint.number,
            customer=complaint.customer.name,
            category=Category(complaint.category).label,
        ),
        complaint.description,
        separator="\n",
    )
    # Through the notification ledger, one key per director: a rerun or a retry mails nobody twice.
    return sum(
        notify_and_mail(
            recipient=user,
            key=f"complaint:{complaint.pk}:director-alert:user:{user.pk}",
            kind="complaint_director_alert",
            title=subject,
            body=complaint.description[:500],
            url=reverse("complaints:detail", args=[complaint.pk]),
            mail_body=mail_body,
            dealer=complaint.dealer_id,
        )
        for user in directors
    )
