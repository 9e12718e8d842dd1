"""The short load test: gunicorn serving the app with the production settings, wrk sending a logged-in user's
requests at it. gunicorn runs in its own process group and is stopped on the way out, whatever happened."""

import contextlib
import http.client
import json
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from bench.results import LOAD_MIN_RPS, LOAD_P95_MS, Row, Target

logger = logging.getLogger(__name__)

BASE_DIR = Path(__file__).resolve().parent.parent
WRK_SCRIPT = Path(__file__).resolve().parent / "wrk_paths.lua"
# Behind the proxy that ends TLS in production; without it SECURE_SSL_REDIRECT answers every request with a 301.
PROXY_HEADERS = {"X-Forwarded-Proto": "https"}
STARTUP_SECONDS = 30
WARMUP_SECONDS = 3


class LoadError(RuntimeError):
    pass


@dataclass(frozen=True)
class ServerConfig:
    """`sync:4` (4 sync workers) or `gthread:2x4` (2 workers of 4 threads each)."""

    worker_class: str
    workers: int
    threads: int = 1

    @classmethod
    def parse(cls, text: str) -> "ServerConfig":
        worker_class, _sep, size = text.strip().partition(":")
        if worker_class not in ("sync", "gthread") or not size:
            raise ValueError(f"{text!r}: expected sync:N or gthread:NxT")
        workers, _x, threads = size.partition("x")
        return cls(worker_class, int(workers), int(threads or 1))

    def __str__(self) -> str:
        if self.worker_class == "gthread":
            return f"gthread:{self.workers}x{self.threads}"
        return f"sync:{self.workers}"

    def args(self) -> list[str]:
        return ["--workers", str(self.workers), "--worker-class", self.worker_class, "--threads", str(self.threads)]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(port: int, path: str, headers: dict[str, str], timeout: float = 10.0) -> tuple[int, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        response.read()
        return response.status, response.getheader("Location", "")
    finally:
        conn.close()


@contextlib.contextmanager
def gunicorn(config: ServerConfig, *, log_path: Path):
    """gunicorn on a free local port for the duration of the block; yields the port."""
    executable = Path(sys.executable).with_name("gunicorn")
    port = _free_port()
    command = [str(executable), "cac.wsgi", "--bind", f"127.0.0.1:{port}", *config.args()]
    command += ["--log-level", "warning", "--timeout", "60", "--graceful-timeout", "5"]
    with log_path.open("ab") as log:
        process = subprocess.Popen(  # noqa: S603 - our own executable and arguments
            command, cwd=BASE_DIR, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        _wait_until_up(process, port, log_path)
        yield port
    finally:
        _stop(process)


def _wait_until_up(process: subprocess.Popen, port: int, log_path: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise LoadError(f"gunicorn exited with {process.returncode}:\n{_tail(log_path)}")
        try:
            _get(port, "/healthz", {}, timeout=2)
            return
        except OSError:
            time.sleep(0.2)
    raise LoadError(f"gunicorn did not answer within {STARTUP_SECONDS} s:\n{_tail(log_path)}")


def _stop(process: subprocess.Popen) -> None:
    """TERM to gunicorn's process group (the master and its workers), KILL if it is still there after 15 s."""
    if process.poll() is not None:
        return
    for sig, wait in ((signal.SIGTERM, 15), (signal.SIGKILL, 5)):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        try:
            process.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


def _tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def wrk_available() -> bool:
    return shutil.which("wrk") is not None


def run_wrk(*, port: int, paths_file: Path, cookie: str, seconds: int, threads: int, connections: int) -> dict:
    command = [
        shutil.which("wrk") or "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{seconds}s",
        "--latency",
        "-s",
        str(WRK_SCRIPT),
        "-H",
        f"Cookie: {cookie}",
        *(arg for name, value in PROXY_HEADERS.items() for arg in ("-H", f"{name}: {value}")),
        f"http://127.0.0.1:{port}",
        "--",
        str(paths_file),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60, check=False)  # noqa: S603
    for line in done.stdout.splitlines():
        if line.startswith("BENCH_JSON "):
            result = json.loads(line.removeprefix("BENCH_JSON "))
            result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
            result["command"] = " ".join(command[:6]) + " …"
            result["output"] = done.stdout
            return result
    raise LoadError(f"wrk printed no summary (exit {done.returncode}):\n{done.stdout}\n{done.stderr}")


def _check_session(port: int, path: str, cookie: str) -> None:
    status, location = _get(port, path, {"Cookie": cookie, **PROXY_HEADERS})
    if status != 200:
        raise LoadError(f"GET {path} with the benchmark session answered {status} {location}: not logged in?")


def _row(key: str, item: str, result: dict, target: Target | None, note: str) -> Row:
    latency = result["latency_us"]
    row = Row(
        key=key,
        item=item,
        requests=result["requests"],
        p50_ms=latency["p50"] / 1000,
        p95_ms=latency["p95"] / 1000,
        max_ms=latency["max"] / 1000,
        rps=result["rps"],
        target=target,
        note=note,
        details={name: value for name, value in result.items() if name != "output"},
    )
    row.check()
    errors = {name: count for name, count in result["errors"].items() if count}
    if errors:
        row.fail(f"wrk errors {errors}")
    return row


def load_test(
    *,
    configs: list[ServerConfig],
    cookie: str,
    paths_360: list[str],
    list_path: str,
    seconds: int,
    probe_seconds: int,
    threads: int,
    connections: int,
    work_dir: Path,
) -> tuple[list[Row], dict]:
    """Probe each server config on the customer 360 (when several are given) and keep the one with the most
    requests per second; then wrk the customer 360 (rotating over customers) and the complaint list with it."""
    files = {"360": work_dir / "paths-360.txt", "list": work_dir / "paths-list.txt"}
    files["360"].write_text("\n".join(paths_360) + "\n")
    files["list"].write_text(list_path + "\n")
    log_path = work_dir / "gunicorn.log"
    wrk = {"threads": threads, "connections": connections}
    details: dict = {"probes": {}, "wrk": f"wrk -t{threads} -c{connections} -d{seconds}s --latency"}
    best = configs[0]
    if len(configs) > 1:
        for config in configs:
            with gunicorn(config, log_path=log_path) as port:
                _check_session(port, paths_360[0], cookie)
                run_wrk(port=port, paths_file=files["360"], cookie=cookie, seconds=WARMUP_SECONDS, **wrk)
                probe = run_wrk(port=port, paths_file=files["360"], cookie=cookie, seconds=probe_seconds, **wrk)
            details["probes"][str(config)] = {
                "rps": round(probe["rps"], 1),
                "p95_ms": probe["latency_us"]["p95"] / 1000,
            }
            logger.info("probe %s: %.0f req/s, p95 %.1f ms", config, probe["rps"], probe["latency_us"]["p95"] / 1000)
        best = max(configs, key=lambda config: details["probes"][str(config)]["rps"])
    details["server"] = f"gunicorn cac.wsgi {' '.join(best.args())}"
    with gunicorn(best, log_path=log_path) as port:
        _check_session(port, paths_360[0], cookie)
        _check_session(port, list_path, cookie)
        run_wrk(port=port, paths_file=files["360"], cookie=cookie, seconds=WARMUP_SECONDS, **wrk)
        result_360 = run_wrk(port=port, paths_file=files["360"], cookie=cookie, seconds=seconds, **wrk)
        result_list = run_wrk(port=port, paths_file=files["list"], cookie=cookie, seconds=seconds, **wrk)
    note = f"{best}, wrk -t{threads} -c{connections} -d{seconds}s"
    rows = [
        _row(
            "load360",
            f"load: customer 360 ({len(paths_360)} customers in turn)",
            result_360,
            Target(min_rps=LOAD_MIN_RPS, p95_ms=LOAD_P95_MS),
            note,
        ),
        _row("loadlist", "load: complaint list, open, page 1", result_list, None, note),
    ]
    details["outputs"] = {"360": result_360["output"], "list": result_list["output"]}
    return rows, details
