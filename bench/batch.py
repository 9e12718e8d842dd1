"""The work that runs outside a request: the month's report figures, the report PDF and the deadline sweep."""

import contextlib
import ctypes.util
import logging
import time
from datetime import date, timedelta

from django.db import connection
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from bench.results import FIGURES_MAX_S, PDF_MAX_S, SWEEP_MAX_S, Row, Target
from cac.deadlines.engine import sweep_deadlines
from cac.models import Dealer
from callbacks.models import OPEN_STATUSES as CALLBACK_OPEN
from callbacks.models import Callback
from callbacks.models import Status as CallbackStatus
from complaints.models import OPEN_STATUSES, Complaint, Escalation, EscalationLevel, Status
from prospects.models import OPEN_STATUSES as PROSPECT_OPEN
from prospects.models import Prospect
from reports.pdf import render_report_pdf
from reports.selectors import add_months, complaint_figures

logger = logging.getLogger(__name__)


class QueryCounter:
    """Counts every query of a block, however many: CaptureQueriesContext keeps at most 9,000 (a sweep runs more)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


@contextlib.contextmanager
def counting_queries():
    counter = QueryCounter()
    with connection.execute_wrapper(counter):
        yield counter


def latest_complete_month() -> date:
    return add_months(timezone.localdate().replace(day=1), -1)


def report_figures(dealer: Dealer, *, runs: int) -> Row:
    month = latest_complete_month()
    seconds, queries = [], []
    received = 0
    for _run in range(runs):
        with counting_queries() as counter:
            started = time.perf_counter()
            figures = complaint_figures(dealer_ids=[dealer.pk], month=month)
            seconds.append(time.perf_counter() - started)
        received = figures.summary.received
        queries.append(counter.count)
    note = f"{dealer.code}, {month:%Y-%m}, {received:,} complaints received"
    return Row.measured(
        "figures",
        "report figures (complaint_figures, one month)",
        seconds=seconds,
        queries=queries,
        target=Target(p95_ms=FIGURES_MAX_S * 1000),
        note=note,
    )


def report_pdf(dealer: Dealer) -> Row:
    month = latest_complete_month()
    with counting_queries() as counter:
        started = time.perf_counter()
        pdf = render_report_pdf(dealer_ids=[dealer.pk], month=month, language="zh-hans")
        elapsed = time.perf_counter() - started
    return Row.measured(
        "pdf",
        "report PDF (render_report_pdf)",
        seconds=[elapsed],
        queries=[counter.count],
        target=Target(max_ms=PDF_MAX_S * 1000),
        note=f"{dealer.code}, {month:%Y-%m}, {len(pdf) // 1024} KiB"
        + (
            "" if ctypes.util.find_library("harfbuzz-subset") else "; no libharfbuzz-subset0: fonts subset by fontTools"
        ),
    )


# --- The deadline sweep ----------------------------------------------------------------------------------------------


def open_rows() -> dict[str, int]:
    counts = {
        "complaints": Complaint.objects.filter(status__in=OPEN_STATUSES).count(),
        "callbacks": Callback.objects.filter(status__in=CALLBACK_OPEN).count(),
        "prospects": Prospect.objects.filter(status__in=PROSPECT_OPEN).count(),
    }
    counts["total"] = sum(counts.values())
    return counts


# The due rows of the timed sweep: a mix of what a sweep meets at a busy hour.
MIX = {"complaints": 0.2, "callbacks": 0.4, "prospects": 0.4}


def _fresh_complaints(now):
    """Complaints the sweep will escalate once when their acknowledgment is overdue: new ones not yet raised, and
    closed ones, which `make_due` puts back to new (the data set has few new complaints at any moment)."""
    raised = Escalation.objects.filter(complaint=OuterRef("pk"), to_level=EscalationLevel.DEPARTMENT_MANAGER)
    return Complaint.objects.filter(
        Q(status=Status.NEW, acknowledge_due_at__gt=now) | Q(status=Status.CLOSED),
        escalation_level__lt=EscalationLevel.DEPARTMENT_MANAGER,
    ).exclude(Exists(raised))


def _fresh_callbacks(now):
    """Scheduled follow-up calls not due yet: moved to the past, each becomes due in the sweep."""
    return Callback.objects.filter(status=CallbackStatus.SCHEDULED, due_at__gt=now)


def _fresh_prospects(now):
    """Open prospects whose next contact is ahead: moved to the past, each is due today (and its owner told)."""
    return Prospect.objects.filter(status__in=PROSPECT_OPEN, next_contact_at__gt=now)


def _pick(queryset, count: int, spare_dealer: Dealer) -> list[int]:
    """`count` ids, the benchmark dealer's last (its rows are what the page items show)."""
    picked = list(queryset.exclude(dealer=spare_dealer).order_by("pk").values_list("pk", flat=True)[:count])
    if len(picked) < count:
        picked += list(
            queryset.filter(dealer=spare_dealer).order_by("pk").values_list("pk", flat=True)[: count - len(picked)]
        )
    return picked


