"""The deadline engine: one sweep that acts on every due or breached deadline, exactly once.

The rules are the workflows' own (`complaints/deadlines.py`, `callbacks/deadlines.py`, `prospects/deadlines.py`):
each app registers them in its `AppConfig.ready()` with `register_rule`, and the engine runs them in that order
without knowing any of them. A rule says what to select and how to act on a batch; the engine gives it the
guarantees. The database is the source of truth (`*_due_at`, `next_contact_at`). Each rule selects its rows by an
indexed query and handles them in batches, each batch one transaction holding its rows with
`select_for_update(skip_locked=True)`: two sweeps at once take different rows, and a sweep killed mid-batch loses
only that batch's uncommitted work, which the next sweep does again. What was done is recorded where it happened:
an Escalation row (unique per level) and a Notification row (unique per event key, sent with `Sweep.send`, e-mailed
after commit), so a rerun finds it done and acts no more.
"""

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext_noop

from cac import roles
from cac.deadlines.notifications import Notice, notify, notify_many
from cac.desk.selectors import dealer_staff
from cac.models import Dealer, User
from cac.platform.business_time import BusinessCalendar
from cac.texts import joined, text

logger = logging.getLogger(__name__)

DIGEST_ROLES = [roles.AGENT, roles.SERVICE_MANAGER, roles.SALES_MANAGER, roles.DIRECTOR]


class Sweep:
    """One run: the moment, the counts, and what every batch needs of each dealer (its calendar and staff), so
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
            self._staff[dealer_id, role] = list(dealer_staff(dealer=dealer_id, role=role))
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


def stamp(moment: datetime) -> str:
    """A moment in a notification key: the same deadline gives the same key, a moved deadline a new one."""
    return f"{moment.astimezone(UTC):%Y%m%d%H%M}"


@dataclass(frozen=True)
class DeadlineRule:
    """A workflow's deadline rule. Either `select` (an indexed selection of the rows due) and `act` (what to do with
    one locked batch of them), run by the engine in batches; or `run`, a step that batches itself (making follow-up
    calls due is one UPDATE per batch)."""

    name: str
    select: Callable[[Sweep], QuerySet] | None = None
    act: Callable[[Sweep, list], None] | None = None
    run: Callable[[Sweep], None] | None = None


@dataclass(frozen=True)
class DigestSection:
    """A workflow's line of the morning digest: `count(user=, dealer_ids=, agent_only=, now=)` returns (how many,
    the line); a user with nothing in any section gets no digest. `url(agent_only=)` gives the digest's link."""

    name: str
    count: Callable[..., tuple[int, str]]
    url: Callable[..., str] | None = None


_rules: dict[str, DeadlineRule] = {}
_digest: dict[str, DigestSection] = {}


def register_rule(rule: DeadlineRule) -> None:
    """Called by an app's ready(); the rules run in the order they were registered, each name once."""
    _rules[rule.name] = rule


def register_digest_section(section: DigestSection) -> None:
    _digest[section.name] = section


def sweep_deadlines(*, now: datetime | None = None, batch: int | None = None) -> dict[str, int]:
    """Act once on every deadline due by `now`. Safe to run twice, in two workers at once, or after a crash.
    Returns (and logs) what it did."""
    sweep = Sweep(
        now=now or timezone.now(),
        batch=batch or settings.CAC_SWEEP_BATCH,
        pause=settings.CAC_SWEEP_BATCH_PAUSE,
    )
    # The notices are stored in the CAC's language, as the e-mails are sent.
    with translation.override(settings.LANGUAGE_CODE):
        for rule in _rules.values():
            if rule.run is not None:
                rule.run(sweep)
            else:
                sweep.in_batches(rule.select(sweep), lambda rows, rule=rule: rule.act(sweep, rows))
    logger.info("Deadline sweep at %s: %s", sweep.now.isoformat(), sweep.counts or "nothing due")
    return sweep.counts


def deadline_digest(*, now: datetime | None = None) -> int:
    """The morning digest: each agent and manager, once a day, the lines the workflows register (seed 000: every
    day, check all unclosed cases). Returns the digests sent."""
    now = now or timezone.now()
    sent = 0
    groups = Group.objects.filter(name__in=DIGEST_ROLES)
    users = User.objects.filter(is_active=True, groups__in=groups).distinct().prefetch_related("groups", "dealers")
    sections = list(_digest.values())
    with translation.override(settings.LANGUAGE_CODE):
        for user in users:
            role_names = {group.name for group in user.groups.all()}
            dealer_ids = [dealer.pk for dealer in user.dealers.all()]
            agent_only = role_names == {roles.AGENT}
            lines = [
                section.count(user=user, dealer_ids=dealer_ids, agent_only=agent_only, now=now) for section in sections
            ]
            if not any(count for count, _line in lines):
                continue
            zone = BusinessCalendar.for_dealer(user.dealers.all()[0]).zone if dealer_ids else None
            today = timezone.localtime(now, zone).date()
            urls = [section.url(agent=roles.AGENT in role_names) for section in sections if section.url]
            _notification, created = notify(
                recipient=user,
                key=f"digest:{user.pk}:{today:%Y%m%d}",
                kind="digest",
                title=text(gettext_noop("Your open cases on %(date)s"), date=today),
                body=joined(*(line for _count, line in lines), separator="\n"),
                url=urls[0] if urls else "",
            )
            sent += created
    logger.info("Morning digest at %s: %s sent", now.isoformat(), sent)
    return sent
