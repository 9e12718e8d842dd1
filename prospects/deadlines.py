"""The prospects' rules of the deadline sweep (cac.deadlines.engine runs them): the sales manager is told when a prospect has
waited 3 working days; the owner's prospects to contact are a line of the morning digest."""

from datetime import datetime, timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_noop

from cac import roles
from cac.deadlines.engine import DeadlineRule, DigestSection, Sweep, register_digest_section, register_rule, stamp
from cac.deadlines.notifications import Notice, notification_keys_used
from cac.models import User
from cac.platform.zones import dealers_zone
from cac.texts import text
from prospects.models import OPEN_STATUSES, Prospect

PROSPECT_OVERDUE_WORKING_DAYS = 3


def select_overdue(sweep: Sweep):
    return Prospect.objects.select_related("dealer", "owner").filter(
        status__in=OPEN_STATUSES, next_contact_at__lte=sweep.now
    )


def overdue(sweep: Sweep, rows: list[Prospect]) -> None:
    # The owner's prospects of the day are a line of the morning digest, not a notice each (seed 000's noise):
    # only a prospect left waiting 3 working days is told, to the sales manager, once per contact date.
    keys = {}
    for prospect in rows:
        calendar = sweep.calendar(prospect.dealer)
        if sweep.now >= calendar.add_working_days(prospect.next_contact_at, PROSPECT_OVERDUE_WORKING_DAYS):
            keys[prospect.pk] = f"prospect:{prospect.pk}:overdue:{stamp(prospect.next_contact_at)}"
    used = notification_keys_used(keys.values())
    notices = []
    for prospect in rows:
        key = keys.get(prospect.pk)
        if key is None or key in used:
            continue
        notices += [
            Notice(
                recipient=manager,
                key=key,
                kind="prospect_overdue",
                title=text(
                    gettext_noop("%(name)s has waited 3 days for a call from %(owner)s"),
                    name=str(prospect),
                    owner=str(prospect.owner),
                ),
                url=reverse("prospects:detail", args=[prospect.pk]),
                dealer_id=prospect.dealer_id,
                counter="prospects_overdue",
            )
            for manager in sweep.staff(prospect.dealer_id, roles.SALES_MANAGER)[:1]
        ]
    sweep.send(notices)


def digest_section(*, user: User, dealer_ids: list[int], agent_only: bool, now: datetime) -> tuple[int, str]:
    """The digest's line of the user's own prospects to contact today (by the end of the dealer's day), which
    stands for a reminder of each."""
    local = timezone.localtime(now, dealers_zone(dealer_ids))
    end_of_day = local.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)
    prospects = Prospect.objects.filter(owner=user, status__in=OPEN_STATUSES, next_contact_at__lt=end_of_day).count()
    return prospects, text(gettext_noop("Prospects to contact today: %(count)s"), count=prospects)


def register() -> None:
    register_rule(DeadlineRule(name="prospects.overdue", select=select_overdue, act=overdue))
    register_digest_section(DigestSection(name="prospects", count=digest_section))
