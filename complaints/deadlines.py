"""The one deadline policy of complaints: which SLA row applies, the deadlines it gives, and their state; and the
complaints' rules of the deadline sweep (escalations, reminders, the OEM reports), which cac.deadlines.engine runs."""

from datetime import datetime, timedelta

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from cac import roles
from cac.deadlines.engine import (
    DeadlineRule,
    DigestSection,
    Sweep,
    register_digest_section,
    register_rule,
    stamp,
)
from cac.deadlines.notifications import Notice
from cac.models import Dealer, User
from cac.platform.business_time import BusinessCalendar
from cac.texts import render, text
from complaints.figures import oem_report_deadlines
from complaints.models import (
    OEM_CHANNELS,
    OPEN_STATUSES,
    UNRESOLVED_STATUSES,
    Complaint,
    ComplaintSLA,
    Escalation,
    EscalationLevel,
    Status,
    department_manager_role,
)
from complaints.models import Status as ComplaintStatus

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


# --- The rules of the deadline sweep (cac.deadlines.engine runs them) ---------------------------------------------------------


def complaints_escalate_for_deadlines(*, raises: list[tuple[Complaint, int, str]]) -> list[tuple[Complaint, int, str]]:
    """Raise locked complaints to their target levels because a deadline passed, for the deadline sweep: each
    (complaint, level, why) at most once per level, with one Escalation row per level and one history row per
    complaint, in three statements for the whole batch. A complaint at or above the level, or raised to it before
    (and lowered by hand since), is left alone. Returns the raises that happened, in order."""
    candidates = [(complaint, level, why) for complaint, level, why in raises if complaint.escalation_level < level]
    if not candidates:
        return []
    done = set(
        Escalation.objects.filter(complaint__in={complaint.pk for complaint, _level, _why in candidates}).values_list(
            "complaint_id", "to_level"
        )
    )
    escalations, happened, changed = [], [], {}
    for complaint, level, why in candidates:
        if complaint.escalation_level >= level or (complaint.pk, level) in done:
            continue  # a second raise of the same batch may have passed it already
        escalations.append(
            Escalation(
                complaint=complaint,
                from_level=complaint.escalation_level,
                to_level=level,
                reason=Escalation.Reason.DEADLINE,
                note=render(why)[:500],
                escalated_by=None,
            )
        )
        done.add((complaint.pk, level))
        complaint.escalation_level = level
        complaint._history_user = None
        complaint._change_reason = f"escalated: deadline ({render(why)})"
        changed[complaint.pk] = complaint
        happened.append((complaint, level, why))
    if escalations:
        now = timezone.now()
        for complaint in changed.values():
            complaint.updated_at = now
        Escalation.objects.bulk_create(escalations)
        by_level: dict[int, list[int]] = {}
        for complaint in changed.values():
            by_level.setdefault(complaint.escalation_level, []).append(complaint.pk)
        for level, ids in by_level.items():
            Complaint.objects.filter(pk__in=ids).update(escalation_level=level, updated_at=now)
        Complaint.history.bulk_history_create(list(changed.values()), update=True)
    return happened


def _recipients_for_level(sweep: Sweep, complaint: Complaint, level: int) -> list[User]:
    if level == EscalationLevel.DEPARTMENT_MANAGER:
        return sweep.staff(complaint.dealer_id, department_manager_role(complaint.department))[:1]
    return sweep.staff(complaint.dealer_id, roles.DIRECTOR)  # the directors report to the OEM region


