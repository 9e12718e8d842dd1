"""Notifications: the in-app list with its bell, and the e-mail of each notice. Writes and reads of Notification."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from cac.models import Dealer, Notification, User
from cac.platform.queue import enqueue_on_commit
from cac.texts import Text, is_text, render


@dataclass(frozen=True)
class Notice:
    """A notification to be written by `notify_many`; `counter` names what the caller counts when it is new."""

    recipient: User
    key: str
    kind: str
    title: str | Text
    body: str | Text = ""
    url: str = ""
    dealer_id: int | None = None
    counter: str = ""


def _worded(*, title: str | Text, body: str | Text) -> dict:
    """The columns of a notice: a title or body given as a text (cac.texts) is kept as data, worded for each
    reader, and in the CAC's language in `title` and `body` (the admin, a search)."""
    texts = {name: value for name, value in (("title", title), ("body", body)) if is_text(value)}
    return {
        "title": render(title, language=settings.LANGUAGE_CODE)[:200],
        "body": render(body, language=settings.LANGUAGE_CODE),
        "texts": texts,
    }


@transaction.atomic
def notify(
    *,
    recipient: User,
    key: str,
    kind: str,
    title: str | Text,
    body: str | Text = "",
    url: str = "",
    dealer: Dealer | int | None = None,
) -> tuple[Notification, bool]:
    """Notify `recipient` of the event named `key`, at most once: a second call with the same key changes nothing
    and sends nothing. The e-mail leaves after the transaction commits. Returns (notification, created)."""
    notification, created = notify_without_mail(
        recipient=recipient, key=key, kind=kind, title=title, body=body, url=url, dealer=dealer
    )
    if created and recipient.email:
        enqueue_on_commit("cac.tasks.notification_email", notification_id=notification.pk)
    return notification, created


def notify_and_mail(
    *,
    recipient: User,
    key: str,
    kind: str,
    title: str | Text,
    body: str | Text = "",
    url: str = "",
    mail_body: str | Text | None = None,
    dealer: Dealer | int | None = None,
) -> bool:
    """For a worker's task that alerts at once (the director's alert, the 三包 alert): the notice in the ledger under
    `key`, and its e-mail sent now. A key already used sends nothing, so a rerun or a retry never mails twice; a mail
    that fails rolls its notice back, so the retry sends it. Returns whether a mail was sent."""
    with transaction.atomic():
        notification, created = notify_without_mail(
            recipient=recipient, key=key, kind=kind, title=title, body=body, url=url, dealer=dealer
        )
        if not created or not recipient.email:
            return False
        subject, text = notification_mail(notification, body=mail_body)
        send_mail(subject, text, settings.DEFAULT_FROM_EMAIL, [recipient.email])
    return True


def notification_mail(notification: Notification, *, body: str | Text | None = None) -> tuple[str, str]:
    """The e-mail of a notice: (subject, text) in the recipient's language, numbers masked for a role that sees
    them masked, and the notice's link absolute (under CAC_SITE_URL), so that a mail client can open it."""
    from cac.platform.site import absolute_url
    from cac.security.privacy import phone_for

    recipient = notification.recipient
    with translation.override(recipient.language or settings.LANGUAGE_CODE):
        subject = notification.shown_title
        text = notification.shown_body if body is None else render(body)
    link = absolute_url(notification.url) if notification.url else ""
    text = "\n\n".join(part for part in (phone_for(text, recipient), link) if part)
    return phone_for(subject, recipient), text


def notify_without_mail(
    *,
    recipient: User,
    key: str,
    kind: str,
    title: str | Text,
    body: str | Text = "",
    url: str = "",
    dealer=None,
) -> tuple[Notification, bool]:
    dealer_id = dealer.pk if isinstance(dealer, Dealer) else dealer
    return Notification.objects.get_or_create(
        key=key[:200],
        defaults={
            "recipient": recipient,
            "dealer_id": dealer_id,
            "kind": kind,
            "url": url[:300],
            **_worded(title=title, body=body),
        },
    )


def notification_keys_used(keys: Iterable[str]) -> set[str]:
    """The event keys among `keys` that some notification carries already (one query)."""
    return set(Notification.objects.filter(key__in=list(keys)).order_by().values_list("key", flat=True))


@transaction.atomic
def notify_many(notices: list[Notice]) -> list[Notice]:
    """`notify` for many notices at once, as the deadline sweep sends them: one query for the keys already used,
    one INSERT for the new ones and one e-mail task for the batch. Inactive recipients and keys already used are
    skipped. Returns the notices that were new."""
    used = notification_keys_used(notice.key[:200] for notice in notices)
    new: dict[str, Notice] = {}
    for notice in notices:
        key = notice.key[:200]
        if key not in used and key not in new and notice.recipient is not None and notice.recipient.is_active:
            new[key] = notice
    if not new:
        return []
    rows = [
        Notification(
            recipient=notice.recipient,
            dealer_id=notice.dealer_id,
            key=key,
            kind=notice.kind,
            url=notice.url[:300],
            **_worded(title=notice.title, body=notice.body),
        )
        for key, notice in new.items()
    ]
    try:
        with transaction.atomic():
            Notification.objects.bulk_create(rows)
    except IntegrityError:
        # A key written meanwhile by someone not holding these rows: one by one, each at most once.
        created = []
        for notice in new.values():
            _notification, was_new = notify(
                recipient=notice.recipient,
                key=notice.key,
                kind=notice.kind,
                title=notice.title,
                body=notice.body,
                url=notice.url,
                dealer=notice.dealer_id,
            )
            if was_new:
                created.append(notice)
        return created
    mailed = [row.pk for row in rows if row.recipient.email]
    if mailed:
        enqueue_on_commit("cac.tasks.notification_emails", notification_ids=mailed)
    return list(new.values())


# The kinds of notice, as the filter of the notification list names them; a kind not named here shows as written.
KIND_LABELS = {
    "digest": _("Morning digest"),
    "complaint_director_alert": _("Emergency or major complaint"),
    "complaint_escalated": _("Escalation"),
    "complaint_due_soon": _("Complaint due soon"),
    "oem_report_due": _("OEM report due"),
    "oem_report_overdue": _("OEM report overdue"),
    "callback_overdue": _("Follow-up call overdue"),
    "prospect_overdue": _("Prospect waiting"),
    "prospect_due": _("Prospect to contact"),
    "sanbao_warning": _("三包 warning"),
    "state_calendar_unknown": _("State calendar"),
}


def notification_mark_read(*, user: User, notification_id: int | None = None, kind: str = "") -> int:
    """Mark one of the user's notifications read, or all of them (of one kind, when `kind` is given) when no id is
    given. Returns how many changed; another user's notification is never touched."""
    rows = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_id is not None:
        rows = rows.filter(pk=notification_id)
    if kind:
        rows = rows.filter(kind=kind)
    return rows.update(read_at=timezone.now())


def notification_list(*, user: User, kind: str = "") -> QuerySet[Notification]:
    rows = Notification.objects.filter(recipient=user)
    return rows.filter(kind=kind) if kind else rows


def notification_kinds(*, user: User) -> list[dict]:
    """The kinds of the user's notices, each with its label, how many and how many unread (one query)."""
    rows = (
        Notification.objects.filter(recipient=user)
        .values("kind")
        .annotate(total=Count("pk"), unread=Count("pk", filter=Q(read_at__isnull=True)))
        .order_by("kind")
    )
    kinds = [{**row, "label": KIND_LABELS.get(row["kind"], row["kind"])} for row in rows]
    return sorted(kinds, key=lambda row: str(row["label"]))


def notification_unread_count(*, user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
