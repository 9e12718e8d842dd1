"""The deadline engine: one sweep that acts on every due or breached deadline, exactly once.

The database is the source of truth (`*_due_at`, `next_contact_at`). Each rule selects its rows by an indexed query
and handles them in batches, each batch one transaction holding its rows with `select_for_update(skip_locked=True)`:
two sweeps at once take different rows, and a sweep killed mid-batch loses only that batch's uncommitted work,
which the next sweep does again. What was done is recorded where it happened: an Escalation row (unique per level)
and a Notification row (unique per event key), so a rerun finds it done and acts no more.
"""

import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cac import roles
from cac.business_time import BusinessCalendar
from cac.models import Dealer, User
from cac.notifications import Notice, notification_keys_used, notify, notify_many
from callbacks.models import OPEN_STATUSES as CALLBACK_OPEN
from callbacks.models import Callback, Kind
from callbacks.services import callbacks_make_due
from complaints.deadlines import ACKNOWLEDGE_DUE_SOON, DUE_SOON
from complaints.models import OEM_CHANNELS, OPEN_STATUSES, UNRESOLVED_STATUSES, Complaint, EscalationLevel
from complaints.models import Status as ComplaintStatus
from complaints.services import complaints_escalate_for_deadlines, department_manager_role
from prospects.models import OPEN_STATUSES as PROSPECT_OPEN
from prospects.models import Prospect

logger = logging.getLogger(__name__)

OEM_RESULT_WORKING_DAYS = 3  # the OEM CAC wants the result within 3 days, the status the same day
CALLBACK_OVERDUE_WORKING_DAYS = 1
PROSPECT_OVERDUE_WORKING_DAYS = 3
DIGEST_ROLES = [roles.AGENT, roles.SERVICE_MANAGER, roles.SALES_MANAGER, roles.DIRECTOR]


class _Sweep:
    """One run: the moment, the counts, and what every batch needs of each dealer (its calendar and managers), so
    that a batch costs a fixed number of queries, not a few per row."""

    def __init__(self, now: datetime, batch: int, pause: float) -> None:
        self.now = now
        self.batch = batch
        self.pause = pause
        self.counts: dict[str, int] = {}
        self._calendars: dict[int, BusinessCalendar] = {}
        self._staff: dict[tuple[int, str], list[User]] = {}

    def count(self, name: str, n: int = 1) -> None:
        if n:
            self.counts[name] = self.counts.get(name, 0) + n

    def calendar(self, dealer: Dealer) -> BusinessCalendar:
        if dealer.pk not in self._calendars:
            self._calendars[dealer.pk] = BusinessCalendar.for_dealer(dealer)
        return self._calendars[dealer.pk]

    def staff(self, dealer_id: int, role: str) -> list[User]:
        """The dealer's active users of `role`, first joined first (the department manager is the first)."""
        if (dealer_id, role) not in self._staff:
            self._staff[dealer_id, role] = list(
                User.objects.filter(is_active=True, dealers=dealer_id, groups__name=role).order_by("date_joined", "pk")
            )
        return self._staff[dealer_id, role]

    def in_batches(self, queryset: QuerySet, act: Callable[[list], None]) -> None:
        """Act on the selected rows batch by batch, each batch in its own transaction holding its rows locked.
        The selection runs once (one indexed query for the ids); each batch locks its ids again under the same
        conditions, so a row another sweep holds is skipped (that sweep handles it) and a row that moved on since
        is left alone."""
        ids = list(queryset.order_by("pk").values_list("pk", flat=True))
        for start in range(0, len(ids), self.batch):
            with transaction.atomic():
                rows = list(
                    queryset.select_for_update(skip_locked=True, of=("self",))
                    .filter(pk__in=ids[start : start + self.batch])
                    .order_by("pk")
                )
                if rows:
                    act(rows)
            if self.pause:
                time.sleep(self.pause)  # spares the database on a large catch-up

    def send(self, notices: list[Notice]) -> None:
        """Write the batch's notices (each key once, ever) and count the new ones by their counters."""
        for notice in notify_many(notices):
            self.count("notifications")
            if notice.counter:
                self.count(notice.counter)