def _escalate(sweep: Sweep, raises: list[tuple[Complaint, int, str, str]]) -> set[tuple[int, int]]:
    """Raise the batch's locked complaints (complaint, level, why, counter) at once, and tell each new level and
    the owner. Returns the (complaint, level) raised now; the others an earlier sweep raised already."""
    counters = {(complaint.pk, level): counter for complaint, level, _why, counter in raises}
    happened = complaints_escalate_for_deadlines(raises=[(c, level, why) for c, level, why, _counter in raises])
    notices = []
    for complaint, level, why in happened:
        title = text(
            gettext_noop("%(number)s escalated to %(level)s: %(why)s"),
            number=complaint.number,
            level=EscalationLevel(level).label,
            why=why,
        )
        recipients = {user.pk: user for user in _recipients_for_level(sweep, complaint, level)}
        if complaint.owner is not None:
            recipients.setdefault(complaint.owner_id, complaint.owner)
        notices += [
            Notice(
                recipient=user,
                key=f"complaint:{complaint.pk}:escalated:{level}:user:{user.pk}",
                kind="complaint_escalated",
                title=title,
                body=complaint.description[:500],
                url=reverse("complaints:detail", args=[complaint.pk]),
                dealer_id=complaint.dealer_id,
            )
            for user in recipients.values()
        ]
        sweep.count("complaints_escalated")
        if counters[complaint.pk, level]:
            sweep.count(counters[complaint.pk, level])
    sweep.send(notices)
    return {(complaint.pk, level) for complaint, level, _why in happened}


def _base():
    return Complaint.objects.select_related("dealer", "owner")


def acknowledge_breached(sweep: Sweep, rows: list[Complaint]) -> None:
    why = text(gettext_noop("acknowledgment overdue"))
    _escalate(sweep, [(complaint, EscalationLevel.DEPARTMENT_MANAGER, why, "") for complaint in rows])


def resolve_breached(sweep: Sweep, rows: list[Complaint]) -> None:
    why = text(gettext_noop("resolution overdue"))
    # The ladder stops at the director: the OEM region is asked by a manager for what exceeds the dealer's
    # authority (seed 000 §五.7, "避免直接将客诉推向厂家"), never because a deadline passed.
    _escalate(sweep, [(complaint, EscalationLevel.DIRECTOR, why, "") for complaint in rows])


def resolve_due_soon(sweep: Sweep, rows: list[Complaint]) -> None:
    sweep.send(
        [
            Notice(
                recipient=complaint.owner,
                key=f"complaint:{complaint.pk}:resolve-due-soon:{stamp(complaint.resolve_due_at)}",
                kind="complaint_due_soon",
                title=text(
                    gettext_noop("%(number)s must be resolved by %(due)s"),
                    number=complaint.number,
                    due=timezone.localtime(complaint.resolve_due_at, sweep.calendar(complaint.dealer).zone),
                ),
                body=complaint.description[:500],
                url=reverse("complaints:detail", args=[complaint.pk]),
                dealer_id=complaint.dealer_id,
                counter="complaints_due_soon",
            )
            for complaint in rows
        ]
    )


def answer_promise_passed(sweep: Sweep, rows: list[Complaint]) -> None:
    """The answer time promised to the customer passed without a result: tell the handler, once per promise."""
    sweep.send(
        [
            Notice(
                recipient=complaint.owner,
                key=f"complaint:{complaint.pk}:answer-promised:{stamp(complaint.answer_promised_at)}",
                kind="complaint_answer_overdue",
                title=text(
                    gettext_noop("%(number)s: the answer promised to the customer by %(due)s is overdue"),
                    number=complaint.number,
                    due=timezone.localtime(complaint.answer_promised_at, sweep.calendar(complaint.dealer).zone),
                ),
                body=complaint.description[:500],
                url=reverse("complaints:detail", args=[complaint.pk]),
                dealer_id=complaint.dealer_id,
                counter="complaints_answer_overdue",
            )
            for complaint in rows
        ]
    )


