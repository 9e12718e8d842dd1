"""The prospects' rules of the deadline sweep (cac.deadlines.engine runs them): the owner is told on the day a prospect is to be
contacted, the sales manager when the prospect has waited 3 working days; and their line of the morning digest."""

from datetime import datetime

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_noop

from cac import roles
from cac.deadlines.engine import DeadlineRule, DigestSection, Sweep, register_digest_section, register_rule, stamp
from cac.deadlines.notifications import Notice, notification_keys_used
from cac.models import User
from cac.texts import text
from prospects.models import OPEN_STATUSES, Prospect

PROSPECT_OVERDUE_WORKING_DAYS = 3


def select_due(sweep: Sweep):
    return Prospect.objects.select_related("dealer", "owner").filter(
        status__in=OPEN_STATUSES, next_contact_at__lte=sweep.now
    )


def due(sweep: Sweep, rows: list[Prospect]) -> None:
    # Most rows of a long catch-up were told today already: find those by their keys first, in one query.
    keys = {}
    for prospect in rows:
        calendar = sweep.calendar(prospect.dealer)
        today = timezone.localtime(sweep.now, calendar.zone).date()
        late = sweep.now >= calendar.add_working_days(prospect.next_contact_at, PROSPECT_OVERDUE_WORKING_DAYS)
        keys[prospect.pk] = (
            f"prospect:{prospect.pk}:due:{today:%Y%m%d}",
            f"prospect:{prospect.pk}:overdue:{stamp(prospect.next_contact_at)}" if late else None,
        )
    used = notification_keys_used(key for pair in keys.values() for key in pair if key)
    notices = []
    for prospect in rows:
        daily, overdue = keys[prospect.pk]
        if daily in used and (overdue is None or overdue in used):
            continue
        url = reverse("prospects:detail", args=[prospect.pk])
        if daily not in used:
            notices.append(
                Notice(
                    recipient=prospect.owner,
                    key=daily,
                    kind="prospect_due",
                    title=text(gettext_noop("Contact %(name)s today"), name=str(prospect)),
                    url=url,
                    dealer_id=prospect.dealer_id,
                    counter="prospects_due",
                )
            )
        if overdue is not None and overdue not in used:
            notices += [
                Notice(
                    recipient=manager,
                    key=overdue,
                    kind="prospect_overdue",
                    title=text(
                        gettext_noop("%(name)s has waited 3 days for a call from %(owner)s"),
                        name=str(prospect),
                        owner=str(prospect.owner),
                    ),
                    url=url,
                    dealer_id=prospect.dealer_id,
                    counter="prospects_overdue",
                )
                for manager in sweep.staff(prospect.dealer_id, roles.SALES_MANAGER)[:1]
            ]
    sweep.send(notices)


def digest_section(*, user: User, dealer_ids: list[int], agent_only: bool, now: datetime) -> tuple[int, str]:
    """The digest's line of the user's own prospects to contact."""
    prospects = Prospect.objects.filter(owner=user, status__in=OPEN_STATUSES, next_contact_at__lte=now).count()
    return prospects, text(gettext_noop("Prospects to contact: %(count)s"), count=prospects)


def register() -> None:
    register_rule(DeadlineRule(name="prospects.due", select=select_due, act=due))
    register_digest_section(DigestSection(name="prospects", count=digest_section))