def _stamp(moment: datetime) -> str:
    return f"{moment.astimezone(UTC):%Y%m%d%H%M}"


# --- Complaints ---------------------------------------------------------------------------------------


def _recipients_for_level(sweep: _Sweep, complaint: Complaint, level: int) -> list[User]:
    if level == EscalationLevel.DEPARTMENT_MANAGER:
        return sweep.staff(complaint.dealer_id, department_manager_role(complaint.department))[:1]
    return sweep.staff(complaint.dealer_id, roles.DIRECTOR)  # the directors report to the OEM region


def _escalate(sweep: _Sweep, raises: list[tuple[Complaint, int, str, str]]) -> set[tuple[int, int]]:
    """Raise the batch's locked complaints (complaint, level, why, counter) at once, and tell each new level and
    the owner. Returns the (complaint, level) raised now; the others an earlier sweep raised already."""
    counters = {(complaint.pk, level): counter for complaint, level, _why, counter in raises}
    happened = complaints_escalate_for_deadlines(raises=[(c, level, why) for c, level, why, _counter in raises])
    notices = []
    for complaint, level, why in happened:
        title = _("%(number)s escalated to %(level)s: %(why)s") % {
            "number": complaint.number,
            "level": EscalationLevel(level).label,
            "why": why,
        }
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


def _complaints(sweep: _Sweep) -> None:
    now = sweep.now
    base = Complaint.objects.select_related("dealer", "owner")

    def acknowledge(rows: list[Complaint]) -> None:
        why = _("acknowledgment overdue")
        _escalate(sweep, [(complaint, EscalationLevel.DEPARTMENT_MANAGER, why, "") for complaint in rows])

    sweep.in_batches(
        base.filter(
            status=ComplaintStatus.NEW,
            acknowledge_due_at__lte=now,
            escalation_level__lt=EscalationLevel.DEPARTMENT_MANAGER,
        ),
        acknowledge,
    )

    def resolve_breached(rows: list[Complaint]) -> None:
        why = _("resolution overdue")
        raises = []
        for complaint in rows:
            # Breached: the director; a further working day without a resolution: the OEM region.
            later = sweep.calendar(complaint.dealer).add_working_days(complaint.resolve_due_at, 1)
            target = EscalationLevel.OEM_REGION if now >= later else EscalationLevel.DIRECTOR
            raises.append((complaint, target, why, ""))
        _escalate(sweep, raises)

    sweep.in_batches(
        base.filter(
            status__in=UNRESOLVED_STATUSES,
            resolve_due_at__lte=now,
            escalation_level__lt=EscalationLevel.OEM_REGION,
        ),
        resolve_breached,
    )

    def due_soon(rows: list[Complaint]) -> None:
        sweep.send(
            [
                Notice(
                    recipient=complaint.owner,
                    key=f"complaint:{complaint.pk}:resolve-due-soon:{_stamp(complaint.resolve_due_at)}",
                    kind="complaint_due_soon",
                    title=_("%(number)s must be resolved by %(due)s")
                    % {
                        "number": complaint.number,
                        "due": _local(complaint.resolve_due_at, sweep.calendar(complaint.dealer).zone),
                    },
                    body=complaint.description[:500],
                    url=reverse("complaints:detail", args=[complaint.pk]),
                    dealer_id=complaint.dealer_id,
                    counter="complaints_due_soon",
                )
                for complaint in rows
            ]
        )

    sweep.in_batches(
        base.filter(
            status__in=UNRESOLVED_STATUSES,
            resolve_due_at__gt=now,
            resolve_due_at__lte=now + DUE_SOON,
            owner__isnull=False,
        ),
        due_soon,
    )

    def oem_reports(rows: list[Complaint]) -> None:
        raises, notices = [], []
        for complaint in rows:
            calendar = sweep.calendar(complaint.dealer)
            url = reverse("complaints:detail", args=[complaint.pk])
            reports = []
            if complaint.oem_status_reported_at is None:
                reports.append(
                    (
                        "status",
                        calendar.end_of_business_day(complaint.received_at),
                        ACKNOWLEDGE_DUE_SOON,
                        EscalationLevel.DEPARTMENT_MANAGER,
                        _("status report to the OEM"),
                    )
                )
            if complaint.oem_result_reported_at is None:
                reports.append(
                    (
                        "result",
                        calendar.add_working_days(complaint.received_at, OEM_RESULT_WORKING_DAYS),
                        DUE_SOON,
                        EscalationLevel.DIRECTOR,
                        _("result report to the OEM"),
                    )
                )
            for name, due, window, level, label in reports:
                if sweep.now >= due:
                    raises.append((complaint, level, _("%(report)s overdue") % {"report": label}, "oem_escalated"))
                    notices.append(
                        Notice(
                            recipient=complaint.owner,
                            key=f"complaint:{complaint.pk}:oem-{name}-overdue",
                            kind="oem_report_overdue",
                            title=_("%(number)s: %(report)s overdue") % {"number": complaint.number, "report": label},
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
                            title=_("%(number)s: %(report)s due by %(due)s")
                            % {"number": complaint.number, "report": label, "due": _local(due, calendar.zone)},
                            url=url,
                            dealer_id=complaint.dealer_id,
                            counter="oem_reminders",
                        )
                    )
        _escalate(sweep, raises)
        sweep.send(notices)

    sweep.in_batches(
        base.filter(channel__in=OEM_CHANNELS, status__in=[*OPEN_STATUSES, ComplaintStatus.RESOLVED]).filter(
            Q(oem_status_reported_at__isnull=True) | Q(oem_result_reported_at__isnull=True)
        ),
        oem_reports,
    )


