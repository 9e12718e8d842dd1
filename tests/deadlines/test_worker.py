"""The deadline engine with a real Celery worker and beat on Redis and PostgreSQL: due rows are handled, a worker
killed in the middle of a sweep loses nothing and repeats nothing, and two sweeps at once act once per deadline.

The worker runs in another process, so it must see the test's rows: these tests commit (transactional_db) and give
the worker the test database's name."""

import os
import signal
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection, connections
from django.utils import timezone

from cac import roles
from cac.deadlines.engine import sweep_deadlines
from cac.models import Notification
from callbacks.models import Callback, Kind
from callbacks.models import Status as CallbackStatus
from complaints.models import Complaint, Escalation, EscalationLevel
from prospects.models import Status as ProspectStatus
from tests.cac.factories import CustomerFactory
from tests.complaints.factories import ComplaintFactory
from tests.prospects.factories import ProspectFactory, put
from tests.test_celery_worker import _env, _start, _stop, _wait_for

pytestmark = [pytest.mark.services, pytest.mark.real_clock, pytest.mark.django_db(transaction=True)]


def _database_url() -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def worker_env(tmp_path, redis_url, postgres):
    import redis

    # A queue of its own, so that a worker left running elsewhere on this Redis cannot take the sweep.
    env = _env(tmp_path, broker=redis_url, prefix=f"cac-sweep-test-{os.getpid()}-{time.monotonic_ns()}-")
    env.update(
        CAC_SWEEP_SECONDS="1",
        DATABASE_URL=_database_url(),
        DATABASE_CONN_MAX_AGE="0",
    )
    yield env
    client = redis.Redis.from_url(redis_url)
    client.delete(*env["CELERY_QUEUE"].split(","))


def _worker(tmp_path: Path, env: dict[str, str], name: str):
    log = tmp_path / f"{name}.log"
    return _start(["worker", "--loglevel=INFO", "--pool=solo", "-Q", env["CELERY_QUEUE"], "-n", f"{name}@%h"], env, log)


def _beat(tmp_path: Path, env: dict[str, str]):
    return _start(["beat", "--loglevel=INFO", "-s", str(tmp_path / "beat-schedule")], env, tmp_path / "beat.log")


def _until(check, timeout: float = 90) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.1)
    return False


def _logs(tmp_path: Path) -> str:
    return "\n".join(f"--- {log.name}\n{log.read_text(errors='replace')[-4000:]}" for log in tmp_path.glob("*.log"))


@pytest.fixture
def due_complaints(dealer, make_user):
    """The department manager the breached acknowledgments go to, and a factory of complaints already breached."""
    make_user(roles.SERVICE_MANAGER, dealer, username="service-manager")
    customer = CustomerFactory(dealer=dealer)

    def make(count: int) -> list[Complaint]:
        now = timezone.now()
        return ComplaintFactory.create_batch(
            count,
            customer=customer,
            received_at=now - timedelta(hours=10),
            acknowledge_due_at=now - timedelta(hours=1),
            resolve_due_at=now + timedelta(days=3),
        )

    return make


def _handled_once(total: int) -> None:
    """Every breached complaint escalated exactly once, its history written once, its manager told once."""
    assert Complaint.objects.filter(escalation_level=EscalationLevel.DEPARTMENT_MANAGER).count() == total
    assert Escalation.objects.count() == total
    assert Escalation.objects.values("complaint").distinct().count() == total
    assert Complaint.history.filter(history_change_reason__startswith="escalated").count() == total
    assert Notification.objects.filter(kind="complaint_escalated").count() == total


def test_worker_and_beat_handle_due_rows(tmp_path, worker_env, due_complaints, dealer, agent):
    due_complaints(3)
    now = timezone.now()
    call = Callback.objects.create(
        dealer=dealer,
        customer=CustomerFactory(dealer=dealer),
        kind=Kind.AFTER_SERVICE,
        due_at=now - timedelta(minutes=5),
        agent=agent,
    )
    put(ProspectFactory(dealer=dealer, owner=agent), ProspectStatus.FOLLOWING, next_contact_at=now - timedelta(hours=1))
    worker, beat = _worker(tmp_path, worker_env, "w1"), _beat(tmp_path, worker_env)
    try:
        assert _until(
            lambda: Escalation.objects.count() == 3 and Callback.objects.get(pk=call.pk).status == CallbackStatus.DUE
        ), _logs(tmp_path)
        assert _wait_for(tmp_path / "w1.log", "Deadline sweep at"), _logs(tmp_path)
        time.sleep(3)  # several more sweeps: nothing more happens
    finally:
        _stop(worker, beat)
    _handled_once(3)
    assert not Notification.objects.filter(kind="prospect_due").exists()  # the morning digest's line instead


def test_a_worker_killed_mid_sweep_loses_and_repeats_nothing(tmp_path, worker_env, due_complaints):
    total = 300
    due_complaints(total)
    # Small batches with a pause: the sweep takes seconds, so the kill lands in its middle.
    env = {**worker_env, "CAC_SWEEP_BATCH": "10", "CAC_SWEEP_BATCH_PAUSE": "0.2"}
    worker, beat = _worker(tmp_path, env, "w1"), _beat(tmp_path, env)
    try:
        assert _until(lambda: Escalation.objects.count() >= 30), _logs(tmp_path)
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)
        at_kill = Escalation.objects.count()
        assert 30 <= at_kill < total, f"the kill missed the sweep's middle: {at_kill} of {total}"
        time.sleep(2)
        assert Escalation.objects.count() == at_kill  # nobody else is sweeping
        # Two workers this time: they split the rest between them.
        second, third = _worker(tmp_path, env, "w2"), _worker(tmp_path, env, "w3")
        try:
            assert _until(
                lambda: (
                    Escalation.objects.count() == total
                    and Notification.objects.filter(kind="complaint_escalated").count() == total
                ),
                timeout=120,
            ), _logs(tmp_path)
            time.sleep(3)
        finally:
            _stop(second, third)
    finally:
        _stop(worker, beat)
    _handled_once(total)


def test_two_sweeps_at_once_act_once_per_deadline(postgres, due_complaints, dealer, agent, make_user):
    total = 120
    due_complaints(total)
    make_user(roles.SALES_MANAGER, dealer, username="sales-manager")
    now = timezone.now()
    for _ in range(20):
        put(
            ProspectFactory(dealer=dealer, owner=agent),
            ProspectStatus.FOLLOWING,
            next_contact_at=now - timedelta(days=10),
        )
    errors: list[BaseException] = []
    start = threading.Barrier(3)

    def sweep() -> None:
        try:
            start.wait()
            sweep_deadlines(batch=7)
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sweep) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    _handled_once(total)
    assert Notification.objects.filter(kind="prospect_overdue").count() == 20
