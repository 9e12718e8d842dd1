"""`make bench`: time the CAC's pages, writes, reports, deadline sweep and a short load test against the large data
set of `make bench-data`, and write bench/results/<UTC time>-scale<scale>.{md,json} (and latest.{md,json}).

    DATABASE_URL=postgres://... DJANGO_DEBUG=0 DJANGO_SECRET_KEY=... python -m bench.run
    python -m bench.run --requests 200 --only 360,lookup --no-load

The run changes the data set, as the application would: it logs calls, acknowledges new complaints of the benchmark
dealer (a different one per request) and makes 10,000 rows due for the deadline sweep, which escalates them. Each run
therefore uses rows no earlier run touched; the report says how many fresh rows remain. Tasks the run enqueues
(notification e-mails) go to a throw-away file-system broker, so that no worker sends them.
"""

import argparse
import logging
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

from bench.groups import GROUP_KEYS

BASE_DIR = Path(__file__).resolve().parent.parent
PAGE_KEYS = [
    "lookup",
    "search",
    "360",
    "call",
    "cti",
    "list",
    "list200",
    "detail",
    "transition",
    "triage",
    "worklist",
    "worklistall",
    "board",
    "keyvehicles",
    "sanbao",
    "dashboard",
    *GROUP_KEYS,
]
BATCH_KEYS = ["figures", "pdf", "sweep"]
ALL_KEYS = [*PAGE_KEYS, *BATCH_KEYS, "load"]
# gunicorn configs probed on the customer 360 before the load test; the one with most requests per second is used.
# On 2 cores the app is CPU-bound (templates): 2-3 processes do best, more only add switching (bench/README.md).
DEFAULT_LOAD_CONFIGS = "sync:3,gthread:3x2,gthread:2x4"
LOAD_CUSTOMERS = 200

logger = logging.getLogger("bench")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=200, help="measured requests per page item (default 200)")
    parser.add_argument("--warmup", type=int, default=20, help="warm-up requests per page item (default 20)")
    parser.add_argument("--only", default="", help=f"comma-separated items of: {','.join(ALL_KEYS)}")
    parser.add_argument("--no-load", action="store_true", help="skip the gunicorn + wrk load test")
    parser.add_argument("--dealer", default=os.environ.get("BENCH_DEALER", "BD001"), help="benchmark dealer code")
    parser.add_argument(
        "--users",
        default="",
        help="role=username,... for roles agent, service, sales, director, executive (default bench-<role>, else "
        "the dealer's first user in the role)",
    )
    parser.add_argument("--scale", default="", help="the data set's scale, when it cannot be read from the data")
    parser.add_argument("--figure-runs", type=int, default=20, help="runs of complaint_figures (default 20)")
    parser.add_argument("--sweep-rows", type=int, default=10_000, help="due rows for the timed sweep (default 10000)")
    parser.add_argument(
        "--no-settle", action="store_true", help="skip the catch-up sweep before the due rows are prepared"
    )
    parser.add_argument("--load-seconds", type=int, default=20, help="wrk duration per page (default 20)")
    parser.add_argument(
        "--load-configs",
        default=DEFAULT_LOAD_CONFIGS,
        help="gunicorn configs (sync:N or gthread:NxT), comma-separated; with several, each is probed on the "
        f"customer 360 and the fastest kept (default {DEFAULT_LOAD_CONFIGS})",
    )
    parser.add_argument("--load-probe-seconds", type=int, default=8, help="wrk duration of each probe (default 8)")
    parser.add_argument("--wrk-threads", type=int, default=2)
    parser.add_argument("--wrk-connections", type=int, default=8)
    parser.add_argument("--strict", action="store_true", help="exit 1 when any item misses its target")
    args = parser.parse_args(argv)
    args.only = {key.strip() for key in args.only.split(",") if key.strip()}
    unknown = args.only - set(ALL_KEYS)
    if unknown:
        parser.error(f"unknown items {sorted(unknown)}; known: {','.join(ALL_KEYS)}")
    try:
        args.users = dict(pair.split("=", 1) for pair in args.users.split(",") if pair.strip())
    except ValueError:
        parser.error("--users takes role=username pairs, e.g. agent=agent,service=service_manager")
    return args