def _local(moment: datetime, zone) -> str:
    return f"{timezone.localtime(moment, zone):%Y-%m-%d %H:%M}"


# --- Follow-up calls ------------------------------------------------------------------------------------


def _callbacks(sweep: _Sweep) -> None:
    while (made := callbacks_make_due(now=sweep.now, batch=sweep.batch)) > 0:
        sweep.count("callbacks_due", made)
        if made < sweep.batch:
            break

    def overdue(rows: list[Callback]) -> None:
        keys = {callback.pk: f"callback:{callback.pk}:overdue:{_stamp(callback.due_at)}" for callback in rows}
        used = notification_keys_used(keys.values())
        notices = []
        for callback in rows:
            if keys[callback.pk] in used:
                continue
            late = sweep.calendar(callback.dealer).add_working_days(callback.due_at, CALLBACK_OVERDUE_WORKING_DAYS)
            if sweep.now < late:
                continue
            role = roles.SALES_MANAGER if callback.kind == Kind.AFTER_SALE else roles.SERVICE_MANAGER
            notices += [
                Notice(
                    recipient=supervisor,
                    key=keys[callback.pk],
                    kind="callback_overdue",
                    title=_("Follow-up call to %(customer)s is a day overdue (%(agent)s)")
                    % {"customer": callback.customer, "agent": callback.agent or _("unassigned")},
                    url=reverse("callbacks:detail", args=[callback.pk]),
                    dealer_id=callback.dealer_id,
                    counter="callbacks_overdue",
                )
                for supervisor in sweep.staff(callback.dealer_id, role)[:1]
            ]
        sweep.send(notices)

    # A working day after `due_at` ends at the next working day's closing, never sooner than 12 hours later (for a
    # dealer closing after noon): the index narrows to those, the calendar decides.
    sweep.in_batches(
        Callback.objects.select_related("dealer", "customer", "agent").filter(
            status__in=CALLBACK_OPEN, due_at__lte=sweep.now - timedelta(hours=12)
        ),
        overdue,
    )


# --- Prospects -------------------------------------------------------------------------------------------


