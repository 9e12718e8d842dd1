"""The screen pop served as docker-compose serves it: a real uvicorn process (one worker) on the test database.

A sync worker holds one stream at a time; this one process holds many more streams than docker-compose's web has
workers, pops the call on every one of them through the real CTI endpoint, answers an ordinary page meanwhile, and
stops polling for a page as soon as it is closed. The server runs in another process: the test commits
(transactional_db) and gives it the test database's name, with an application_name of its own, by which its queries
are told apart in pg_stat_activity."""

import http.client
import json
import os
import queue
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests
from django.db import connection

from cac.cti.lines import cti_line_create
from tests.cac.factories import CustomerFactory
from tests.deadlines.test_worker import _database_url, _until
from tests.test_celery_worker import _stop

pytestmark = [pytest.mark.services, pytest.mark.real_clock, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[3]
CALLER = "13800138000"
STREAMS = 12  # docker-compose's web serves 3 at once (3 sync workers of 1 thread)
POOL = 4  # the events process's connection pool: 12 open streams share it
POLL_SECONDS = 0.2
APPLICATION = f"cac-events-test-{os.getpid()}"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def events_server(transactional_db, postgres, tmp_path):
    """uvicorn serving cac.asgi:application as the `events` service does; stopped before the database is flushed."""
    import uvicorn  # noqa: F401 - a requirement: its absence is a broken install, not a reason to skip

    port = _free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cac.settings_test",
        "DATABASE_URL": f"{_database_url()}?application_name={APPLICATION}",
        "DATABASE_POOL_MAX_SIZE": str(POOL),
        "CTI_STREAM_SECONDS": "120",  # no stream ends by itself during the test: only a client going away ends it
        "CTI_POLL_SECONDS": str(POLL_SECONDS),
    }
    log = tmp_path / "uvicorn.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "cac.asgi:application", "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"

    def up() -> bool:
        assert process.poll() is None, log.read_text(errors="replace")
        try:
            return requests.get(f"{url}/healthz/live", timeout=2).status_code == 200
        except requests.ConnectionError:
            return False

    try:
        assert _until(up, timeout=60), log.read_text(errors="replace")
        yield url, port, log
    finally:
        _stop(process)


class _Stream:
    """One page's EventSource: a connection of its own, read in a thread; the `calls` events land in a queue."""

    def __init__(self, port: int, cookie: str):
        self.events: queue.Queue = queue.Queue()
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.connection.request("GET", "/calls/ringing/", headers={"Cookie": cookie, "Accept": "text/event-stream"})
        self.response = self.connection.getresponse()
        assert self.response.status == 200, self.response.read()
        assert self.response.getheader("Content-Type") == "text/event-stream"
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        try:
            event = None
            while line := self.response.readline():
                text = line.decode().rstrip("\n")
                if text.startswith("event: "):
                    event = text.removeprefix("event: ")
                elif text.startswith("data: ") and event == "calls":
                    self.events.put(json.loads(text.removeprefix("data: ")))
        except (OSError, ValueError, http.client.HTTPException):
            pass  # closed by the test

    def next_calls(self, timeout: float) -> list[dict]:
        return self.events.get(timeout=timeout)

    def close(self) -> None:
        """The page goes away: the TCP connection is shut, as a browser does with a closed tab."""
        self.connection.sock.shutdown(socket.SHUT_RDWR)
        self.thread.join(timeout=5)  # the reader sees the end, then the connection is closed
        self.connection.close()


def _login(url: str) -> str:
    """The agent logs in through the login form of the events process: the session cookie of their pages."""
    session = requests.Session()
    session.cookies.set("django_language", "en")
    session.get(f"{url}/accounts/login/", timeout=10).raise_for_status()
    answer = session.post(
        f"{url}/accounts/login/",
        data={
            "username": "agent",
            "password": "pw-for-tests-only",
            "csrfmiddlewaretoken": session.cookies["csrftoken"],
        },
        allow_redirects=False,
        timeout=10,
    )
    assert answer.status_code == 302, answer.text
    return "; ".join(f"{name}={value}" for name, value in session.cookies.items())


def _events_backends(since: str | None = None) -> tuple[int, int]:
    """The events process's connections to PostgreSQL, and how many of them ran a query after `since` (a time
    PostgreSQL gave): the poll's queries, seen from the database."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*), count(*) FILTER (WHERE state_change > %s::timestamptz) FROM pg_stat_activity"
            " WHERE application_name = %s",
            [since or "-infinity", APPLICATION],
        )
        return cursor.fetchone()


def _database_now() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT clock_timestamp()::text")
        return cursor.fetchone()[0]


def test_one_uvicorn_worker_pops_the_call_on_many_open_pages_and_stops_polling_for_closed_ones(
    events_server, agent, dealer
):
    url, port, log = events_server
    CustomerFactory(dealer=dealer, mobile=CALLER, name="陈静")
    _line, token = cti_line_create(dealer=dealer, number="02088880000")
    cookie = _login(url)

    streams = [_Stream(port, cookie) for _ in range(STREAMS)]
    try:
        # Every stream is being served at once: each has answered with what rings now (nothing).
        for stream in streams:
            assert stream.next_calls(timeout=10) == [], log.read_text(errors="replace")
        # An ordinary page still answers meanwhile.
        assert requests.get(f"{url}/healthz/ready", timeout=5).status_code == 200
        assert requests.get(f"{url}/accounts/login/", timeout=5).status_code == 200

        ring = requests.post(
            f"{url}/api/v1/cti/{token}/",
            data={"event": "newCall", "callId": "c-1", "from": CALLER, "to": "02088880000", "direction": "in"}
            | {"user[]": "agent"},
            timeout=5,
        )
        assert (ring.status_code, ring.json()) == (200, {})
        for stream in streams:
            calls = stream.next_calls(timeout=3)  # polled every 0.2 s: a couple of seconds at most, loaded or not
            while not calls:
                calls = stream.next_calls(timeout=3)
            [pop] = calls
            assert (pop["customer"], pop["phone"], pop["title"]) == ("陈静", "138 0013 8000", "Incoming call")
        assert requests.get(f"{url}/healthz/ready", timeout=5).status_code == 200

        # The open streams poll, and share the pool: a waiting stream holds no connection.
        mark = _database_now()
        time.sleep(10 * POLL_SECONDS)
        connections, active = _events_backends(mark)
        assert 0 < connections <= POOL
        assert active > 0
    finally:
        for stream in streams:
            stream.close()

    # Closed pages: their streams end at once (each would poll for another two minutes otherwise), so nothing
    # queries the database any more.
    time.sleep(5 * POLL_SECONDS)  # a poll already running finishes
    mark = _database_now()
    time.sleep(10 * POLL_SECONDS)
    assert _events_backends(mark)[1] == 0, log.read_text(errors="replace")

    # uvicorn logs through the app's handler (JSON, masked): the line of the PBX's post does not give its token.
    text = log.read_text(errors="replace")
    access = [json.loads(line) for line in text.splitlines() if line.startswith("{") and '"uvicorn.access"' in line]
    assert sum("GET /calls/ringing/" in line["message"] for line in access) == STREAMS, text
    assert any("POST /api/v1/cti/****/" in line["message"] for line in access) and token not in text, text
