"""Notifications: the in-app list with its bell, and the e-mail of each notice. Writes and reads of Notification."""

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from cac.models import Dealer, Notification, User
from cac.tasks import enqueue_on_commit, notification_email


@transaction.atomic
def notify(
    *,
    recipient: User,
    key: str,
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    dealer: Dealer | int | None = None,
) -> tuple[Notification, bool]:
    """Notify `recipient` of the event named `key`, at most once: a second call with the same key changes nothing
    and sends nothing. The e-mail leaves after the transaction commits. Returns (notification, created)."""
    dealer_id = dealer.pk if isinstance(dealer, Dealer) else dealer
    notification, created = Notification.objects.get_or_create(
        key=key[:200],
        defaults={
            "recipient": recipient,
            "dealer_id": dealer_id,
            "kind": kind,
            "title": title[:200],
            "body": body,
            "url": url[:300],
        },
    )
    if created and recipient.email:
        enqueue_on_commit(notification_email, notification_id=notification.pk)
    return notification, created


def notification_mark_read(*, user: User, notification_id: int | None = None) -> int:
    """Mark one of the user's notifications read, or all of them when no id is given. Returns how many changed;
    another user's notification is never touched."""
    rows = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_id is not None:
        rows = rows.filter(pk=notification_id)
    return rows.update(read_at=timezone.now())


def notification_list(*, user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user)


def notification_unread_count(*, user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
