"""The one deadline policy of complaints: which SLA row applies, the deadlines it gives, and their state."""

from datetime import datetime, timedelta

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cac.business_time import BusinessCalendar
from cac.models import Dealer
from complaints.models import ComplaintSLA, Status

# The default rows are written by the migration 0002 (seeds 000 and 001); this applies when none matches.
FALLBACK = ComplaintSLA(acknowledge_rule=ComplaintSLA.AcknowledgeRule.END_OF_BUSINESS_DAY, resolve_days=3)
DUE_SOON = timedelta(hours=24)
ACKNOWLEDGE_DUE_SOON = timedelta(hours=2)


class DeadlineState:
    ON_TIME = "on_time"
    DUE_SOON = "due_soon"
    BREACHED = "breached"
    NONE = ""
    LABELS = {ON_TIME: _("On time"), DUE_SOON: _("Due soon"), BREACHED: _("Breached")}


def sla_for(*, dealer: Dealer, channel: str, severity: str) -> ComplaintSLA:
    """The most specific policy row: the dealer's own before the group's, channel and severity before 'any'."""
    rows = ComplaintSLA.objects.filter(
        Q(dealer=dealer) | Q(dealer__isnull=True),
        Q(channel=channel) | Q(channel=""),
        Q(severity=severity) | Q(severity=""),
    )

    def specificity(row: ComplaintSLA) -> tuple[int, int, int]:
        return (row.severity != "", row.channel != "", row.dealer_id is not None)

    return max(rows, key=specificity, default=FALLBACK)


def deadlines_for(*, dealer: Dealer, channel: str, severity: str, received_at: datetime) -> tuple[datetime, datetime]:
    """(acknowledge_due_at, resolve_due_at) for a complaint received at `received_at`."""
    sla = sla_for(dealer=dealer, channel=channel, severity=severity)
    calendar = BusinessCalendar.for_dealer(dealer)
    if sla.acknowledge_rule == ComplaintSLA.AcknowledgeRule.WORKING_HOURS:
        acknowledge = calendar.add_working_hours(received_at, sla.acknowledge_hours)
    elif sla.acknowledge_rule == ComplaintSLA.AcknowledgeRule.CLOCK_HOURS:
        acknowledge = received_at + timedelta(hours=float(sla.acknowledge_hours))
    else:
        acknowledge = calendar.end_of_business_day(received_at)
    resolve = calendar.add_working_days(received_at, sla.resolve_days)
    return acknowledge, max(resolve, acknowledge)


def deadline_state(due_at: datetime | None, *, status: str, now: datetime | None = None) -> str:
    if due_at is None:
        return DeadlineState.NONE
    now = now or timezone.now()
    if now > due_at:
        return DeadlineState.BREACHED
    window = ACKNOWLEDGE_DUE_SOON if status == Status.NEW else DUE_SOON
    return DeadlineState.DUE_SOON if due_at - now <= window else DeadlineState.ON_TIME
