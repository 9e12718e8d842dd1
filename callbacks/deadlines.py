"""The follow-up calls' rules of the deadline sweep (cac.deadlines.engine runs them): calls whose time has come become due, and
a call still open a working day after its deadline is reported to the department's manager; and their line of the
morning digest."""

from datetime import datetime, timedelta

from django.urls import reverse
from django.utils.translation import gettext_noop

from cac import roles
from cac.deadlines.engine import DeadlineRule, DigestSection, Sweep, register_digest_section, register_rule, stamp
from cac.deadlines.notifications import Notice, notification_keys_used
from cac.models import User
from cac.texts import text
from callbacks.models import OPEN_STATUSES, Callback, Kind
from callbacks.services import callbacks_make_due

CALLBACK_OVERDUE_WORKING_DAYS = 1


def make_due(sweep: Sweep) -> None:
    while (made := callbacks_make_due(now=sweep.now, batch=sweep.batch)) > 0:
        sweep.count("callbacks_due", made)
        if made < sweep.batch:
            break


def select_overdue(sweep: Sweep):
    # A working day after `due_at` ends at the next working day's closing, never sooner than 12 hours later (for a
    # dealer closing after noon): the index narrows to those, the calendar decides.
    return Callback.objects.select_related("dealer", "customer", "agent").filter(
        status__in=OPEN_STATUSES, due_at__lte=sweep.now - timedelta(hours=12)
    )


def overdue(sweep: Sweep, rows: list[Callback]) -> None:
    keys = {callback.pk: f"callback:{callback.pk}:overdue:{stamp(callback.due_at)}" for callback in rows}
    used = notification_keys_used(keys.values())
    notices = []
    for callback in rows:
        if keys[callback.pk] in used:
            continue
        late = sweep.calendar(callback.dealer).add_working_days(callback.due_at, CALLBACK_OVERDUE_WORKING_DAYS)
        if sweep.now < late:
            continue
        role = roles.manager_of(sales=callback.kind == Kind.AFTER_SALE)
        notices += [
            Notice(
                recipient=supervisor,
                key=keys[callback.pk],
                kind="callback_overdue",
                title=text(
                    gettext_noop("Follow-up call to %(customer)s is a day overdue (%(agent)s)"),
                    customer=str(callback.customer),
                    agent=str(callback.agent) if callback.agent else text(gettext_noop("unassigned")),
                ),
                url=reverse("callbacks:detail", args=[callback.pk]),
                dealer_id=callback.dealer_id,
                counter="callbacks_overdue",
            )
            for supervisor in sweep.staff(callback.dealer_id, role)[:1]
        ]
    sweep.send(notices)


def digest_section(*, user: User, dealer_ids: list[int], agent_only: bool, now: datetime) -> tuple[int, str]:
    """The digest's line of follow-up calls waiting for a reply: the agent's own, or all of a manager's dealers."""
    if agent_only:
        callbacks = Callback.objects.filter(agent=user, status__in=OPEN_STATUSES, due_at__lte=now)
    else:
        callbacks = Callback.objects.filter(dealer__in=dealer_ids, status__in=OPEN_STATUSES, due_at__lte=now)
    replies = callbacks.count()
    return replies, text(gettext_noop("Follow-up calls waiting for a reply: %(count)s"), count=replies)


def register() -> None:
    register_rule(DeadlineRule(name="callbacks.make_due", run=make_due))
    register_rule(DeadlineRule(name="callbacks.overdue", select=select_overdue, act=overdue))
    register_digest_section(DigestSection(name="callbacks", count=digest_section))
