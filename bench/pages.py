"""The pages and writes of the CAC timed in-process: django.test.Client against the real database with the
production settings. Server time is the wall time around client.get/post (middleware, view, template, every query);
the queries of each request are counted with CaptureQueriesContext."""

import logging
import math
import statistics
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import connection, reset_queries
from django.http import HttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from bench.dataset import Samples
from bench.groups import GROUP_ITEMS, GROUP_PREFIX
from bench.results import Row, Target, page_target
from cac.cti.lines import cti_line_create, cti_line_rotate
from cac.models import CtiLine, Dealer, User
from callbacks.selectors import callback_worklist
from complaints.models import OPEN_STATUSES, Complaint
from complaints.selectors import complaint_triage

logger = logging.getLogger(__name__)

HTMX = {"HX-Request": "true"}
FORM = "application/x-www-form-urlencoded"
COMPLAINT_PAGE_SIZE = 25  # complaints.views.PAGE_SIZE
DEEP_PAGE = 200
# The form of each step of the complaint transition item (complaints.forms, prefixed with the action).
STEP_DATA = {
    "acknowledge": {"acknowledge-note": "Facts confirmed; the customer expects an answer by Friday (benchmark)."},
    "investigate": {"investigate-note": "Workshop checks the vehicle (benchmark)."},
    "propose_countermeasure": {
        "propose_countermeasure-root_cause_class": "technical",
        "propose_countermeasure-root_cause": "Clip of the door trim missing after the last repair (benchmark).",
        "propose_countermeasure-countermeasure": "Replace the clip free of charge (benchmark).",
    },
    "start": {"start-note": ""},
    "resolve": {"resolve-resolution_type": "repair", "resolve-note": "Clip replaced, noise gone (benchmark)."},
    "reopen": {"reopen-note": "Customer still hears the noise (benchmark)."},
}


@dataclass
class Request:
    method: str
    path: str
    data: dict | str = field(default_factory=dict)
    headers: dict = field(default_factory=dict)
    content_type: str | None = None  # None: the test client's (a query string, or multipart for a POST)


@dataclass
class PageItem:
    key: str
    item: str
    role: str
    request: Callable[[int], Request]
    expect: Callable[[HttpResponse], str | None]  # what is wrong with a response, or None
    target: Target = field(default_factory=page_target)
    available: int | None = None  # requests the data allows (each write consumes a fresh row); None: unlimited
    label: Callable[[int], str] | None = None  # the kind of each request, for a breakdown in the notes
    note: str = ""


def status_is(code: int, *, contains: bytes | None = None) -> Callable[[HttpResponse], str | None]:
    def expect(response: HttpResponse) -> str | None:
        if response.status_code != code:
            where = response.get("Location", "")
            return f"HTTP {response.status_code}{' → ' + where if where else ''} (expected {code})"
        if contains is not None and contains not in response.content:
            return f"the response lacks {contains.decode()!r}"
        return None

    return expect