def oem_reports(sweep: Sweep, rows: list[Complaint]) -> None:
    raises, notices = [], []
    for complaint in rows:
        calendar = sweep.calendar(complaint.dealer)
        url = reverse("complaints:detail", args=[complaint.pk])
        reports = []
        status_due, result_due = oem_report_deadlines(calendar, complaint.received_at)
        if complaint.oem_status_reported_at is None:
            reports.append(
                (
                    "status",
                    status_due,
                    ACKNOWLEDGE_DUE_SOON,
                    EscalationLevel.DEPARTMENT_MANAGER,
                    text(gettext_noop("status report to the OEM")),
                )
            )
        if complaint.oem_result_reported_at is None:
            reports.append(
                (
                    "result",
                    result_due,
                    DUE_SOON,
                    EscalationLevel.DIRECTOR,
                    text(gettext_noop("result report to the OEM")),
                )
            )
        for name, due, window, level, label in reports:
            if sweep.now >= due:
                raises.append(
                    (complaint, level, text(gettext_noop("%(report)s overdue"), report=label), "oem_escalated")
                )
                notices.append(
                    Notice(
                        recipient=complaint.owner,
                        key=f"complaint:{complaint.pk}:oem-{name}-overdue",
                        kind="oem_report_overdue",
                        title=text(
                            gettext_noop("%(number)s: %(report)s overdue"), number=complaint.number, report=label
                        ),
                        url=url,
                        dealer_id=complaint.dealer_id,
                        counter="oem_overdue",
                    )
                )
            elif sweep.now >= due - window:
                notices.append(
                    Notice(
                        recipient=complaint.owner,
                        key=f"complaint:{complaint.pk}:oem-{name}-due",
                        kind="oem_report_due",
                        title=text(
                            gettext_noop("%(number)s: %(report)s due by %(due)s"),
                            number=complaint.number,
                            report=label,
                            due=timezone.localtime(due, calendar.zone),
                        ),
                        url=url,
                        dealer_id=complaint.dealer_id,
                        counter="oem_reminders",
                    )
                )
    _escalate(sweep, raises)
    sweep.send(notices)


RULES = [
    DeadlineRule(
        name="complaints.acknowledge_breached",
        select=lambda sweep: _base().filter(
            status=ComplaintStatus.NEW,
            acknowledge_due_at__lte=sweep.now,
            escalation_level__lt=EscalationLevel.DEPARTMENT_MANAGER,
        ),
        act=acknowledge_breached,
    ),
    DeadlineRule(
        name="complaints.resolve_breached",
        select=lambda sweep: _base().filter(
            status__in=UNRESOLVED_STATUSES,
            resolve_due_at__lte=sweep.now,
            escalation_level__lt=EscalationLevel.DIRECTOR,
        ),
        act=resolve_breached,
    ),
    DeadlineRule(
        name="complaints.resolve_due_soon",
        select=lambda sweep: _base().filter(
            status__in=UNRESOLVED_STATUSES,
            resolve_due_at__gt=sweep.now,
            resolve_due_at__lte=sweep.now + DUE_SOON,
            owner__isnull=False,
        ),
        act=resolve_due_soon,
    ),
    DeadlineRule(
        name="complaints.answer_promise_passed",
        select=lambda sweep: _base().filter(
            status__in=UNRESOLVED_STATUSES, answer_promised_at__lte=sweep.now, owner__isnull=False
        ),
        act=answer_promise_passed,
    ),
    DeadlineRule(
        name="complaints.oem_reports",
        select=lambda sweep: (
            _base()
            .filter(channel__in=OEM_CHANNELS, status__in=[*OPEN_STATUSES, ComplaintStatus.RESOLVED])
            .filter(Q(oem_status_reported_at__isnull=True) | Q(oem_result_reported_at__isnull=True))
        ),
        act=oem_reports,
    ),
]


def digest_section(*, user: User, dealer_ids: list[int], agent_only: bool, now: datetime) -> tuple[int, str]:
    """The digest's line of unclosed complaints: the agent's own, or all of a manager's dealers."""
    unclosed = [*OPEN_STATUSES, ComplaintStatus.RESOLVED]
    if agent_only:
        complaints = Complaint.objects.filter(owner=user, status__in=unclosed)
    else:
        complaints = Complaint.objects.filter(dealer__in=dealer_ids, status__in=unclosed)
    figures = complaints.aggregate(
        open=Count("pk"), late=Count("pk", filter=Q(resolve_due_at__lt=now, status__in=UNRESOLVED_STATUSES))
    )
    line = text(
        gettext_noop("Unclosed complaints: %(count)s (overdue: %(late)s)"), count=figures["open"], late=figures["late"]
    )
    return figures["open"], line


def digest_url(*, agent: bool) -> str:
    return reverse("complaints:mine" if agent else "complaints:list")


def register() -> None:
    for rule in RULES:
        register_rule(rule)
    register_digest_section(DigestSection(name="complaints", count=digest_section, url=digest_url))