def make_due(*, rows: int, spare_dealer: Dealer) -> dict:
    """Make `rows` fresh rows due a minute ago, in the proportions of MIX: complaints whose acknowledgment is
    overdue, scheduled follow-up calls coming due, prospects to contact today.

    The sweep acts on them, so they are used up: each run takes other rows, and `fresh_left` says how many remain."""
    now = timezone.now()
    due = now - timedelta(minutes=1)
    wanted = {name: round(rows * share) for name, share in MIX.items()}
    wanted["callbacks"] += rows - sum(wanted.values())
    complaints = _pick(_fresh_complaints(now), wanted["complaints"], spare_dealer)
    Complaint.objects.filter(pk__in=complaints).update(
        status=Status.NEW,
        acknowledged_at=None,
        resolved_at=None,
        closed_at=None,
        acknowledge_due_at=due,
        resolve_due_at=now + timedelta(days=3),
    )
    callbacks = _pick(_fresh_callbacks(now), wanted["callbacks"], spare_dealer)
    Callback.objects.filter(pk__in=callbacks).update(due_at=due)
    prospects = _pick(_fresh_prospects(now), wanted["prospects"], spare_dealer)
    Prospect.objects.filter(pk__in=prospects).update(next_contact_at=due)
    made = {"complaints": len(complaints), "callbacks": len(callbacks), "prospects": len(prospects)}
    return {**made, "total": sum(made.values())}


def fresh_left() -> dict[str, int]:
    now = timezone.now()
    return {
        "complaints": _fresh_complaints(now).count(),
        "callbacks": _fresh_callbacks(now).count(),
        "prospects": _fresh_prospects(now).count(),
    }


def sweep(*, rows: int, spare_dealer: Dealer, settle: bool) -> tuple[Row, dict]:
    """One deadline sweep with `rows` due rows among all the open ones, after a first sweep that catches up with
    whatever else the data set has due (so that the timed sweep acts on the prepared rows only)."""
    details: dict = {}
    if settle:
        started = time.perf_counter()
        details["settle_counts"] = sweep_deadlines()
        details["settle_seconds"] = round(time.perf_counter() - started, 2)
    details["open_rows"] = open_rows()
    details["made_due"] = make_due(rows=rows, spare_dealer=spare_dealer)
    with counting_queries() as counter:
        started = time.perf_counter()
        counts = sweep_deadlines()
        elapsed = time.perf_counter() - started
    details["counts"] = counts
    details["queries"] = counter.count
    details["fresh_left"] = fresh_left()
    made = details["made_due"]
    note = (
        f"{made['total']:,} due rows ({made['complaints']:,} complaints, {made['callbacks']:,} follow-up calls, "
        f"{made['prospects']:,} prospects) among "
        f"{details['open_rows']['total']:,} open; counts {counts}"
    )
    row = Row.measured(
        "sweep",
        f"deadline sweep, {made['total']:,} due rows",
        seconds=[elapsed],
        queries=[counter.count],
        target=Target(max_ms=SWEEP_MAX_S * 1000),
        note=note,
        details=details,
    )
    acted = sum(counts.get(name, 0) for name in ("complaints_escalated", "callbacks_due", "prospects_due"))
    if made["total"] < rows:
        row.fail(
            f"only {made['total']:,} fresh rows to make due (wanted {rows:,}): the data set is too small, or earlier "
            "runs used them up (seed it again)"
        )
    elif acted < made["total"]:
        row.fail(f"the sweep acted on {acted:,} of the {made['total']:,} due rows")
    return row, details