def _prospects(sweep: _Sweep) -> None:
    def due(rows: list[Prospect]) -> None:
        # Most rows of a long catch-up were told today already: find those by their keys first, in one query.
        keys = {}
        for prospect in rows:
            calendar = sweep.calendar(prospect.dealer)
            today = timezone.localtime(sweep.now, calendar.zone).date()
            late = sweep.now >= calendar.add_working_days(prospect.next_contact_at, PROSPECT_OVERDUE_WORKING_DAYS)
            keys[prospect.pk] = (
                f"prospect:{prospect.pk}:due:{today:%Y%m%d}",
                f"prospect:{prospect.pk}:overdue:{_stamp(prospect.next_contact_at)}" if late else None,
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
                        title=_("Contact %(name)s today") % {"name": prospect},
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
                        title=_("%(name)s has waited 3 days for a call from %(owner)s")
                        % {"name": prospect, "owner": prospect.owner},
                        url=url,
                        dealer_id=prospect.dealer_id,
                        counter="prospects_overdue",
                    )
                    for manager in sweep.staff(prospect.dealer_id, roles.SALES_MANAGER)[:1]
                ]
        sweep.send(notices)

    sweep.in_batches(
        Prospect.objects.select_related("dealer", "owner").filter(
            status__in=PROSPECT_OPEN, next_contact_at__lte=sweep.now
        ),
        due,
    )


# --- The sweep and the digest ------------------------------------------------------------------------------


def sweep_deadlines(*, now: datetime | None = None, batch: int | None = None) -> dict[str, int]:
    """Act once on every deadline due by `now`. Safe to run twice, in two workers at once, or after a crash.
    Returns (and logs) what it did."""
    sweep = _Sweep(
        now=now or timezone.now(),
        batch=batch or settings.CAC_SWEEP_BATCH,
        pause=settings.CAC_SWEEP_BATCH_PAUSE,
    )
    # The notices are stored in the CAC's language, as the e-mails are sent.
    with translation.override(settings.LANGUAGE_CODE):
        _complaints(sweep)
        _callbacks(sweep)
        _prospects(sweep)
    logger.info("Deadline sweep at %s: %s", sweep.now.isoformat(), sweep.counts or "nothing due")
    return sweep.counts


def deadline_digest(*, now: datetime | None = None) -> int:
    """The morning digest: each agent and manager, once a day, their unclosed complaints, unreplied follow-up calls
    and prospects to contact (seed 000: every day, check all unclosed cases). Returns the digests sent."""
    now = now or timezone.now()
    unclosed = [*OPEN_STATUSES, ComplaintStatus.RESOLVED]
    sent = 0
    groups = Group.objects.filter(name__in=DIGEST_ROLES)
    users = User.objects.filter(is_active=True, groups__in=groups).distinct().prefetch_related("groups", "dealers")
    with translation.override(settings.LANGUAGE_CODE):
        for user in users:
            role_names = {group.name for group in user.groups.all()}
            dealer_ids = [dealer.pk for dealer in user.dealers.all()]
            if role_names == {roles.AGENT}:
                complaints = Complaint.objects.filter(owner=user, status__in=unclosed)
                callbacks = Callback.objects.filter(agent=user, status__in=CALLBACK_OPEN, due_at__lte=now)
            else:
                complaints = Complaint.objects.filter(dealer__in=dealer_ids, status__in=unclosed)
                callbacks = Callback.objects.filter(dealer__in=dealer_ids, status__in=CALLBACK_OPEN, due_at__lte=now)
            figures = complaints.aggregate(
                open=Count("pk"), late=Count("pk", filter=Q(resolve_due_at__lt=now, status__in=UNRESOLVED_STATUSES))
            )
            replies = callbacks.count()
            prospects = Prospect.objects.filter(owner=user, status__in=PROSPECT_OPEN, next_contact_at__lte=now).count()
            if not (figures["open"] or replies or prospects):
                continue
            zone = BusinessCalendar.for_dealer(user.dealers.all()[0]).zone if dealer_ids else None
            today = timezone.localtime(now, zone).date()
            body = "\n".join(
                [
                    _("Unclosed complaints: %(count)s (overdue: %(late)s)")
                    % {"count": figures["open"], "late": figures["late"]},
                    _("Follow-up calls waiting for a reply: %(count)s") % {"count": replies},
                    _("Prospects to contact: %(count)s") % {"count": prospects},
                ]
            )
            _notification, created = notify(
                recipient=user,
                key=f"digest:{user.pk}:{today:%Y%m%d}",
                kind="digest",
                title=_("Your open cases on %(date)s") % {"date": today.isoformat()},
                body=body,
                url=reverse("complaints:mine" if roles.AGENT in role_names else "complaints:list"),
            )
            sent += created
    logger.info("Morning digest at %s: %s sent", now.isoformat(), sent)
    return sent