def selected(args: argparse.Namespace, key: str) -> bool:
    if key == "load" and args.no_load:
        return False
    return not args.only or key in args.only


def _git(*command: str) -> str:
    done = subprocess.run(  # noqa: S603 - fixed git commands
        ["git", *command],  # noqa: S607
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        check=False,
    )
    return done.stdout.strip() if done.returncode == 0 else ""


def _isolate_broker(work_dir: Path) -> Path:
    """Point Celery at a file-system broker in `work_dir`: the run's e-mail tasks must reach no real worker."""
    broker = work_dir / "broker"
    os.environ["REDIS_URL"] = ""
    os.environ["CELERY_BROKER_DIR"] = str(broker)
    return broker


def _terminate(signum, frame):  # noqa: ARG001 - signal handler signature
    raise SystemExit(128 + signum)  # unwinds through the finally blocks that stop gunicorn


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith(("postgres://", "postgresql://", "pgsql://")):
        print("DATABASE_URL must name the PostgreSQL benchmark database (make bench sets it).", file=sys.stderr)
        return 2
    signal.signal(signal.SIGTERM, _terminate)
    signal.signal(signal.SIGHUP, _terminate)
    work_dir = Path(tempfile.mkdtemp(prefix="cac-bench-"))
    broker = _isolate_broker(work_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cac.settings")
    try:
        return _run(args, work_dir=work_dir, broker=broker)
    finally:
        shutil.rmtree(work_dir, ignore_errors=True)


def _run(args: argparse.Namespace, *, work_dir: Path, broker: Path) -> int:
    import django

    django.setup()
    from django.conf import settings

    from bench import batch, dataset, pages, results
    from bench.results import Row

    logging.getLogger("bench").setLevel(logging.INFO)
    for noisy in ("weasyprint", "fontTools"):  # their INFO lines are every step of a PDF
        logging.getLogger(noisy).setLevel(logging.WARNING)
    started = time.monotonic()
    now = datetime.now(UTC)
    if settings.DEBUG:
        logger.warning("DEBUG is on: the figures are not those of production (make bench sets DJANGO_DEBUG=0)")
    analyzed = dataset.analyze_if_never_analyzed()
    try:
        dealer = dataset.bench_dealer(args.dealer)
        users = dataset.bench_users(dealer, args.users)
        users["worklist"] = dataset.worklist_agent(dealer, users["agent"])
        samples = dataset.samples(
            dealer, count=max(args.requests + args.warmup, LOAD_CUSTOMERS), steps=args.requests + args.warmup
        )
    except dataset.DataSetError as exc:
        print(exc, file=sys.stderr)
        return 2
    counts = dataset.row_counts()
    scale, scale_source = dataset.scale(args.scale)
    meta = {
        "started_at": now.isoformat(timespec="seconds"),
        "stamp": now.strftime("%Y%m%dT%H%M%SZ"),
        "cpu_count": os.cpu_count(),
        "platform": f"{platform.system()} {platform.machine()}",
        "python": platform.python_version(),
        "commit": _git("rev-parse", "--short", "HEAD") or "unknown",
        "dirty": bool(_git("status", "--porcelain", "--", ".", ":(exclude)bench/results")),
        "postgresql": dataset.postgresql_version(),
        "database": dataset.database_name(),
        "scale": scale,
        "scale_source": scale_source,
        "debug": settings.DEBUG,
        "settings": os.environ["DJANGO_SETTINGS_MODULE"],
        "dealer": dealer.code,
        "users": {role: user.username for role, user in users.items()},
        "requests": args.requests,
        "warmup": args.warmup,
        "row_counts": counts,
        "load_average_before": _load_average(),
        "analyzed_first": analyzed,
    }
    logger.info("Benchmark of %s, scale %s, dealer %s: %s", meta["database"], scale, dealer.code, counts)

    rows: list[Row] = []
    extra: dict = {}
    sections: list[tuple[str, str]] = []
    clients = pages.logged_in_clients(users)
    try:
        for item in pages.items(dealer=dealer, users=users, samples=samples):
            if not selected(args, item.key):
                continue
            logger.info("%s (%s) ...", item.item, users[item.role].username)
            run = partial(pages.run_item, item, clients[item.role], warmup=args.warmup, requests=args.requests)
            rows.append(_guarded(item.key, item.item, run))
            _log_row(rows[-1])
        if selected(args, "figures"):
            logger.info("report figures ...")
            rows.append(
                _guarded("figures", "report figures", partial(batch.report_figures, dealer, runs=args.figure_runs))
            )
            _log_row(rows[-1])
        if selected(args, "pdf"):
            logger.info("report PDF ...")
            rows.append(_guarded("pdf", "report PDF", partial(batch.report_pdf, dealer)))
            _log_row(rows[-1])
        if selected(args, "sweep"):
            logger.info("deadline sweep ...")
            sweep_details: dict = {}

            def sweep() -> Row:
                row, details = batch.sweep(rows=args.sweep_rows, spare_dealer=dealer, settle=not args.no_settle)
                sweep_details.update(details)
                return row

            rows.append(_guarded("sweep", "deadline sweep", sweep))
            _log_row(rows[-1])
            if sweep_details:
                extra["sweep"] = sweep_details
                sections.append(("Deadline sweep", _sweep_section(sweep_details)))
        if selected(args, "load"):
            load_rows, load_details = _load(args, clients["agent"], samples, work_dir)
            rows += load_rows
            for row in load_rows:
                _log_row(row)
            if load_details:
                extra["load"] = load_details
                sections.append(("Load test", _load_section(load_details)))
    finally:
        for client in clients.values():
            client.logout()
    meta["duration_s"] = time.monotonic() - started
    meta["load_average_after"] = _load_average()
    meta["tasks_enqueued_and_dropped"] = _queued(broker)
    sections.append(("Data set after the run", _data_section(dealer, args)))
    md_path, json_path = results.write(meta, rows, sections, extra)
    print(md_path.read_text(encoding="utf-8"))
    print(f"Written: {md_path.relative_to(BASE_DIR)}, {json_path.relative_to(BASE_DIR)} (and latest.md/latest.json)")
    errors = [row for row in rows if row.details.get("error")]
    if errors:
        return 1
    if args.strict and any(row.passed is False for row in rows):
        return 1
    return 0


def _guarded(key: str, item: str, measure):
    """An item that raises is a failed row with the error, and the other items still run."""
    from django.db import connection

    from bench.results import Row

    try:
        return measure()
    except Exception as exc:  # noqa: BLE001 - report any failure of one item and go on with the others
        logger.error("%s failed:\n%s", item, traceback.format_exc())
        connection.close()  # a failed transaction must not poison the next items
        row = Row(key=key, item=item)
        row.fail(f"error: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}")
        row.details["error"] = traceback.format_exc()
        return row


def _log_row(row) -> None:
    if row.requests:
        logger.info(
            "  %s: %d × p50 %.1f ms, p95 %.1f ms, max %.1f ms, queries %s–%s %s",
            row.item,
            row.requests,
            row.p50_ms,
            row.p95_ms,
            row.max_ms,
            row.queries_min,
            row.queries_max,
            {True: "pass", False: "FAIL", None: ""}[row.passed],
        )
    if row.note:
        logger.info("  %s", row.note)


def _load(args: argparse.Namespace, client, samples, work_dir: Path):
    from django.conf import settings
    from django.urls import reverse

    from bench import load
    from bench.results import LOAD_MIN_RPS, LOAD_P95_MS, Row, Target

    items = [
        ("load360", "load: customer 360", Target(min_rps=LOAD_MIN_RPS, p95_ms=LOAD_P95_MS)),
        ("loadlist", "load: complaint list, open, page 1", None),
    ]
    if not load.wrk_available():
        why = "wrk is not installed (apt-get install wrk; make bench installs it when apt-get is there)"
        logger.warning("Load test skipped: %s", why)
        return [Row.skipped(key, item, why, target) for key, item, target in items], {}
    configs = [load.ServerConfig.parse(text) for text in args.load_configs.split(",") if text.strip()]
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    paths_360 = [reverse("customer_detail", args=[pk]) for pk, _mobile in samples.customers[:LOAD_CUSTOMERS]]
    list_path = reverse("complaints:list") + "?status=open"
    logger.info("load test: gunicorn %s, wrk %d s per page ...", args.load_configs, args.load_seconds)
    try:
        return load.load_test(
            configs=configs,
            cookie=cookie,
            paths_360=paths_360,
            list_path=list_path,
            seconds=args.load_seconds,
            probe_seconds=args.load_probe_seconds,
            threads=args.wrk_threads,
            connections=args.wrk_connections,
            work_dir=work_dir,
        )
    except (load.LoadError, OSError, subprocess.SubprocessError) as exc:
        logger.error("Load test failed: %s", exc)
        failed = []
        for key, item, target in items:
            row = Row(key=key, item=item, target=target)
            row.fail(f"error: {str(exc).splitlines()[0]}")
            row.details["error"] = str(exc)
            failed.append(row)
        return failed, {"error": str(exc)}


def _sweep_section(details: dict) -> str:
    lines = []
    if "settle_counts" in details:
        lines.append(
            f"- catch-up sweep first (acts on what the data set already had due): {details['settle_seconds']} s, "
            f"{details['settle_counts'] or 'nothing due'}"
        )
    open_rows = details["open_rows"]
    made = details["made_due"]
    lines += [
        f"- open rows: {open_rows['total']:,} ({open_rows['complaints']:,} complaints, "
        f"{open_rows['callbacks']:,} follow-up calls, {open_rows['prospects']:,} prospects)",
        f"- made due a minute ago (other dealers' rows before the benchmark dealer's): {made['complaints']:,} "
        f"complaints whose acknowledgment is overdue, {made['callbacks']:,} scheduled follow-up calls coming due, "
        f"{made['prospects']:,} prospects to contact today",
        f"- timed sweep: counts {details['counts']}, {details['queries']:,} queries",
        f"- fresh rows left for later runs: {details['fresh_left']['complaints']:,} complaints, "
        f"{details['fresh_left']['callbacks']:,} scheduled follow-up calls, {details['fresh_left']['prospects']:,} "
        "prospects (a run needs 10,000 in all; seed again when they run out)",
    ]
    return "\n".join(lines)


def _load_section(details: dict) -> str:
    if "error" in details:
        return f"Failed: {details['error']}"
    lines = [f"- server: `{details['server']}`, `{details['wrk']}`, the agent's session cookie"]
    for config, probe in details.get("probes", {}).items():
        lines.append(f"- probe {config}: {probe['rps']:.0f} req/s, p95 {probe['p95_ms']:.1f} ms on the customer 360")
    for name, output in details.get("outputs", {}).items():
        text = "\n".join(line for line in output.splitlines() if not line.startswith("BENCH_JSON"))
        lines += ["", f"wrk, {name}:", "", "```", text.rstrip(), "```"]
    return "\n".join(lines)


def _data_section(dealer, args: argparse.Namespace) -> str:
    from complaints.models import Complaint, Status

    new = Complaint.objects.filter(dealer=dealer, status=Status.NEW).count()
    return (
        f"The run logged calls on customers of {dealer.code}, moved its complaints one step each (new ones "
        f"acknowledged, {new:,} new left; the others round the loop resolved → reopened → investigating → …) and "
        "had the sweep act on the rows it made due (see above)."
    )


def _load_average() -> str:
    """Other work on the machine skews every figure: the 1, 5 and 15 minute load averages say how much there was."""
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def _queued(broker: Path) -> int:
    queue = broker / "queue"
    return sum(1 for _path in queue.iterdir()) if queue.is_dir() else 0


if __name__ == "__main__":
    sys.exit(main())