def run_item(item: PageItem, client: Client, *, warmup: int, requests: int) -> Row:
    """Warm up, then time `requests` requests; a response that is not what the page should answer fails the row."""
    wanted = requests
    if item.available is not None and item.available < warmup + requests:
        warmup = min(warmup, item.available // 10)
        requests = item.available - warmup
    if requests <= 0:
        return Row.skipped(item.key, item.item, "no rows to use (see the note of the data set)", item.target)
    seconds, queries, problems, by_label = [], [], {}, {}
    for i in range(warmup + requests):
        req = item.request(i)
        send = client.post if req.method == "POST" else client.get
        reset_queries()  # the log holds at most 9,000 queries; a full log would count none
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            extra = {"content_type": req.content_type} if req.content_type else {}
            response = send(req.path, req.data, secure=True, headers=req.headers, **extra)
            elapsed = time.perf_counter() - started
        problem = item.expect(response)
        if problem:
            problems.setdefault(problem, req.path)
        if i >= warmup:
            seconds.append(elapsed)
            queries.append(len(captured.captured_queries))
            if item.label is not None:
                by_label.setdefault(item.label(i), []).append((elapsed, len(captured.captured_queries)))
    note = item.note
    if requests < wanted:
        note = f"{note}; only {requests} measured: the data set has no more fresh rows for it"
    row = Row.measured(item.key, item.item, seconds=seconds, queries=queries, target=item.target, note=note)
    row.details["warmup"] = warmup
    if by_label:
        row.details["by_step"] = {label: _step_figures(runs) for label, runs in by_label.items()}
        steps = sorted(row.details["by_step"].items(), key=lambda pair: -pair[1]["requests"])
        row.note += " (" + ", ".join(f"{label} {figures['text']}" for label, figures in steps) + ")"
    for problem, path in list(problems.items())[:3]:
        row.fail(f"{problem} on {path}")
    return row


def _step_figures(runs: list[tuple[float, int]]) -> dict:
    p50 = statistics.median(seconds for seconds, _queries in runs) * 1000
    fewest, most = min(q for _s, q in runs), max(q for _s, q in runs)
    queries = str(fewest) if fewest == most else f"{fewest}–{most}"
    return {
        "requests": len(runs),
        "p50_ms": p50,
        "queries": queries,
        "text": f"{len(runs)}× p50 {p50:.0f} ms, {queries} queries",
    }


def items(*, dealer: Dealer, users: dict[str, User], samples: Samples) -> list[PageItem]:
    """Every page item of the benchmark, in the order of the report."""
    customers = samples.customers
    complaints = samples.complaints or [0]
    steps = samples.steps
    now_local = timezone.localtime().strftime("%Y-%m-%dT%H:%M")

    def lookup(i: int) -> Request:
        # As the agent types: prefixes of 3 to 11 digits of real customers' numbers.
        _pk, mobile = customers[i % len(customers)]
        return Request("GET", reverse("customer_lookup"), {"q": mobile[: 3 + i % 9]}, HTMX)

    def search(i: int) -> Request:
        # The navigation bar's box, each kind of key in turn: a phone prefix, a plate, a repair order, a complaint.
        _pk, mobile = customers[i % len(customers)]
        keys = [mobile[:7], f"粤A{i % 1000:03d}", f"RO{i % 100_000:08d}", f"TS-{timezone.localdate():%Y%m}-00{i % 10}"]
        return Request("GET", reverse("search"), {"q": keys[i % len(keys)]})

    def customer_360(i: int) -> Request:
        pk, _mobile = customers[i % len(customers)]
        return Request("GET", reverse("customer_detail", args=[pk]))

    def call_log(i: int) -> Request:
        pk, _mobile = customers[(i * 7 + 3) % len(customers)]
        data = {
            "direction": "in",
            "purpose": "inquiry",
            "started_at": now_local,
            "duration": "2:15",
            "summary": f"[bench] inquiry {i}: asks when the next maintenance is due.",
            "outcome": "answered",
        }
        return Request("POST", reverse("customer_call_create", args=[pk]), data, HTMX)

    open_count = Complaint.objects.filter(dealer=dealer, status__in=OPEN_STATUSES).count()
    all_count = Complaint.objects.filter(dealer=dealer).count()
    last_page = max(1, math.ceil(all_count / COMPLAINT_PAGE_SIZE))
    list_url = reverse("complaints:list")

    def complaint_list(i: int) -> Request:
        return Request("GET", list_url, {"status": "open"})

    def complaint_list_deep(i: int) -> Request:
        # Page 200 needs 5,000 rows: the whole list (open ones first by deadline, then the newest), as it opens.
        return Request("GET", list_url, {"page": DEEP_PAGE})

    def complaint_detail(i: int) -> Request:
        return Request("GET", reverse("complaints:detail", args=[complaints[i % len(complaints)]]))

    def transition(i: int) -> Request:
        pk, action = steps[i]
        return Request("POST", reverse("complaints:transition", args=[pk, action]), STEP_DATA[action])

    deep_note = f"all {all_count:,} complaints of the dealer = {last_page} pages" + (
        f"; page {DEEP_PAGE} does not exist, the paginator serves the last page" if last_page < DEEP_PAGE else ""
    )
    agent_rows = len(callback_worklist(user=users["worklist"]))
    supervisor_rows = len(callback_worklist(user=users["service"]))

    def worklist(i: int) -> Request:
        return Request("GET", reverse("callbacks:worklist"))

    triage_rows = complaint_triage(user=users["service"]).count()
    cti_event = _cti_events(dealer=dealer, customers=customers, agent=users["agent"])
    own = [
        PageItem(
            "lookup",
            "phone lookup as you type",
            "agent",
            lookup,
            status_is(200),
            target=page_target(lookup=True),
            note="prefixes of 3–11 digits",
        ),
        PageItem(
            "search",
            "global search (navigation bar)",
            "agent",
            search,
            status_is(200),
            target=page_target(lookup=True),
            note="phone prefix, plate, repair order number, complaint number in turn",
        ),
        PageItem("360", "customer 360", "agent", customer_360, status_is(200)),
        PageItem(
            "call",
            "log a call (POST, htmx)",
            "agent",
            call_log,
            status_is(200, contains=b'id="call-history"'),
            note="writes a call",
        ),
        PageItem(
            "cti",
            "phone system event (POST /api/v1/cti/<token>/)",
            "agent",
            cti_event,
            status_is(200, contains=b"{}"),
            target=Target(p95_ms=CTI_P95_MS, max_queries=CTI_MAX_QUERIES),
            note="newCall, answer, hangup in turn, form-encoded, as a PBX posts them",
        ),
        PageItem(
            "list",
            "complaint list, open, by deadline, page 1",
            "agent",
            complaint_list,
            status_is(200),
            note=f"{open_count:,} open complaints",
        ),
        PageItem(
            "list200",
            f"complaint list, all, by deadline, page {DEEP_PAGE}",
            "agent",
            complaint_list_deep,
            status_is(200),
            note=deep_note,
        ),
        PageItem("detail", "complaint detail", "service", complaint_detail, status_is(200)),
        PageItem(
            "transition",
            "complaint transition (POST)",
            "service",
            transition,
            status_is(302),
            available=len(steps),
            label=lambda i: steps[i][1],
            note="each request moves another complaint of the dealer one step: new ones are acknowledged",
        ),
        PageItem(
            "triage",
            "triage board",
            "service",
            lambda i: Request("GET", reverse("complaints:triage")),
            status_is(200),
            note=f"{triage_rows:,} complaints on the board",
        ),
        PageItem(
            "worklist",
            "follow-up worklist, agent",
            "worklist",
            worklist,
            status_is(200),
            note=f"{users['worklist'].username}, {agent_rows:,} call(s) on it (pages of 25)",
        ),
        PageItem(
            "worklistall",
            "follow-up worklist, supervisor (all agents)",
            "service",
            worklist,
            status_is(200),
            note=f"{supervisor_rows:,} calls of the dealer (pages of 25; the first page)",
        ),
        PageItem(
            "board",
            "prospect board",
            "sales",
            lambda i: Request("GET", reverse("prospects:board")),
            status_is(200),
        ),
        PageItem(
            "keyvehicles",
            "key-attention vehicles",
            "service",
            lambda i: Request("GET", reverse("complaints:key_vehicles")),
            status_is(200),
        ),
        PageItem(
            "dashboard",
            "executive's dashboard, this month to date",
            "executive",
            lambda i: Request("GET", reverse("reports:dashboard")),
            status_is(200, contains=b'id="dashboard-group"'),
            # The targets: 100 ms for one dealer, 300 ms for a user of every dealer (below).
            target=Target(p95_ms=DASHBOARD_P95_MS),
            note="the month, the previous one and last year's, the 12-month trend",
        ),
        PageItem(
            "sanbao",
            "三包 watch",
            "service",
            lambda i: Request("GET", reverse("events:sanbao")),
            status_is(200),
        ),
    ]
    return [*own, *_as_group(own, users)]


CTI_P95_MS = 20
DASHBOARD_P95_MS = 100
DASHBOARD_GROUP_P95_MS = 300
CTI_MAX_QUERIES = 14


def _cti_events(*, dealer: Dealer, customers, agent: User) -> Callable[[int], Request]:
    """The dealer's benchmark line (made, or given a new token) and its calls' events, each call a new callId."""
    number = f"0{dealer.pk:011d}"
    line = CtiLine.objects.filter(number=number).first()
    if line is None:
        line, token = cti_line_create(dealer=dealer, number=number, name="benchmark")
    else:
        line, token = cti_line_rotate(line_id=line.pk)
    path = reverse("api:cti_event", kwargs={"token": token})
    run = uuid.uuid4().hex[:8]

    def event(i: int) -> Request:
        _pk, mobile = customers[(i // 3) % len(customers)]
        fields = {"callId": f"bench-{run}-{i // 3}", "from": mobile, "to": number, "direction": "in"}
        kind = ("newCall", "answer", "hangup")[i % 3]
        fields |= {
            "newCall": {"user[]": agent.username},
            "answer": {"answeringNumber": agent.username},
            "hangup": {"cause": "normalClearing"},
        }[kind]
        return Request("POST", path, urlencode({"event": kind, **fields}), content_type=FORM)

    return event


def _as_group(own: list[PageItem], users: dict[str, User]) -> list[PageItem]:
    """The group-wide pages again, as the users of every dealer: the same requests, the user's whole scope."""
    by_key = {item.key: item for item in own}
    group = []
    for role, keys in GROUP_ITEMS.items():
        user = users.get(role)
        if user is None:
            continue
        dealers = user.dealers.count()
        for key in keys:
            item = by_key[key]
            what = "director" if role == "group-director" else "service manager"
            group.append(
                PageItem(
                    GROUP_PREFIX[role] + key,
                    f"{item.item}, as the {what} of all {dealers} dealers",
                    role,
                    item.request,
                    item.expect,
                    target=Target(p95_ms=DASHBOARD_GROUP_P95_MS) if key == "dashboard" else item.target,
                    available=item.available,
                    label=item.label,
                )
            )
    return group


def logged_in_clients(users: dict[str, User]) -> dict[str, Client]:
    clients = {}
    for role, user in users.items():
        client = Client()
        client.force_login(user)
        clients[role] = client
    return clients
