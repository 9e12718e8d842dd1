"""A real Celery worker and beat, on the embedded file-system broker and on Redis."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _start(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "cac", *args],
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _wait_for(log: Path, text: str, timeout: float = 60) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if text in log.read_text(errors="replace"):
            return True
        time.sleep(0.5)
    return False


def _stop(*processes: subprocess.Popen) -> None:
    for process in processes:
        if process.poll() is None:
            os.killpg(process.pid, 15)
    for process in processes:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, 9)


QUEUES = ("deadlines", "default", "reports", "imports")


def _env(tmp_path: Path, broker: str, prefix: str = "") -> dict[str, str]:
    """The worker's environment; `prefix` gives it queues of its own (CELERY_QUEUE: all of them, for -Q)."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cac.settings_test",
        "CELERY_BROKER_DIR": str(tmp_path / "broker"),
        "CAC_HEARTBEAT_SECONDS": "2",
        "CAC_QUEUE_PREFIX": prefix,
        "CELERY_QUEUE": ",".join(prefix + queue for queue in QUEUES),
    }
    env.pop("REDIS_URL", None)
    if broker:
        env["REDIS_URL"] = broker
    for folder in ("queue", "processed", "control"):
        (tmp_path / "broker" / folder).mkdir(parents=True, exist_ok=True)
    return env


def _run_worker_and_beat(tmp_path: Path, env: dict[str, str]) -> None:
    worker_log, beat_log = tmp_path / "worker.log", tmp_path / "beat.log"
    worker = _start(["worker", "--loglevel=INFO", "--pool=solo", "-Q", env["CELERY_QUEUE"]], env, worker_log)
    beat = _start(["beat", "--loglevel=INFO", "-s", str(tmp_path / "beat-schedule")], env, beat_log)
    try:
        assert _wait_for(worker_log, "CAC worker heartbeat"), (
            f"beat's heartbeat never reached the worker\n--- worker\n{worker_log.read_text()}\n"
            f"--- beat\n{beat_log.read_text()}"
        )
    finally:
        _stop(worker, beat)


@pytest.mark.services
def test_worker_and_beat_on_embedded_broker(tmp_path):
    env = _env(tmp_path, broker="")
    _run_worker_and_beat(tmp_path, env)


@pytest.mark.services
def test_worker_and_beat_on_redis(tmp_path, redis_url):
    import redis

    # A queue of its own, so that a worker left running elsewhere on this Redis cannot take the task.
    env = _env(tmp_path, broker=redis_url, prefix=f"cac-test-{os.getpid()}-{time.monotonic_ns()}-")
    redis.Redis.from_url(redis_url).ping()
    _run_worker_and_beat(tmp_path, env)
